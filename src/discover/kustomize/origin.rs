//! Findings on rendered kustomizations, moved back to the files the user edits.
//!
//! Each rendered object carries `config.kubernetes.io/origin` (the wrapper asks kustomize
//! for it): the resource file that defined it, or the kustomization whose generator made
//! it. A finding's location is turned into a route (keys, and list items by their `name`
//! when they have one, as strategic merge does), and the route is looked up, in order:
//!
//! 1. in the patches of the kustomizations, the top-level one first and the last-declared
//!    patch first (strategic merge patches by kind and name or `target`, JSON 6902 patches
//!    by `path`, inline patches at their line inside the kustomization file);
//! 2. in the object's document of its origin file.
//!
//! The first place where the field exists with the value that was rendered wins. When none
//! has it, the finding points at the object in its origin file (its `metadata.name`), and
//! the message says the build renders the object differently. Every moved finding names
//! the build it came from.

use super::normalize;
use crate::engine::{Files, Finding, Masks, Relocate};
use crate::source::{
    Directive, FileId, Limits, Loc, NodeId, ParsedDocument, Pos, ScalarStyle, Span, Tree, Walk, find_directives, grip,
    parse,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The annotation kustomize writes with `buildMetadata: [originAnnotations]`.
const ORIGIN: &str = "config.kubernetes.io/origin";

/// One rendered kustomization.
#[derive(Debug, Clone)]
pub struct RenderedSet {
    /// The rendered output, linted as an input.
    pub file: FileId,
    /// The directory the origin annotations are relative to.
    pub base: PathBuf,
    /// The top-level kustomization's directory as shown.
    pub overlay: String,
    /// Canonical kustomization files: the top-level one, then those it uses.
    pub chain: Vec<PathBuf>,
}

/// Moves findings out of rendered kustomizations.
#[derive(Debug)]
pub struct Relocator {
    pub sets: Vec<RenderedSet>,
    /// The files rendered kustomizations are made of, by canonical path.
    pub sources: HashMap<PathBuf, FileId>,
    pub limits: Limits,
}

/// One step of a route: a key, or a list item by index and (when it has one) its `name`.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Item(usize, Option<String>),
}

/// A parsed file.
struct Parsed<'t> {
    tree: Tree<'t>,
    docs: Vec<ParsedDocument>,
}

/// Where an inline patch's text sits in its kustomization file (literal block scalars).
#[derive(Clone, Copy)]
struct Inline {
    first_line: u32,
    indent: u32,
}

/// A patch declared by a kustomization.
struct Patch<'a> {
    /// The file positions land in: the patch file, or the kustomization for inline ones.
    file: FileId,
    tree: &'a Tree<'a>,
    roots: Vec<NodeId>,
    json: bool,
    /// `target.kind` and `target.name`.
    target: (Option<String>, Option<String>),
    place: Place,
}

/// How positions in a patch's tree map to its file.
#[derive(Clone, Copy)]
enum Place {
    /// A patch file: as they are.
    File,
    /// An inline literal block: shifted into the kustomization file.
    Inline(Inline),
    /// Another inline form (quoted or folded): the whole patch string in the kustomization
    /// file.
    Entry(Span),
}

/// A location found for a route.
struct Found {
    file: FileId,
    /// What a finding underlines (as [`Walk::span`]).
    span: Span,
    /// The whole node, for masks; `None` when the route was not fully found.
    node: Option<Span>,
    /// The whole document, for masks that cannot be placed.
    doc: Span,
    exact: bool,
}

impl Relocate for Relocator {
    fn counts(&self) -> (usize, usize) {
        (self.sets.len(), self.sources.len())
    }

