//! Every rule, one per file, grouped by family. The file of rule `<family>-<name>` is
//! `src/rules/<family>/<name>.rs`; rules without a family prefix live in `core/`.

use crate::engine::{RuleEntry, entry};

pub mod core;
pub mod image;
pub mod pss;
pub mod secret;

/// The registry: every rule plimsoll has.
pub fn all() -> Vec<RuleEntry> {
    vec![
        entry::<core::duplicate_key::DuplicateKey>(),
        entry::<core::invalid_manifest::InvalidManifest>(),
        entry::<core::unknown_field::UnknownField>(),
        entry::<core::unused_suppression::UnusedSuppression>(),
        entry::<image::mutable_tag::MutableTag>(),
        entry::<image::not_digest_pinned::NotDigestPinned>(),
        entry::<pss::host_namespaces::HostNamespaces>(),
        entry::<pss::privileged::Privileged>(),
        entry::<secret::plaintext_in_manifest::PlaintextInManifest>(),
    ]
}
