//! Rules about kustomizations as a whole (their objects are checked by every other rule once
//! rendered).

pub mod build_failed;
