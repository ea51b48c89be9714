//! `api-*`: apiVersions the target cluster no longer serves or has deprecated, alpha
//! versions, and custom resource versions their CustomResourceDefinition does not serve
//! (workload-checks.md §4). The data is `data/api-lifecycle.yaml`; `hpa-deprecated-api-version`
//! keeps HorizontalPodAutoscalers and `secret-externalsecret-deprecated-api` the External
//! Secrets kinds.

pub mod alpha_version;
pub mod crd_version;
pub mod deprecated;
pub mod removed;