    fn relocate(&self, files: &Files, findings: &mut Vec<Finding>, masks: &mut Masks) -> Vec<(FileId, Vec<Directive>)> {
        let mut sources: Vec<(&PathBuf, FileId)> = self.sources.iter().map(|(p, id)| (p, *id)).collect();
        sources.sort();
        let texts: HashMap<FileId, Arc<str>> = sources
            .iter()
            .map(|(_, id)| *id)
            .chain(self.sets.iter().map(|s| s.file))
            .filter_map(|id| files.text(id).map(|t| (id, t)))
            .collect();
        let directives: Vec<(FileId, Vec<Directive>)> = sources
            .iter()
            .filter_map(|(_, id)| texts.get(id).map(|t| (*id, find_directives(t))))
            .filter(|(_, d)| !d.is_empty())
            .collect();
        let rendered: Vec<FileId> = self.sets.iter().map(|s| s.file).collect();
        let touches = |f: &Finding| {
            rendered.contains(&f.loc().file) || f.more().related.iter().any(|r| rendered.contains(&r.loc.file))
        };
        if !findings.iter().any(touches) {
            return directives;
        }

        // The sources and renders, parsed in parallel (a render may be megabytes).
        let parsed: HashMap<FileId, Parsed<'_>> = texts
            .par_iter()
            .map(|(id, t)| {
                let (tree, docs, _) = parse(t, &self.limits);
                (*id, Parsed { tree, docs })
            })
            .collect();
        // Inline patches are parsed from the strings of the kustomization files.
        let mut inline_texts: Vec<InlineText> = Vec::new();
        for set in &self.sets {
            for k in &set.chain {
                let Some((id, p)) = self.sources.get(k).and_then(|id| parsed.get(id).map(|p| (*id, p))) else {
                    continue;
                };
                let Some(root) = p.docs.first().map(|d| d.root) else {
                    continue;
                };
                for (source, _, _) in declared_patches(&p.tree, root) {
                    let PatchSource::Inline(node) = source else { continue };
                    if inline_texts.iter().any(|t| t.file == id && t.node == node) {
                        continue;
                    }
                    if let Some(s) = p.tree.str(node) {
                        inline_texts.push(InlineText {
                            file: id,
                            node,
                            text: s.to_string(),
                            place: match inline_position(&p.tree, node) {
                                Some(at) => Place::Inline(at),
                                None => Place::Entry(p.tree.span(node)),
                            },
                        });
                    }
                }
            }
        }
        let inline_parsed: Vec<Parsed<'_>> = inline_texts
            .iter()
            .map(|InlineText { text: t, .. }| {
                let (tree, docs, _) = parse(t, &self.limits);
                Parsed { tree, docs }
            })
            .collect();

        let cx = Cx {
            relocator: self,
            texts: &texts,
            parsed: &parsed,
            inline_texts: &inline_texts,
            inline_parsed: &inline_parsed,
        };
        let patches: Vec<Vec<Patch<'_>>> = self.sets.iter().map(|s| cx.patches(s)).collect();
        // Secret values of rendered output, masked where they are written.
        for (i, set) in self.sets.iter().enumerate() {
            for m in masks.remove(&set.file).unwrap_or_default() {
                if let Some(found) = cx.locate(set, &patches[i], m) {
                    masks
                        .entry(found.file)
                        .or_default()
                        .push(found.node.unwrap_or(found.doc));
                }
            }
        }
        // The render each relocated finding came from, and whether the source file sets
        // what the render shows.
        let mut from: Vec<Option<(usize, bool)>> = vec![None; findings.len()];
        for (f, from) in findings.iter_mut().zip(from.iter_mut()) {
            let target = f.loc();
            if let Some(i) = rendered.iter().position(|id| *id == target.file) {
                let set = &self.sets[i];
                // A fix stated on the render is moved to the file that defines the object.
                if let Some(fix) = f.fix.take() {
                    match cx.translate_fix(set, &patches[i], &fix) {
                        Ok(moved) => f.fix = Some(Box::new(moved)),
                        Err(why) => f.more_mut().not_fixable = Some(crate::engine::shared(&why)),
                    }
                }
                if let Some(found) = cx.locate(set, &patches[i], target.span) {
                    f.target.loc = Loc {
                        file: found.file,
                        span: found.span,
                    };
                    *from = Some((i, found.exact));
                }
            }
            for r in f.related_locs_mut() {
                if let Some(i) = rendered.iter().position(|id| *id == r.loc.file)
                    && let Some(found) = cx.locate(&self.sets[i], &patches[i], r.loc.span)
                {
                    r.loc = Loc {
                        file: found.file,
                        span: found.span,
                    };
                }
            }
        }
        merge_renders(findings, &from, &self.sets);
        directives
    }
}

