//! HorizontalPodAutoscalers (one view over `autoscaling/v1` and `v2`), their behavior with
//! upstream defaults, scale-rate arithmetic, and the facts kept for cross-object rules
//! (rule-families §2).

use super::intern::{Interner, Str};
use super::intstr::Amount;
use super::kinds::Typed;
use super::object::{Object, ObjectRef};
use super::selector::Selector;
use crate::source::{FileId, Loc, Route, Tree};
use k8s_openapi::api::autoscaling::v2::{
    ContainerResourceMetricSource, CrossVersionObjectReference, ExternalMetricSource, HPAScalingRules,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricIdentifier, MetricSpec, MetricTarget,
    ObjectMetricSource, PodsMetricSource, ResourceMetricSource,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use std::sync::Arc;

/// What an HPA scales.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TargetRef {
    pub api_version: Option<Str>,
    pub kind: Str,
    pub name: Str,
}

impl TargetRef {
    fn of(r: &CrossVersionObjectReference) -> TargetRef {
        TargetRef {
            api_version: r.api_version.as_deref().map(Str::from),
            kind: Str::from(r.kind.as_str()),
            name: Str::from(r.name.as_str()),
        }
    }

    /// The same reference with its strings interned.
    fn interned(&self, interner: &Interner) -> TargetRef {
        TargetRef {
            api_version: self.api_version.as_deref().map(|a| interner.intern(a)),
            kind: interner.intern(&self.kind),
            name: interner.intern(&self.name),
        }
    }
}

impl TargetRef {
    /// `Kind/name`.
    pub fn display(&self) -> super::object::Qualified<'_> {
        super::object::Qualified(Some(&self.kind), &self.name)
    }

    /// The API group named by `apiVersion` (`apps/v1` → `apps`).
    pub fn group(&self) -> Option<&str> {
        self.api_version.as_deref().map(super::kinds::group_of)
    }
}

/// An HPA of either API version.
pub struct HpaView<'a> {
    /// The `autoscaling/v2` (or `v2beta2`) spec; `None` for `autoscaling/v1`.
    pub v2: Option<&'a HorizontalPodAutoscalerSpec>,
    /// As written; the API defaults it to 1.
    pub min_replicas: Option<i32>,
    pub max_replicas: i32,
    pub target: TargetRef,
    /// `autoscaling/v1`'s `targetCPUUtilizationPercentage`.
    pub v1_cpu: Option<i32>,
}

impl<'a> HpaView<'a> {
    pub fn of(obj: &'a Object) -> Option<HpaView<'a>> {
        match &obj.typed {
            Typed::HorizontalPodAutoscaler(h) => Some(HpaView {
                v2: Some(&h.spec),
                min_replicas: h.spec.min_replicas,
                max_replicas: h.spec.max_replicas,
                target: TargetRef::of(&h.spec.scale_target_ref),
                v1_cpu: None,
            }),
            Typed::HorizontalPodAutoscalerV2beta1(h) => Some(HpaView {
                v2: Some(&h.spec),
                min_replicas: h.spec.min_replicas,
                max_replicas: h.spec.max_replicas,
                target: TargetRef::of(&h.spec.scale_target_ref),
                v1_cpu: None,
            }),
            Typed::HorizontalPodAutoscalerV1(h) => Some(HpaView {
                v2: None,
                min_replicas: h.spec.min_replicas,
                max_replicas: h.spec.max_replicas,
                target: TargetRef {
                    api_version: h.spec.scale_target_ref.api_version.as_deref().map(Str::from),
                    kind: Str::from(h.spec.scale_target_ref.kind.as_str()),
                    name: Str::from(h.spec.scale_target_ref.name.as_str()),
                },
                v1_cpu: h.spec.target_cpu_utilization_percentage,
            }),
            _ => None,
        }
    }

    /// `minReplicas` after defaulting.
    pub fn min(&self) -> i32 {
        self.min_replicas.unwrap_or(1)
    }

    pub fn metrics(&self) -> &'a [MetricSpec] {
        self.v2.and_then(|s| s.metrics.as_deref()).unwrap_or(&[])
    }

