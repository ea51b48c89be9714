//! `api-deprecated`: an object whose `apiVersion` is deprecated at the target Kubernetes
//! release and still served (or has no removal scheduled); and custom resources of an
//! ecosystem project's deprecated versions when the set holds no CustomResourceDefinition
//! for them (the project's version is unknown, so never an error).

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, SetCx};
use crate::model::apilifecycle::{Target, judged, lifecycle, minor};
use crate::model::kinds::group_of;
use crate::source::Route;

declare_rule!(Deprecated, "api-deprecated");

impl Rule for Deprecated {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let (api_version, kind) = (cx.obj.api_version.as_str(), cx.obj.kind.as_str());
        let Some(entry) = judged(api_version, kind) else {
            return;
        };
        let Some(deprecated) = entry.deprecated_in.as_deref().and_then(minor) else {
            return;
        };
        let removed = entry.removed_in.as_deref().and_then(minor);
        let target = Target::of(cx.settings.kubernetes_minor);
        let t = target.minor;
        if deprecated > t || removed.is_some_and(|r| r <= t) {
            return;
        }
        let name = cx.obj.name().unwrap_or("<unnamed>");
        let removal = match removed {
            Some(r) => format!(" and removed in v1.{r}"),
            None => " (no removal scheduled)".to_string(),
        };
        let migrate = match &entry.replacement {
            Some(r) => format!("migrate to {r}"),
            None => "it has no replacement".to_string(),
        };
        let f = out.emit(
            cx.at(&Route::root().key("apiVersion")),
            format!(
                "{kind} `{name}` uses {api_version}, deprecated since v1.{deprecated}{removal}; {migrate}{}",
                target.note()
            ),
        );
        f.label(format!("deprecated since v1.{deprecated}"));
        if let Some(help) = target.help(entry.notes.as_deref()) {
            f.help(help);
        }
        if entry.replacement.is_some() {
            super::attach_conversion(cx, f, entry.replacement_since.as_deref(), t);
        }
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let data = lifecycle();
        for o in &cx.index.custom_objects {
            let (api_version, kind) = (&*o.obj.api_version, &*o.obj.kind);
            let Some(entry) = data.ecosystem(api_version, kind) else {
                continue;
            };
            // A CustomResourceDefinition of the set says what is served: api-crd-version.
            if cx.index.crds_for(group_of(api_version), kind).next().is_some() {
                continue;
            }
            let name = o.obj.name.as_deref().unwrap_or("<unnamed>");
            let since = entry
                .deprecated_in
                .as_deref()
                .map(|d| format!(" since {} {d}", entry.component))
                .unwrap_or_default();
            let removal = match &entry.removed_in {
                Some(r) => format!(", and {} {r} no longer serves it", entry.component),
                None => String::new(),
            };
            let migrate = entry
                .replacement
                .as_deref()
                .map(|r| format!("; migrate to {r}"))
                .unwrap_or_default();
            let f = out.emit_for(
                &o.obj,
                o.api_version_loc,
                format!("{kind} `{name}` uses {api_version}, deprecated{since}{removal}{migrate}"),
            );
            f.label(format!("deprecated by {}", entry.component));
            if let Some(n) = &entry.notes {
                f.help(n.clone());
            }
        }
    }
}
