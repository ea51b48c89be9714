//! What the resource rules keep of `resources`: for the tracked resources (`cpu`, `memory`,
//! `ephemeral-storage`), whether a container's or a pod's request and limit are absent, zero
//! or set; and the container defaults of a namespace's LimitRanges, requests and limits
//! apart (workload-checks.md §1.3).

use k8s_openapi::api::core::v1::{LimitRange, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use std::collections::BTreeMap;

use super::quantity::Quantity;

/// The resources whose absence the `workload-*-missing` rules report, in this order.
pub const TRACKED: [&str; 3] = ["cpu", "memory", "ephemeral-storage"];

/// A request or limit as written: absent, an explicit zero (which counts as missing), or a
/// value. A value that is not a quantity counts as set (the schema check owns it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Amount {
    #[default]
    Absent,
    Zero,
    Set,
}

impl Amount {
    pub fn of(q: Option<&K8sQuantity>) -> Amount {
        match q {
            None => Amount::Absent,
            Some(q) => match Quantity::parse(&q.0) {
                Some(v) if v.is_zero() => Amount::Zero,
                _ => Amount::Set,
            },
        }
    }

    /// This value, or `next` when this one is absent (the first of a defaulting chain).
    pub fn or(self, next: Amount) -> Amount {
        if self == Amount::Absent { next } else { self }
    }

    /// A value other than zero.
    pub fn is_set(self) -> bool {
        self == Amount::Set
    }
}

/// The requests and limits of the tracked resources, in [`TRACKED`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    pub requests: [Amount; 3],
    pub limits: [Amount; 3],
}

impl Amounts {
    pub fn of(r: Option<&ResourceRequirements>) -> Amounts {
        let pick =
            |m: Option<&BTreeMap<String, K8sQuantity>>| TRACKED.map(|name| Amount::of(m.and_then(|m| m.get(name))));
        Amounts {
            requests: pick(r.and_then(|r| r.requests.as_ref())),
            limits: pick(r.and_then(|r| r.limits.as_ref())),
        }
    }
}

/// The container defaults of the LimitRanges of a namespace (items of `type: Container`):
/// the request each gives a container that sets none (`defaultRequest`, else `default`),
/// and the limit (`default`). Several LimitRanges merge: a value anywhere counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerDefaults {
    pub requests: BTreeMap<String, Amount>,
    pub limits: BTreeMap<String, Amount>,
}

impl ContainerDefaults {
    pub fn of(lr: &LimitRange) -> ContainerDefaults {
        let mut d = ContainerDefaults::default();
        for item in lr
            .spec
            .iter()
            .flat_map(|s| s.limits.iter())
            .filter(|i| i.type_ == "Container")
        {
            let default = item.default.as_ref();
            let default_request = item.default_request.as_ref();
            for name in default.into_iter().flatten().map(|(k, _)| k) {
                let limit = Amount::of(default.and_then(|m| m.get(name)));
                merge(&mut d.limits, name, limit);
            }
            for name in default_request
                .into_iter()
                .flatten()
                .chain(default.into_iter().flatten())
                .map(|(k, _)| k)
            {
                let request = Amount::of(default_request.and_then(|m| m.get(name)))
                    .or(Amount::of(default.and_then(|m| m.get(name))));
                merge(&mut d.requests, name, request);
            }
        }
        d
    }

    /// Adds another LimitRange's defaults.
    pub fn merge(&mut self, other: ContainerDefaults) {
        for (k, v) in other.requests {
            merge(&mut self.requests, &k, v);
        }
        for (k, v) in other.limits {
            merge(&mut self.limits, &k, v);
        }
    }

    /// The default request of a resource.
    pub fn request(&self, resource: &str) -> Amount {
        self.requests.get(resource).copied().unwrap_or_default()
    }

    /// The default limit of a resource.
    pub fn limit(&self, resource: &str) -> Amount {
        self.limits.get(resource).copied().unwrap_or_default()
    }
}

fn merge(into: &mut BTreeMap<String, Amount>, name: &str, value: Amount) {
    let slot = into.entry(name.to_string()).or_default();
    *slot = (*slot).max(value);
}