    pub fn behavior(&self) -> Option<&'a HorizontalPodAutoscalerBehavior> {
        self.v2.and_then(|s| s.behavior.as_ref())
    }

    /// The resources whose utilization the HPA scales on, with the container for a
    /// `ContainerResource` metric, and the metric's index (`None`: the v1 CPU target or the
    /// default CPU metric of an HPA without metrics).
    pub fn utilization_needs(&self) -> Vec<(String, Option<String>, Option<usize>)> {
        if self.v2.is_none() {
            return vec![("cpu".to_string(), None, None)];
        }
        let metrics = self.metrics();
        if metrics.is_empty() {
            // Defaulted to a CPU utilization metric.
            return vec![("cpu".to_string(), None, None)];
        }
        let mut out = Vec::new();
        for (i, m) in metrics.iter().enumerate() {
            if let Some(r) = &m.resource
                && r.target.type_ == "Utilization"
            {
                out.push((r.name.clone(), None, Some(i)));
            }
            if let Some(r) = &m.container_resource
                && r.target.type_ == "Utilization"
            {
                out.push((r.name.clone(), Some(r.container.clone()), Some(i)));
            }
        }
        out
    }
}

/// An `autoscaling/v2beta1` HorizontalPodAutoscaler, read into today's `autoscaling/v2`
/// spec as the API server converts it (`targetAverageUtilization` becomes a `Utilization`
/// target, `targetAverageValue` an `AverageValue` one, `metricName` a metric identifier), so
/// that every HPA rule evaluates it. The metrics keep their indices, so positions hold.
#[derive(Debug, Default, Deserialize)]
#[serde(from = "RawV2beta1")]
pub struct HpaV2beta1 {
    pub metadata: ObjectMeta,
    pub spec: HorizontalPodAutoscalerSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawV2beta1 {
    metadata: ObjectMeta,
    spec: RawV2beta1Spec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawV2beta1Spec {
    scale_target_ref: CrossVersionObjectReference,
    min_replicas: Option<i32>,
    max_replicas: i32,
    metrics: Option<Vec<RawV2beta1Metric>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawV2beta1Metric {
    #[serde(rename = "type")]
    type_: String,
    resource: Option<RawResource>,
    container_resource: Option<RawResource>,
    pods: Option<RawNamed>,
    object: Option<RawNamed>,
    external: Option<RawNamed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawResource {
    name: String,
    container: String,
    target_average_utilization: Option<i32>,
    target_average_value: Option<Quantity>,
}

/// The fields of the `Pods`, `Object` and `External` sources of v2beta1.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawNamed {
    metric_name: String,
    selector: Option<LabelSelector>,
    metric_selector: Option<LabelSelector>,
    target: Option<CrossVersionObjectReference>,
    target_value: Option<Quantity>,
    target_average_value: Option<Quantity>,
    average_value: Option<Quantity>,
}

impl From<RawV2beta1> for HpaV2beta1 {
    fn from(raw: RawV2beta1) -> HpaV2beta1 {
        let utilization = |r: &RawResource| MetricTarget {
            type_: if r.target_average_utilization.is_some() {
                "Utilization".to_string()
            } else {
                "AverageValue".to_string()
            },
            average_utilization: r.target_average_utilization,
            average_value: r.target_average_value.clone(),
            value: None,
        };
        let value = |n: &RawNamed| match n.target_average_value.clone().or_else(|| n.average_value.clone()) {
            Some(avg) => MetricTarget {
                type_: "AverageValue".to_string(),
                average_value: Some(avg),
                ..MetricTarget::default()
            },
            None => MetricTarget {
                type_: "Value".to_string(),
                value: n.target_value.clone(),
                ..MetricTarget::default()
            },
        };
        let metrics = raw.spec.metrics.map(|ms| {
            ms.into_iter()
                .map(|m| MetricSpec {
                    type_: m.type_,
                    resource: m.resource.as_ref().map(|r| ResourceMetricSource {
                        name: r.name.clone(),
                        target: utilization(r),
                    }),
                    container_resource: m.container_resource.as_ref().map(|r| ContainerResourceMetricSource {
                        name: r.name.clone(),
                        container: r.container.clone(),
                        target: utilization(r),
                    }),
                    pods: m.pods.as_ref().map(|p| PodsMetricSource {
                        metric: MetricIdentifier {
                            name: p.metric_name.clone(),
                            selector: p.selector.clone(),
                        },
                        target: value(p),
                    }),
                    object: m.object.as_ref().map(|o| ObjectMetricSource {
                        described_object: o.target.clone().unwrap_or_default(),
                        metric: MetricIdentifier {
                            name: o.metric_name.clone(),
                            selector: o.selector.clone(),
                        },
                        target: value(o),
                    }),
                    external: m.external.as_ref().map(|e| ExternalMetricSource {
                        metric: MetricIdentifier {
                            name: e.metric_name.clone(),
                            selector: e.metric_selector.clone(),
                        },
                        target: value(e),
                    }),
                })
                .collect()
        });
        HpaV2beta1 {
            metadata: raw.metadata,
            spec: HorizontalPodAutoscalerSpec {
                scale_target_ref: raw.spec.scale_target_ref,
                min_replicas: raw.spec.min_replicas,
                max_replicas: raw.spec.max_replicas,
                metrics,
                behavior: None,
            },
        }
    }
}

/// A scaling policy: (`Pods` or `Percent`, value, period in seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub kind: String,
    pub value: i32,
    pub period: i32,
}

/// One direction's rules after defaulting (`SetDefaults_HorizontalPodAutoscalerBehavior`):
/// user fields win field by field, `policies` is replaced as a whole.
#[derive(Clone, Debug)]
pub struct EffectiveRules {
    /// `None` for scale-down when not set: the controller's flag applies (300 s).
    pub window: Option<i32>,
    pub select: String,
    pub policies: Vec<Policy>,
}

impl EffectiveRules {
    /// The stabilization window actually in force.
    pub fn window_seconds(&self) -> i32 {
        self.window.unwrap_or(DEFAULT_DOWNSCALE_WINDOW)
    }
}

/// `--horizontal-pod-autoscaler-downscale-stabilization`, default 5 minutes.
pub const DEFAULT_DOWNSCALE_WINDOW: i32 = 300;

pub fn effective_rules(behavior: Option<&HorizontalPodAutoscalerBehavior>, up: bool) -> EffectiveRules {
    let user: Option<&HPAScalingRules> =
        behavior.and_then(|b| if up { b.scale_up.as_ref() } else { b.scale_down.as_ref() });
    let default_policies = if up {
        vec![
            Policy {
                kind: "Pods".into(),
                value: 4,
                period: 15,
            },
            Policy {
                kind: "Percent".into(),
                value: 100,
                period: 15,
            },
        ]
    } else {
        vec![Policy {
            kind: "Percent".into(),
            value: 100,
            period: 15,
        }]
    };
    EffectiveRules {
        window: user
            .and_then(|u| u.stabilization_window_seconds)
            .or(if up { Some(0) } else { None }),
        select: user
            .and_then(|u| u.select_policy.clone())
            .unwrap_or_else(|| "Max".to_string()),
        policies: match user.and_then(|u| u.policies.as_ref()) {
            Some(p) => p
                .iter()
                .map(|p| Policy {
                    kind: p.type_.clone(),
                    value: p.value,
                    period: p.period_seconds,
                })
                .collect(),
            None => default_policies,
        },
    }
}

/// The largest factor by which a policy lets the replica count grow in 60 s, starting from
/// `current` replicas (rule-families §2.3): Percent compounds per period, Pods adds per
/// period.
pub fn policy_multiplier(p: &Policy, current: i32) -> f64 {
    if p.period <= 0 || p.value <= 0 {
        return 1.0;
    }
    let periods = 60.0 / f64::from(p.period);
    match p.kind.as_str() {
        "Percent" => (1.0 + f64::from(p.value) / 100.0).powf(periods),
        "Pods" => {
            let cur = f64::from(current.max(1));
            (cur + f64::from(p.value) * periods) / cur
        }
        _ => 1.0,
    }
}

/// The multiplier per minute for a direction's rules: the max over policies with
/// `selectPolicy: Max`, the min with `Min`; 1 when disabled.
pub fn multiplier_per_minute(rules: &EffectiveRules, current: i32) -> f64 {
    let values = rules.policies.iter().map(|p| policy_multiplier(p, current));
    match rules.select.as_str() {
        "Min" => values.fold(f64::INFINITY, f64::min),
        "Disabled" => 1.0,
        _ => values.fold(1.0, f64::max),
    }
}

/// The fraction of replicas scale-down may remove per `period` seconds at most (for flapping).
pub fn max_down_fraction(rules: &EffectiveRules, current: i32) -> f64 {
    let fractions = rules.policies.iter().map(|p| match p.kind.as_str() {
        "Percent" => f64::from(p.value) / 100.0,
        "Pods" => f64::from(p.value) / f64::from(current.max(1)),
        _ => 0.0,
    });
    match rules.select.as_str() {
        "Min" => fractions.fold(f64::INFINITY, f64::min).min(1.0),
        "Disabled" => 0.0,
        _ => fractions.fold(0.0, f64::max).min(1.0),
    }
}

/// What the cross-object rules keep of an HPA.
#[derive(Clone, Debug)]
pub struct HpaFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub name: Str,
    pub target: TargetRef,
    /// The `scaleTargetRef` entry.
    pub target_loc: Loc,
    pub min_replicas: i32,
    /// The `minReplicas` entry, or `spec` when it is not set.
    pub min_loc: Loc,
    /// (resource, container for ContainerResource, location of the metric).
    pub utilization: Box<[(Str, Option<Str>, Loc)]>,
}

impl HpaFact {
    pub fn new(
        obj: &Object,
        view: &HpaView<'_>,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: Str,
        interner: &Interner,
    ) -> HpaFact {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = Route::root().key("spec");
        HpaFact {
            obj: oref.clone(),
            namespace,
            name: interner.intern(obj.name().unwrap_or("<unnamed>")),
            target: view.target.interned(interner),
            target_loc: at(&spec.key("scaleTargetRef")),
            min_replicas: view.min(),
            min_loc: at(&spec.key("minReplicas")),
            utilization: view
                .utilization_needs()
                .into_iter()
                .map(|(r, c, i)| {
                    let loc = match i {
                        Some(i) => at(&spec.key("metrics").index(i)),
                        None if view.v2.is_none() => at(&spec.key("targetCPUUtilizationPercentage")),
                        None => at(&spec.key("metrics")),
                    };
                    (interner.intern(&r), c.as_deref().map(|c| interner.intern(c)), loc)
                })
                .collect(),
        }
    }
}

/// How a PodDisruptionBudget writes `spec.selector`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdbSelectorForm {
    Absent,
    /// `{}`: every pod of the namespace in `policy/v1`, none in `policy/v1beta1`.
    Empty,
    Written,
}

