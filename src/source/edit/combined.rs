//! Verification of a whole pass on one file: the fixes of a pass were each verified on
//! their own, and are applied together; the edited text must read back as the old one
//! with every fix's ops applied, document by document.

use super::value::{apply_ops, model_of};
use super::{NotFixable, Op};
use crate::source::{Limits, Route, parse};

/// The ops of one fix, on the object at `prefix` of document `doc`.
pub struct Applied<'a> {
    pub doc: usize,
    pub prefix: &'a Route,
    pub ops: &'a [Op],
}

/// Checks that `new` parses into as many documents as `old`, and that each document reads
/// back as the old one with the ops of `fixes` applied in order.
pub fn verify_pass(old: &str, new: &str, fixes: &[Applied<'_>]) -> Result<(), NotFixable> {
    let limits = Limits::default();
    let (old_tree, old_docs, _) = parse(old, &limits);
    let (new_tree, new_docs, err) = parse(new, &limits);
    if err.is_some() {
        return Err(NotFixable::new("internal: the file does not parse after the pass"));
    }
    if old_docs.len() != new_docs.len() {
        return Err(NotFixable::new("internal: the file has other documents after the pass"));
    }
    for (old_doc, new_doc) in old_docs.iter().zip(&new_docs) {
        let mine: Vec<&Applied<'_>> = fixes.iter().filter(|f| f.doc == old_doc.index).collect();
        if mine.is_empty() {
            continue;
        }
        let too_large = || NotFixable::new("the document is too large to verify");
        let mut expected = model_of(&old_tree, old_doc.root).ok_or_else(too_large)?;
        for f in &mine {
            apply_ops(&mut expected, f.prefix, f.ops).map_err(|e| NotFixable::new(format!("internal: {e}")))?;
        }
        let got = model_of(&new_tree, new_doc.root).ok_or_else(too_large)?;
        if got != expected {
            return Err(NotFixable::new(format!(
                "internal: document {} does not read back as the fixes of this pass intend",
                old_doc.index
            )));
        }
    }
    Ok(())
}
