//! The API groups Kubernetes serves itself, with every version each group has ever served
//! and every kind in it, so that an `apiVersion`/`kind` pair that no Kubernetes release ever
//! served (`apiVersion: v1` with `kind: Deployment`) is told apart from a custom resource.
//! Versions a release no longer serves are in the list: whether a version is still served
//! is the API lifecycle's question, not this one. Groups that are not listed (any group of a
//! CRD, `gateway.networking.k8s.io`, …) are never judged here.
//!
//! Sources: the Kubernetes API reference and `kubernetes/api` (every `register.go`), and
//! `../shared/data/api-lifecycle.yaml` for removed versions.

/// (group, versions ever served, kinds).
const GROUPS: &[(&str, &[&str], &[&str])] = &[
    (
        "",
        &["v1"],
        &[
            "Binding",
            "ComponentStatus",
            // Files of components that share the core `v1` version without being API
            // objects: kubeconfig files and the legacy kube-scheduler policy file.
            "Config",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "List",
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Pod",
            "PodTemplate",
            "Policy",
            "RangeAllocation",
            "ReplicationController",
            "ResourceQuota",
            "Secret",
            "SerializedReference",
            "Service",
            "ServiceAccount",
            "Status",
        ],
    ),
    (
        "admissionregistration.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &[
            "InitializerConfiguration",
            "MutatingAdmissionPolicy",
            "MutatingAdmissionPolicyBinding",
            "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
            "ValidatingWebhookConfiguration",
        ],
    ),
    (
        "apiextensions.k8s.io",
        &["v1", "v1beta1"],
        &["CustomResourceDefinition"],
    ),
    ("apiregistration.k8s.io", &["v1", "v1beta1"], &["APIService"]),
    (
        "apps",
        &["v1", "v1beta1", "v1beta2"],
        &[
            "ControllerRevision",
            "DaemonSet",
            "Deployment",
            "DeploymentRollback",
            "ReplicaSet",
            "Scale",
            "StatefulSet",
        ],
    ),
    (
        "authentication.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &["SelfSubjectReview", "TokenRequest", "TokenReview"],
    ),
    (
        "authorization.k8s.io",
        &["v1", "v1beta1"],
        &[
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
            "SelfSubjectRulesReview",
            "SubjectAccessReview",
        ],
    ),
    (
        "autoscaling",
        &["v1", "v2", "v2beta1", "v2beta2"],
        &["HorizontalPodAutoscaler", "Scale"],
    ),
    ("batch", &["v1", "v1beta1", "v2alpha1"], &["CronJob", "Job"]),
    (
        "certificates.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &[
            "CertificateSigningRequest",
            "ClusterTrustBundle",
            "PodCertificateRequest",
        ],
    ),
    (
        "coordination.k8s.io",
        &["v1", "v1beta1", "v1alpha1", "v1alpha2"],
        &["Lease", "LeaseCandidate"],
    ),
    ("discovery.k8s.io", &["v1", "v1beta1"], &["EndpointSlice"]),
    ("events.k8s.io", &["v1", "v1beta1"], &["Event"]),
    (
        "extensions",
        &["v1beta1"],
        &[
            "DaemonSet",
            "Deployment",
            "DeploymentRollback",
            "Ingress",
            "NetworkPolicy",
            "PodSecurityPolicy",
            "ReplicaSet",
            "ReplicationControllerDummy",
            "Scale",
        ],
    ),
    (
        "flowcontrol.apiserver.k8s.io",
        &["v1", "v1beta1", "v1beta2", "v1beta3", "v1alpha1"],
        &["FlowSchema", "PriorityLevelConfiguration"],
    ),
    ("internal.apiserver.k8s.io", &["v1alpha1"], &["StorageVersion"]),
    (
        "networking.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &["IPAddress", "Ingress", "IngressClass", "NetworkPolicy", "ServiceCIDR"],
    ),
    ("node.k8s.io", &["v1", "v1beta1", "v1alpha1"], &["RuntimeClass"]),
    (
        "policy",
        &["v1", "v1beta1"],
        &["Eviction", "PodDisruptionBudget", "PodSecurityPolicy"],
    ),
    (
        "rbac.authorization.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    ),
    (
        "resource.k8s.io",
        &["v1", "v1beta1", "v1beta2", "v1alpha1", "v1alpha2", "v1alpha3"],
        &[
            "DeviceClass",
            "DeviceTaintRule",
            "PodSchedulingContext",
            "ResourceClaim",
            "ResourceClaimParameters",
            "ResourceClaimTemplate",
            "ResourceClass",
            "ResourceClassParameters",
            "ResourcePool",
            "ResourceSlice",
        ],
    ),
    (
        "scheduling.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &["PriorityClass", "Workload"],
    ),
    ("settings.k8s.io", &["v1alpha1"], &["PodPreset"]),
    (
        "storage.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &[
            "CSIDriver",
            "CSINode",
            "CSIStorageCapacity",
            "StorageClass",
            "VolumeAttachment",
            "VolumeAttributesClass",
        ],
    ),
    (
        "storagemigration.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
        &["StorageVersionMigration"],
    ),
];