/// One finding per root cause: findings that several renders produce identically (same
/// rule, severity, place and message) become one that names every render; each message
/// says which render(s) it came from.
fn merge_renders(findings: &mut Vec<Finding>, from: &[Option<(usize, bool)>], sets: &[RenderedSet]) {
    type Key = (
        &'static str,
        crate::engine::Severity,
        FileId,
        Span,
        crate::engine::Text,
        bool,
    );
    let mut first: HashMap<Key, usize> = HashMap::new();
    // For each finding kept: the renders it stands for; for the others: `None` (dropped).
    let mut renders: Vec<Option<Vec<usize>>> = vec![None; findings.len()];
    let mut moved: Vec<(usize, usize)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some((set, exact)) = from[i] else { continue };
        let loc = f.loc();
        let key = (
            f.rule.as_str(),
            f.severity,
            loc.file,
            loc.span,
            f.message.clone(),
            exact,
        );
        match first.get(&key) {
            Some(&kept) => {
                renders[kept].get_or_insert_with(Vec::new).push(set);
                moved.push((i, kept));
            }
            None => {
                first.insert(key, i);
                renders[i] = Some(vec![set]);
            }
        }
    }
    // Related locations of merged findings, kept once each, and the objects they were about.
    for (i, kept) in moved.iter().copied() {
        let (object, also) = (findings[i].object.clone(), findings[i].more().also.clone());
        findings[kept].also_about(object, also);
        let extra = findings[i].more().related.clone();
        for r in extra {
            if !findings[kept]
                .more()
                .related
                .iter()
                .any(|k| k.loc == r.loc && k.message == r.message)
            {
                findings[kept].more_mut().related.push(r);
            }
        }
    }
    for (i, f) in findings.iter_mut().enumerate() {
        let (Some(sets_of), Some((_, exact))) = (&renders[i], from[i]) else {
            continue;
        };
        let mut names: Vec<&str> = sets_of.iter().map(|s| sets[*s].overlay.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let builds = match names.as_slice() {
            [one] => format!("in `kustomize build {one}`"),
            many => format!(
                "in {} renders: {}",
                many.len(),
                many.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        };
        let note = if exact {
            format!(" ({builds})")
        } else {
            let which = if names.len() == 1 {
                "which renders"
            } else {
                "which render"
            };
            format!(" ({builds}, {which} this object differently from this file)")
        };
        f.message = crate::engine::shared(&format!("{}{note}", f.message));
    }
    let mut i = 0;
    let dropped: std::collections::HashSet<usize> = moved.iter().map(|(i, _)| *i).collect();
    findings.retain(|_| {
        i += 1;
        !dropped.contains(&(i - 1))
    });
}

struct Cx<'a> {
    relocator: &'a Relocator,
    texts: &'a HashMap<FileId, Arc<str>>,
    parsed: &'a HashMap<FileId, Parsed<'a>>,
    inline_texts: &'a [InlineText],
    inline_parsed: &'a [Parsed<'a>],
}

/// An inline patch of a kustomization file.
struct InlineText {
    file: FileId,
    node: NodeId,
    text: String,
    place: Place,
}

enum PatchSource {
    Path(String),
    Inline(NodeId),
}

/// The patches a kustomization declares, the last applied first: (source, JSON 6902,
/// target node).
fn declared_patches(tree: &Tree<'_>, root: NodeId) -> Vec<(PatchSource, bool, Option<NodeId>)> {
    let mut out = Vec::new();
    let items = |field: &str| -> Vec<NodeId> {
        tree.get(root, field)
            .map(|n| tree.items(n).iter().rev().copied().collect())
            .unwrap_or_default()
    };
    for item in items("patches") {
        let target = tree.get(item, "target");
        if let Some(p) = tree.get(item, "path").and_then(|n| tree.str(n)) {
            out.push((PatchSource::Path(p.to_string()), false, target));
        } else if let Some(n) = tree.get(item, "patch") {
            out.push((PatchSource::Inline(n), false, target));
        }
    }
    for item in items("patchesJson6902") {
        let target = tree.get(item, "target");
        if let Some(p) = tree.get(item, "path").and_then(|n| tree.str(n)) {
            out.push((PatchSource::Path(p.to_string()), true, target));
        } else if let Some(n) = tree.get(item, "patch") {
            out.push((PatchSource::Inline(n), true, target));
        }
    }
    for item in items("patchesStrategicMerge") {
        match tree.str(item) {
            Some(s) if s.contains('\n') => out.push((PatchSource::Inline(item), false, None)),
            Some(s) => out.push((PatchSource::Path(s.to_string()), false, None)),
            None => {}
        }
    }
    out
}

/// Where the content of a literal block scalar starts, and its indentation. The scalar's
/// span starts at its first content character, after any blank lines of the content.
fn inline_position(tree: &Tree<'_>, node: NodeId) -> Option<Inline> {
    if tree.style(node) != Some(ScalarStyle::Literal) {
        return None;
    }
    let start = tree.span(node).start;
    let blank = tree.str(node)?.chars().take_while(|c| *c == '\n').count() as u32;
    Some(Inline {
        first_line: start.line.checked_sub(blank)?,
        indent: start.col - 1,
    })
}

