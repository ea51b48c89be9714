//! The posture report (`plimsoll posture`): for every namespace of the set, where it stands
//! on each control a platform rolls out namespace by namespace (Pod Security, network
//! isolation, supply chain, secrets, scaling and delivery, RBAC), and how many namespaces
//! are under each policy.
//!
//! A namespace is *under policy* for a control when the control's requirements hold (for
//! Pod Security: an `enforce` label at the configured level or stricter; for the network:
//! default-deny ingress and egress; for the supply chain: every image pinned, and verified
//! when the set has signature policies; for RBAC: no binding that grants cluster-admin or
//! wildcards into it) and none of the control's rules reports a warning or an error about
//! an object of the namespace. `info` findings are advice: they are counted, not held
//! against the namespace. The numbers come from one lint: the facts of the cross-object
//! phase ([`gather`]) and the findings as `check` reports them, suppressions applied
//! ([`assemble`]).

mod compare;
mod html;
mod markdown;
mod text;

pub use compare::{Comparison, compare};

use crate::engine::{Files, Finding, SetCx, Severity};
use crate::model::ObjectRef;
use crate::model::image::ImageRef;
use crate::model::netpol::Direction;
use crate::model::pss::PssLevel;
use crate::model::rbac::Subject;
use crate::source::FileId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::str::FromStr;

/// Bumped on any incompatible change to the JSON document's shape.
pub const VERSION: u32 = 1;

/// The rule families the controls are judged by: what `plimsoll posture` runs.
pub const FAMILIES: &[&str] = &["pss", "ns", "netpol", "image", "secret", "hpa", "canary", "rbac", "sa"];

/// Rules whose findings keep a namespace out of policy even at `info` (their severity is
/// capped because the set may be incomplete): an autoscaler or a canary whose target is
/// not in the set cannot be shown to work.
pub(crate) const CANNOT_WORK: &[&str] = &["hpa-target-not-found", "canary-target-not-found"];

/// The rules that find credentials written as literals outside Secrets (the other
/// `secret-*` rules judge how secrets are managed, and `secret-high-entropy-literal` is a
/// guess, `info`).
const LITERAL_CREDENTIALS: &[&str] = &[
    "secret-env-literal",
    "secret-configmap-sensitive",
    "secret-private-key-literal",
    "secret-token-pattern",
    "secret-url-credentials",
];

/// Namespaces the control plane manages, which the network control does not judge (as the
/// `netpol-namespace-no-default-deny-*` rules do not by default).
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// The label Pod Security Admission enforces by, and its version.
const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";

/// The controls, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Control {
    PodSecurity,
    Network,
    SupplyChain,
    Secrets,
    Scaling,
    Rbac,
}

impl Control {
    pub const ALL: [Control; 6] = [
        Control::PodSecurity,
        Control::Network,
        Control::SupplyChain,
        Control::Secrets,
        Control::Scaling,
        Control::Rbac,
    ];

    /// The id used in JSON and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Control::PodSecurity => "pod-security",
            Control::Network => "network",
            Control::SupplyChain => "supply-chain",
            Control::Secrets => "secrets",
            Control::Scaling => "scaling",
            Control::Rbac => "rbac",
        }
    }

    /// The column title.
    pub fn title(self) -> &'static str {
        match self {
            Control::PodSecurity => "Pod Security",
            Control::Network => "Network",
            Control::SupplyChain => "Supply chain",
            Control::Secrets => "Secrets",
            Control::Scaling => "Scaling & delivery",
            Control::Rbac => "RBAC",
        }
    }

    /// The control a rule's findings count against.
    pub fn of_rule(rule: &str) -> Option<Control> {
        let family = crate::engine::meta(rule).map(|m| m.family.as_str())?;
        Some(match family {
            "pss" | "ns" => Control::PodSecurity,
            "netpol" => Control::Network,
            "image" => Control::SupplyChain,
            "secret" => Control::Secrets,
            "hpa" | "canary" => Control::Scaling,
            "rbac" | "sa" => Control::Rbac,
            _ => return None,
        })
    }
}

/// Where a namespace stands on one control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Requirements met, no warning or error.
    Under,
    /// A requirement unmet, or a warning or error.
    Not,
    /// Nothing to judge (no image, no autoscaler or canary, a namespace exempt from Pod
    /// Security Admission).
    NotApplicable,
}

