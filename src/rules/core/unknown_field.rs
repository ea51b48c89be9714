//! `unknown-field`: a key the object's schema does not have (a typo such as
//! `securityContex` silently drops the whole setting). Fields of custom resources that
//! their CustomResourceDefinition's schema does not declare come from the shared CRD check
//! (`crate::rules::crd`).

use crate::declare_rule;
use crate::engine::{FileCx, Out, Rule, SetCx, Target};
use crate::model::IssueKind;
use crate::source::Loc;

declare_rule!(UnknownField, "unknown-field");

impl Rule for UnknownField {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::rules::crd::emit(&crate::rules::crd::checked(cx).unknown, out);
    }

    fn check_file(&self, cx: &FileCx<'_>, out: &mut Out<'_>) {
        let Some(loaded) = cx.loaded else { return };
        for issue in &loaded.issues {
            let IssueKind::UnknownField {
                name,
                suggestion,
                struct_name,
            } = &issue.kind
            else {
                continue;
            };
            let object = issue.object.map(|i| cx.objects[i].clone());
            let kind = object.as_ref().map_or("object", |o| &*o.kind);
            let f = out.emit(
                Target {
                    loc: Loc {
                        file: cx.file,
                        span: issue.span,
                    },
                    route: issue.route.clone(),
                    missing: None,
                },
                format!("unknown field `{name}` in {struct_name} ({kind}); the API server rejects it or drops it"),
            );
            f.object = object;
            match suggestion {
                Some(s) => {
                    f.label(format!("did you mean `{s}`?"));
                }
                None => {
                    f.label("not a field of this object");
                }
            }
        }
    }
}
