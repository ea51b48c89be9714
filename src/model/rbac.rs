//! RBAC and ServiceAccount facts (workload-checks §3.1): roles with their rules, bindings
//! with their subjects and `roleRef`, ServiceAccounts, and the ServiceAccount side of every
//! pod template; and the index built from them once: roles by identity, bindings by
//! ServiceAccount and by group subject, aggregated ClusterRoles resolved, and what each
//! binding grants (admin-equivalent, dangerous permissions), computed once per role and
//! scope.

use super::intern::{Interner, Labels, Pair, PairMap, Str};
use super::kinds::Typed;
use super::object::{Object, ObjectRef};
use super::selector::Selector;
use super::views::Workload;
use crate::source::{FileId, Loc, Route, Tree};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject as RawSubject};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// The API group of `roleRef` and of RBAC subjects.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The labels that extend the built-in roles `admin`, `edit` and `view`.
pub const AGGREGATE_TO: [(&str, Builtin); 3] = [
    ("rbac.authorization.k8s.io/aggregate-to-admin", Builtin::Admin),
    ("rbac.authorization.k8s.io/aggregate-to-edit", Builtin::Edit),
    ("rbac.authorization.k8s.io/aggregate-to-view", Builtin::View),
];

/// The prefix of the group of every ServiceAccount of a namespace
/// (`system:serviceaccounts:<namespace>`).
pub const NAMESPACE_ACCOUNTS: &str = "system:serviceaccounts:";

/// The discovery roles every cluster binds to broad groups on purpose.
pub const DISCOVERY_ROLES: [&str; 3] = ["system:basic-user", "system:discovery", "system:public-info-viewer"];

/// One entry of a role's `rules`, with its locations.
#[derive(Debug, Clone)]
pub struct RuleFact {
    pub index: usize,
    pub verbs: Box<[Str]>,
    pub api_groups: Box<[Str]>,
    pub resources: Box<[Str]>,
    /// `resourceNames` is not empty.
    pub restricted: bool,
    /// `rules[i]`.
    pub loc: Loc,
    pub verbs_loc: Loc,
    pub api_groups_loc: Loc,
    pub resources_loc: Loc,
}

impl RuleFact {
    fn has(list: &[Str], s: &str) -> bool {
        list.iter().any(|x| &**x == s)
    }

    /// `*`/`*`/`*`, or `*`/`*` with every one of the seven standard verbs (Polaris), with no
    /// `resourceNames`.
    pub fn admin_equivalent(&self) -> bool {
        const SEVEN: [&str; 7] = ["get", "list", "watch", "create", "update", "patch", "delete"];
        !self.restricted
            && Self::has(&self.api_groups, "*")
            && Self::has(&self.resources, "*")
            && (Self::has(&self.verbs, "*") || SEVEN.iter().all(|v| Self::has(&self.verbs, v)))
    }

    /// Whether the rule authorizes `verb` on `group`/`resource` (a resource may carry a
    /// subresource, `pods/exec`), as `evaluation_helpers.go` decides: `*` matches any verb,
    /// group and resource (subresources included), `*/sub` any resource's `sub`. A rule
    /// with `resourceNames` never authorizes `create` of a main resource.
    pub fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        (Self::has(&self.verbs, "*") || Self::has(&self.verbs, verb))
            && !(self.restricted && verb == "create" && !resource.contains('/'))
            && self.covers(group, resource)
    }

    /// Whether the rule names `group`/`resource`, whatever the verb: what [`RuleFact::allows`]
    /// asks of the group and the resource.
    fn covers(&self, group: &str, resource: &str) -> bool {
        (Self::has(&self.api_groups, "*") || Self::has(&self.api_groups, group))
            && self.resources.iter().any(|r| {
                &**r == "*"
                    || &**r == resource
                    || resource.split_once('/').is_some_and(|(main, sub)| {
                        r.strip_prefix("*/") == Some(sub)
                            || (main == "userextras" && sub == "*" && r.starts_with("userextras/"))
                    })
            })
    }
}

/// A Role or ClusterRole of the set.
#[derive(Debug, Clone)]
pub struct RoleFact {
    pub obj: Arc<ObjectRef>,
    pub cluster: bool,
    pub namespace: Option<Str>,
    pub name: Str,
    /// The `metadata.name` entry.
    pub loc: Loc,
    /// Labels (ClusterRoles only: aggregation selects on them).
    pub labels: Labels,
    /// `aggregationRule.clusterRoleSelectors`, when the role is aggregated.
    pub aggregation: Option<Box<[Selector]>>,
    pub rules: Box<[RuleFact]>,
}

impl RoleFact {
    pub fn kind(&self) -> &'static str {
        if self.cluster { "ClusterRole" } else { "Role" }
    }

    /// The built-in roles whose rules this ClusterRole extends through its
    /// `aggregate-to-*` labels (directly or through `edit`/`view`, which are themselves
    /// aggregated into `admin`/`edit`).
    pub fn extends(&self) -> Vec<Builtin> {
        let mut out = Vec::new();
        if !self.cluster {
            return out;
        }
        for (label, b) in AGGREGATE_TO {
            if self.labels.get(label) == Some("true") {
                for x in b.holders() {
                    if !out.contains(x) {
                        out.push(*x);
                    }
                }
            }
        }
        out
    }
}

/// Who a subject is, as the authorizer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A ServiceAccount (`kind: ServiceAccount`, or the User `system:serviceaccount:ns:name`).
    ServiceAccount {
        namespace: Str,
        name: Str,
    },
    User(Str),
    Group(Str),
    /// A kind the authorizer does not know, or a ServiceAccount without a namespace in a
    /// ClusterRoleBinding.
    Invalid,
}

