//! `policy-*`: admission policies of the set (ValidatingAdmissionPolicy with its bindings,
//! Kyverno `ValidatingPolicy`) evaluated offline against every object of the set. The
//! evaluation is shared by the five rules and lives in [`crate::policy`]; each rule reports
//! its share.

pub mod policy_evaluation_error;
pub mod policy_invalid;
pub mod policy_not_evaluated;
pub mod policy_unbound;
pub mod policy_violation;
