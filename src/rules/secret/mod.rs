//! Secrets in Git (rule-families §4). The detectors the secret rules share (placeholders,
//! sensitive names, token patterns, entropy, a walker over an object's strings, redaction)
//! live in [`crate::model::sensitive`], because the run also masks what they find in every
//! snippet, whichever rules are selected. No value is ever printed: findings show a key and
//! a redacted form.

pub use crate::model::sensitive::*;

pub mod configmap_sensitive;
pub mod env_literal;
pub mod externalsecret_deprecated_api;
pub mod externalsecret_store_missing;
pub mod high_entropy_literal;
pub mod legacy_sa_token;
pub mod plaintext_in_manifest;
pub mod private_key_literal;
pub mod sealed_cluster_wide;
pub mod sops_partially_encrypted;
pub mod spc_missing;
pub mod token_pattern;
pub mod url_credentials;