impl Subject {
    /// `ServiceAccount `ns/name``, `User `alice``, `Group `devs``.
    pub fn describe(&self) -> String {
        match self {
            Subject::ServiceAccount { namespace, name } => format!("ServiceAccount `{namespace}/{name}`"),
            Subject::User(u) => format!("User `{u}`"),
            Subject::Group(g) => format!("Group `{g}`"),
            Subject::Invalid => "an invalid subject".to_string(),
        }
    }

    /// A ServiceAccount, or a group made only of ServiceAccounts.
    pub fn is_service_account_form(&self) -> bool {
        match self {
            Subject::ServiceAccount { .. } => true,
            Subject::Group(g) => &**g == "system:serviceaccounts" || g.starts_with(NAMESPACE_ACCOUNTS),
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SubjectFact {
    pub subject: Subject,
    /// The `subjects[i]` entry.
    pub loc: Loc,
}

/// A RoleBinding or ClusterRoleBinding of the set.
#[derive(Debug, Clone)]
pub struct BindingFact {
    pub obj: Arc<ObjectRef>,
    pub cluster: bool,
    pub namespace: Option<Str>,
    pub name: Str,
    pub loc: Loc,
    pub role_kind: Str,
    pub role_name: Str,
    pub role_api_group: Str,
    pub role_kind_loc: Loc,
    pub role_name_loc: Loc,
    pub role_api_group_loc: Loc,
    pub subjects: Box<[SubjectFact]>,
}

impl BindingFact {
    pub fn kind(&self) -> &'static str {
        if self.cluster {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        }
    }

    /// `name` for a ClusterRoleBinding, `namespace/name` for a RoleBinding.
    pub fn display(&self) -> super::object::Qualified<'_> {
        let scope = self.namespace.as_deref().filter(|_| !self.cluster);
        super::object::Qualified(scope, &self.name)
    }

    /// `ClusterRole `x`` or `Role `x``, as the roleRef names it.
    pub fn role_display(&self) -> String {
        format!("{} `{}`", self.role_kind, self.role_name)
    }

    /// Whether an `ignore_bindings` entry names this binding (`name`, or `namespace/name`
    /// for a RoleBinding).
    pub fn ignored(&self, ignore: &[String]) -> bool {
        // Most runs ignore nothing: the name is not formatted for them.
        if ignore.is_empty() {
            return false;
        }
        let shown = self.display().to_string();
        ignore.iter().any(|i| *i == shown || **i == *self.name)
    }
}

/// A ServiceAccount of the set.
#[derive(Debug, Clone)]
pub struct ServiceAccountFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub name: Str,
    pub automount: Option<bool>,
    pub loc: Loc,
}

/// The ServiceAccount side of a pod template, kept small: one per workload.
#[derive(Debug, Clone)]
pub struct PodSaFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    /// The ServiceAccount as written: `serviceAccountName`, else `serviceAccount` (empty
    /// values are absent); `None` runs as `default`.
    pub name: Option<Str>,
    /// Where that name is written, else the template's `spec`.
    pub name_loc: Loc,
    /// The pod's `automountServiceAccountToken`, with its entry.
    pub automount: Option<(bool, Loc)>,
    /// A `projected.sources[].serviceAccountToken` volume.
    pub projected_token: bool,
    /// The deprecated `serviceAccount` field, when used (rare, so boxed).
    pub deprecated: Option<Box<DeprecatedSa>>,
}

/// A use of the deprecated `serviceAccount` field.
#[derive(Debug, Clone)]
pub struct DeprecatedSa {
    pub value: Str,
    pub loc: Loc,
    /// `serviceAccountName` beside it, with its entry.
    pub name: Option<(Str, Loc)>,
}

impl PodSaFact {
    /// The effective ServiceAccount: `serviceAccountName`, else `serviceAccount`, else
    /// `default`.
    pub fn effective(&self) -> &str {
        self.name.as_deref().unwrap_or("default")
    }

    /// Where the effective ServiceAccount is written, else the template's `spec`.
    pub fn sa_loc(&self) -> Loc {
        self.name_loc
    }

    /// `Kind/name`.
    pub fn display(&self) -> super::object::Qualified<'_> {
        super::object::Qualified(Some(&self.obj.kind), self.obj.name.as_deref().unwrap_or("<unnamed>"))
    }
}

/// The RBAC facts of one file.
#[derive(Debug, Default, Clone)]
pub struct RbacFacts {
    pub roles: Vec<RoleFact>,
    pub bindings: Vec<BindingFact>,
    pub service_accounts: Vec<ServiceAccountFact>,
    pub pods: Vec<PodSaFact>,
}

impl RbacFacts {
    pub fn shrink(&mut self) {
        self.roles.shrink_to_fit();
        self.bindings.shrink_to_fit();
        self.service_accounts.shrink_to_fit();
        self.pods.shrink_to_fit();
    }

    pub fn append(&mut self, mut other: RbacFacts) {
        self.roles.append(&mut other.roles);
        self.bindings.append(&mut other.bindings);
        self.service_accounts.append(&mut other.service_accounts);
        self.pods.append(&mut other.pods);
    }