/// The effective request of tracked resource `i` of a container: its request, else its
/// limit (requests default to limits), else the LimitRange default, else the pod-level
/// request.
pub fn effective_request(container: &Amounts, i: usize, defaults: Option<&ContainerDefaults>, pod: &Amounts) -> Amount {
    container.requests[i]
        .or(container.limits[i])
        .or(defaults.map_or(Amount::Absent, |d| d.request(TRACKED[i])))
        .or(pod.requests[i])
}

/// The effective limit of tracked resource `i` of a container: its limit, else the
/// LimitRange default, else the pod-level limit.
pub fn effective_limit(container: &Amounts, i: usize, defaults: Option<&ContainerDefaults>, pod: &Amounts) -> Amount {
    container.limits[i]
        .or(defaults.map_or(Amount::Absent, |d| d.limit(TRACKED[i])))
        .or(pod.limits[i])
}

/// Whether a resource may not be overcommitted: its request must equal its limit
/// (extended resources such as `nvidia.com/gpu`, and `hugepages-*`).
pub fn not_overcommittable(resource: &str) -> bool {
    resource.starts_with("hugepages-") || is_extended(resource)
}

/// An extended resource: a domain-qualified name outside `kubernetes.io`, not a quota
/// `requests.` name (apimachinery's `IsExtendedResourceName`).
fn is_extended(resource: &str) -> bool {
    resource.contains('/') && !resource.contains("kubernetes.io/") && !resource.starts_with("requests.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{LimitRangeItem, LimitRangeSpec};

    fn q(s: &str) -> K8sQuantity {
        K8sQuantity(s.to_string())
    }

    fn map(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, K8sQuantity>> {
        Some(pairs.iter().map(|(k, v)| (k.to_string(), q(v))).collect())
    }

    #[test]
    fn amounts_tell_zero_from_absent() {
        let r = ResourceRequirements {
            requests: map(&[("cpu", "0"), ("memory", "0Mi")]),
            limits: map(&[("cpu", "500m"), ("ephemeral-storage", "x")]),
            ..Default::default()
        };
        let a = Amounts::of(Some(&r));
        assert_eq!(a.requests, [Amount::Zero, Amount::Zero, Amount::Absent]);
        assert_eq!(a.limits, [Amount::Set, Amount::Absent, Amount::Set]);
        // An explicit zero request is what runs: the limit does not replace it.
        assert_eq!(effective_request(&a, 0, None, &Amounts::default()), Amount::Zero);
    }

    #[test]
    fn limit_ranges_keep_requests_and_limits_apart() {
        let lr = LimitRange {
            spec: Some(LimitRangeSpec {
                limits: vec![
                    LimitRangeItem {
                        type_: "Container".into(),
                        default: map(&[("memory", "512Mi")]),
                        default_request: map(&[("cpu", "100m")]),
                        ..Default::default()
                    },
                    LimitRangeItem {
                        type_: "Pod".into(),
                        default: map(&[("ephemeral-storage", "1Gi")]),
                        ..Default::default()
                    },
                ],
            }),
            ..Default::default()
        };
        let d = ContainerDefaults::of(&lr);
        assert_eq!(d.request("cpu"), Amount::Set);
        assert_eq!(d.limit("cpu"), Amount::Absent);
        // `defaultRequest` defaults to `default`.
        assert_eq!(d.request("memory"), Amount::Set);
        assert_eq!(d.limit("memory"), Amount::Set);
        assert_eq!(d.request("ephemeral-storage"), Amount::Absent);
        let none = Amounts::default();
        let pod = Amounts {
            requests: [Amount::Absent, Amount::Absent, Amount::Set],
            limits: [Amount::Absent; 3],
        };
        assert_eq!(effective_request(&none, 0, Some(&d), &none), Amount::Set);
        assert_eq!(effective_limit(&none, 0, Some(&d), &none), Amount::Absent);
        assert_eq!(effective_request(&none, 2, Some(&d), &pod), Amount::Set);
    }

    #[test]
    fn overcommit() {
        assert!(not_overcommittable("nvidia.com/gpu"));
        assert!(not_overcommittable("hugepages-2Mi"));
        assert!(!not_overcommittable("cpu"));
        assert!(!not_overcommittable("example.kubernetes.io/thing"));
        assert!(!not_overcommittable("requests.nvidia.com/gpu"));
    }
}
