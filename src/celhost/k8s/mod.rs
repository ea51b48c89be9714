//! The Kubernetes CEL libraries (apiserver `pkg/cel/library`), registered on a `cel::Env`.