    /// Records the ServiceAccount side of a pod template.
    #[allow(clippy::too_many_arguments)]
    pub fn add_pod(
        &mut self,
        w: &Workload<'_>,
        obj: &Object,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: &Str,
        interner: &Interner,
    ) {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = w.spec_route();
        let named = |value: &Option<String>, key: &'static str| {
            value
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(|n| (interner.intern(n), at(&spec.key(key))))
        };
        let name = named(&w.spec.service_account_name, "serviceAccountName");
        let deprecated = named(&w.spec.service_account, "serviceAccount");
        let (effective, name_loc) = match name.as_ref().or(deprecated.as_ref()) {
            Some((n, l)) => (Some(n.clone()), *l),
            None => (None, at(&spec)),
        };
        self.pods.push(PodSaFact {
            obj: oref.clone(),
            namespace: namespace.clone(),
            name: effective,
            name_loc,
            automount: w
                .spec
                .automount_service_account_token
                .map(|a| (a, at(&spec.key("automountServiceAccountToken")))),
            projected_token: w.spec.volumes.iter().flatten().any(|v| {
                v.projected
                    .iter()
                    .flat_map(|p| p.sources.iter().flatten())
                    .any(|s| s.service_account_token.is_some())
            }),
            deprecated: deprecated.map(|(value, loc)| Box::new(DeprecatedSa { value, loc, name })),
        });
    }

    /// Records a Role, ClusterRole, RoleBinding, ClusterRoleBinding or ServiceAccount.
    pub fn add(
        &mut self,
        obj: &Object,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: Option<&Str>,
        interner: &Interner,
    ) {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let name_route = Route::root().keys(&["metadata", "name"]);
        let loc = at(&name_route);
        let Some(name) = obj.name() else {
            return;
        };
        let name = interner.intern(name);
        let rules = |rules: &Option<Vec<PolicyRule>>| -> Box<[RuleFact]> {
            rules
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, r)| {
                    let route = Route::root().key("rules").index(i);
                    let list = |l: &[String]| l.iter().map(|s| interner.intern(s)).collect::<Box<[Str]>>();
                    RuleFact {
                        index: i,
                        verbs: list(&r.verbs),
                        api_groups: list(r.api_groups.as_deref().unwrap_or_default()),
                        resources: list(r.resources.as_deref().unwrap_or_default()),
                        restricted: r.resource_names.as_ref().is_some_and(|n| !n.is_empty()),
                        loc: at(&route),
                        verbs_loc: at(&route.key("verbs")),
                        api_groups_loc: at(&route.key("apiGroups")),
                        resources_loc: at(&route.key("resources")),
                    }
                })
                .collect()
        };
        let binding = |cluster: bool, role_ref: &RoleRef, subjects: &Option<Vec<RawSubject>>| {
            let ns = namespace.cloned();
            let subjects = subjects
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, s)| SubjectFact {
                    subject: subject(s, if cluster { None } else { ns.as_ref() }, interner),
                    loc: at(&Route::root().key("subjects").index(i)),
                })
                .collect();
            let rr = Route::root().key("roleRef");
            BindingFact {
                obj: oref.clone(),
                cluster,
                namespace: ns,
                name: name.clone(),
                loc,
                role_kind: interner.intern(&role_ref.kind),
                role_name: interner.intern(&role_ref.name),
                role_api_group: interner.intern(role_ref.api_group.as_deref().unwrap_or(RBAC_GROUP)),
                role_kind_loc: at(&rr.key("kind")),
                role_name_loc: at(&rr.key("name")),
                role_api_group_loc: at(&rr.key("apiGroup")),
                subjects,
            }
        };
        match &obj.typed {
            Typed::Role(r) => self.roles.push(RoleFact {
                obj: oref.clone(),
                cluster: false,
                namespace: namespace.cloned(),
                name,
                loc,
                labels: Labels::default(),
                aggregation: None,
                rules: rules(&r.rules),
            }),
            Typed::ClusterRole(r) => {
                let sel_route = Route::root().keys(&["aggregationRule", "clusterRoleSelectors"]);
                let aggregation = r.aggregation_rule.as_ref().map(|a| {
                    a.cluster_role_selectors
                        .iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, s)| Selector::new(s, |j| at(&sel_route.index(i).key("matchExpressions").index(j))))
                        .collect()
                });
                self.roles.push(RoleFact {
                    obj: oref.clone(),
                    cluster: true,
                    namespace: None,
                    name,
                    loc,
                    labels: Labels::new(interner, obj.labels().into_iter().flatten()),
                    aggregation,
                    rules: rules(&r.rules),
                })
            }
            Typed::RoleBinding(b) => self.bindings.push(binding(false, &b.role_ref, &b.subjects)),
            Typed::ClusterRoleBinding(b) => self.bindings.push(binding(true, &b.role_ref, &b.subjects)),
            Typed::ServiceAccount(sa) => {
                if let Some(ns) = namespace {
                    self.service_accounts.push(ServiceAccountFact {
                        obj: oref.clone(),
                        namespace: ns.clone(),
                        name,
                        automount: sa.automount_service_account_token,
                        loc,
                    });
                }
            }
            _ => {}
        }
    }
}

/// Reads a subject as the authorizer does. `binding_ns` is the RoleBinding's namespace (an
/// empty ServiceAccount namespace defaults to it), `None` in a ClusterRoleBinding.
fn subject(s: &RawSubject, binding_ns: Option<&Str>, interner: &Interner) -> Subject {
    match s.kind.as_str() {
        "ServiceAccount" => {
            let ns = s
                .namespace
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(|n| interner.intern(n))
                .or_else(|| binding_ns.cloned());
            match ns {
                Some(namespace) => Subject::ServiceAccount {
                    namespace,
                    name: interner.intern(&s.name),
                },
                None => Subject::Invalid,
            }
        }
        "User" => match s
            .name
            .strip_prefix("system:serviceaccount:")
            .and_then(|r| r.split_once(':'))
        {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains(':') => Subject::ServiceAccount {
                namespace: interner.intern(ns),
                name: interner.intern(name),
            },
            _ => Subject::User(interner.intern(&s.name)),
        },
        "Group" => Subject::Group(interner.intern(&s.name)),
        _ => Subject::Invalid,
    }
}

/// A built-in role of the bootstrap policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    ClusterAdmin,
    Admin,
    Edit,
    View,
    /// `system:*`: component roles, whose grants are not modelled.
    System,
}

impl Builtin {
    pub fn of(kind: &str, name: &str) -> Option<Builtin> {
        if kind != "ClusterRole" {
            return None;
        }
        match name {
            "cluster-admin" => Some(Builtin::ClusterAdmin),
            "admin" => Some(Builtin::Admin),
            "edit" => Some(Builtin::Edit),
            "view" => Some(Builtin::View),
            n if n.starts_with("system:") => Some(Builtin::System),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::ClusterAdmin => "cluster-admin",
            Builtin::Admin => "admin",
            Builtin::Edit => "edit",
            Builtin::View => "view",
            Builtin::System => "system:*",
        }
    }

