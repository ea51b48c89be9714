//! `duplicate-object`: two objects with the same identity (API group, kind, namespace and
//! name) in what is certainly applied together — one file, or one kustomize render: the one
//! applied last replaces the other, so one of the two definitions is dead. Files of one
//! directory are not taken as applied together: repositories keep alternatives side by
//! side (Argo CD's `install.yaml` and `namespace-install.yaml`, a sample's GPU and TPU
//! variants), and on the bench corpus a per-directory test reported 939 such pairs, none of
//! them a mistake. Cross-object rules resolve references among objects of one identity by
//! proximity (docs/cross-object.md).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::facts::ObjectFact;
use std::collections::BTreeMap;

declare_rule!(DuplicateObject, "duplicate-object");

impl Rule for DuplicateObject {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for same in index.same_identity() {
            // Objects applied together: those of one file (a render is one file).
            let mut together: BTreeMap<crate::source::FileId, Vec<&ObjectFact>> = BTreeMap::new();
            for o in same {
                together.entry(o.obj.file).or_default().push(o);
            }
            for group in together.values().filter(|g| g.len() > 1) {
                let first = group[0];
                for o in &group[1..] {
                    let ns = o.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default();
                    out.emit_for(
                        &o.obj,
                        o.loc,
                        format!(
                            "{} `{ns}{}` is also defined earlier in this file; applied together, the one applied last replaces the other",
                            o.obj.kind,
                            o.obj.name.as_deref().unwrap_or(""),
                        ),
                    )
                    .label("defined twice")
                    .related(first.loc, "first defined here");
                }
            }
        }
    }
}
