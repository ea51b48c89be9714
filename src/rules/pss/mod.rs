//! Pod Security Standards, exactly as the Pod Security Admission controller judges them
//! (`specs/pss.md`). One rule per upstream check; this module holds what they share: which
//! policy (level and version) a pod is judged at, which checks that policy runs, and the
//! message helpers that reproduce upstream's reason/detail text.
//!
//! Each rule reports one finding per setter (the pod, or one container, or one volume) at
//! the offending field, with upstream's message for that setter, so that every finding
//! points at its own line and can be suppressed on its own.

use crate::engine::{Finding, ObjectCx, Out, Target};
use crate::model::pss::{PssLevel, PssVersion};
use crate::model::{ContainerView, Workload};
use crate::source::{Loc, Route};
use k8s_openapi::api::core::v1::PodSecurityContext;

pub mod allow_privilege_escalation;
pub mod app_armor;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
pub mod host_namespaces;
pub mod host_path_volumes;
pub mod host_ports;
pub mod host_probes;
pub mod privileged;
pub mod proc_mount;
pub mod proc_mount_restricted;
pub mod restricted_volumes;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod seccomp_baseline;
pub mod seccomp_restricted;
pub mod selinux;
pub mod sysctls;
pub mod windows_host_process;

/// An upstream check: its id, level, first policy version, and (for baseline checks) the
/// version from which a restricted check replaces it under the restricted level.
#[derive(Clone, Copy, Debug)]
pub struct Check {
    pub id: &'static str,
    pub level: PssLevel,
    /// First policy minor version the check exists at.
    pub since: u32,
    /// Under `restricted`, replaced by a restricted check from this minor version on.
    pub overridden_from: Option<u32>,
}

impl Check {
    /// Whether a policy runs this check (pss.md §1.2, §1.3).
    pub fn active(&self, policy: &Policy) -> bool {
        policy.level >= self.level
            && policy.minor >= self.since
            && !(policy.level == PssLevel::Restricted && self.overridden_from.is_some_and(|v| policy.minor >= v))
    }
}

/// The policy a pod is judged at.
#[derive(Clone, Debug)]
pub struct Policy {
    pub level: PssLevel,
    /// The version as requested (shown in messages, never the clamped one).
    pub version: PssVersion,
    /// The minor version checks are evaluated at (`latest` and newer versions clamped).
    pub minor: u32,
    /// The namespace whose `enforce` label chose this policy, and where that label is.
    pub from_namespace: Option<(String, Loc)>,
}

impl Policy {
    /// kubectl's warning prefix: `would violate PodSecurity "restricted:latest"`.
    pub fn violates(&self) -> String {
        format!("would violate PodSecurity \"{}:{}\"", self.level, self.version)
    }
}

/// The newest policy minor version the checks are evaluated at: the newest shipped, or the
/// target cluster's minor when `kubernetes_version` is set (pss.md §1.2).
pub fn max_minor(cx: &ObjectCx<'_>) -> u32 {
    cx.settings
        .kubernetes_minor
        .map_or(PssVersion::NEWEST, |m| m.min(PssVersion::NEWEST))
}

/// The Kubernetes release whose PSA code runs: the target cluster, else the newest.
pub fn cluster_minor(cx: &ObjectCx<'_>) -> u32 {
    cx.settings.kubernetes_minor.unwrap_or(PssVersion::NEWEST)
}

/// The policy for an object: its namespace's `pod-security.kubernetes.io/enforce` label when
/// the set holds that namespace and labels are respected, else the configured one.
pub fn policy_for(cx: &ObjectCx<'_>) -> Policy {
    let max = max_minor(cx);
    let settings = &cx.settings.pss;
    if settings.respect_namespace_labels {
        if let Some(ns) = cx.namespace().and_then(|n| cx.namespaces.get(n)) {
            if let Some(enforce) = &ns.enforce {
                return Policy {
                    level: enforce.level,
                    version: enforce.version,
                    minor: enforce.version.effective_minor(max),
                    from_namespace: Some((ns.name.clone(), enforce.loc)),
                };
            }
        }
    }
    Policy {
        level: settings.level,
        version: settings.version,
        minor: settings.version.effective_minor(max),
        from_namespace: None,
    }
}

/// A pod template being judged by one check.
pub struct Pod<'c, 'a> {
    pub cx: &'c ObjectCx<'a>,
    pub workload: Workload<'a>,
    pub policy: Policy,
}