    /// The built-in roles that hold this one's rules: `view` is aggregated into `edit`, and
    /// `edit` into `admin`.
    fn holders(self) -> &'static [Builtin] {
        match self {
            Builtin::View => &[Builtin::View, Builtin::Edit, Builtin::Admin],
            Builtin::Edit => &[Builtin::Edit, Builtin::Admin],
            Builtin::Admin => &[Builtin::Admin],
            _ => &[],
        }
    }
}

/// A dangerous permission of §3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PermClass {
    AdminEquivalent,
    PodCreate,
    SecretsRead,
    Exec,
    NodesProxy,
    SaToken,
    Escalate,
    Bind,
    Impersonate,
    CsrApprove,
    Webhooks,
}

struct PermDef {
    class: PermClass,
    verbs: &'static [&'static str],
    targets: &'static [(&'static str, &'static str)],
}

const RBAC: &str = RBAC_GROUP;
const ADMISSION: &str = "admissionregistration.k8s.io";
const AUTHN: &str = "authentication.k8s.io";
const CERTS: &str = "certificates.k8s.io";

const PERMS: &[PermDef] = &[
    PermDef {
        class: PermClass::PodCreate,
        verbs: &["create"],
        targets: &[
            ("", "pods"),
            ("apps", "deployments"),
            ("apps", "replicasets"),
            ("apps", "statefulsets"),
            ("apps", "daemonsets"),
            ("batch", "jobs"),
            ("batch", "cronjobs"),
            ("", "replicationcontrollers"),
        ],
    },
    PermDef {
        class: PermClass::SecretsRead,
        verbs: &["get", "list", "watch"],
        targets: &[("", "secrets")],
    },
    PermDef {
        class: PermClass::Exec,
        verbs: &["get", "create"],
        targets: &[("", "pods/exec"), ("", "pods/attach"), ("", "pods/portforward")],
    },
    PermDef {
        class: PermClass::NodesProxy,
        verbs: &["get", "create"],
        targets: &[("", "nodes/proxy")],
    },
    PermDef {
        class: PermClass::SaToken,
        verbs: &["create"],
        targets: &[("", "serviceaccounts/token")],
    },
    PermDef {
        class: PermClass::Escalate,
        verbs: &["escalate"],
        targets: &[(RBAC, "roles"), (RBAC, "clusterroles")],
    },
    PermDef {
        class: PermClass::Bind,
        verbs: &["bind"],
        targets: &[(RBAC, "roles"), (RBAC, "clusterroles")],
    },
    PermDef {
        class: PermClass::Impersonate,
        verbs: &["impersonate"],
        targets: &[
            ("", "users"),
            ("", "groups"),
            ("", "serviceaccounts"),
            (AUTHN, "uids"),
            (AUTHN, "userextras/*"),
        ],
    },
    PermDef {
        class: PermClass::Webhooks,
        verbs: &["create", "update", "patch"],
        targets: &[
            (ADMISSION, "mutatingwebhookconfigurations"),
            (ADMISSION, "validatingwebhookconfigurations"),
        ],
    },
];

/// Resources a RoleBinding cannot grant (cluster-scoped), with the verb when only that verb
/// is cluster-scoped (`escalate` on `clusterroles` is checked when writing a ClusterRole;
/// `bind` on `clusterroles` is checked in the RoleBinding's namespace).
fn cluster_scoped(verb: &str, resource: &str) -> bool {
    matches!(
        resource,
        "nodes/proxy"
            | "users"
            | "groups"
            | "uids"
            | "userextras/*"
            | "mutatingwebhookconfigurations"
            | "validatingwebhookconfigurations"
            | "certificatesigningrequests/approval"
            | "signers"
    ) || (verb == "escalate" && resource == "clusterroles")
}

/// A dangerous permission a rule (or role) grants.
#[derive(Debug, Clone)]
pub struct Granted {
    pub class: PermClass,
    /// ``create` on `pods``, as written for messages.
    pub what: String,
    /// Only through rules with `resourceNames`.
    pub restricted: bool,
    /// The rule that grants it (`None` for a built-in role's own rules).
    pub loc: Option<Loc>,
    /// The built-in role a role of the set extends through its `aggregate-to-*` label,
    /// when the permission comes from such an extension.
    pub via: Option<Str>,
}

/// The dangerous permissions one rule grants, in the scope given (`namespaced`: through a
/// Role or a RoleBinding, where cluster-scoped resources are not granted). CSR approval
/// needs two rules and is found by [`grants_of`].
pub fn rule_grants(rule: &RuleFact, namespaced: bool) -> Vec<Granted> {
    let mut out = Vec::new();
    let any_verb = RuleFact::has(&rule.verbs, "*");
    for def in PERMS {
        // A rule that grants none of the verbs grants none of the targets (most rules).
        if !any_verb && !def.verbs.iter().any(|v| RuleFact::has(&rule.verbs, v)) {
            continue;
        }
        let (mut verbs, mut resources): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for (group, resource) in def.targets {
            // A target the rule does not name is granted by none of the verbs (most).
            if !rule.covers(group, resource) {
                continue;
            }
            for verb in def.verbs {
                if (namespaced && cluster_scoped(verb, resource)) || !rule.allows(verb, group, resource) {
                    continue;
                }
                if !verbs.contains(verb) {
                    verbs.push(verb);
                }
                if !resources.contains(resource) {
                    resources.push(resource);
                }
            }
        }
        if !verbs.is_empty() {
            let list = |l: &[&str]| l.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join("/");
            out.push(Granted {
                class: def.class,
                what: format!("{} on {}", list(&verbs), list(&resources)),
                restricted: rule.restricted,
                loc: Some(rule.loc),
                via: None,
            });
        }
    }
    out
}

