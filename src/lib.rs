//! plimsoll: a static linter and policy checker for Kubernetes manifests.
//!
//! The pipeline is `discover` → `source` (YAML → spanned tree) → `model` (typed objects,
//! views, facts) → `engine` (rules, suppressions, the run) → `report`. `session` runs it as
//! a library (configure once, load inputs or buffers, lint); `cli` is the command line over
//! it. See `DESIGN.md`-style notes in each module.

#![forbid(unsafe_code)]

pub mod celhost;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod lsp;
pub mod model;
pub mod policy;
pub mod posture;
pub mod report;
pub mod rules;
pub mod session;
pub mod source;
