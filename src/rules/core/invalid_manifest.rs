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
            out.emit(at(e.pos()), format!("cannot read the file as text: {e}"));
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
            );
        }
        let Some(loaded) = cx.loaded else { return };
        for issue in loaded.issues.iter().filter(|i| i.kind == IssueKind::Invalid) {
            let object = issue.object.map(|i| cx.objects[i].clone());
            let f = out.emit(
                crate::engine::Target {
                    loc: Loc {
                        file: cx.file,
                        span: issue.span,
                    },
                    route: issue.route.clone(),
                    missing: None,
                },
                issue.message.clone(),
            );
            f.object = object;
            if issue.message.contains("expected a string, found") {
                f.help("Kubernetes reads YAML 1.1: quote the value to make it a string (`\"8080\"`, `\"yes\"`)");
            }
        }
    }
}