/// Whether a rule grants half of CSR approval: (`update`/`patch` on the approval
/// subresource, `approve` on signers).
fn csr_halves(rule: &RuleFact, namespaced: bool) -> (bool, bool) {
    if namespaced {
        return (false, false);
    }
    (
        ["update", "patch"]
            .iter()
            .any(|v| rule.allows(v, CERTS, "certificatesigningrequests/approval")),
        rule.allows("approve", CERTS, "signers"),
    )
}

/// What a set of rules grants: admin-equivalence and dangerous permissions, the
/// unrestricted grant of each class first.
pub fn grants_of<'a>(rules: impl IntoIterator<Item = (&'a RuleFact, Option<&'a Str>)>, namespaced: bool) -> Summary {
    let mut s = Summary::default();
    let mut csr = CsrApproval::default();
    for (rule, via) in rules {
        if rule.admin_equivalent() {
            s.admin_equivalent = true;
            s.admin_loc.get_or_insert(rule.loc);
        }
        for mut g in rule_grants(rule, namespaced) {
            g.via = via.cloned();
            s.add(g);
        }
        csr.add(rule, via, namespaced);
    }
    if let Some(g) = csr.granted() {
        s.add(g);
    }
    s
}

/// The approval of CertificateSigningRequests a set of rules grants (it takes two rules,
/// or one that grants both halves), at the first rule that grants the approval half:
/// [`grants_of`]'s, without the other permissions.
pub fn csr_approval<'a>(
    rules: impl IntoIterator<Item = (&'a RuleFact, Option<&'a Str>)>,
    namespaced: bool,
) -> Option<Granted> {
    let mut csr = CsrApproval::default();
    for (rule, via) in rules {
        csr.add(rule, via, namespaced);
    }
    csr.granted()
}

/// The two halves of CSR approval, as rules are read.
#[derive(Default)]
struct CsrApproval<'a> {
    /// The first rule that grants `update` on `certificatesigningrequests/approval`.
    approval: Option<(Loc, bool, Option<&'a Str>)>,
    /// Some rule grants `approve` on `signers`.
    signers: bool,
}

impl<'a> CsrApproval<'a> {
    fn add(&mut self, rule: &RuleFact, via: Option<&'a Str>, namespaced: bool) {
        let (a, b) = csr_halves(rule, namespaced);
        if a && self.approval.is_none() {
            self.approval = Some((rule.loc, rule.restricted, via));
        }
        self.signers |= b;
    }

    fn granted(self) -> Option<Granted> {
        let (loc, restricted, via) = self.approval.filter(|_| self.signers)?;
        Some(Granted {
            class: PermClass::CsrApprove,
            what: "approval of CertificateSigningRequests (`update` on `certificatesigningrequests/approval` with `approve` on `signers`)".to_string(),
            restricted,
            loc: Some(loc),
            via: via.cloned(),
        })
    }
}

/// What a role grants.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub admin_equivalent: bool,
    /// The first admin-equivalent rule.
    pub admin_loc: Option<Loc>,
    /// One grant per class, an unrestricted one when any.
    pub perms: Vec<Granted>,
}

impl Summary {
    fn add(&mut self, g: Granted) {
        match self.perms.iter_mut().find(|p| p.class == g.class) {
            Some(p) if p.restricted && !g.restricted => *p = g,
            Some(_) => {}
            None => self.perms.push(g),
        }
    }

    /// The grant of a class, if any.
    pub fn get(&self, class: PermClass) -> Option<&Granted> {
        self.perms.iter().find(|p| p.class == class)
    }
}

/// What a binding grants, resolved once.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The role as named: `ClusterRole `edit``.
    pub role: String,
    pub builtin: Option<Builtin>,
    pub summary: Summary,
    /// The role is aggregated: its rules are the union over the set, a lower bound.
    pub lower_bound: bool,
    /// The role's `metadata.name` entry, when it is in the set.
    pub role_loc: Option<Loc>,
}

impl Grant {
    /// Admin-equivalent: `cluster-admin`, or a `*`/`*`/`*` rule.
    pub fn admin_equivalent(&self) -> bool {
        self.builtin == Some(Builtin::ClusterAdmin) || self.summary.admin_equivalent
    }

    /// `cluster-admin`, or ``ClusterRole `x` (admin-equivalent)``.
    pub fn admin_display(&self) -> String {
        match self.builtin {
            Some(Builtin::ClusterAdmin) => "`cluster-admin`".to_string(),
            _ => format!(
                "{} (admin-equivalent{})",
                self.role,
                if self.lower_bound { ", aggregated" } else { "" }
            ),
        }
    }
}

/// ServiceAccounts by (namespace, name), the first of each, and how many each namespace
/// holds.
fn index_service_accounts(service_accounts: &[ServiceAccountFact]) -> (PairMap<usize>, FxHashMap<Str, usize>) {
    let mut by_name = PairMap::default();
    // Sized once: a ServiceAccount per name, but for copies.
    by_name.reserve(service_accounts.len());
    let mut per_namespace: FxHashMap<Str, usize> = FxHashMap::default();
    for (i, sa) in service_accounts.iter().enumerate() {
        by_name.entry((sa.namespace.clone(), sa.name.clone())).or_insert(i);
        *per_namespace.entry(sa.namespace.clone()).or_default() += 1;
    }
    (by_name, per_namespace)
}

/// The (binding, subject) pairs of the bindings by the subject they name.
#[derive(Default)]
struct Subjects {
    by_sa: PairMap<Vec<(u32, u32)>>,
    by_group: FxHashMap<Str, Vec<(u32, u32)>>,
    /// Those of `by_group` whose group is that of a namespace's ServiceAccounts.
    by_namespace_group: FxHashMap<Str, Vec<(u32, u32)>>,
}

