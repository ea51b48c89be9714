//! `api-crd-version`: a custom resource at a version its CustomResourceDefinition in the
//! set does not serve (absent from `spec.versions`, or `served: false`): an error, the API
//! server rejects it; or at a version marked `deprecated: true`: a warning quoting the
//! CRD's `deprecationWarning`. Without the CRD in the set nothing is known here
//! (`api-deprecated` knows a few ecosystem projects' versions).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::apilifecycle::CrdFact;
use crate::model::kinds::group_of;

declare_rule!(CrdVersion, "api-crd-version");

impl Rule for CrdVersion {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for o in &cx.index.custom_objects {
            let api_version = &*o.obj.api_version;
            let (group, version) = (group_of(api_version), api_version.rsplit('/').next().unwrap_or(""));
            let kind = &*o.obj.kind;
            // Repositories vendor several releases of a project's CRDs: a version served by
            // any of them may be the one installed, so only a version none serves is an
            // error, and only one every serving CRD deprecates is a warning.
            let crds: Vec<&CrdFact> = cx.index.crds_for(group, kind).collect();
            let Some(crd) = crds
                .iter()
                .copied()
                .find(|c| {
                    c.versions
                        .iter()
                        .any(|v| &*v.name == version && v.served && !v.deprecated)
                })
                .or_else(|| {
                    crds.iter()
                        .copied()
                        .find(|c| c.versions.iter().any(|v| &*v.name == version && v.served))
                })
                .or_else(|| crds.first().copied())
            else {
                continue;
            };
            let name = o.obj.name.as_deref().unwrap_or("<unnamed>");
            let crd_name = crd.obj.name.as_deref().unwrap_or("<unnamed>");
            let mut served: Vec<&str> = crds
                .iter()
                .flat_map(|c| c.versions.iter().filter(|v| v.served).map(|v| &*v.name))
                .collect();
            served.sort_unstable();
            served.dedup();
            match crd.versions.iter().find(|v| &*v.name == version) {
                Some(v) if v.served && v.deprecated => {
                    let warning = v.warning.as_deref().map(|w| format!(": \"{w}\"")).unwrap_or_default();
                    let f = out.emit_for(
                        &o.obj,
                        o.api_version_loc,
                        format!("{kind} `{name}` uses {api_version}, which CustomResourceDefinition `{crd_name}` marks deprecated{warning}"),
                    );
                    f.severity = Severity::Warning.min(f.severity);
                    f.label("deprecated version").related(v.loc, "marked deprecated here");
                }
                Some(v) if v.served => {}
                found => {
                    let why = if found.is_some() {
                        "marks not served"
                    } else {
                        "does not define"
                    };
                    let f = out.emit_for(
                        &o.obj,
                        o.api_version_loc,
                        format!(
                            "{kind} `{name}` uses {api_version}, which CustomResourceDefinition `{crd_name}` {why}{}; the API server rejects it (served: {})",
                            match crds.len() {
                                1 => String::new(),
                                n => format!(", nor do the other {} CRDs of the set for {kind}", n - 1),
                            },
                            if served.is_empty() { "none".to_string() } else { served.join(", ") }
                        ),
                    );
                    f.label("version not served");
                    if let Some(v) = found {
                        f.related(v.loc, "`served: false` here");
                    }
                }
            }
        }
    }
}
