//! `kustomize-build-failed`: a kustomization of the set could not be rendered (the renderer
//! failed or timed out, or the kustomization needs a download). Its files are then linted
//! as plain manifests, so the finding says why the results are partial.

use crate::declare_rule;
use crate::engine::{FileCx, Out, Rule};
use crate::source::Loc;

declare_rule!(BuildFailed, "kustomize-build-failed");

impl Rule for BuildFailed {
    fn check_file(&self, cx: &FileCx<'_>, out: &mut Out<'_>) {
        if cx.part != 0 {
            return;
        }
        let Some((span, message)) = cx.settings.kustomize_failures.get(cx.path) else {
            return;
        };
        out.emit(
            Loc {
                file: cx.file,
                span: *span,
            },
            format!("cannot render this kustomization: {message}"),
        )
        .label("not rendered")
        .help("its files were linted as plain manifests instead");
    }
}