impl<'c, 'a> Pod<'c, 'a> {
    /// The pod of `cx` when `check` applies to it: a pod-bearing object, not exempt, judged
    /// at a policy that runs the check.
    pub fn for_check(cx: &'c ObjectCx<'a>, check: &Check) -> Option<Pod<'c, 'a>> {
        let workload = cx.workload()?;
        let settings = &cx.settings.pss;
        if cx
            .namespace()
            .is_some_and(|ns| settings.exempt_namespaces.iter().any(|e| e == ns))
        {
            return None;
        }
        if let Some(rc) = workload.spec.runtime_class_name.as_deref().filter(|r| !r.is_empty()) {
            if settings.exempt_runtime_classes.iter().any(|e| e == rc) {
                return None;
            }
        }
        let policy = policy_for(cx);
        check.active(&policy).then_some(Pod { cx, workload, policy })
    }

    pub fn containers(&self) -> impl Iterator<Item = ContainerView<'a>> + 'a {
        self.workload.containers()
    }

    pub fn security_context(&self) -> Option<&'a PodSecurityContext> {
        self.workload.spec.security_context.as_ref()
    }

    /// Route to a field of the pod's `securityContext`.
    pub fn sc_route(&self, field: &'static str) -> Route {
        self.workload.spec_route().keys(&["securityContext", field])
    }

    /// `spec.os.name` is exactly `windows`.
    pub fn is_windows(&self) -> bool {
        self.workload.spec.os.as_ref().is_some_and(|os| os.name == "windows")
    }

    /// `spec.hostUsers` is explicitly `false` (a user namespace).
    pub fn host_users_false(&self) -> bool {
        self.workload.spec.host_users == Some(false)
    }

    /// The pod template's annotations.
    pub fn annotations(&self) -> impl Iterator<Item = (&'a String, &'a String)> + 'a {
        self.workload
            .meta
            .and_then(|m| m.annotations.as_ref())
            .into_iter()
            .flatten()
    }

    pub fn at(&self, route: &Route) -> Target {
        self.cx.at(route)
    }

    /// Reports `reason (detail)` with kubectl's prefix at `target`.
    pub fn emit<'o>(&self, out: &'o mut Out<'_>, target: Target, reason: &str, detail: &str) -> &'o mut Finding {
        let f = out.emit(target, format!("{}: {reason} ({detail})", self.policy.violates()));
        if let Some((ns, loc)) = &self.policy.from_namespace {
            f.related(
                *loc,
                format!(
                    "namespace `{ns}` enforces {}:{}",
                    self.policy.level, self.policy.version
                ),
            );
        }
        f
    }
}

/// `Q(list)`: each element in double quotes, joined by `, ` (no escaping, as upstream).
pub fn q<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `PL(n, singular, plural)`.
pub fn pl(n: usize, singular: &'static str, plural: &'static str) -> &'static str {
    if n == 1 { singular } else { plural }
}

/// `CTRS(names)`: `container "a"` or `containers "a", "b"`.
pub fn ctrs<S: AsRef<str>>(names: &[S]) -> String {
    format!("{} {}", pl(names.len(), "container", "containers"), q(names))
}

/// Sorted, de-duplicated strings.
pub fn sorted_distinct<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.as_ref().to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// Go's `%q` for the values shown in annotation details.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string field as PSA sees it: absent is `""`.
pub fn or_empty(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_helpers() {
        assert_eq!(q(&["a", "b"]), "\"a\", \"b\"");
        assert_eq!(ctrs(&["a"]), "container \"a\"");
        assert_eq!(ctrs(&["a", "b"]), "containers \"a\", \"b\"");
        assert_eq!(go_quote("un\"conf\\ined\n"), "\"un\\\"conf\\\\ined\\n\"");
    }

    #[test]
    fn overrides() {
        let p = |level, minor| Policy {
            level,
            version: PssVersion::V1(minor),
            minor,
            from_namespace: None,
        };
        let seccomp_baseline = Check {
            id: "seccompProfile_baseline",
            level: PssLevel::Baseline,
            since: 0,
            overridden_from: Some(19),
        };
        assert!(seccomp_baseline.active(&p(PssLevel::Restricted, 18)));
        assert!(!seccomp_baseline.active(&p(PssLevel::Restricted, 19)));
        assert!(seccomp_baseline.active(&p(PssLevel::Baseline, 30)));
        assert!(!seccomp_baseline.active(&p(PssLevel::Privileged, 30)));
    }
}
