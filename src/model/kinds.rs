//! The kinds plimsoll reads into typed structs, by apiVersion and kind.
//!
//! Each entry names the canonical apiVersion(s) and the legacy ones whose shape is the same,
//! so that an `extensions/v1beta1` Deployment is still read (and its pods checked) through
//! today's type. Unknown fields are reported only for canonical versions: legacy versions
//! had fields of their own.

use super::crd;
use crate::source::NodeId;
use crate::source::de::{Context, DeError};
use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Type errors reported per object before giving up on reading it.
const MAX_TYPE_ERRORS: usize = 16;

macro_rules! typed_kinds {
    ($( $variant:ident => $ty:ty, kind $kind:literal, [$($ver:literal),+], legacy [$($legacy:literal),*] $(, $partial:ident)?; )*) => {
        /// An object read into its typed struct, or `Generic` (unknown kind, CRD, an
        /// object that failed to type-check, or a SOPS-encrypted document).
        #[derive(Debug)]
        pub enum Typed {
            $( $variant(Box<$ty>), )*
            Generic,
        }

        /// Which typed struct an apiVersion/kind pair reads into.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum TypedKind {
            $( $variant, )*
        }

        impl Typed {
            /// The object's metadata when typed.
            pub fn metadata(&self) -> Option<&ObjectMeta> {
                match self {
                    $( Typed::$variant(o) => Some(&o.metadata), )*
                    Typed::Generic => None,
                }
            }
        }

        impl TypedKind {
            /// The typed kind for an apiVersion/kind pair, and whether the apiVersion is a
            /// legacy one read through today's type.
            pub fn lookup(api_version: &str, kind: &str) -> Option<(TypedKind, bool)> {
                $(
                    if kind == $kind {
                        if [$($ver),+].contains(&api_version) {
                            return Some((TypedKind::$variant, false));
                        }
                        if [$($legacy),*].contains(&api_version) {
                            return Some((TypedKind::$variant, true));
                        }
                    }
                )*
                None
            }

            /// Our own structs for custom resources declare only the fields rules read:
            /// other keys are not unknown fields.
            pub fn partial(self) -> bool {
                match self {
                    $( TypedKind::$variant => false $( || stringify!($partial) == "partial" )?, )*
                }
            }

            /// Deserializes `node` into this kind's struct. Values that fail to type-check
            /// are returned as errors and left out, so the rest of the object is still read.
            pub fn read(self, cx: &Context<'_, '_>, node: NodeId) -> (Option<Typed>, Vec<DeError>) {
                match self {
                    $( TypedKind::$variant => {
                        let (o, e) = cx.deserialize_lenient::<$ty>(node, true, MAX_TYPE_ERRORS);
                        (o.map(|o| Typed::$variant(Box::new(o))), e)
                    } )*
                }
            }
        }
    };
}

