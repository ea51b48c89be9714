//! plimsoll: a static linter and policy checker for Kubernetes manifests.
//!
//! The pipeline is `discover` → `source` (YAML → spanned tree) → `model` (typed objects,
//! views, facts) → `engine` (rules, suppressions, the run) → `report`. See `DESIGN.md`-style
//! notes in each module.

pub mod celhost;
pub mod cli;
pub mod config;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod model;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
