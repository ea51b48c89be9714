//! `invalid-manifest`: input that is not valid YAML, not a Kubernetes object, or has a value
//! of the wrong type.

use crate::declare_rule;
use crate::engine::{FileCx, Out, Rule};
use crate::model::IssueKind;
use crate::source::{Loc, Pos, Span};

declare_rule!(InvalidManifest, "invalid-manifest");

impl Rule for InvalidManifest {
    fn check_file(&self, cx: &FileCx<'_>, out: &mut Out<'_>) {
        let at = |pos: Pos| Loc {
            file: cx.file,
            span: Span::new(pos, pos),
        };
        if let Some(e) = cx.decode_error {
            out.emit(at(e.pos()), format!("cannot read the file as text: {e}"))
                .help("save the file as UTF-8 (or UTF-16 with a byte-order mark), as kubectl reads it");
        }
        if let Some(size) = cx.too_large {
            let limit = cx.settings.limits.max_file_size;
            let start = Pos {
                line: 1,
                col: 1,
                byte: 0,
            };
            out.emit(
                at(start),
                format!(
                    "the file is {}, larger than the limit of {limit} bytes (limits.max_file_size); it was not read",
                    if size > limit + 1 {
                        format!("{size} bytes")
                    } else {
                        format!("more than {limit} bytes")
                    }
                ),
            )
            .help("if this file must be linted, raise the limit with `--max-file-size` on the command line");
        }
        let Some(loaded) = cx.loaded else { return };
        for issue in loaded.issues.iter().filter(|i| i.kind == IssueKind::Invalid) {
            let object = issue.object.map(|i| cx.objects[i].clone());
            let f = out.emit(
                crate::engine::Target::new(
                    Loc {
                        file: cx.file,
                        span: issue.span,
                    },
                    issue.route.as_deref().map(crate::engine::shared),
                ),
                issue.message.clone(),
            );
            f.object = object;
            let m = issue.message.as_str();
            if m.contains("expected a string, found") {
                f.help("Kubernetes reads YAML 1.1: quote the value to make it a string (`\"8080\"`, `\"yes\"`)");
            } else if m.starts_with("invalid YAML") {
                f.help("fix the YAML syntax here: kubectl and the API server reject the whole document, and no other rule can read it");
            } else if m.contains("Kubernetes object") {
                f.help("give the document `apiVersion` and `kind`; if the file is not a manifest, exclude it (`exclude:` in .plimsoll.yaml) or pass `--skip-non-manifests`");
            } else {
                f.help("give the field a value of the type its schema expects (see `kubectl explain <kind>.<field>`)");
            }
        }
    }
}
