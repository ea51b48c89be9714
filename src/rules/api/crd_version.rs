//! `api-crd-version`: a custom resource at a version its CustomResourceDefinition in the
//! set does not serve (absent from `spec.versions`, or `served: false`): an error, the API
//! server rejects it; or at a version marked `deprecated: true`: a warning quoting the
//! CRD's `deprecationWarning`. Without the CRD in the set nothing is known here
//! (`api-deprecated` knows a few ecosystem projects' versions).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::kinds::group_of;

declare_rule!(CrdVersion, "api-crd-version");

impl Rule for CrdVersion {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for o in &cx.index.custom_objects {
            let api_version = &*o.obj.api_version;
            let (group, version) = (group_of(api_version), api_version.rsplit('/').next().unwrap_or(""));
            let kind = &*o.obj.kind;
            let Some(crd) = cx.index.crds_for(group, kind).next() else {
                continue;
            };
            let name = o.obj.name.as_deref().unwrap_or("<unnamed>");
            let crd_name = crd.obj.name.as_deref().unwrap_or("<unnamed>");
            let served: Vec<&str> = crd.versions.iter().filter(|v| v.served).map(|v| &*v.name).collect();
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
                            "{kind} `{name}` uses {api_version}, which CustomResourceDefinition `{crd_name}` {why}; the API server rejects it (served: {})",
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
