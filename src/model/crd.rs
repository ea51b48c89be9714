//! Small serde structs of our own for the custom resources rules read: Flagger `Canary` and
//! `MetricTemplate`, Argo CD `Application`, OpenShift `DeploymentConfig` and Argo
//! `Rollout` (workloads, with a core pod template). Only the fields the rules read are declared; the
//! rest is skipped (and not reported as unknown). They are deserialized through the same
//! spanned tree as every typed object, so that positions stay exact.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use std::collections::BTreeMap;

/// OpenShift `apps.openshift.io/v1` `DeploymentConfig`: a workload with a pod template at
/// `spec.template` and a map selector.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeploymentConfig {
    pub metadata: ObjectMeta,
    pub spec: Option<DeploymentConfigSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentConfigSpec {
    pub replicas: Option<i32>,
    pub selector: Option<BTreeMap<String, String>>,
    pub template: Option<PodTemplateSpec>,
    pub strategy: Option<DeploymentConfigStrategy>,
    pub triggers: Option<Vec<DeploymentTrigger>>,
}

/// A DeploymentConfig trigger; an `ImageChange` one with `automatic: true` writes the
/// resolved image stream tag into the `image` of its containers at deploy time.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentTrigger {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub image_change_params: Option<ImageChangeParams>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ImageChangeParams {
    pub automatic: Option<bool>,
    pub container_names: Option<Vec<String>>,
}

impl DeploymentConfig {
    /// Whether an automatic `ImageChange` trigger sets the image of container `name`: what
    /// the manifest says for `image` is then replaced at deploy time (often a placeholder).
    pub fn image_from_trigger(&self, name: &str) -> bool {
        self.spec
            .iter()
            .flat_map(|s| s.triggers.iter().flatten())
            .filter(|t| t.type_.as_deref() == Some("ImageChange"))
            .filter_map(|t| t.image_change_params.as_ref())
            .any(|p| p.automatic == Some(true) && p.container_names.iter().flatten().any(|c| c == name))
    }
}

/// `spec.strategy` of a DeploymentConfig: `Rolling` (the default), `Recreate` or `Custom`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeploymentConfigStrategy {
    #[serde(rename = "type")]
    pub type_: Option<String>,
}

/// Argo Rollouts `argoproj.io/v1alpha1` `Rollout`: a workload with a pod template at
/// `spec.template`, or a `spec.workloadRef` to a Deployment whose template it runs.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Rollout {
    pub metadata: ObjectMeta,
    pub spec: Option<RolloutSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RolloutSpec {
    pub replicas: Option<i32>,
    pub selector: Option<LabelSelector>,
    pub template: Option<PodTemplateSpec>,
    pub workload_ref: Option<CrossRef>,
    pub strategy: Option<RolloutStrategy>,
}

/// `spec.strategy` of a Rollout: `canary` or `blueGreen`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RolloutStrategy {
    pub canary: Option<CanaryStrategy>,
}

/// The fields of `spec.strategy.canary` the rollout rules read (defaults 25 % each).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CanaryStrategy {
    pub max_unavailable: Option<IntOrString>,
    pub max_surge: Option<IntOrString>,
}

/// `flagger.app/v1beta1` `Canary`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Canary {
    pub metadata: ObjectMeta,
    pub spec: CanarySpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CanarySpec {
    pub target_ref: Option<CrossRef>,
    pub autoscaler_ref: Option<CrossRef>,
    pub skip_analysis: Option<bool>,
    pub analysis: Option<Analysis>,
    /// The legacy name of `analysis`.
    pub canary_analysis: Option<Analysis>,
    pub provider: Option<String>,
}

