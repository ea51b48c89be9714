//! Container images: references, tags, digests (rule-families §3).

pub mod mutable_tag;
pub mod not_digest_pinned;