/// The whole report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Posture {
    pub version: u32,
    pub tool: String,
    /// The Pod Security level and version templates are judged against.
    pub pss: PssConfigured,
    pub summary: Summary,
    pub namespaces: Vec<Namespace>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PssConfigured {
    pub level: String,
    pub version: String,
}

/// The headline: how many namespaces are under each policy, and under all of them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    pub namespaces: usize,
    /// Per control (by id): namespaces under it, and namespaces it applies to.
    pub controls: BTreeMap<Control, Tally>,
    /// Namespaces at least one control applies to (the others hold nothing to judge: no
    /// pod template, no Namespace object, no image, secret, autoscaler or binding).
    pub judged: usize,
    /// Namespaces under every control that applies to them, of those judged.
    pub under_all: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub under: usize,
    pub applicable: usize,
}

/// One namespace.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Namespace {
    pub name: String,
    /// A `Namespace` object of the set declares it.
    pub declared: bool,
    /// How many controls apply to it.
    pub applicable: usize,
    /// Some control applies, and it is under every control that does.
    pub under_all: bool,
    pub pod_security: PodSecurity,
    pub network: Network,
    pub supply_chain: SupplyChain,
    pub secrets: Secrets,
    pub scaling: Scaling,
    pub rbac: Rbac,
}

impl Namespace {
    /// Its standing on all controls: not applicable when none applies.
    pub fn all_status(&self) -> Status {
        match (self.applicable, self.under_all) {
            (0, _) => Status::NotApplicable,
            (_, true) => Status::Under,
            (_, false) => Status::Not,
        }
    }

    /// Whether a control holds it out of policy.
    pub fn out_of_policy(&self) -> bool {
        Control::ALL.iter().any(|c| self.judged(*c).status == Status::Not)
    }

    /// The judgement of one control.
    pub fn judged(&self, c: Control) -> &Judged {
        match c {
            Control::PodSecurity => &self.pod_security.judged,
            Control::Network => &self.network.judged,
            Control::SupplyChain => &self.supply_chain.judged,
            Control::Secrets => &self.secrets.judged,
            Control::Scaling => &self.scaling.judged,
            Control::Rbac => &self.rbac.judged,
        }
    }

    fn judged_mut(&mut self, c: Control) -> &mut Judged {
        match c {
            Control::PodSecurity => &mut self.pod_security.judged,
            Control::Network => &mut self.network.judged,
            Control::SupplyChain => &mut self.supply_chain.judged,
            Control::Secrets => &mut self.secrets.judged,
            Control::Scaling => &mut self.scaling.judged,
            Control::Rbac => &mut self.rbac.judged,
        }
    }

    /// The short figure shown in the table cell of a control.
    pub fn cell(&self, c: Control) -> String {
        let ratio = |n: usize, of: usize| format!("{n}/{of}");
        if self.judged(c).status == Status::NotApplicable {
            return match c {
                Control::PodSecurity if self.pod_security.exempt => "exempt",
                Control::Network if SYSTEM_NAMESPACES.contains(&self.name.as_str()) => "system",
                Control::PodSecurity | Control::Network => "no pods",
                Control::SupplyChain => "no images",
                Control::Scaling => "none",
                Control::Secrets | Control::Rbac => "nothing",
            }
            .to_string();
        }
        match c {
            Control::PodSecurity => {
                let p = &self.pod_security;
                let enforce = match (&p.enforce, p.exempt) {
                    (_, true) => "exempt".to_string(),
                    (Some(level), _) => level.clone(),
                    (None, _) => "no enforce".to_string(),
                };
                format!("{enforce}, {} pass", ratio(p.passing, p.templates))
            }
            Control::Network => {
                let n = &self.network;
                let deny = match (n.default_deny_ingress, n.default_deny_egress) {
                    (true, true) => "deny in+out",
                    (true, false) => "deny in",
                    (false, true) => "deny out",
                    (false, false) => "no deny",
                };
                format!(
                    "{deny}, {} in, {} out",
                    ratio(n.isolated_ingress, n.workloads),
                    ratio(n.isolated_egress, n.workloads)
                )
            }
            Control::SupplyChain => {
                let s = &self.supply_chain;
                let verified = match s.verified {
                    Some(v) => format!(", {} verified", ratio(v, s.images)),
                    None => String::new(),
                };
                format!("{} pinned{verified}", ratio(s.pinned, s.images))
            }
            Control::Secrets => {
                let s = &self.secrets;
                let mut parts = Vec::new();
                if s.plaintext_secrets > 0 {
                    parts.push(format!("{} plaintext", s.plaintext_secrets));
                }
                if s.literal_credentials > 0 {
                    parts.push(format!("{} literal", s.literal_credentials));
                }
                if s.material > 0 {
                    parts.push(format!("{} managed", ratio(s.managed, s.material)));
                }
                if parts.is_empty() {
                    "no secrets".to_string()
                } else {
                    parts.join(", ")
                }
            }
            Control::Scaling => {
                let s = &self.scaling;
                let mut parts = Vec::new();
                if s.hpas > 0 {
                    parts.push(format!("{} HPAs work", ratio(s.hpas_working, s.hpas)));
                }
                if s.canaries > 0 {
                    parts.push(format!("{} canaries gate", ratio(s.canaries_gating, s.canaries)));
                }
                // Not empty: the control applies only with an autoscaler or a canary.
                parts.join(", ")
            }
            Control::Rbac => {
                let r = &self.rbac;
                match (r.admin_bindings, r.wildcard_bindings) {
                    (0, 0) => "no broad grants".to_string(),
                    (a, 0) => format!("{a} admin"),
                    (0, w) => format!("{w} wildcard"),
                    (a, w) => format!("{a} admin, {w} wildcard"),
                }
            }
        }
    }
}

