//! `unknown-field`: a key the object's schema does not have (a typo such as
//! `securityContex` silently drops the whole setting). Fields of custom resources that
//! their CustomResourceDefinition's schema does not declare come from the shared CRD check
//! (`crate::rules::crd`).

use crate::declare_rule;
use crate::engine::{FileCx, Kept, ObjectCx, Out, Rule, SetCx, Target};
use crate::model::{IssueKind, ObjectRef};
use crate::source::Loc;
use std::sync::Arc;

declare_rule!(UnknownField, "unknown-field");

impl Rule for UnknownField {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        crate::rules::crd::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::rules::crd::emit(&crate::rules::crd::checked(cx).unknown, out);
    }

    fn check_file(&self, cx: &FileCx<'_>, out: &mut Out<'_>) {
        let Some(loaded) = cx.loaded else { return };
        for issue in &loaded.issues {
            let IssueKind::UnknownField {
                name,
                suggestion,
                within_two,
                relative,
                struct_name,
            } = &issue.kind
            else {
                continue;
            };
            let object = issue.object.map(|i| cx.objects[i].clone());
            let fix = rename(object.as_deref(), name, within_two, relative);
            let kind = object.as_ref().map_or("object", |o| &*o.kind);
            let f = out.emit(
                Target::new(
                    Loc {
                        file: cx.file,
                        span: issue.span,
                    },
                    issue.route.as_deref().map(crate::engine::shared),
                ),
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
            match fix {
                Ok(fix) => {
                    f.with_fix(fix);
                }
                Err(why) => {
                    f.not_fixable(why);
                }
            }
        }
    }
}

/// Fields whose activation changes what a pod may do: a rename that turns one of them on
/// (a `securityContex:` block the client dropped) is unsafe.
const BEHAVIOUR: &[&str] = &[
    "securityContext",
    "capabilities",
    "privileged",
    "allowPrivilegeEscalation",
    "runAsUser",
    "runAsNonRoot",
    "seccompProfile",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostPath",
    "hostPort",
    "automountServiceAccountToken",
];

/// The rename of an unknown key to the one declared field within edit distance 2: safe
/// under strict field validation (the object as written is rejected), unsafe when it
/// activates a security-relevant block; none when the candidates are not exactly one.
fn rename(
    object: Option<&crate::model::ObjectRef>,
    name: &str,
    within_two: &[&'static str],
    relative: &str,
) -> Result<crate::engine::Fix, String> {
    use crate::engine::{Applicability, Fix};
    let [to] = within_two else {
        return Err(if within_two.is_empty() {
            "no declared field is close enough to rename it to".into()
        } else {
            format!("several fields are close: {}", within_two.join(", "))
        });
    };
    let route = crate::source::Route::parse(relative).ok_or("the key's route cannot be named")?;
    let behaviour = BEHAVIOUR.contains(to) || relative.contains("securityContext");
    let applicability = if behaviour {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let object = object.ok_or("the key is not in an object")?;
    let fix = Fix::for_object(object, applicability, format!("rename `{name}` to `{to}`"))
        .ok_or("the object's place in its file cannot be named")?;
    Ok(fix.rename(route, *to))
}
