//! Pod Security Standards, exactly as the Pod Security Admission controller judges them
//! (`specs/pss.md`). One rule per upstream check; this module holds what they share: which
//! policy (level and version) a pod is judged at, which checks that policy runs, and the
//! message helpers that reproduce upstream's reason/detail text.
//!
//! Each rule reports one finding per pod template, as Pod Security Admission does: the
//! first offending field (the pod, a container, a volume) is the primary location, the
//! other setters are related locations, and the message lists every setter's detail.
//!
//! Severity: a baseline check is an error. A restricted-only check is an error when the
//! namespace's `enforce` label makes admission reject the pod, and otherwise the rule's
//! severity (a warning by default): nothing in the set says the deploy will break.
//!
//! A pod is judged at the configured level (`--pss-level`, default restricted), or at its
//! namespace's `enforce` label when that is at least as strict. A namespace that enforces a
//! lower level (`privileged`, `baseline`) does not silence the checks: the finding says the
//! namespace would admit the pod today.

use crate::engine::{Applicability, Finding, Fix, ObjectCx, Out, Severity, Target};
use crate::model::pss::{PssLevel, PssVersion};
use crate::model::{ContainerView, Workload};
use crate::source::edit::Value;
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

/// The policy a namespace's `pod-security.kubernetes.io/enforce` labels set, when the set
/// holds that namespace and labels are respected.
pub fn namespace_policy(cx: &ObjectCx<'_>) -> Option<Policy> {
    if !cx.settings.pss.respect_namespace_labels {
        return None;
    }
    let ns = cx.namespace().and_then(|n| cx.namespaces.get(n))?;
    let enforce = ns.enforce.as_ref()?;
    Some(Policy {
        level: enforce.level,
        version: enforce.version,
        minor: enforce.version.effective_minor(max_minor(cx)),
        from_namespace: Some((ns.name.clone(), enforce.loc)),
    })
}

/// The policy an object is judged at: the configured one, or its namespace's enforce
/// policy when that is at least as strict (admission applies it, with its version). A
/// namespace that enforces a lower level does not lower the bar: the pod is judged at the
/// configured level, and findings say the namespace would admit it today.
pub fn policy_for(cx: &ObjectCx<'_>) -> Policy {
    let settings = &cx.settings.pss;
    let configured = Policy {
        level: settings.level,
        version: settings.version,
        minor: settings.version.effective_minor(max_minor(cx)),
        from_namespace: None,
    };
    match namespace_policy(cx) {
        Some(ns) if ns.level >= configured.level => ns,
        _ => configured,
    }
}

/// A pod template being judged by one check.
pub struct Pod<'c, 'a> {
    pub cx: &'c ObjectCx<'a>,
    pub workload: Workload<'a>,
    pub policy: Policy,
    /// The namespace's enforce policy when it does not run this check: admission would
    /// admit the pod today.
    pub admitted_by: Option<Policy>,
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
        if let Some(rc) = workload.spec.runtime_class_name.as_deref().filter(|r| !r.is_empty())
            && settings.exempt_runtime_classes.iter().any(|e| e == rc)
        {
            return None;
        }
        let policy = policy_for(cx);
        if !check.active(&policy) {
            return None;
        }
        let admitted_by = namespace_policy(cx).filter(|ns| !check.active(ns));
        Some(Pod {
            cx,
            workload,
            policy,
            admitted_by,
        })
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

    /// A fix of this pod. Any Pod Security fix is safe for a pod whose namespace enforces
    /// the policy that runs this check: admission rejects the pod as written today
    /// (`specs/autofix.md`, decision 2).
    pub fn fix(&self, applicability: Applicability, title: impl Into<String>) -> Fix {
        let applicability = if self.policy.from_namespace.is_some() {
            Applicability::Safe
        } else {
            applicability
        };
        self.cx.fix(applicability, title)
    }

    /// Whether a container is known to run as a non-root user: its effective `runAsUser`
    /// is above 0, or its effective `runAsNonRoot` is true.
    pub fn known_non_root(&self, c: &ContainerView<'_>) -> bool {
        let sc = c.container.security_context.as_ref();
        let pod = self.security_context();
        let user = sc.and_then(|s| s.run_as_user).or(pod.and_then(|s| s.run_as_user));
        let non_root = sc
            .and_then(|s| s.run_as_non_root)
            .or(pod.and_then(|s| s.run_as_non_root));
        user.is_some_and(|u| u > 0) || (non_root == Some(true) && user != Some(0))
    }

    /// Reports `reason (detail)` with kubectl's prefix at `target`; when the namespace
    /// enforces a policy that admits the pod, the message says so.
    pub fn emit<'o>(&self, out: &'o mut Out<'_>, target: Target, reason: &str, detail: &str) -> &'o mut Finding {
        let admitted = match &self.admitted_by {
            Some(Policy {
                level,
                version,
                from_namespace: Some((ns, _)),
                ..
            }) => format!("; admitted today: namespace `{ns}` enforces `{level}:{version}`"),
            _ => String::new(),
        };
        let f = out.emit(
            target,
            format!("{}: {reason} ({detail}){admitted}", self.policy.violates()),
        );
        // The namespace's enforce label chose the policy and it runs this check: admission
        // rejects the pod.
        if self.policy.from_namespace.is_some() {
            f.severity = Severity::Error;
        }
        for p in [&self.policy, self.admitted_by.as_ref().unwrap_or(&self.policy)] {
            if let Some((ns, loc)) = &p.from_namespace
                && f.more().related.iter().all(|r| r.loc != *loc)
            {
                f.related(*loc, format!("namespace `{ns}` enforces {}:{}", p.level, p.version));
            }
        }
        f
    }
}