impl<'a> Cx<'a> {
    fn patches(&self, set: &RenderedSet) -> Vec<Patch<'a>> {
        let mut out = Vec::new();
        for k in &set.chain {
            let Some(&kid) = self.relocator.sources.get(k) else {
                continue;
            };
            let Some(p) = self.parsed.get(&kid) else { continue };
            let Some(root) = p.docs.first().map(|d| d.root) else {
                continue;
            };
            let dir = k.parent().unwrap_or(Path::new("/"));
            for (source, json, target) in declared_patches(&p.tree, root) {
                let target = (
                    target
                        .and_then(|t| p.tree.get(t, "kind"))
                        .and_then(|n| p.tree.str(n))
                        .map(String::from),
                    target
                        .and_then(|t| p.tree.get(t, "name"))
                        .and_then(|n| p.tree.str(n))
                        .map(String::from),
                );
                let (file, parsed, place) = match source {
                    PatchSource::Path(path) => {
                        let resolved = std::fs::canonicalize(dir.join(&path)).ok();
                        let Some(id) = resolved.and_then(|r| self.relocator.sources.get(&r).copied()) else {
                            continue;
                        };
                        let Some(parsed) = self.parsed.get(&id) else { continue };
                        (id, parsed, Place::File)
                    }
                    PatchSource::Inline(node) => {
                        let Some(i) = self.inline_texts.iter().position(|t| t.file == kid && t.node == node) else {
                            continue;
                        };
                        let Some(parsed) = self.inline_parsed.get(i) else {
                            continue;
                        };
                        (kid, parsed, self.inline_texts[i].place)
                    }
                };
                let roots: Vec<NodeId> = parsed.docs.iter().map(|d| d.root).collect();
                let json = json || roots.first().is_some_and(|r| parsed.tree.is_seq(*r));
                out.push(Patch {
                    file,
                    tree: &parsed.tree,
                    roots,
                    json,
                    target,
                    place,
                });
            }
        }
        out
    }

    /// Finds where the node at `span` of a rendered set is defined. A scalar is looked for
    /// in the patches first (the last one to set it wins), a mapping or list in the origin
    /// file first (patches only add to it).
    fn locate(&self, set: &RenderedSet, patches: &[Patch<'a>], span: Span) -> Option<Found> {
        let rendered = self.parsed.get(&set.file)?;
        let rtree = &rendered.tree;
        let doc = rendered.docs.iter().map(|d| d.root).find(|r| {
            let s = rtree.span(*r);
            s.start.byte <= span.start.byte && span.end.byte <= s.end.byte
        });
        let Some(doc) = doc else {
            return self.fallback(set);
        };
        let kind = rtree.get(doc, "kind").and_then(|n| rtree.str(n)).unwrap_or("");
        let name = rtree
            .path(doc, &["metadata", "name"])
            .and_then(|n| rtree.str(n))
            .unwrap_or("");
        let (route, rnode) = descend(rtree, doc, span);
        // A list item's grip is its `name` entry: the item is meant, not the name.
        let item_grip = matches!(route.as_slice(), [.., Step::Item(..), Step::Key(k)] if k == "name");
        let scalar = rtree.text(rtree.deref(rnode)).is_some() && !item_grip;
        let narrowed = |f: Found| narrow(f, rtree.span(rnode), span);
        let in_patches = || {
            patches
                .iter()
                .find_map(|p| self.in_patch(p, kind, name, &route, rtree, rnode))
        };
        if scalar && let Some(found) = in_patches() {
            return Some(narrowed(found));
        }
        let origin = rtree
            .path(doc, &["metadata", "annotations", ORIGIN])
            .and_then(|n| rtree.str(n))
            .unwrap_or("");
        let approximate = match parse_origin(origin) {
            Origin::Path(p) => {
                let id = self.source(&set.base, &p)?;
                let parsed = self.parsed.get(&id)?;
                let sdoc = matching_doc(&parsed.tree, &parsed.docs, kind, name)?;
                let walk = walk_like(&parsed.tree, sdoc, &route);
                let docspan = parsed.tree.span(sdoc);
                if walk.matched == route.len() && same_value(rtree, rnode, &parsed.tree, walk.node) {
                    return Some(narrowed(Found {
                        file: id,
                        span: walk.span(&parsed.tree),
                        node: Some(parsed.tree.span(walk.node)),
                        doc: docspan,
                        exact: true,
                    }));
                }
                Found {
                    file: id,
                    span: object_grip(&parsed.tree, sdoc),
                    node: None,
                    doc: docspan,
                    exact: false,
                }
            }
            Origin::Generated {
                kustomization,
                generator,
            } => {
                let id = self.source(&set.base, &kustomization)?;
                let parsed = self.parsed.get(&id)?;
                let found = generated(&parsed.tree, parsed.docs.first()?.root, &generator, name, &route);
                Found { file: id, ..found }
            }
            Origin::Unknown => self.fallback(set)?,
        };
        if !scalar && let Some(found) = in_patches() {
            return Some(found);
        }
        Some(approximate)
    }

    /// A fix stated on a rendered object, stated on the resource file that defines the
    /// object instead (`specs/autofix.md` §5): each route is followed in the render, list
    /// items are matched by `name` as strategic merge matches them, and the part of the
    /// route the render has must be in the resource file with the rendered value (else a
    /// patch, a transformer or a generator set it, and the fix is refused with where to
    /// edit). A field the render lacks is created in the resource file, which every overlay
    /// inherits.
    fn translate_fix(
        &self,
        set: &RenderedSet,
        patches: &[Patch<'a>],
        fix: &crate::engine::Fix,
    ) -> Result<crate::engine::Fix, String> {
        use crate::source::edit::Op;
        use crate::source::{Route, Seg};
        let refuse = |why: &str| Err(why.to_string());
        if fix.file != set.file {
            return Ok(fix.clone());
        }
        let rendered = self.parsed.get(&set.file).ok_or("the render cannot be read")?;
        let rtree = &rendered.tree;
        let doc = rendered
            .docs
            .iter()
            .find(|d| d.index == fix.doc as usize)
            .ok_or("the rendered object cannot be found")?
            .root;
        let kind = rtree.get(doc, "kind").and_then(|n| rtree.str(n)).unwrap_or("");
        let name = rtree
            .path(doc, &["metadata", "name"])
            .and_then(|n| rtree.str(n))
            .unwrap_or("");
        let origin = rtree
            .path(doc, &["metadata", "annotations", ORIGIN])
            .and_then(|n| rtree.str(n))
            .unwrap_or("");
        let Origin::Path(path) = parse_origin(origin) else {
            return refuse("the object is made by a generator or a remote base: edit its generator");
        };
        let id = self
            .source(&set.base, &path)
            .ok_or("its resource file is not in the repository")?;
        let parsed = self.parsed.get(&id).ok_or("its resource file cannot be read")?;
        let sdoc =
            matching_doc(&parsed.tree, &parsed.docs, kind, name).ok_or("its resource file does not define it")?;
        let sindex = parsed
            .docs
            .iter()
            .find(|d| d.root == sdoc)
            .map(|d| d.index)
            .ok_or("its resource file does not define it")?;
        // A rendered route as steps (list items with their names), and the same route in
        // the resource file: the render's part must be there, with the rendered value.
        let translate = |route: &Route| -> Result<Route, String> {
            let mut steps = Vec::new();
            let mut rnode = doc;
            let mut in_render = 0;
            for seg in route.segs() {
                let next = match seg {
                    Seg::Key(k) => rtree.get(rnode, k),
                    Seg::Index(i) => rtree.items(rnode).get(*i).copied(),
                };
                let name = match (seg, next) {
                    (Seg::Index(_), Some(item)) => rtree.get(item, "name").and_then(|n| rtree.str(n)).map(String::from),
                    _ => None,
                };
                steps.push(match seg {
                    Seg::Key(k) => Step::Key(k.to_string()),
                    Seg::Index(i) => Step::Item(*i, name),
                });
                match next {
                    Some(n) if in_render == steps.len() - 1 => {
                        rnode = n;
                        in_render += 1;
                    }
                    _ => {}
                }
            }
            let walk = walk_like(&parsed.tree, sdoc, &steps[..in_render]);
            if walk.matched < in_render {
                return Err(format!(
                    "a patch or transformer sets `{route}` in the render; fix it in the kustomization's patches"
                ));
            }
            if rtree.text(rtree.deref(rnode)).is_some() && !same_value(rtree, rnode, &parsed.tree, walk.node) {
                return Err(format!(
                    "a patch or transformer changes `{route}`; fix it in the kustomization's patches"
                ));
            }
            if in_render == steps.len()
                && patches
                    .iter()
                    .any(|p| self.in_patch(p, kind, name, &steps, rtree, rnode).is_some())
            {
                return Err(format!("a patch sets `{route}`; fix it in that patch"));
            }
            // The resource file's indices for the items.
            let mut out = Route::root();
            let mut node = sdoc;
            for (depth, step) in steps.iter().enumerate() {
                match step {
                    Step::Key(k) => {
                        out = out.key(k.clone());
                        if depth < in_render {
                            node = parsed.tree.get(node, k).ok_or("the resource file changed")?;
                        }
                    }
                    Step::Item(i, name) => {
                        let items = parsed.tree.items(node);
                        let at = match name {
                            Some(n) => items.iter().position(|it| {
                                parsed.tree.get(*it, "name").and_then(|x| parsed.tree.str(x)) == Some(n.as_str())
                            }),
                            None if items.len() == rtree.items(rtree.deref(rnode)).len() || depth >= in_render => {
                                Some(*i)
                            }
                            None => None,
                        };
                        let at = at.ok_or("a list item of the render is not in the resource file")?;
                        out = out.index(at);
                        if depth < in_render {
                            node = items[at];
                        }
                    }
                }
            }
            Ok(out)
        };
        let mut ops = smallvec::SmallVec::with_capacity(fix.ops.len());
        for op in &fix.ops {
            ops.push(match op {
                Op::Set { route, value } => Op::Set {
                    route: translate(route)?,
                    value: value.clone(),
                },
                Op::Remove { route, prune } => Op::Remove {
                    route: translate(route)?,
                    prune: *prune,
                },
                Op::Append { seq, value, if_absent } => Op::Append {
                    seq: translate(seq)?,
                    value: value.clone(),
                    if_absent: *if_absent,
                },
                Op::RenameKey { route, new_key } => Op::RenameKey {
                    route: translate(route)?,
                    new_key: new_key.clone(),
                },
                Op::ReplaceSubtree { route, value } => Op::ReplaceSubtree {
                    route: translate(route)?,
                    value: value.clone(),
                },
            });
        }
        let mut moved = fix.clone();
        moved.file = id;
        moved.doc = sindex as u32;
        moved.prefix = Route::root();
        moved.ops = ops;
        moved.via_render = true;
        Ok(moved)
    }

    /// The top-level kustomization's `resources` entry (or its first entry).
    fn fallback(&self, set: &RenderedSet) -> Option<Found> {
        let id = *self.relocator.sources.get(set.chain.first()?)?;
        let parsed = self.parsed.get(&id)?;
        let root = parsed.docs.first()?.root;
        let span = parsed
            .tree
            .get_entry(root, "resources")
            .map_or_else(|| grip(&parsed.tree, root), |(k, _)| parsed.tree.span(k));
        Some(Found {
            file: id,
            span,
            node: None,
            doc: parsed.tree.span(root),
            exact: false,
        })
    }

    fn source(&self, base: &Path, path: &str) -> Option<FileId> {
        let joined = normalize(&base.join(path));
        self.relocator
            .sources
            .get(&joined)
            .or_else(|| {
                std::fs::canonicalize(&joined)
                    .ok()
                    .and_then(|c| self.relocator.sources.get(&c))
            })
            .copied()
    }

    /// The route in a patch, when the patch applies to the object and sets the field to the
    /// rendered value.
    fn in_patch(
        &self,
        p: &Patch<'a>,
        kind: &str,
        name: &str,
        route: &[Step],
        rtree: &Tree<'_>,
        rnode: NodeId,
    ) -> Option<Found> {
        let tree = p.tree;
        if let Some(k) = &p.target.0
            && k != kind
        {
            return None;
        }
        if let Some(n) = &p.target.1
            && !name_matches(name, n)
        {
            return None;
        }
        for root in &p.roots {
            let walk = if p.json {
                json_walk(tree, *root, route)
            } else {
                let doc_kind = tree.get(*root, "kind").and_then(|n| tree.str(n));
                let doc_name = tree.path(*root, &["metadata", "name"]).and_then(|n| tree.str(n));
                let applies =
                    p.target.0.is_some() || (doc_kind == Some(kind) && doc_name.is_none_or(|n| name_matches(name, n)));
                if !applies {
                    continue;
                }
                Some(walk_like(tree, *root, route)).filter(|w| w.matched == route.len())
            };
            let Some(walk) = walk else { continue };
            if !same_value(rtree, rnode, tree, walk.node) {
                continue;
            }
            let (span, node) = (walk.span(tree), tree.span(walk.node));
            let (span, node, doc) = match p.place {
                Place::File => (span, node, tree.span(*root)),
                Place::Inline(at) => {
                    let text = self.texts.get(&p.file).map(|t| &t[..]).unwrap_or("");
                    (
                        shift(text, at, span)?,
                        shift(text, at, node)?,
                        shift(text, at, tree.span(*root))?,
                    )
                }
                Place::Entry(entry) => (entry, entry, entry),
            };
            return Some(Found {
                file: p.file,
                span,
                node: Some(node),
                doc,
                exact: true,
            });
        }
        None
    }
}

/// Keeps a finding on part of a scalar (an image's tag) on the same part of the same
/// scalar, when both are written alike on one line.
fn narrow(mut found: Found, rendered_node: Span, target: Span) -> Found {
    let Some(node) = found.node else { return found };
    let same_shape = node.start.line == node.end.line
        && rendered_node.start.line == rendered_node.end.line
        && node.end.byte - node.start.byte == rendered_node.end.byte - rendered_node.start.byte;
    let inside = rendered_node.start.byte <= target.start.byte
        && target.end.byte <= rendered_node.end.byte
        && target != rendered_node
        && target.start.line == target.end.line;
    if same_shape && inside {
        let shift = |p: Pos| Pos {
            line: node.start.line,
            col: node.start.col + (p.col - rendered_node.start.col),
            byte: node.start.byte + (p.byte - rendered_node.start.byte),
        };
        found.span = Span {
            start: shift(target.start),
            end: shift(target.end),
        };
    }
    found
}

/// An object made by a `configMapGenerator` or `secretGenerator`: the generator's entry,
/// or for a `data` key given as a literal, that `KEY=value` item (the file is set by the
/// caller).
fn generated(tree: &Tree<'_>, root: NodeId, generator: &str, name: &str, route: &[Step]) -> Found {
    let field = match generator {
        "SecretGenerator" => "secretGenerator",
        _ => "configMapGenerator",
    };
    let list = tree.get(root, field);
    let entry = list.and_then(|l| {
        tree.items(l).iter().copied().find(|it| {
            tree.get(*it, "name")
                .and_then(|n| tree.str(n))
                .is_some_and(|g| name_matches(name, g) || name.starts_with(&format!("{g}-")))
        })
    });
    let doc = tree.span(root);
    let mut found = Found {
        file: FileId::default(),
        span: match (entry, list) {
            (Some(e), _) => grip(tree, e),
            (None, Some(_)) => tree
                .get_entry(root, field)
                .map_or_else(|| grip(tree, root), |(k, _)| tree.span(k)),
            (None, None) => grip(tree, root),
        },
        node: None,
        doc,
        exact: false,
    };
    // `data.KEY` of a generated object, written as a `KEY=value` literal (a Secret's value
    // is rendered base64-encoded, so the key alone identifies it).
    if let (Some(e), [Step::Key(_), Step::Key(key)]) = (entry, route) {
        let literal = tree.get(e, "literals").and_then(|l| {
            tree.items(l).iter().copied().find(|it| {
                tree.str(*it)
                    .and_then(|s| s.split_once('='))
                    .is_some_and(|(k, _)| k.trim() == key)
            })
        });
        if let Some(item) = literal {
            found.span = tree.span(item);
            found.node = Some(tree.span(item));
            found.exact = true;
        }
    }
    found
}

/// The route of the deepest node whose entry (or item) holds `span`, and that node.
fn descend(tree: &Tree<'_>, root: NodeId, span: Span) -> (Vec<Step>, NodeId) {
    let within = |s: Span| s.start.byte <= span.start.byte && span.end.byte <= s.end.byte;
    let mut route = Vec::new();
    let mut node = root;
    'down: loop {
        if tree.is_map(node) {
            for (k, v) in tree.entries(node) {
                if within(tree.span(k).to(tree.span(v))) {
                    let Some(key) = tree.key_str(k) else { break 'down };
                    route.push(Step::Key(key.to_string()));
                    node = v;
                    continue 'down;
                }
            }
        } else if tree.is_seq(node) {
            for (i, item) in tree.items(node).iter().enumerate() {
                if within(tree.span(*item)) {
                    let name = tree.get(*item, "name").and_then(|n| tree.str(n)).map(String::from);
                    route.push(Step::Item(i, name));
                    node = *item;
                    continue 'down;
                }
            }
        }
        break;
    }
    (route, node)
}

/// Walks a route, matching list items by `name` when the rendered item has one.
fn walk_like(tree: &Tree<'_>, root: NodeId, route: &[Step]) -> Walk {
    let mut node = root;
    let mut key = None;
    for (depth, step) in route.iter().enumerate() {
        let next = match step {
            Step::Key(k) => tree.get_entry(node, k).map(|(k, v)| (Some(k), v)),
            Step::Item(i, name) => {
                let items = tree.items(node);
                match name {
                    Some(n) => items
                        .iter()
                        .copied()
                        .find(|it| tree.get(*it, "name").and_then(|x| tree.str(x)) == Some(n.as_str())),
                    None => items.get(*i).copied(),
                }
                .map(|it| (None, it))
            }
        };
        match next {
            Some((k, v)) => {
                key = k;
                node = v;
            }
            None => {
                return Walk {
                    node,
                    key,
                    matched: depth,
                };
            }
        }
    }
    Walk {
        node,
        key,
        matched: route.len(),
    }
}

/// The route inside a JSON 6902 patch: an `add` or `replace` operation whose `path` is a
/// prefix of the route, walked on into its `value`.
fn json_walk(tree: &Tree<'_>, ops: NodeId, route: &[Step]) -> Option<Walk> {
    for op in tree.items(ops).iter().rev() {
        let kind = tree.get(*op, "op").and_then(|n| tree.str(n));
        if !matches!(kind, Some("add" | "replace")) {
            continue;
        }
        let Some(path) = tree.get(*op, "path").and_then(|n| tree.str(n)) else {
            continue;
        };
        let segments: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        if segments.len() > route.len() {
            continue;
        }
        let prefix = segments.iter().zip(route).all(|(seg, step)| match step {
            Step::Key(k) => seg == k,
            Step::Item(i, _) => seg == "-" || seg.parse::<usize>().ok() == Some(*i),
        });
        if !prefix {
            continue;
        }
        let Some((vkey, value)) = tree.get_entry(*op, "value") else {
            continue;
        };
        let rest = &route[segments.len()..];
        let mut walk = walk_like(tree, value, rest);
        if walk.matched < rest.len() {
            continue;
        }
        if rest.is_empty() {
            walk.key = Some(vkey);
        }
        walk.matched = route.len();
        return Some(walk);
    }
    None
}

/// Scalars with the same text, or two collections.
fn same_value(a: &Tree<'_>, an: NodeId, b: &Tree<'_>, bn: NodeId) -> bool {
    let (an, bn) = (a.deref(an), b.deref(bn));
    match (a.text(an), b.text(bn)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.is_map(an) == b.is_map(bn) && a.is_seq(an) == b.is_seq(bn),
        _ => false,
    }
}

/// Whether a rendered name is an original name with a kustomize prefix, suffix or hash.
fn name_matches(rendered: &str, original: &str) -> bool {
    rendered == original
        || rendered.starts_with(&format!("{original}-"))
        || rendered.ends_with(&format!("-{original}"))
        || rendered.contains(&format!("-{original}-"))
}

/// The document of a file that defined the object: same kind and a matching name, or the
/// only document of that kind.
fn matching_doc(tree: &Tree<'_>, docs: &[ParsedDocument], kind: &str, name: &str) -> Option<NodeId> {
    let of_kind: Vec<NodeId> = docs
        .iter()
        .map(|d| d.root)
        .filter(|r| tree.get(*r, "kind").and_then(|n| tree.str(n)) == Some(kind))
        .collect();
    let named = |r: &NodeId| tree.path(*r, &["metadata", "name"]).and_then(|n| tree.str(n));
    of_kind
        .iter()
        .copied()
        .find(|r| named(r) == Some(name))
        .or_else(|| {
            of_kind
                .iter()
                .copied()
                .find(|r| named(r).is_some_and(|n| name_matches(name, n)))
        })
        .or_else(|| (of_kind.len() == 1).then(|| of_kind[0]))
        .or_else(|| (docs.len() == 1).then(|| docs[0].root))
}

/// The object's `metadata.name` entry, else its first entry.
fn object_grip(tree: &Tree<'_>, doc: NodeId) -> Span {
    match tree.path(doc, &["metadata"]).and_then(|m| tree.get_entry(m, "name")) {
        Some((k, v)) => tree.span(k).to(tree.span(v)),
        None => grip(tree, doc),
    }
}

enum Origin {
    Path(String),
    Generated { kustomization: String, generator: String },
    Unknown,
}

/// Reads the origin annotation (`path: …`, or `configuredIn: …` with `configuredBy.kind`).
fn parse_origin(text: &str) -> Origin {
    let value = |line: &str, key: &str| {
        line.trim()
            .strip_prefix(key)
            .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
    };
    let mut path = None;
    let mut configured_in = None;
    let mut generator = None;
    for line in text.lines() {
        if line.starts_with("path:") {
            path = value(line, "path:");
        } else if line.starts_with("configuredIn:") {
            configured_in = value(line, "configuredIn:");
        } else if line.starts_with("  kind:") {
            generator = value(line, "kind:");
        }
    }
    match (path, configured_in) {
        (Some(p), _) => Origin::Path(p),
        (None, Some(k)) => Origin::Generated {
            kustomization: k,
            generator: generator.unwrap_or_default(),
        },
        (None, None) => Origin::Unknown,
    }
}

/// A span of an inline patch's own text, placed in its kustomization file.
fn shift(text: &str, at: Inline, span: Span) -> Option<Span> {
    Some(Span {
        start: place(text, at, span.start)?,
        end: place(text, at, span.end)?,
    })
}

fn place(text: &str, at: Inline, pos: Pos) -> Option<Pos> {
    let line = at.first_line + pos.line - 1;
    let col = pos.col + at.indent;
    let start = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum::<usize>();
    let rest = text.get(start..)?;
    let byte = start + rest.char_indices().nth(col as usize - 1).map_or(rest.len(), |(b, _)| b);
    Some(Pos {
        line,
        col,
        byte: byte as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert!(matches!(parse_origin("path: ../k/base/web.yaml\n"), Origin::Path(p) if p == "../k/base/web.yaml"));
        let generated = "configuredIn: ../k/base/kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n";
        assert!(matches!(
            parse_origin(generated),
            Origin::Generated { kustomization, generator }
                if kustomization == "../k/base/kustomization.yaml" && generator == "ConfigMapGenerator"
        ));
        assert!(matches!(parse_origin(""), Origin::Unknown));
    }

    #[test]
    fn names() {
        assert!(name_matches("prod-web", "web"));
        assert!(name_matches("web-v2", "web"));
        assert!(name_matches("prod-web-v2", "web"));
        assert!(!name_matches("prod-webhook", "web"));
    }
}
