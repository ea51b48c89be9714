//! Rules about the input itself: YAML, object shape, suppressions.

pub mod duplicate_key;
pub mod duplicate_object;
pub mod invalid_manifest;
pub mod unknown_field;
pub mod unknown_kind;
pub mod unused_suppression;