impl Subjects {
    fn of(bindings: &[BindingFact]) -> Subjects {
        let mut out = Subjects::default();
        for (b, binding) in bindings.iter().enumerate() {
            for (s, subject) in binding.subjects.iter().enumerate() {
                let pair = (b as u32, s as u32);
                match &subject.subject {
                    Subject::ServiceAccount { namespace, name } => out
                        .by_sa
                        .entry((namespace.clone(), name.clone()))
                        .or_default()
                        .push(pair),
                    Subject::Group(g) => {
                        if let Some(ns) = g.strip_prefix(NAMESPACE_ACCOUNTS) {
                            out.by_namespace_group.entry(Str::from(ns)).or_default().push(pair);
                        }
                        out.by_group.entry(g.clone()).or_default().push(pair)
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// What a binding's grant depends on: the role of the set, or the built-in role, and
/// whether it is granted in one namespace.
type GrantKey = (Option<usize>, Option<Builtin>, bool);

/// The RBAC index of the run.
#[derive(Debug, Default)]
pub struct RbacIndex {
    pub roles: Vec<RoleFact>,
    pub bindings: Vec<BindingFact>,
    /// What each binding grants (by binding index); `None` when its role is not in the set
    /// or is a `system:` component role.
    pub grants: Vec<Option<Arc<Grant>>>,
    pub service_accounts: Vec<ServiceAccountFact>,
    pub pods: Vec<PodSaFact>,
    /// Roles by (ClusterRole?, namespace, name), every one in file order.
    roles_by_name: FxHashMap<(bool, Option<Str>, Str), Vec<usize>>,
    /// Roles by namespace, counted (for "searched" notes).
    roles_per_namespace: FxHashMap<Str, usize>,
    cluster_roles: usize,
    /// ServiceAccounts by (namespace, name).
    sa_by_name: PairMap<usize>,
    sa_per_namespace: FxHashMap<Str, usize>,
    /// (binding, subject) pairs by the ServiceAccount a subject names.
    bindings_by_sa: PairMap<Vec<(u32, u32)>>,
    /// (binding, subject) pairs by group subject.
    bindings_by_group: FxHashMap<Str, Vec<(u32, u32)>>,
    /// The pairs of [`RbacIndex::bindings_by_group`] whose group is that of every
    /// ServiceAccount of a namespace (`system:serviceaccounts:<ns>`), by namespace: found
    /// per pod without writing the group's name.
    bindings_by_namespace_group: FxHashMap<Str, Vec<(u32, u32)>>,
    /// The roles (by index) each aggregated ClusterRole gathers, itself excluded.
    aggregated: FxHashMap<usize, Vec<usize>>,
    /// ClusterRoles of the set that extend each built-in (admin, edit, view).
    extensions: FxHashMap<Builtin, Vec<usize>>,
}

impl RbacIndex {
    pub fn build(facts: RbacFacts) -> RbacIndex {
        let RbacFacts {
            roles,
            bindings,
            service_accounts,
            pods,
        } = facts;
        // The roles, the ServiceAccounts and the bindings' subjects are indexed beside each
        // other (each reads its own facts).
        let ((mut index, (sa_by_name, sa_per_namespace)), subjects) = rayon::join(
            || {
                rayon::join(
                    || RbacIndex::with_roles(roles),
                    || index_service_accounts(&service_accounts),
                )
            },
            || Subjects::of(&bindings),
        );
        index.sa_by_name = sa_by_name;
        index.sa_per_namespace = sa_per_namespace;
        index.service_accounts = service_accounts;
        index.bindings_by_sa = subjects.by_sa;
        index.bindings_by_group = subjects.by_group;
        index.bindings_by_namespace_group = subjects.by_namespace_group;
        // Each distinct (role, built-in, scope) is resolved once, for the first binding that
        // names it, and the distinct ones in parallel: resolving a role's grants reads every
        // rule it has, and a set may bind thousands of roles.
        let mut distinct: FxHashMap<GrantKey, usize> = FxHashMap::default();
        let mut first: Vec<(usize, GrantKey)> = Vec::new();
        let mut slots: Vec<usize> = Vec::with_capacity(bindings.len());
        for (b, binding) in bindings.iter().enumerate() {
            let namespaced = !binding.cluster;
            let builtin = Builtin::of(&binding.role_kind, &binding.role_name);
            let role = if builtin.is_some() {
                None
            } else {
                index.role_of(binding)
            };
            let key = (role, builtin, namespaced);
            let slot = *distinct.entry(key).or_insert_with(|| {
                first.push((b, key));
                first.len() - 1
            });
            slots.push(slot);
        }
        let resolved: Vec<Option<Arc<Grant>>> = first
            .par_iter()
            .map(|(b, (role, builtin, namespaced))| {
                index.grant(&bindings[*b], *role, *builtin, *namespaced).map(Arc::new)
            })
            .collect();
        index.grants = slots.into_iter().map(|slot| resolved[slot].clone()).collect();
        index.bindings = bindings;
        index.pods = pods;
        index
    }

    /// An index of the roles alone: by name, by namespace, aggregated and extending
    /// built-in roles.
    fn with_roles(roles: Vec<RoleFact>) -> RbacIndex {
        let mut index = RbacIndex::default();
        let mut by_label: FxHashMap<Str, FxHashMap<Str, Vec<usize>>> = FxHashMap::default();
        // Sized once (a map that grows hashes its keys again, reading them from all over the
        // heap): a role per name, but for copies.
        index.roles_by_name.reserve(roles.len());
        for (i, r) in roles.iter().enumerate() {
            index
                .roles_by_name
                .entry((r.cluster, r.namespace.clone(), r.name.clone()))
                .or_default()
                .push(i);
            match &r.namespace {
                Some(ns) if !r.cluster => *index.roles_per_namespace.entry(ns.clone()).or_default() += 1,
                _ => index.cluster_roles += 1,
            }
            if r.cluster {
                for (k, v) in r.labels.iter() {
                    by_label
                        .entry(k.clone())
                        .or_default()
                        .entry(v.clone())
                        .or_default()
                        .push(i);
                }
                for b in r.extends() {
                    index.extensions.entry(b).or_default().push(i);
                }
            }
        }
        let cluster_roles: Vec<usize> = (0..roles.len()).filter(|i| roles[*i].cluster).collect();
        for (i, r) in roles.iter().enumerate() {
            let Some(selectors) = &r.aggregation else {
                continue;
            };
            let mut found: Vec<usize> = Vec::new();
            for s in selectors.iter() {
                // An empty selector matches nothing in aggregation (the controller skips it).
                if s.is_empty() {
                    continue;
                }
                let candidates: &[usize] = match s.required_pair() {
                    Some((k, v)) => by_label.get(k).and_then(|m| m.get(v)).map_or(&[], Vec::as_slice),
                    None => &cluster_roles,
                };
                found.extend(candidates.iter().filter(|j| **j != i && s.matches(&roles[**j].labels)));
            }
            found.sort_unstable();
            found.dedup();
            index.aggregated.insert(i, found);
        }
        index.roles = roles;
        index
    }

    /// The role a binding's `roleRef` names, when it is in the set (the first in file
    /// order). A ClusterRoleBinding cannot refer to a Role.
    pub fn role_of(&self, b: &BindingFact) -> Option<usize> {
        let key = match &*b.role_kind {
            "ClusterRole" => (true, None, b.role_name.clone()),
            "Role" if !b.cluster => (false, b.namespace.clone(), b.role_name.clone()),
            _ => return None,
        };
        // Several copies of a role (install manifests of one project side by side): the
        // binding's own file first.
        let all = self.roles_by_name.get(&key)?;
        all.iter()
            .copied()
            .find(|i| self.roles[*i].obj.file == b.obj.file)
            .or_else(|| all.first().copied())
    }

    /// How many Roles a namespace holds, or how many ClusterRoles the set holds.
    pub fn roles_searched(&self, namespace: Option<&str>) -> usize {
        match namespace {
            Some(ns) => self.roles_per_namespace.get(ns).copied().unwrap_or(0),
            None => self.cluster_roles,
        }
    }

    /// The roles an aggregated ClusterRole gathers.
    pub fn aggregated_from(&self, role: usize) -> Option<&[usize]> {
        self.aggregated.get(&role).map(Vec::as_slice)
    }

    /// The ClusterRoles of the set that extend a built-in role.
    pub fn extensions_of(&self, b: Builtin) -> &[usize] {
        self.extensions.get(&b).map_or(&[], Vec::as_slice)
    }

    /// The effective rules of a role: its own, or, when aggregated, those of the roles it
    /// gathers (recursively), each with the built-in role it extends, if any.
    fn effective_rules(&self, role: usize) -> Vec<(&RuleFact, Option<&Str>)> {
        let mut seen = FxHashSet::default();
        let mut out = Vec::new();
        let mut stack = vec![role];
        while let Some(r) = stack.pop() {
            if !seen.insert(r) {
                continue;
            }
            match self.aggregated.get(&r) {
                Some(from) => stack.extend(from.iter().rev()),
                None => out.extend(self.roles[r].rules.iter().map(|x| (x, None))),
            }
        }
        out
    }

    fn grant(&self, b: &BindingFact, role: Option<usize>, builtin: Option<Builtin>, namespaced: bool) -> Option<Grant> {
        match builtin {
            Some(Builtin::System) => None,
            Some(bi) => {
                let mut summary = Summary {
                    admin_equivalent: bi == Builtin::ClusterAdmin,
                    ..Summary::default()
                };
                if matches!(bi, Builtin::Admin | Builtin::Edit) {
                    for (class, what) in [
                        (PermClass::SecretsRead, "`get`/`list`/`watch` on `secrets`"),
                        (PermClass::PodCreate, "`create` on `pods`"),
                        (PermClass::Exec, "`create` on `pods/exec`"),
                        (PermClass::Impersonate, "`impersonate` on `serviceaccounts`"),
                    ] {
                        summary.add(Granted {
                            class,
                            what: what.to_string(),
                            restricted: false,
                            loc: None,
                            via: None,
                        });
                    }
                }
                // Roles of the set aggregated into the built-in role extend it.
                let name: Str = Str::from(bi.name());
                let extra = grants_of(
                    self.extensions_of(bi)
                        .iter()
                        .flat_map(|r| self.roles[*r].rules.iter().map(|x| (x, Some(&name)))),
                    namespaced,
                );
                if extra.admin_equivalent && !summary.admin_equivalent {
                    summary.admin_equivalent = true;
                    summary.admin_loc = extra.admin_loc;
                }
                for g in extra.perms {
                    summary.add(g);
                }
                Some(Grant {
                    role: b.role_display(),
                    builtin: Some(bi),
                    summary,
                    lower_bound: false,
                    role_loc: None,
                })
            }
            None => {
                let r = role?;
                let rules = self.effective_rules(r);
                Some(Grant {
                    role: b.role_display(),
                    builtin: None,
                    summary: grants_of(rules, namespaced),
                    lower_bound: self.aggregated.contains_key(&r),
                    role_loc: Some(self.roles[r].loc),
                })
            }
        }
    }

    /// The ServiceAccount of this name in this namespace, when in the set.
    pub fn service_account(&self, namespace: &Str, name: &str) -> Option<&ServiceAccountFact> {
        self.sa_by_name
            .get(&Pair(namespace, name))
            .map(|i| &self.service_accounts[*i])
    }

    /// How many ServiceAccounts a namespace holds.
    pub fn service_accounts_in(&self, namespace: &str) -> usize {
        self.sa_per_namespace.get(namespace).copied().unwrap_or(0)
    }

    /// The (binding, subject) pairs that name this ServiceAccount directly (the
    /// `ServiceAccount` and `system:serviceaccount:` User forms).
    pub fn bindings_of_sa(&self, namespace: &Str, name: &str) -> &[(u32, u32)] {
        self.bindings_by_sa
            .get(&Pair(namespace, name))
            .map_or(&[], Vec::as_slice)
    }

    /// The (binding, subject) pairs with this group subject.
    pub fn bindings_of_group(&self, group: &str) -> &[(u32, u32)] {
        self.bindings_by_group.get(group).map_or(&[], Vec::as_slice)
    }

    /// Every (binding, subject) pair that applies to a ServiceAccount: direct subjects, and
    /// the groups `system:serviceaccounts:<ns>`, `system:serviceaccounts` and (when
    /// `authenticated`) `system:authenticated`.
    pub fn bindings_reaching_sa(
        &self,
        namespace: &Str,
        name: &str,
        authenticated: bool,
    ) -> impl Iterator<Item = (u32, u32)> + '_ {
        let groups: [&[(u32, u32)]; 3] = [
            self.bindings_of_namespace_accounts(namespace),
            self.bindings_of_group("system:serviceaccounts"),
            if authenticated {
                self.bindings_of_group("system:authenticated")
            } else {
                &[]
            },
        ];
        self.bindings_of_sa(namespace, name)
            .iter()
            .copied()
            .chain(groups.into_iter().flatten().copied())
    }

    /// The (binding, subject) pairs whose subject is the group of every ServiceAccount of
    /// `namespace` (`system:serviceaccounts:<namespace>`).
    pub fn bindings_of_namespace_accounts(&self, namespace: &str) -> &[(u32, u32)] {
        self.bindings_by_namespace_group
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], restricted: bool) -> RuleFact {
        let list = |l: &[&str]| l.iter().map(|s| Str::from(*s)).collect::<Box<[Str]>>();
        RuleFact {
            index: 0,
            verbs: list(verbs),
            api_groups: list(groups),
            resources: list(resources),
            restricted,
            loc: Loc::default(),
            verbs_loc: Loc::default(),
            api_groups_loc: Loc::default(),
            resources_loc: Loc::default(),
        }
    }

    #[test]
    fn matching_follows_the_authorizer() {
        let pods = rule(&[""], &["pods"], &["get", "create"], false);
        assert!(pods.allows("create", "", "pods"));
        assert!(
            !pods.allows("create", "", "pods/exec"),
            "`pods` does not cover subresources"
        );
        assert!(!pods.allows("create", "apps", "pods"));
        let star = rule(&["*"], &["*"], &["*"], false);
        assert!(star.allows("impersonate", AUTHN, "userextras/*"));
        assert!(star.allows("get", "", "pods/exec"), "`*` covers subresources");
        assert!(star.admin_equivalent());
        let scale = rule(&["apps"], &["*/scale"], &["update"], false);
        assert!(scale.allows("update", "apps", "deployments/scale"));
        assert!(!scale.allows("update", "apps", "deployments"));
        let named = rule(&[""], &["pods", "pods/exec"], &["create"], true);
        assert!(
            !named.allows("create", "", "pods"),
            "resourceNames never authorizes create"
        );
        assert!(named.allows("create", "", "pods/exec"));
        let crud = rule(
            &["*"],
            &["*"],
            &["get", "list", "watch", "create", "update", "patch", "delete"],
            false,
        );
        assert!(crud.admin_equivalent(), "all seven verbs count as `*`");
        assert!(!rule(&["*"], &["*"], &["*"], true).admin_equivalent());
    }

    #[test]
    fn grants_by_scope() {
        let proxy = rule(&[""], &["nodes/proxy"], &["get"], false);
        assert_eq!(rule_grants(&proxy, false).len(), 1);
        assert!(rule_grants(&proxy, true).is_empty(), "a namespaced grant has no nodes");
        let bind = rule(&[RBAC], &["clusterroles"], &["bind", "escalate"], false);
        let namespaced: Vec<PermClass> = rule_grants(&bind, true).iter().map(|g| g.class).collect();
        assert_eq!(namespaced, vec![PermClass::Bind]);
        let approve = rule(&[CERTS], &["certificatesigningrequests/approval"], &["update"], false);
        let signers = rule(&[CERTS], &["signers"], &["approve"], false);
        let s = grants_of([(&approve, None), (&signers, None)], false);
        assert!(s.get(PermClass::CsrApprove).is_some());
        assert!(
            grants_of([(&approve, None)], false)
                .get(PermClass::CsrApprove)
                .is_none()
        );
        let secrets = rule(&["*"], &["secrets"], &["list"], false);
        let g = grants_of([(&secrets, None)], true);
        assert_eq!(
            g.get(PermClass::SecretsRead).map(|p| p.what.as_str()),
            Some("`list` on `secrets`")
        );
    }

    #[test]
    fn service_account_subjects() {
        let interner = Interner::default();
        let raw = |kind: &str, name: &str, ns: Option<&str>| RawSubject {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: ns.map(str::to_string),
            ..RawSubject::default()
        };
        let shop: Str = Str::from("shop");
        let sa = |ns: &str, name: &str| Subject::ServiceAccount {
            namespace: Str::from(ns),
            name: Str::from(name),
        };
        assert_eq!(
            subject(&raw("ServiceAccount", "web", None), Some(&shop), &interner),
            sa("shop", "web")
        );
        assert_eq!(
            subject(&raw("ServiceAccount", "web", None), None, &interner),
            Subject::Invalid
        );
        assert_eq!(
            subject(&raw("User", "system:serviceaccount:ci:deployer", None), None, &interner),
            sa("ci", "deployer")
        );
        assert_eq!(
            subject(&raw("User", "system:serviceaccount:ci", None), None, &interner),
            Subject::User(Str::from("system:serviceaccount:ci"))
        );
        assert!(Subject::Group(Str::from("system:serviceaccounts:ci")).is_service_account_form());
        assert!(!Subject::Group(Str::from("system:authenticated")).is_service_account_form());
    }
}