/// A PodDisruptionBudget's budget, as the disruption controller reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    MinAvailable(Amount),
    MaxUnavailable(Amount),
}

/// What the cross-object rules keep of a PodDisruptionBudget.
#[derive(Clone, Debug)]
pub struct PdbFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub name: Str,
    /// The pods it selects: none when the selector is absent, or empty in `policy/v1beta1`.
    pub selector: Selector,
    pub selector_form: PdbSelectorForm,
    /// `policy/v1` (not the removed `policy/v1beta1`).
    pub v1: bool,
    pub min_available: Option<IntOrString>,
    pub max_unavailable: Option<IntOrString>,
    /// The `minAvailable` or `maxUnavailable` entry.
    pub loc: Loc,
    /// The `spec.selector` entry, else the nearest existing parent.
    pub selector_loc: Loc,
}

impl PdbFact {
    /// The budget, when the API accepts it: exactly one of the two fields, with a valid
    /// value (`workload-pdb-budget-invalid` reports the others).
    pub fn budget(&self) -> Option<Budget> {
        let valid = |v: &IntOrString| Amount::parse(v).ok().filter(|a| !a.above_100_percent());
        match (&self.min_available, &self.max_unavailable) {
            (Some(m), None) => valid(m).map(Budget::MinAvailable),
            (None, Some(m)) => valid(m).map(Budget::MaxUnavailable),
            _ => None,
        }
    }

