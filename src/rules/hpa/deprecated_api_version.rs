//! `hpa-deprecated-api-version`: `autoscaling/v2beta1` (removed in Kubernetes 1.25) and
//! `autoscaling/v2beta2` (removed in 1.26). An error when `kubernetes_version` is at or
//! past the removal.

use crate::declare_rule;
use crate::engine::fix::value_of;
use crate::engine::{Applicability, ObjectCx, Out, Rule, Severity};
use crate::source::Route;
use crate::source::edit::Value;

declare_rule!(DeprecatedApiVersion, "hpa-deprecated-api-version");

impl Rule for DeprecatedApiVersion {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if cx.obj.kind != "HorizontalPodAutoscaler" {
            return;
        }
        let removed = match cx.obj.api_version.as_str() {
            "autoscaling/v2beta1" => 25,
            "autoscaling/v2beta2" => 26,
            _ => return,
        };
        let name = cx.obj.name().unwrap_or("<unnamed>");
        let f = out.emit(
            cx.at(&Route::root().key("apiVersion")),
            format!(
                "HPA `{name}` uses {}, removed in Kubernetes 1.{removed}; use autoscaling/v2",
                cx.obj.api_version
            ),
        );
        f.label("no longer served");
        // v2beta2 has v2's schema; v2beta1 metrics are converted as the API server does.
        let mut fix = cx
            .fix(
                Applicability::Safe,
                format!("convert to autoscaling/v2 (from {})", cx.obj.api_version),
            )
            .set(Route::root().key("apiVersion"), Value::Str("autoscaling/v2".into()));
        if removed == 25 {
            let metrics = Route::root().keys(&["spec", "metrics"]);
            let walk = metrics.walk(cx.tree, cx.obj.root);
            if walk.matched == metrics.segs().len() {
                for (i, item) in cx.tree.items(walk.node).iter().enumerate() {
                    match value_of(cx.tree, *item).as_ref().and_then(convert_metric) {
                        Some(v) => fix = fix.replace(metrics.index(i), v),
                        None => {
                            f.not_fixable(format!(
                                "metric {i} does not have a v2beta1 shape this conversion knows"
                            ));
                            return;
                        }
                    }
                }
            }
        }
        f.with_fix(fix);
        if cx.settings.kubernetes_minor.is_some_and(|m| m >= removed) {
            f.severity = Severity::Error;
            f.help(format!(
                "the target cluster (kubernetes_version) no longer serves {}",
                cx.obj.api_version
            ));
        }
    }
}

fn get<'v>(m: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    m.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn map(entries: Vec<(&str, Option<Value>)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect(),
    )
}

/// A v2 `target`: utilization, else average value, else value.
fn target(utilization: Option<&Value>, average: Option<&Value>, value: Option<&Value>) -> Option<Value> {
    let (kind, key, v) = match (utilization, average, value) {
        (Some(u), _, _) => ("Utilization", "averageUtilization", u),
        (None, Some(a), _) => ("AverageValue", "averageValue", a),
        (None, None, Some(v)) => ("Value", "value", v),
        _ => return None,
    };
    Some(map(vec![
        ("type", Some(Value::Str(kind.into()))),
        (key, Some(v.clone())),
    ]))
}

/// A v2beta1 metric in v2's shape, as the API server's conversion writes it
/// (`pkg/apis/autoscaling/v2beta1/conversion.go`).
fn convert_metric(metric: &Value) -> Option<Value> {
    let Value::Map(m) = metric else { return None };
    let Some(Value::Str(kind)) = get(m, "type") else {
        return None;
    };
    let sub = |key: &str| match get(m, key) {
        Some(Value::Map(s)) => Some(s.as_slice()),
        _ => None,
    };
    let metric_id = |s: &[(String, Value)], selector: &str| {
        Some(map(vec![
            ("name", Some(get(s, "metricName")?.clone())),
            ("selector", get(s, selector).cloned()),
        ]))
    };
    let (key, converted) = match kind.as_str() {
        "Resource" => {
            let r = sub("resource")?;
            let t = target(get(r, "targetAverageUtilization"), get(r, "targetAverageValue"), None)?;
            (
                "resource",
                map(vec![("name", get(r, "name").cloned()), ("target", Some(t))]),
            )
        }
        "ContainerResource" => {
            let r = sub("containerResource")?;
            let t = target(get(r, "targetAverageUtilization"), get(r, "targetAverageValue"), None)?;
            (
                "containerResource",
                map(vec![
                    ("name", get(r, "name").cloned()),
                    ("container", get(r, "container").cloned()),
                    ("target", Some(t)),
                ]),
            )
        }
        "Pods" => {
            let p = sub("pods")?;
            let t = target(None, get(p, "targetAverageValue"), None)?;
            (
                "pods",
                map(vec![("metric", metric_id(p, "selector")), ("target", Some(t))]),
            )
        }
        "Object" => {
            let o = sub("object")?;
            let t = target(None, get(o, "averageValue"), get(o, "targetValue"))?;
            (
                "object",
                map(vec![
                    ("describedObject", get(o, "target").cloned()),
                    ("metric", metric_id(o, "selector")),
                    ("target", Some(t)),
                ]),
            )
        }
        "External" => {
            let e = sub("external")?;
            let t = target(None, get(e, "targetAverageValue"), get(e, "targetValue"))?;
            (
                "external",
                map(vec![("metric", metric_id(e, "metricSelector")), ("target", Some(t))]),
            )
        }
        _ => return None,
    };
    Some(map(vec![
        ("type", Some(Value::Str(kind.clone()))),
        (key, Some(converted)),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn v2beta1_metrics_convert_as_the_api_server_does() {
        let resource = map(vec![
            ("type", Some(s("Resource"))),
            (
                "resource",
                Some(map(vec![
                    ("name", Some(s("cpu"))),
                    ("targetAverageUtilization", Some(Value::Int(70))),
                ])),
            ),
        ]);
        assert_eq!(
            convert_metric(&resource),
            Some(map(vec![
                ("type", Some(s("Resource"))),
                (
                    "resource",
                    Some(map(vec![
                        ("name", Some(s("cpu"))),
                        (
                            "target",
                            Some(map(vec![
                                ("type", Some(s("Utilization"))),
                                ("averageUtilization", Some(Value::Int(70)))
                            ]))
                        ),
                    ]))
                ),
            ]))
        );
        let external = map(vec![
            ("type", Some(s("External"))),
            (
                "external",
                Some(map(vec![
                    ("metricName", Some(s("queue"))),
                    ("targetValue", Some(s("30"))),
                ])),
            ),
        ]);
        let Some(Value::Map(e)) = convert_metric(&external) else {
            panic!()
        };
        let Some(Value::Map(inner)) = get(&e, "external") else {
            panic!()
        };
        assert_eq!(get(inner, "metric"), Some(&map(vec![("name", Some(s("queue")))])));
        assert_eq!(
            get(inner, "target"),
            Some(&map(vec![("type", Some(s("Value"))), ("value", Some(s("30")))]))
        );
        assert_eq!(convert_metric(&map(vec![("type", Some(s("Bogus")))])), None);
    }
}
