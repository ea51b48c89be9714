//! `policy-*`: admission policies of the set (ValidatingAdmissionPolicy with its bindings,
//! Kyverno `ValidatingPolicy`) evaluated offline against every object of the set. The
//! evaluation is shared by the five rules and lives in [`crate::policy`]; each rule reports
//! its share.

pub mod evaluation_error;
pub mod invalid;
pub mod not_evaluated;
pub mod unbound;
pub mod violation;