impl CanarySpec {
    /// `analysis`, or its legacy name `canaryAnalysis`, with the key used.
    pub fn analysis(&self) -> Option<(&Analysis, &'static str)> {
        self.analysis
            .as_ref()
            .map(|a| (a, "analysis"))
            .or_else(|| self.canary_analysis.as_ref().map(|a| (a, "canaryAnalysis")))
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct CrossRef {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Analysis {
    pub interval: Option<String>,
    pub threshold: Option<i64>,
    pub max_weight: Option<f64>,
    pub step_weight: Option<f64>,
    pub step_weights: Option<Vec<f64>>,
    pub iterations: Option<i64>,
    #[serde(rename = "match")]
    pub match_: Option<serde_json::Value>,
    pub metrics: Option<Vec<CanaryMetric>>,
    pub webhooks: Option<Vec<Webhook>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CanaryMetric {
    pub name: String,
    pub interval: Option<String>,
    pub threshold_range: Option<ThresholdRange>,
    /// Deprecated single threshold.
    pub threshold: Option<f64>,
    pub template_ref: Option<TemplateRef>,
    pub query: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThresholdRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateRef {
    pub name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Webhook {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
}

impl Webhook {
    /// The webhook's type; Flagger treats an absent type as `rollout`.
    pub fn kind(&self) -> &str {
        self.type_.as_deref().filter(|t| !t.is_empty()).unwrap_or("rollout")
    }
}

/// `flagger.app/v1beta1` `MetricTemplate`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MetricTemplate {
    pub metadata: ObjectMeta,
}

/// `argoproj.io/v1alpha1` `Application`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Application {
    pub metadata: ObjectMeta,
    pub spec: ApplicationSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ApplicationSpec {
    pub destination: Option<Destination>,
    pub sync_policy: Option<SyncPolicy>,
    pub ignore_differences: Option<Vec<IgnoreDifference>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Destination {
    pub namespace: Option<String>,
    pub server: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncPolicy {
    pub automated: Option<Automated>,
    pub sync_options: Option<Vec<String>>,
}

impl SyncPolicy {
    /// Automated sync is on: `automated: {}` or `enabled: true`; `enabled: false` turns it off.
    pub fn automated(&self) -> Option<&Automated> {
        self.automated.as_ref().filter(|a| a.enabled != Some(false))
    }

    pub fn has_option(&self, option: &str) -> bool {
        self.sync_options.iter().flatten().any(|o| o.trim() == option)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Automated {
    pub enabled: Option<bool>,
    pub prune: Option<bool>,
    pub self_heal: Option<bool>,
    pub allow_empty: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct IgnoreDifference {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub json_pointers: Option<Vec<String>>,
    pub jq_path_expressions: Option<Vec<String>>,
}

/// A Go duration (`1m`, `30s`, `1h30m`, `500ms`) in seconds.
pub fn go_duration_seconds(s: &str) -> Option<f64> {
    let s = s.trim();
    if s == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_end..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::go_duration_seconds;

    #[test]
    fn durations() {
        assert_eq!(go_duration_seconds("1m"), Some(60.0));
        assert_eq!(go_duration_seconds("1h30m"), Some(5400.0));
        assert_eq!(go_duration_seconds("500ms"), Some(0.5));
        assert_eq!(go_duration_seconds("30"), None);
        assert_eq!(go_duration_seconds("m"), None);
    }
}

/// `kyverno.io/v1` `ClusterPolicy` and `Policy` (the fields `verifyImages` coverage reads).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KyvernoPolicy {
    pub metadata: ObjectMeta,
    pub spec: KyvernoSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KyvernoSpec {
    pub validation_failure_action: Option<String>,
    pub rules: Option<Vec<KyvernoRule>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KyvernoRule {
    pub name: Option<String>,
    #[serde(rename = "match")]
    pub match_: Option<MatchResources>,
    pub exclude: Option<MatchResources>,
    pub verify_images: Option<Vec<VerifyImage>>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct MatchResources {
    pub any: Option<Vec<ResourceFilter>>,
    pub all: Option<Vec<ResourceFilter>>,
    /// The legacy form without `any`/`all`.
    pub resources: Option<ResourceDescription>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct ResourceFilter {
    pub resources: Option<ResourceDescription>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceDescription {
    pub kinds: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
    pub namespaces: Option<Vec<String>>,
    pub namespace_selector: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
    pub selector: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VerifyImage {
    pub image_references: Option<Vec<String>>,
    pub skip_image_references: Option<Vec<String>>,
    pub attestors: Option<Vec<serde_json::Value>>,
    pub attestations: Option<Vec<serde_json::Value>>,
    pub required: Option<bool>,
    pub verify_digest: Option<bool>,
    pub mutate_digest: Option<bool>,
    pub failure_action: Option<String>,
    /// Kyverno 1.4–1.6: a single `image` pattern with a `key`.
    pub image: Option<String>,
    pub key: Option<String>,
}

/// `policies.kyverno.io` `ImageValidatingPolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImageValidatingPolicy {
    pub metadata: ObjectMeta,
    pub spec: IvpSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IvpSpec {
    pub match_image_references: Option<Vec<IvpImageReference>>,
    pub attestors: Option<Vec<serde_json::Value>>,
    pub validation_actions: Option<Vec<String>>,
    pub match_constraints: Option<MatchConstraints>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IvpImageReference {
    pub glob: Option<String>,
    pub expression: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MatchConstraints {
    pub resource_rules: Option<Vec<ResourceRule>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResourceRule {
    pub resources: Option<Vec<String>>,
}

/// `policy.sigstore.dev` `ClusterImagePolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClusterImagePolicy {
    pub metadata: ObjectMeta,
    pub spec: CipSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CipSpec {
    pub images: Option<Vec<CipImage>>,
    pub authorities: Option<Vec<Authority>>,
    pub mode: Option<String>,
    #[serde(rename = "match")]
    pub match_: Option<Vec<CipMatch>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CipImage {
    pub glob: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Authority {
    pub key: Option<serde_json::Value>,
    pub keyless: Option<serde_json::Value>,
    #[serde(rename = "static")]
    pub static_: Option<StaticAuthority>,
    pub attestations: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaticAuthority {
    pub action: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CipMatch {
    pub group: Option<String>,
    pub version: Option<String>,
    pub resource: Option<String>,
}

/// `apiextensions.k8s.io` `CustomResourceDefinition`: only what tells which versions of a
/// kind are served (the schema is skipped, not read).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CustomResourceDefinition {
    pub metadata: ObjectMeta,
    pub spec: CrdSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CrdSpec {
    pub group: String,
    pub names: CrdNames,
    /// `Namespaced` or `Cluster`.
    pub scope: String,
    pub versions: Vec<CrdVersion>,
    /// `apiextensions.k8s.io/v1beta1`'s single version, when `versions` is absent.
    pub version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CrdNames {
    pub kind: String,
    pub plural: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CrdVersion {
    pub name: String,
    pub served: Option<bool>,
    pub deprecated: Option<bool>,
    pub deprecation_warning: Option<String>,
}
