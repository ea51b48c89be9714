//! Namespaces and their Pod Security Admission labels (rule-families §6.1).

use crate::model::namespaces::LABEL_PREFIX;
use crate::source::Route;
use serde::Deserialize;

pub mod psa_audit_warn_without_enforce;
pub mod psa_enforce_missing;
pub mod psa_enforce_privileged;
pub mod psa_invalid_label;

/// Options shared by the rules that skip namespaces the cluster exempts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptOptions {
    /// Namespaces not judged (usually exempted in the cluster's admission configuration).
    pub exempt_namespaces: Vec<String>,
}

impl ExemptOptions {
    /// The name of a `Namespace` object these options do not exempt.
    pub fn judged<'o>(&self, obj: &'o crate::model::Object) -> Option<&'o str> {
        if obj.kind != "Namespace" || obj.api_version != "v1" {
            return None;
        }
        let name = obj.name()?;
        (!self.exempt_namespaces.iter().any(|e| e == name)).then_some(name)
    }
}

/// Route to a label of the object.
pub fn label_route(key: &str) -> Route {
    Route::root().keys(&["metadata", "labels"]).key(key.to_string())
}

/// `pod-security.kubernetes.io/enforce` etc.
pub fn psa_label(mode: &str) -> String {
    format!("{LABEL_PREFIX}{mode}")
}
