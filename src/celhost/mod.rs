//! The CEL host: CEL expressions evaluated over plimsoll's spanned tree, with the
//! Kubernetes CEL libraries, the Kyverno compatibility shims, values unknown offline and
//! bounded evaluation. Built on the `cel` crate; knows nothing of rules or findings, so that
//! it could become a crate of its own.

pub mod k8s;
pub mod macros;