    /// How many of `expected` pods must stay available (the disruption controller's
    /// `desiredHealthy`; both percentages round up).
    pub fn desired_healthy(&self, expected: i32) -> Option<i64> {
        Some(match self.budget()? {
            Budget::MinAvailable(a) => a.of(expected, true),
            Budget::MaxUnavailable(a) => (i64::from(expected) - a.of(expected, true)).max(0),
        })
    }

    /// Whether evictions are blocked when the workload runs `replicas` pods, all healthy.
    pub fn blocks_at(&self, replicas: i32) -> bool {
        self.desired_healthy(replicas).is_some_and(|d| d >= i64::from(replicas))
    }

    /// Whether the budget blocks every eviction whatever the pod count: `maxUnavailable`
    /// `0` or `0%`, or `minAvailable: 100%`.
    pub fn blocks_always(&self) -> bool {
        match self.budget() {
            Some(Budget::MaxUnavailable(a)) => a.is_zero(),
            Some(Budget::MinAvailable(a)) => a == Amount::Percent(100),
            None => false,
        }
    }

    /// `minAvailable=2` / `maxUnavailable=0`, for messages.
    pub fn describe(&self) -> String {
        let v = |x: &IntOrString| match x {
            IntOrString::Int(n) => n.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        match (&self.max_unavailable, &self.min_available) {
            (Some(m), _) => format!("maxUnavailable={}", v(m)),
            (None, Some(m)) => format!("minAvailable={}", v(m)),
            (None, None) => "no budget".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scale_up_is_16x_per_minute() {
        let up = effective_rules(None, true);
        assert_eq!(up.window, Some(0));
        // 100% per 15 s compounds to 2^4 = 16; 4 pods per 15 s from 1 pod is 17x.
        assert!((policy_multiplier(&up.policies[1], 1) - 16.0).abs() < 1e-9);
        assert!((multiplier_per_minute(&up, 1) - 17.0).abs() < 1e-9);
        assert!((multiplier_per_minute(&up, 10) - 16.0).abs() < 1e-9);
        let down = effective_rules(None, false);
        assert_eq!(down.window_seconds(), 300);
    }

    fn pdb(min: Option<IntOrString>, max: Option<IntOrString>) -> PdbFact {
        PdbFact {
            obj: Arc::new(ObjectRef {
                file: FileId(0),
                index: 0,
                doc: 0,
                prefix: Str::from(""),
                api_version: Str::from("policy/v1"),
                kind: Str::from("PodDisruptionBudget"),
                namespace: None,
                name: None,
            }),
            namespace: Str::from("default"),
            name: Str::from("web"),
            selector: Selector::default(),
            selector_form: PdbSelectorForm::Written,
            v1: true,
            min_available: min,
            max_unavailable: max,
            loc: Loc::default(),
            selector_loc: Loc::default(),
        }
    }

    #[test]
    fn disruption_budgets_as_the_controller_computes_them() {
        let pct = |s: &str| Some(IntOrString::String(s.to_string()));
        let int = |n: i32| Some(IntOrString::Int(n));
        // maxUnavailable 10% of 3 rounds up to 1: one eviction allowed.
        assert_eq!(pdb(None, pct("10%")).desired_healthy(3), Some(2));
        assert!(!pdb(None, pct("10%")).blocks_at(3));
        // minAvailable 90% of 3 rounds up to 3: none allowed.
        assert!(pdb(pct("90%"), None).blocks_at(3));
        assert!(!pdb(pct("50%"), None).blocks_at(3));
        assert!(pdb(int(2), None).blocks_at(2) && !pdb(int(2), None).blocks_at(3));
        assert!(pdb(None, int(0)).blocks_always() && pdb(None, pct("0%")).blocks_always());
        assert!(pdb(pct("100%"), None).blocks_always() && !pdb(int(100), None).blocks_always());
        // maxUnavailable above the count leaves nothing to keep.
        assert_eq!(pdb(None, int(5)).desired_healthy(3), Some(0));
        // Invalid budgets are not judged: both fields, a negative, above 100%, not N%.
        for (min, max) in [
            (int(1), int(1)),
            (None, int(-1)),
            (pct("150%"), None),
            (pct("1"), None),
            (None, None),
        ] {
            assert_eq!(pdb(min, max).budget(), None);
        }
    }

    #[test]
    fn extreme_and_min_select() {
        let p = Policy {
            kind: "Percent".into(),
            value: 900,
            period: 5,
        };
        assert!(policy_multiplier(&p, 2) > 1e11);
        let rules = EffectiveRules {
            window: Some(0),
            select: "Min".into(),
            policies: vec![
                p,
                Policy {
                    kind: "Pods".into(),
                    value: 2,
                    period: 60,
                },
            ],
        };
        assert!((multiplier_per_minute(&rules, 2) - 2.0).abs() < 1e-9);
    }
}