/// One finding per check per pod: the findings a check made on one object, one per
/// setter, become the first one with every setter's detail in its message and the other
/// setters as related locations (labelled as they were).
pub fn merge(found: &mut Vec<Finding>) {
    if found.len() < 2 {
        return;
    }
    let parts: Vec<Option<(&str, &str, &str)>> = found.iter().map(|f| split_message(&f.message)).collect();
    let Some(Some((head, _, tail))) = parts.first().copied() else {
        return;
    };
    let details: Vec<&str> = parts.iter().flatten().map(|(_, d, _)| *d).collect();
    let mut joined = Vec::with_capacity(details.len());
    for d in details {
        if !joined.contains(&d) {
            joined.push(d);
        }
    }
    let message = format!("{head} ({}){tail}", joined.join("; "));
    let mut rest = found.split_off(1);
    let first = &mut found[0];
    // One fix for the merged finding: every part's ops.
    for f in &mut rest {
        match (first.fix.as_deref_mut(), f.fix.take()) {
            (Some(mine), Some(theirs)) => mine.absorb(*theirs),
            (None, Some(theirs)) => first.fix = Some(theirs),
            _ => {}
        }
        if first.more().not_fixable.is_none()
            && let Some(why) = f.take_not_fixable()
        {
            first.more_mut().not_fixable = Some(why);
        }
    }
    first.message = crate::engine::shared(&crate::engine::printable(message));
    first.severity = rest.iter().map(|f| f.severity).fold(first.severity, Severity::max);
    for mut f in rest.drain(..) {
        let what = f
            .shown_label()
            .map(|l| format!("{l} ({})", split_message(&f.message).map_or("", |(_, d, _)| d)))
            .unwrap_or_else(|| f.message.to_string());
        if first.more().related.iter().all(|r| r.loc != f.loc()) && first.loc() != f.loc() {
            first.related(f.loc(), what);
        }
        for r in f.take_more().related {
            if first.related_locs().iter().all(|k| k.loc != r.loc) {
                first.more_mut().related.push(r);
            }
        }
    }
}

/// Replaces an explicit seccomp profile type (`route` names `…seccompProfile.type`) by
/// `RuntimeDefault`, dropping a `localhostProfile` the API would then reject.
pub fn runtime_default(pod: &Pod<'_, '_>, route: &Route, setter: &str) -> Fix {
    let mut fix = pod
        .fix(
            Applicability::Unsafe,
            format!("set the seccomp profile of {setter} to RuntimeDefault"),
        )
        .set(route.clone(), Value::Str("RuntimeDefault".into()));
    let mut profile = route.clone();
    if let Some(parent) = parent(route) {
        profile = parent.key("localhostProfile");
    }
    if pod.cx.exists(&profile) {
        fix = fix.remove(profile, false);
    }
    fix
}

/// The route without its last segment.
pub fn parent(route: &Route) -> Option<Route> {
    let segs = route.segs();
    let (_, init) = segs.split_last()?;
    let mut r = Route::root();
    for s in init {
        r = match s {
            crate::source::Seg::Key(k) => r.key(k.clone()),
            crate::source::Seg::Index(i) => r.index(*i),
        };
    }
    Some(r)
}

/// Removes the items of a string list that `keep` rejects, one by one, or the whole entry
/// (and the parents it leaves empty) when none is kept.
pub fn keep_items(fix: Fix, list: Route, items: &[String], keep: impl Fn(&str) -> bool) -> Fix {
    remove_items(fix, list, items.len(), |i| !keep(&items[i]))
}

/// Removes the items `drop` names from a list of `len` items, or the whole entry (and the
/// parents it leaves empty) when every item goes.
pub fn remove_items(mut fix: Fix, list: Route, len: usize, drop: impl Fn(usize) -> bool) -> Fix {
    let dropped: Vec<usize> = (0..len).filter(|i| drop(*i)).collect();
    if dropped.len() == len {
        return fix.remove(list, true);
    }
    for i in dropped.into_iter().rev() {
        fix = fix.remove(list.index(i), false);
    }
    fix
}

/// `would violate …: reason (detail); admitted …` → (`would violate …: reason`, detail,
/// `; admitted …`), as [`Pod::emit`] writes it.
fn split_message(m: &str) -> Option<(&str, &str, &str)> {
    let open = m.find(" (")?;
    let close = m.rfind(')')?;
    (close > open).then(|| (&m[..open], &m[open + 2..close], &m[close + 1..]))
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
    fn merged_messages_list_every_setter() {
        let m = "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"a\" must set securityContext.allowPrivilegeEscalation=false); admitted today: namespace `x` enforces `baseline:latest`";
        let (head, detail, tail) = split_message(m).expect("parts");
        assert_eq!(
            head,
            "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"
        );
        assert_eq!(
            detail,
            "container \"a\" must set securityContext.allowPrivilegeEscalation=false"
        );
        assert_eq!(tail, "; admitted today: namespace `x` enforces `baseline:latest`");
        assert_eq!(split_message("no detail"), None);
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
