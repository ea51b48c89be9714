//! The Kubernetes vocabulary: kinds, typed objects, loading, views over workloads and
//! containers, and the facts and index that cross-object rules query. Knows no rule.

pub mod apilifecycle;
pub mod builtin;
pub mod controllers;
pub mod crd;
pub mod crdschema;
pub mod cron;
pub mod facts;
pub mod gitops;
pub mod grouped;
pub mod image;
pub mod imageglob;
pub mod imagepolicy;
pub mod intern;
pub mod intstr;
pub mod kinds;
pub mod load;
pub mod namespaces;
pub mod netpol;
pub mod object;
pub mod pss;
pub mod quantity;
pub mod rbac;
pub mod refs;
pub mod resources;
pub mod scaling;
pub mod secretrefs;
pub mod selector;
pub mod sensitive;
pub mod services;
pub mod views;

pub use facts::{FileFacts, Index, NamespaceFact, ObjectFact, Replicated, WorkloadFact};
pub use kinds::{Typed, TypedKind};
pub use load::{Issue, IssueKind, LoadOptions, Loaded, load};
pub use object::{Object, ObjectRef};
pub use views::{ContainerKind, ContainerView, Workload};
