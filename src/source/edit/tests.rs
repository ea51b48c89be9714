//! Unit tests of lowering; the byte-exact table is `tests/fix_edit.rs`.

use super::*;

fn route(s: &str) -> Route {
    let mut r = Route::root();
    for part in s.split('.') {
        match part.split_once('[') {
            Some((k, i)) => {
                if !k.is_empty() {
                    r = r.key(k.to_string());
                }
                r = r.index(i.trim_end_matches(']').parse().expect("index"));
            }
            None => r = r.key(part.to_string()),
        }
    }
    r
}

fn run(text: &str, ops: &[Op]) -> Result<String, NotFixable> {
    let prefix = Route::root();
    let lowered = lower(
        text,
        Target {
            doc: 0,
            prefix: &prefix,
        },
        ops,
        false,
    )?;
    Ok(apply(text, &lowered.edits))
}

fn set(r: &str, v: &str) -> Op {
    Op::Set {
        route: route(r),
        value: Value::from_yaml(v).expect("value"),
    }
}

#[test]
fn set_creates_intermediates_as_one_insertion() {
    let text = "spec:\n  containers:\n  - name: app\n    image: x\n";
    let out = run(
        text,
        &[
            set("spec.containers[0].securityContext.allowPrivilegeEscalation", "false"),
            Op::Append {
                seq: route("spec.containers[0].securityContext.capabilities.drop"),
                value: Value::Str("ALL".into()),
                if_absent: true,
            },
        ],
    )
    .expect("fixable");
    assert_eq!(
        out,
        "spec:\n  containers:\n  - name: app\n    image: x\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - ALL\n"
    );
}

#[test]
fn overlap_rules() {
    let e = |a: usize, b: usize| Edit {
        range: a..b,
        content: String::new(),
    };
    assert!(overlaps(&e(3, 3), &e(3, 5)));
    assert!(overlaps(&e(5, 5), &e(3, 5)));
    assert!(overlaps(&e(4, 4), &e(3, 5)));
    assert!(overlaps(&e(3, 3), &e(3, 3)));
    assert!(!overlaps(&e(1, 3), &e(3, 5)));
    assert!(!overlaps(&e(2, 2), &e(3, 5)));
}

#[test]
fn comments_outside_scalars() {
    let text = "a: \"x # y\"   # one\nb: |\n  # not\n# two\nc: d#e\n";
    let (tree, _, _) = parse(text, &Limits::default());
    let found: Vec<&str> = comments(text, &tree).into_iter().map(|r| &text[r]).collect();
    assert_eq!(found, vec!["# one", "# two"]);
}
