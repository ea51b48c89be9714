//! STUB (replaced by the real module from the `edit` branch).
#![allow(dead_code, unused_variables)]
use super::Route;
use super::tree::Tree;
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Value>),
    Map(Vec<(String, Value)>),
}
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Set { route: Route, value: Value },
    Remove { route: Route, prune: bool },
    Append { seq: Route, value: Value, if_absent: bool },
    RenameKey { route: Route, new_key: String },
    ReplaceSubtree { route: Route, value: Value },
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: std::ops::Range<usize>,
    pub content: String,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotFixable(pub String);
pub struct Lowered {
    pub edits: Vec<Edit>,
    pub deletes_comments: bool,
}
pub struct Target<'a> {
    pub doc: usize,
    pub prefix: &'a Route,
}
pub fn lower(text: &str, target: Target<'_>, ops: &[Op], json: bool) -> Result<Lowered, NotFixable> {
    Err(NotFixable("stub".into()))
}
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.content);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}
pub fn overlaps(a: &Edit, b: &Edit) -> bool {
    a.range.start <= b.range.end && b.range.start <= a.range.end
}
pub fn comments(text: &str, tree: &Tree<'_>) -> Vec<std::ops::Range<usize>> {
    Vec::new()
}
