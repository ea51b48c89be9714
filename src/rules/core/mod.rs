//! Rules about the input itself: YAML, object shape, suppressions.

pub mod duplicate_key;
pub mod invalid_manifest;
pub mod unknown_field;
pub mod unused_suppression;