/// A control's verdict for a namespace, and what it rests on.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Judged {
    pub status: Status,
    /// Requirements the namespace does not meet (besides findings), in words.
    pub gaps: Vec<String>,
    /// Findings of the control's rules about objects of the namespace, by severity.
    pub findings: Counts,
    /// The objects with warnings or errors (or whose target is not in the set), and the
    /// rules that report them.
    pub responsible: Vec<Responsible>,
}

impl Default for Judged {
    fn default() -> Judged {
        Judged {
            status: Status::Under,
            gaps: Vec::new(),
            findings: Counts::default(),
            responsible: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

/// An object that keeps a namespace out of policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Responsible {
    /// `Kind/namespace/name`.
    pub object: String,
    /// Where its first such finding points.
    pub file: String,
    pub line: u32,
    pub rules: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PodSecurity {
    #[serde(flatten)]
    pub judged: Judged,
    /// The `enforce` label's value, as written.
    pub enforce: Option<String>,
    pub enforce_version: Option<String>,
    /// The namespace is exempt from Pod Security Admission (configuration).
    pub exempt: bool,
    /// Pod templates in the namespace, and those no Pod Security rule reports.
    pub templates: usize,
    pub passing: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Network {
    #[serde(flatten)]
    pub judged: Judged,
    /// A policy selects every pod of the namespace, lists `Ingress` and allows nothing.
    pub default_deny_ingress: bool,
    /// The same for egress.
    pub default_deny_egress: bool,
    /// Egress is denied by default and no workload is left without DNS.
    pub dns_allowed: bool,
    /// Workloads policies can apply to (host-network pods excluded), and those a policy
    /// selects for each direction.
    pub workloads: usize,
    pub isolated_ingress: usize,
    pub isolated_egress: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SupplyChain {
    #[serde(flatten)]
    pub judged: Judged,
    /// Container images (one per container of every pod template).
    pub images: usize,
    /// Pinned by digest.
    pub pinned: usize,
    /// Covered by an enforcing signature-verification policy; `null` when the set has no
    /// such policy (the cluster may keep them elsewhere).
    pub verified: Option<usize>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Secrets {
    #[serde(flatten)]
    pub judged: Judged,
    /// `Secret` objects committed with real values in plain text.
    pub plaintext_secrets: usize,
    /// Credentials written as literals elsewhere (env values, ConfigMaps, URLs, keys, tokens).
    pub literal_credentials: usize,
    /// Secret material managed by SealedSecrets, SOPS, External Secrets or the CSI driver.
    pub managed: usize,
    /// Managed material plus plaintext Secrets.
    pub material: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Scaling {
    #[serde(flatten)]
    pub judged: Judged,
    pub hpas: usize,
    /// Autoscalers no warning or error is reported about (target found, requests set, sane
    /// behaviour).
    pub hpas_working: usize,
    pub canaries: usize,
    /// Canaries whose analysis can fail a release (no warning or error about them).
    pub canaries_gating: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Rbac {
    #[serde(flatten)]
    pub judged: Judged,
    /// Bindings that grant cluster-admin (or an admin-equivalent role) into the namespace:
    /// its RoleBindings, and ClusterRoleBindings to its ServiceAccounts.
    pub admin_bindings: usize,
    /// Bindings that grant a role with `*` in its verbs or resources into the namespace.
    pub wildcard_bindings: usize,
    /// The bindings counted, `Kind/name`.
    pub bindings: Vec<String>,
}

/// What the cross-object phase knows about each namespace, gathered once from the index.
#[derive(Debug)]
pub struct Gathered {
    namespaces: BTreeMap<String, Namespace>,
    /// Objects by (file, index): the pod templates, autoscalers and canaries of each
    /// namespace, to count those findings are about.
    templates: BTreeMap<String, BTreeSet<(FileId, u32)>>,
    hpas: BTreeMap<String, BTreeSet<(FileId, u32)>>,
    canaries: BTreeMap<String, BTreeSet<(FileId, u32)>>,
    /// The namespaces of the ServiceAccounts each ClusterRoleBinding binds.
    cluster_bindings: BTreeMap<(FileId, u32), BTreeSet<String>>,
    /// SealedSecrets, SOPS Secrets, ExternalSecrets and SecretProviderClasses per namespace.
    managed: BTreeMap<String, usize>,
    default_namespace: String,
    level: PssLevel,
    version: String,
}

fn key(o: &ObjectRef) -> (FileId, u32) {
    (o.file, o.index)
}

/// Gathers what the posture needs from the set's index (for
/// [`crate::session::Session::lint_observed`]).
pub fn gather(cx: &SetCx<'_>) -> Gathered {
    let index = cx.index;
    let pss = &cx.settings.pss;
    let mut g = Gathered {
        namespaces: BTreeMap::new(),
        templates: BTreeMap::new(),
        hpas: BTreeMap::new(),
        canaries: BTreeMap::new(),
        cluster_bindings: BTreeMap::new(),
        managed: BTreeMap::new(),
        default_namespace: cx.settings.default_namespace.clone(),
        level: pss.level,
        version: pss.version.to_string(),
    };
    let policies = !index.image_policies.is_empty();
    for name in &index.namespace_names {
        let ns: &str = name;
        let mut n = Namespace {
            name: ns.to_string(),
            declared: index.namespaces.contains_key(ns),
            applicable: 0,
            under_all: false,
            pod_security: PodSecurity::default(),
            network: Network::default(),
            supply_chain: SupplyChain::default(),
            secrets: Secrets::default(),
            scaling: Scaling::default(),
            rbac: Rbac::default(),
        };
        if let Some(decl) = index.namespaces.get(ns) {
            n.pod_security.enforce = decl.labels.get(ENFORCE).map(str::to_string);
            n.pod_security.enforce_version = decl.labels.get(ENFORCE_VERSION).map(str::to_string);
        }
        n.pod_security.exempt = pss.exempt_namespaces.iter().any(|e| e == ns);

        // Pod templates, network isolation and images.
        let workloads: Vec<usize> = index.workloads_by_namespace.get(ns).cloned().unwrap_or_default();
        n.pod_security.templates = workloads.len();
        g.templates.insert(
            ns.to_string(),
            workloads.iter().map(|i| key(&index.workloads[*i].obj)).collect(),
        );
        let mut isolated: [BTreeSet<usize>; 2] = [BTreeSet::new(), BTreeSet::new()];
        let mut deny = [false, false];
        for p in index.netpols_in(ns) {
            for (k, d) in Direction::BOTH.iter().enumerate() {
                if p.has_type(*d) {
                    isolated[k].extend(index.workload_indices_matching(ns, &p.pod_selector));
                    deny[k] |= p.default_deny(*d);
                }
            }
        }
        let eligible: Vec<usize> = workloads
            .iter()
            .copied()
            .filter(|i| !index.workloads[*i].host_network)
            .collect();
        n.network.workloads = eligible.len();
        n.network.isolated_ingress = eligible.iter().filter(|i| isolated[0].contains(i)).count();
        n.network.isolated_egress = eligible.iter().filter(|i| isolated[1].contains(i)).count();
        n.network.default_deny_ingress = deny[0];
        n.network.default_deny_egress = deny[1];
        for i in &workloads {
            let w = &index.workloads[*i];
            for c in w.containers.iter().filter(|c| !c.image_from_trigger) {
                let Some(raw) = c.image.as_deref() else { continue };
                n.supply_chain.images += 1;
                let Ok(image) = ImageRef::parse(raw) else { continue };
                if image.digest.is_some() {
                    n.supply_chain.pinned += 1;
                }
                if policies {
                    let covered = !crate::rules::image::coverage(cx, w, &image).enforcing.is_empty();
                    *n.supply_chain.verified.get_or_insert(0) += usize::from(covered);
                }
            }
        }
        if policies && n.supply_chain.verified.is_none() {
            n.supply_chain.verified = Some(0);
        }
        g.namespaces.insert(ns.to_string(), n);
    }

    for h in &index.hpas {
        g.hpas.entry(h.namespace.to_string()).or_default().insert(key(&h.obj));
    }
    for c in &index.canaries {
        g.canaries.entry(c.namespace.clone()).or_default().insert(key(&c.obj));
    }
    for o in &index.objects {
        let (Some(ns), "SealedSecret" | "ExternalSecret" | "SecretProviderClass") = (&o.namespace, &*o.obj.kind) else {
            continue;
        };
        *g.managed.entry(ns.to_string()).or_default() += 1;
    }
    for ns in &index.sops_secrets {
        *g.managed.entry(ns.to_string()).or_default() += 1;
    }

    // Bindings that grant cluster-admin or wildcards into a namespace.
    let rbac = &index.rbac;
    for (b, grant) in rbac.bindings.iter().zip(&rbac.grants) {
        let into: BTreeSet<String> = if b.cluster {
            b.subjects
                .iter()
                .filter_map(|s| match &s.subject {
                    Subject::ServiceAccount { namespace, .. } => Some(namespace.to_string()),
                    _ => None,
                })
                .collect()
        } else {
            b.namespace.iter().map(|n| n.to_string()).collect()
        };
        if b.cluster && !into.is_empty() {
            g.cluster_bindings.insert(key(&b.obj), into.clone());
        }
        let real_subject = b.subjects.iter().any(|s| match &s.subject {
            Subject::Invalid => false,
            Subject::Group(g) => &**g != "system:masters",
            _ => true,
        });
        if !real_subject {
            continue;
        }
        let admin = grant.as_ref().is_some_and(|g| g.admin_equivalent());
        let wildcard = rbac.role_of(b).is_some_and(|r| {
            rbac.roles[r]
                .rules
                .iter()
                .any(|rule| rule.verbs.iter().chain(rule.resources.iter()).any(|x| &**x == "*"))
        });
        if !admin && !wildcard {
            continue;
        }
        for ns in into {
            let Some(n) = g.namespaces.get_mut(&ns) else { continue };
            if admin {
                n.rbac.admin_bindings += 1;
            } else {
                n.rbac.wildcard_bindings += 1;
            }
            n.rbac.bindings.push(format!("{}/{}", b.kind(), b.display()));
        }
    }
    g
}

/// The posture: the gathered facts judged with the run's findings, as `check` reports them
/// (suppressions applied; a finding several Kustomize renders share counts once, and
/// against each render's object).
pub fn assemble(mut g: Gathered, findings: &[Finding], files: &Files) -> Posture {
    // Per (namespace, control): counts, and the objects with warnings or errors.
    let mut responsible: BTreeMap<(String, Control), BTreeMap<String, Responsible>> = BTreeMap::new();
    // Objects with warnings or errors, per control, by key.
    let mut flagged: BTreeMap<Control, BTreeSet<(FileId, u32)>> = BTreeMap::new();
    let mut no_dns: BTreeSet<String> = BTreeSet::new();
    for f in findings {
        let Some(control) = Control::of_rule(f.rule.as_str()) else {
            continue;
        };
        let Some(obj) = &f.object else { continue };
        for ns in namespaces_of(obj, &g) {
            let Some(n) = g.namespaces.get_mut(&ns) else { continue };
            let blocking = f.severity >= Severity::Warning || CANNOT_WORK.contains(&f.rule.as_str());
            let counts = &mut n.judged_mut(control).findings;
            match f.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
            if !blocking {
                continue;
            }
            if f.rule == "netpol-egress-deny-without-dns" {
                no_dns.insert(ns.clone());
            }
            if f.rule == "secret-plaintext-in-manifest" {
                n.secrets.plaintext_secrets += 1;
            } else if LITERAL_CREDENTIALS.contains(&f.rule.as_str()) {
                n.secrets.literal_credentials += 1;
            }
            flagged
                .entry(control)
                .or_default()
                .extend(std::iter::once(obj).chain(&f.more().also).map(|o| key(o)));
            let shown = obj.display_name();
            let r = responsible
                .entry((ns.clone(), control))
                .or_default()
                .entry(shown.clone())
                .or_insert_with(|| Responsible {
                    object: shown,
                    file: files.display(f.loc().file).to_string(),
                    line: f.loc().span.start.line,
                    rules: Vec::new(),
                });
            if !r.rules.iter().any(|x| *x == *f.rule) {
                r.rules.push(f.rule.to_string());
            }
        }
    }
    let empty = BTreeSet::new();
    let level = g.level;
    let mut summary = Summary {
        namespaces: g.namespaces.len(),
        controls: Control::ALL
            .iter()
            .map(|c| {
                (
                    *c,
                    Tally {
                        under: 0,
                        applicable: 0,
                    },
                )
            })
            .collect(),
        judged: 0,
        under_all: 0,
    };
    for (name, n) in g.namespaces.iter_mut() {
        let unflagged = |control: Control, objects: Option<&BTreeSet<(FileId, u32)>>| {
            let bad = flagged.get(&control).unwrap_or(&empty);
            objects.map_or(0, |o| o.iter().filter(|k| !bad.contains(k)).count())
        };
        // Pod Security.
        n.pod_security.passing = unflagged(Control::PodSecurity, g.templates.get(name));
        let ps = &mut n.pod_security;
        if !ps.exempt {
            match (&ps.enforce, n.declared) {
                (_, false) => ps
                    .judged
                    .gaps
                    .push("no Namespace object in the set: its Pod Security labels are unknown".to_string()),
                (None, true) => ps.judged.gaps.push("no enforce label".to_string()),
                (Some(e), true) => match PssLevel::from_str(e) {
                    Err(_) => ps.judged.gaps.push(format!("enforce label \"{e}\" is not a level")),
                    Ok(l) if l < level => ps
                        .judged
                        .gaps
                        .push(format!("enforces {e}, below the configured {}", level.as_str())),
                    Ok(_) => {}
                },
            }
        }
        // Network.
        let net = &mut n.network;
        net.dns_allowed = net.default_deny_egress && !no_dns.contains(name);
        if !net.default_deny_ingress {
            net.judged
                .gaps
                .push("no default-deny ingress NetworkPolicy".to_string());
        }
        if !net.default_deny_egress {
            net.judged.gaps.push("no default-deny egress NetworkPolicy".to_string());
        }
        // Supply chain.
        let sc = &mut n.supply_chain;
        if sc.pinned < sc.images {
            sc.judged.gaps.push(format!(
                "{} of {} images not pinned by digest",
                sc.images - sc.pinned,
                sc.images
            ));
        }
        if let Some(v) = sc.verified.filter(|v| *v < sc.images) {
            sc.judged.gaps.push(format!(
                "{} of {} images not covered by an enforcing signature policy",
                sc.images - v,
                sc.images
            ));
        }
        // Secrets.
        let managed = g.managed.get(name).copied().unwrap_or(0);
        n.secrets.managed = managed;
        n.secrets.material = managed + n.secrets.plaintext_secrets;
        // Scaling and delivery.
        n.scaling.hpas = g.hpas.get(name).map_or(0, BTreeSet::len);
        n.scaling.hpas_working = unflagged(Control::Scaling, g.hpas.get(name));
        n.scaling.canaries = g.canaries.get(name).map_or(0, BTreeSet::len);
        n.scaling.canaries_gating = unflagged(Control::Scaling, g.canaries.get(name));
        // RBAC.
        let r = &mut n.rbac;
        if r.admin_bindings + r.wildcard_bindings > 0 {
            r.judged.gaps.push(format!(
                "{} {} cluster-admin or wildcards into the namespace",
                r.admin_bindings + r.wildcard_bindings,
                if r.admin_bindings + r.wildcard_bindings == 1 {
                    "binding grants"
                } else {
                    "bindings grant"
                }
            ));
        }

        // Pod Security and the network are judged where there are pods, or a Namespace
        // object to carry labels and policies; the other controls where there is
        // something of theirs (or a finding about it).
        let hosts = n.declared || n.pod_security.templates > 0;
        let mut all = true;
        for c in Control::ALL {
            let found = responsible.contains_key(&(name.clone(), c)) || {
                let f = n.judged(c).findings;
                f.error + f.warning + f.info > 0
            };
            let applicable = match c {
                Control::PodSecurity => hosts && !n.pod_security.exempt,
                Control::Network => hosts && !SYSTEM_NAMESPACES.contains(&name.as_str()),
                Control::SupplyChain => n.supply_chain.images > 0,
                Control::Secrets => hosts || n.secrets.material > 0 || found,
                Control::Scaling => n.scaling.hpas + n.scaling.canaries > 0,
                Control::Rbac => hosts || n.rbac.admin_bindings + n.rbac.wildcard_bindings > 0 || found,
            };
            n.applicable += usize::from(applicable);
            let judged = n.judged_mut(c);
            judged.responsible = responsible
                .remove(&(name.clone(), c))
                .map(|m| m.into_values().collect())
                .unwrap_or_default();
            judged.status = if !applicable {
                // Nothing to judge: no requirement is unmet.
                judged.gaps.clear();
                Status::NotApplicable
            } else if judged.gaps.is_empty() && judged.responsible.is_empty() {
                Status::Under
            } else {
                Status::Not
            };
            let tally = summary.controls.get_mut(&c).expect("every control is tallied");
            if applicable {
                tally.applicable += 1;
            }
            match judged.status {
                Status::Under => tally.under += 1,
                Status::Not => all = false,
                Status::NotApplicable => {}
            }
        }
        n.under_all = all && n.applicable > 0;
        summary.judged += usize::from(n.applicable > 0);
        summary.under_all += usize::from(n.under_all);
    }
    Posture {
        version: VERSION,
        tool: "plimsoll".to_string(),
        pss: PssConfigured {
            level: g.level.as_str().to_string(),
            version: g.version.clone(),
        },
        summary,
        namespaces: g.namespaces.into_values().collect(),
    }
}

/// The namespaces a finding about `obj` counts against: the namespace of a namespaced
/// object, the namespace a `Namespace` object declares, and the namespaces of the
/// ServiceAccounts a ClusterRoleBinding binds. Other cluster-scoped objects count against
/// none.
fn namespaces_of(obj: &ObjectRef, g: &Gathered) -> Vec<String> {
    if &*obj.kind == "Namespace" {
        return obj.name.iter().map(|n| n.to_string()).collect();
    }
    if crate::model::kinds::is_cluster_scoped(&obj.kind) {
        return g
            .cluster_bindings
            .get(&key(obj))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
    }
    vec![obj.namespace.as_deref().unwrap_or(&g.default_namespace).to_string()]
}

/// The posture's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
    Html,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            _ => Err(format!("unknown posture format `{s}` (text, markdown, json, html)")),
        }
    }
}

impl Posture {
    /// Reads a JSON posture file written earlier (`--compare`), refusing more than 64 MiB.
    pub fn read(path: &std::path::Path) -> Result<Posture, String> {
        use std::io::Read;
        const MAX: u64 = 64 << 20;
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let mut text = String::new();
        file.take(MAX + 1)
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        if text.len() as u64 > MAX {
            return Err("larger than 64 MiB".to_string());
        }
        Posture::from_json(&text)
    }

    /// Reads a JSON posture written earlier (`--compare`).
    pub fn from_json(text: &str) -> Result<Posture, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(format!("posture version {v}, expected {VERSION}")),
            None => return Err("not a plimsoll posture (no `version`)".to_string()),
        }
        serde_json::from_value(value).map_err(|e| format!("not a plimsoll posture: {e}"))
    }

    /// Writes the report in a format, with the comparison when there is one.
    pub fn render(&self, format: Format, comparison: Option<&Comparison>, w: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Text => text::render(self, comparison, w),
            Format::Markdown => markdown::render(self, comparison, w),
            Format::Json => {
                #[derive(Serialize)]
                struct WithComparison<'a> {
                    #[serde(flatten)]
                    posture: &'a Posture,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    comparison: Option<&'a Comparison>,
                }
                serde_json::to_writer_pretty(
                    &mut *w,
                    &WithComparison {
                        posture: self,
                        comparison,
                    },
                )?;
                writeln!(w)
            }
            Format::Html => html::render(self, comparison, w),
        }
    }
}

/// `n/of` as a percentage, for charts; 100 when there is nothing to count.
pub fn percent(n: usize, of: usize) -> u32 {
    (n * 100).checked_div(of).map_or(100, |p| p as u32)
}