/// Why an `apiVersion`/`kind` pair of a built-in group cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unserved {
    /// The group has no such kind; where the kind lives, if anywhere, and the group's kind
    /// nearest in spelling.
    Kind {
        elsewhere: Vec<String>,
        nearest: Option<&'static str>,
    },
    /// The group never had this version.
    Version { versions: &'static [&'static str] },
}

/// Whether a kind (or its `…List`) is one of these kinds.
fn has_kind(kinds: &[&str], kind: &str) -> bool {
    kinds.contains(&kind) || kind.strip_suffix("List").is_some_and(|k| kinds.contains(&k))
}

/// Whether Kubernetes itself serves this API group (`` is the core group).
pub fn is_builtin_group(group: &str) -> bool {
    GROUPS.iter().any(|(g, _, _)| *g == group)
}

/// `None` when the pair is served by some release or is not in a built-in group.
pub fn unserved(api_version: &str, kind: &str) -> Option<Unserved> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let (_, versions, kinds) = GROUPS.iter().find(|(g, _, _)| *g == group)?;
    if !has_kind(kinds, kind) {
        let elsewhere = GROUPS
            .iter()
            .filter(|(g, _, k)| *g != "extensions" && has_kind(k, kind))
            .map(|(g, v, _)| {
                if g.is_empty() {
                    v[0].to_string()
                } else {
                    format!("{g}/{}", v[0])
                }
            })
            .collect();
        // Plurals (`NetworkPolicies`, `Pods`) and small slips, case aside.
        let singular = |k: &str| {
            let k = k.to_ascii_lowercase();
            match k.strip_suffix("ies") {
                Some(stem) => format!("{stem}y"),
                None => k.strip_suffix('s').map_or(k.clone(), str::to_string),
            }
        };
        let wanted = singular(kind);
        let nearest = kinds
            .iter()
            .copied()
            .map(|k| (strsim::levenshtein(&singular(k), &wanted), k))
            .filter(|(d, _)| *d <= 2)
            .min()
            .map(|(_, k)| k);
        return Some(Unserved::Kind { elsewhere, nearest });
    }
    (!versions.contains(&version)).then_some(Unserved::Version { versions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_pairs() {
        assert_eq!(unserved("apps/v1", "Deployment"), None);
        assert_eq!(unserved("extensions/v1beta1", "Deployment"), None);
        assert_eq!(unserved("v1", "ConfigMapList"), None);
        assert_eq!(
            unserved("v1", "Deployment"),
            Some(Unserved::Kind {
                elsewhere: vec!["apps/v1".into()],
                nearest: None
            })
        );
        assert!(matches!(
            unserved("apps/v2", "Deployment"),
            Some(Unserved::Version { .. })
        ));
        assert!(matches!(unserved("v2", "Pod"), Some(Unserved::Version { .. })));
        assert!(matches!(
            unserved("networking.k8s.io/v1", "NetworkPolicies"),
            Some(Unserved::Kind {
                nearest: Some("NetworkPolicy"),
                ..
            })
        ));
        // Custom resources and groups of other projects are never judged.
        assert_eq!(unserved("gateway.networking.k8s.io/v1", "HTTPRoute"), None);
        assert_eq!(unserved("example.com/v1", "Anything"), None);
    }
}