typed_kinds! {
    Pod => core::v1::Pod, kind "Pod", ["v1"], legacy [];
    PodTemplate => core::v1::PodTemplate, kind "PodTemplate", ["v1"], legacy [];
    ReplicationController => core::v1::ReplicationController, kind "ReplicationController", ["v1"], legacy [];
    Service => core::v1::Service, kind "Service", ["v1"], legacy [];
    ConfigMap => core::v1::ConfigMap, kind "ConfigMap", ["v1"], legacy [];
    Secret => core::v1::Secret, kind "Secret", ["v1"], legacy [];
    Namespace => core::v1::Namespace, kind "Namespace", ["v1"], legacy [];
    ServiceAccount => core::v1::ServiceAccount, kind "ServiceAccount", ["v1"], legacy [];
    LimitRange => core::v1::LimitRange, kind "LimitRange", ["v1"], legacy [];
    Deployment => apps::v1::Deployment, kind "Deployment", ["apps/v1"], legacy ["apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"];
    StatefulSet => apps::v1::StatefulSet, kind "StatefulSet", ["apps/v1"], legacy ["apps/v1beta1", "apps/v1beta2"];
    DaemonSet => apps::v1::DaemonSet, kind "DaemonSet", ["apps/v1"], legacy ["apps/v1beta2", "extensions/v1beta1"];
    ReplicaSet => apps::v1::ReplicaSet, kind "ReplicaSet", ["apps/v1"], legacy ["apps/v1beta2", "extensions/v1beta1"];
    Job => batch::v1::Job, kind "Job", ["batch/v1"], legacy [];
    CronJob => batch::v1::CronJob, kind "CronJob", ["batch/v1"], legacy ["batch/v1beta1", "batch/v2alpha1"];
    NetworkPolicy => networking::v1::NetworkPolicy, kind "NetworkPolicy", ["networking.k8s.io/v1"], legacy ["extensions/v1beta1"];
    Ingress => networking::v1::Ingress, kind "Ingress", ["networking.k8s.io/v1"], legacy [];
    HorizontalPodAutoscaler => autoscaling::v2::HorizontalPodAutoscaler, kind "HorizontalPodAutoscaler", ["autoscaling/v2"], legacy ["autoscaling/v2beta2"];
    HorizontalPodAutoscalerV1 => autoscaling::v1::HorizontalPodAutoscaler, kind "HorizontalPodAutoscaler", ["autoscaling/v1"], legacy [];
    PodDisruptionBudget => policy::v1::PodDisruptionBudget, kind "PodDisruptionBudget", ["policy/v1"], legacy ["policy/v1beta1"];
    Role => rbac::v1::Role, kind "Role", ["rbac.authorization.k8s.io/v1"], legacy ["rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1"];
    ClusterRole => rbac::v1::ClusterRole, kind "ClusterRole", ["rbac.authorization.k8s.io/v1"], legacy ["rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1"];
    RoleBinding => rbac::v1::RoleBinding, kind "RoleBinding", ["rbac.authorization.k8s.io/v1"], legacy ["rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1"];
    ClusterRoleBinding => rbac::v1::ClusterRoleBinding, kind "ClusterRoleBinding", ["rbac.authorization.k8s.io/v1"], legacy ["rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1"];
    Canary => crd::Canary, kind "Canary", ["flagger.app/v1beta1"], legacy ["flagger.app/v1alpha3"], partial;
    MetricTemplate => crd::MetricTemplate, kind "MetricTemplate", ["flagger.app/v1beta1"], legacy [], partial;
    Application => crd::Application, kind "Application", ["argoproj.io/v1alpha1"], legacy [], partial;
    DeploymentConfig => crd::DeploymentConfig, kind "DeploymentConfig", ["apps.openshift.io/v1"], legacy [], partial;
    Rollout => crd::Rollout, kind "Rollout", ["argoproj.io/v1alpha1"], legacy [], partial;
    HorizontalPodAutoscalerV2beta1 => super::scaling::HpaV2beta1, kind "HorizontalPodAutoscaler", ["autoscaling/v2beta1"], legacy [], partial;
    KyvernoClusterPolicy => crd::KyvernoPolicy, kind "ClusterPolicy", ["kyverno.io/v1", "kyverno.io/v2beta1"], legacy [], partial;
    KyvernoPolicy => crd::KyvernoPolicy, kind "Policy", ["kyverno.io/v1", "kyverno.io/v2beta1"], legacy [], partial;
    ImageValidatingPolicy => crd::ImageValidatingPolicy, kind "ImageValidatingPolicy", ["policies.kyverno.io/v1alpha1", "policies.kyverno.io/v1beta1", "policies.kyverno.io/v1"], legacy [], partial;
    CustomResourceDefinition => crd::CustomResourceDefinition, kind "CustomResourceDefinition", ["apiextensions.k8s.io/v1"], legacy ["apiextensions.k8s.io/v1beta1"], partial;
    ClusterImagePolicy => crd::ClusterImagePolicy, kind "ClusterImagePolicy", ["policy.sigstore.dev/v1beta1", "policy.sigstore.dev/v1alpha1"], legacy [], partial;
}

/// Kinds that are never namespaced (rule-families §0.1). Any other kind is namespaced.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "APIService",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ClusterPolicy",
    "ClusterImagePolicy",
    "ClusterSecretStore",
    "ClusterExternalSecret",
    "ClusterIssuer",
    "ClusterRoleTemplate",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// An API group as the API server reads it for a kind: the legacy `extensions` group serves
/// today's `apps` workloads, `networking.k8s.io` policies and ingresses, and `policy`
/// pod security policies.
pub fn canonical_group<'a>(group: &'a str, kind: &str) -> &'a str {
    match (group, kind) {
        ("extensions", "Deployment" | "DaemonSet" | "ReplicaSet") => "apps",
        ("extensions", "NetworkPolicy" | "Ingress") => "networking.k8s.io",
        ("extensions", "PodSecurityPolicy") => "policy",
        _ => group,
    }
}
