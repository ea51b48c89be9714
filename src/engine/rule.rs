//! The rule trait, the contexts rules read, and the sink they report to.
//!
//! A rule overrides the hook that fits it, from the most general to the most specific:
//! - [`Rule::check_file`]: once per file, with its load problems (`invalid-manifest` …);
//! - [`Rule::check_object`]: once per object, in parallel across files;
//! - [`Rule::check_set`]: once per run, on the index of facts (cross-object rules);
//! - [`Rule::check_suppressions`]: once per run, with the suppressions that matched nothing.

use super::finding::{Finding, RuleId, Severity, Target, shown};
use super::settings::Settings;
use super::suppress::Suppression;
use crate::model::namespaces::Namespaces;
use crate::model::{Index, Loaded, Object, ObjectRef, Workload};
use crate::source::{DecodeError, FileId, Loc, Route, Span, Tree};
use serde::de::DeserializeOwned;
use std::cell::OnceCell;
use std::sync::Arc;

pub trait Rule: Send + Sync {
    fn check_file(&self, _cx: &FileCx<'_>, _out: &mut Out<'_>) {}
    fn check_object(&self, _cx: &ObjectCx<'_>, _out: &mut Out<'_>) {}
    fn check_set(&self, _cx: &SetCx<'_>, _out: &mut Out<'_>) {}
    /// Keeps what `check_set` will need of an object ([`Kept::once`]), taken when the
    /// object is first read, so that `check_set` does not read its file again.
    fn keep(&self, _cx: &ObjectCx<'_>, _oref: &Arc<ObjectRef>, _kept: &mut Kept) {}
    fn check_suppressions(&self, _unused: &[&Suppression], _out: &mut Out<'_>) {}
    /// Whether `check_object` reads the Pod Security labels of the object's namespace
    /// (`ObjectCx::namespaces`): such rules run again on the workloads of labelled
    /// namespaces once every file has been read.
    fn reads_namespace_labels(&self) -> bool {
        false
    }
    /// Turns the findings `check_object` made on one object (two or more) into fewer, when
    /// they share a root cause (Pod Security: one finding per check per pod).
    fn merge(&self, _found: &mut Vec<Finding>) {}
}

/// A rule's identity and how to build it from its options.
pub trait RuleDef: Rule + Sized + 'static {
    /// The rule id, also the name of its `rules/<id>.yaml` and of its file.
    const ID: &'static str;
    /// The rule's options; their defaults live in `rules/<id>.yaml`.
    type Options: DeserializeOwned;
    fn new(options: Self::Options) -> Self;
    /// Rejects option values that deserialize but make no sense (a configuration error).
    fn check_options(_options: &Self::Options) -> Result<(), String> {
        Ok(())
    }
}

/// Options of a rule that has none.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoOptions {}

/// Declares a rule without options: `declare_rule!(PssPrivileged, "pss-privileged");`
#[macro_export]
macro_rules! declare_rule {
    ($ty:ident, $id:literal) => {
        pub struct $ty;
        impl $crate::engine::RuleDef for $ty {
            const ID: &'static str = $id;
            type Options = $crate::engine::NoOptions;
            fn new(_: $crate::engine::NoOptions) -> Self {
                $ty
            }
        }
    };
}

/// An entry of the rule registry.
pub struct RuleEntry {
    pub id: &'static str,
    /// Builds the rule from its options (defaults from metadata merged with configuration).
    pub build: fn(serde_json::Value) -> Result<Box<dyn Rule>, String>,
}

pub fn entry<R: RuleDef>() -> RuleEntry {
    RuleEntry {
        id: R::ID,
        build: |options| {
            let options = serde_json::from_value::<R::Options>(options).map_err(|e| e.to_string())?;
            R::check_options(&options)?;
            Ok(Box::new(R::new(options)))
        },
    }
}

/// Where a rule's findings go. Stamps them with the rule's id, its configured severity and
/// the object being checked.
pub struct Out<'a> {
    pub(crate) rule: RuleId,
    pub(crate) severity: Severity,
    pub(crate) object: Option<Arc<ObjectRef>>,
    pub(crate) findings: &'a mut Vec<Finding>,
    /// Where `findings` goes when it holds [`CHUNK`] findings, for rules that may make many
    /// (cross-object rules, on the whole set): their findings are kept in lists of a bounded
    /// size, rather than in one list that grows by doubling, whose old buffers and unused
    /// room would add up on top of a large run's data.
    pub(crate) full: Option<&'a mut Vec<Vec<Finding>>>,
}

/// How many findings a list of [`Out::full`] holds: about 100 KiB of them.
pub(crate) const CHUNK: usize = 1024;

impl Out<'_> {
    /// Makes room for one more finding (the findings made so far go to [`Out::full`] when
    /// `findings` is full).
    fn room(&mut self) {
        if let Some(full) = self.full.as_deref_mut()
            && self.findings.len() >= CHUNK
        {
            full.push(std::mem::replace(self.findings, Vec::with_capacity(CHUNK)));
        }
    }

    /// The severity findings of this rule get (configured, or the rule's default).
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Adds a finding made elsewhere (shared work of several rules), as this rule's.
    pub fn push(&mut self, mut finding: Finding) {
        finding.rule = self.rule;
        self.room();
        self.findings.push(finding);
    }

    /// Reports a finding at `target`; returns it for labels, help and related locations.
    pub fn emit(&mut self, target: impl Into<Target>, message: impl AsRef<str>) -> &mut Finding {
        self.room();
        self.findings.push(Finding::with_text(
            self.rule,
            self.severity,
            shown(message.as_ref()),
            target.into(),
            self.object.clone(),
        ));
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// The finding just made, to add to it.
    pub fn last(&mut self) -> Option<&mut Finding> {
        self.findings.last_mut()
    }

    /// Lowers the finding just made to `info`, with a help that says why (the evidence is
    /// weaker than the rule assumes).
    pub fn last_at_most_info(&mut self, why: &str) {
        if let Some(f) = self.findings.last_mut() {
            f.help(why);
            f.at_most(Severity::Info);
        }
    }

    /// Reports a finding about another object than the one being checked (set rules).
    pub fn emit_for(
        &mut self,
        object: &Arc<ObjectRef>,
        target: impl Into<Target>,
        message: impl AsRef<str>,
    ) -> &mut Finding {
        let f = self.emit(target, message);
        f.object = Some(object.clone());
        f
    }
}

/// A file being checked.
pub struct FileCx<'a> {
    pub file: FileId,
    pub path: &'a str,
    /// The file could not be decoded as text.
    pub decode_error: Option<&'a DecodeError>,
    /// The file was larger than the limit (its size).
    pub too_large: Option<u64>,
    /// The documents of the file, or of one part of it (a file larger than
    /// [`crate::model::load::PART_BYTES`] is checked a part at a time).
    pub loaded: Option<&'a Loaded<'a>>,
    pub objects: &'a [Arc<ObjectRef>],
    pub settings: &'a Settings,
    /// Which part of the file `loaded` is: findings about the whole file are made on
    /// part 0.
    pub part: usize,
}

impl FileCx<'_> {
    /// The object that holds `span`, for findings that are about a node.
    pub fn object_at(&self, span: Span) -> Option<&Arc<ObjectRef>> {
        let loaded = self.loaded?;
        // Objects are in source order: the one that holds `span` starts last before it.
        let i = loaded
            .objects
            .partition_point(|o| loaded.tree.span(o.root).start.byte <= span.start.byte);
        let last = i.checked_sub(1)?;
        let s = loaded.tree.span(loaded.objects[last].root);
        (span.end.byte <= s.end.byte).then(|| self.objects.get(last)).flatten()
    }
}

/// An object being checked.
pub struct ObjectCx<'a> {
    pub file: FileId,
    pub tree: &'a Tree<'a>,
    pub obj: &'a Object,
    pub settings: &'a Settings,
    /// Pod Security labels of the namespaces in the set, read before any object is checked.
    pub namespaces: &'a Namespaces,
    workload: OnceCell<Option<Workload<'a>>>,
    strings: OnceCell<crate::model::sensitive::StringHits>,
}

impl<'a> ObjectCx<'a> {
    pub fn new(
        file: FileId,
        tree: &'a Tree<'a>,
        obj: &'a Object,
        settings: &'a Settings,
        namespaces: &'a Namespaces,
    ) -> ObjectCx<'a> {
        ObjectCx {
            file,
            tree,
            obj,
            settings,
            namespaces,
            workload: OnceCell::new(),
            strings: OnceCell::new(),
        }
    }

    /// Resolves a route from the object's root to a target: the node it names, or the
    /// nearest existing ancestor with the missing part noted.
    pub fn at(&self, route: &Route) -> Target {
        let walk = route.walk(self.tree, self.obj.root);
        let loc = Loc {
            file: self.file,
            span: walk.span(self.tree),
        };
        let full = super::finding::shared(&self.obj.prefix.join(route).to_string());
        if walk.matched < route.segs().len() {
            Target::absent(loc, full, &route.tail(walk.matched).to_string())
        } else {
            Target::new(loc, Some(full))
        }
    }

    /// Like [`ObjectCx::at`], but a sub-range of a scalar's text (e.g. an image's tag):
    /// `chars` counts characters of the value as written, quotes excluded.
    pub fn at_part(&self, route: &Route, chars: std::ops::Range<usize>) -> Target {
        let mut target = self.at(route);
        if target.missing().is_some() {
            return target;
        }
        let walk = route.walk(self.tree, self.obj.root);
        let node = self.tree.deref(walk.node);
        let span = self.tree.span(node);
        let quoted = matches!(
            self.tree.style(node),
            Some(crate::source::ScalarStyle::SingleQuoted | crate::source::ScalarStyle::DoubleQuoted)
        );
        // Only a one-line scalar written without escapes maps characters to columns.
        let Some(text) = self.tree.text(node) else {
            return target;
        };
        let width = (span.end.col - span.start.col) as usize - if quoted { 2 } else { 0 };
        if span.start.line != span.end.line || width != text.chars().count() || chars.end > width {
            return target;
        }
        let offset = if quoted { 1 } else { 0 };
        let byte_at =
            |c: usize| text.char_indices().nth(c).map_or(text.len(), |(b, _)| b) + offset + span.start.byte as usize;
        let mut part = span;
        part.start.col = span.start.col + (chars.start + offset) as u32;
        part.start.byte = byte_at(chars.start) as u32;
        part.end.col = span.start.col + (chars.end + offset) as u32;
        part.end.byte = byte_at(chars.end) as u32;
        target.loc.span = part;
        target
    }

    /// A fix of this object, to which the rule adds ops on routes from the object's root.
    pub fn fix(&self, applicability: super::fix::Applicability, title: impl Into<String>) -> super::fix::Fix {
        super::fix::Fix::new(
            self.file,
            self.obj.doc as u32,
            self.obj.prefix.clone(),
            applicability,
            title,
        )
    }

    /// Whether the route names a field present in the source.
    pub fn exists(&self, route: &Route) -> bool {
        route.walk(self.tree, self.obj.root).matched == route.segs().len()
    }

    /// The pod template, for pod-bearing kinds.
    pub fn workload(&self) -> Option<Workload<'a>> {
        *self.workload.get_or_init(|| Workload::of(self.obj, self.tree))
    }

    /// What the secret detectors find in the object's strings, scanned once for the masks
    /// and every rule that asks.
    pub fn string_hits(&self) -> &[crate::model::sensitive::StringHit] {
        &self
            .strings
            .get_or_init(|| crate::model::sensitive::string_hits(self.tree, self.obj))
            .0
    }

    /// The effective namespace (`None` for cluster-scoped kinds).
    pub fn namespace(&self) -> Option<&'a str> {
        self.obj.namespace(&self.settings.default_namespace)
    }
}

/// Compact values rules keep of objects when they are first read ([`Rule::keep`]), by
/// type, in file and object order.
#[derive(Clone, Default)]
pub struct Kept(rustc_hash::FxHashMap<std::any::TypeId, Vec<KeptValue>>);

/// One object's kept value: `None` when there was nothing to keep. Shared, so that a
/// session that keeps each file's output between runs copies no value.
type KeptValue = (Arc<ObjectRef>, Arc<dyn std::any::Any + Send + Sync>);

impl Kept {
    /// Keeps `make()` for the object, unless a value of that type was kept for it already
    /// (rules that share work keep it once).
    pub fn once<T: std::any::Any + Send + Sync>(&mut self, oref: &Arc<ObjectRef>, make: impl FnOnce() -> Option<T>) {
        let list = self.0.entry(std::any::TypeId::of::<T>()).or_default();
        if list.last().is_some_and(|(o, _)| Arc::ptr_eq(o, oref)) {
            return;
        }
        list.push((oref.clone(), Arc::new(make())));
    }

    /// The values of type `T`, in file and object order.
    pub fn of<T: std::any::Any + Send + Sync>(&self) -> impl Iterator<Item = &T> {
        self.0
            .get(&std::any::TypeId::of::<T>())
            .into_iter()
            .flatten()
            .filter_map(|(_, v)| v.downcast_ref::<Option<T>>()?.as_ref())
    }

    /// Appends the values of a later file.
    pub fn append(&mut self, other: Kept) {
        for (ty, mut list) in other.0 {
            self.0.entry(ty).or_default().append(&mut list);
        }
    }

    pub fn shrink(&mut self) {
        for list in self.0.values_mut() {
            list.shrink_to_fit();
        }
    }
}

/// The whole set, for cross-object rules.
pub struct SetCx<'a> {
    pub index: &'a Index,
    pub settings: &'a Settings,
    /// What rules kept of objects on their first read.
    pub kept: &'a Kept,
    /// The run's files, for rules that read objects again ([`SetCx::revisit`]).
    pub files: &'a super::Files,
    /// Work several rules share (evaluating the set's policies once for every `policy-*`
    /// rule), computed by the first rule that asks for it.
    pub(crate) shared: Shared,
}

/// Values computed once per run and shared by the rules that read them, by type.
#[derive(Default)]
pub(crate) struct Shared(std::sync::Mutex<rustc_hash::FxHashMap<std::any::TypeId, SharedCell>>);

/// One shared value, computed once, and whether a rule has started computing it.
type SharedCell = Arc<(
    std::sync::OnceLock<Arc<dyn std::any::Any + Send + Sync>>,
    std::sync::atomic::AtomicBool,
    std::sync::atomic::AtomicBool,
    std::sync::Mutex<Option<std::thread::ThreadId>>,
)>;

/// Marks a shared computation finished, even when it panics (waiters then compute it
/// themselves, and the panic surfaces there too).
struct Finished<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Release);
    }
}

impl<'a> SetCx<'a> {
    pub fn new(index: &'a Index, settings: &'a Settings, kept: &'a Kept, files: &'a super::Files) -> SetCx<'a> {
        SetCx {
            index,
            settings,
            kept,
            files,
            shared: Shared::default(),
        }
    }

    /// The value of type `T` shared by every rule of the run: the first caller computes it,
    /// later callers get it. A caller that asks while another computes it does the pool's
    /// pending work meanwhile (the computation is parallel itself), rather than block a
    /// worker thread.
    pub fn shared<T: std::any::Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        use std::sync::atomic::Ordering;
        let cell = {
            let mut map = self.shared.0.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(std::any::TypeId::of::<T>()).or_default().clone()
        };
        let (value, claimed, finished, owner) = &*cell;
        let compute = || Arc::new(init()) as Arc<dyn std::any::Any + Send + Sync>;
        let me = std::thread::current().id();
        let value: Arc<dyn std::any::Any + Send + Sync> = if claimed.swap(true, Ordering::AcqRel) {
            loop {
                if let Some(v) = value.get() {
                    break v.clone();
                }
                if finished.load(Ordering::Acquire) {
                    break value.get_or_init(compute).clone();
                }
                // The computing thread took this rule's job while it waited for its own
                // parallel work (work stealing): waiting here would wait for itself, so it
                // computes this caller's copy.
                if *owner.lock().unwrap_or_else(|e| e.into_inner()) == Some(me) {
                    break compute();
                }
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    std::thread::yield_now();
                }
            }
        } else {
            *owner.lock().unwrap_or_else(|e| e.into_inner()) = Some(me);
            let _finished = Finished(finished);
            value.get_or_init(compute).clone()
        };
        match value.downcast::<T>() {
            Ok(v) => v,
            Err(_) => unreachable!("shared values are keyed by their type"),
        }
    }

    /// Reads again, in parallel and one file at a time, the files that hold `objects`
    /// (object references from the index, in any order) and calls `f` on each object with
    /// its tree. Results come back in file and object order.
    pub fn revisit<T: Send>(
        &self,
        objects: &[Arc<ObjectRef>],
        f: impl Fn(&ObjectCx<'_>, &Arc<ObjectRef>) -> T + Sync,
    ) -> Vec<T> {
        super::run::revisit(self.files, self.settings, &Namespaces::new(), objects, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule that makes many findings on the whole set has them kept in lists of
    /// [`CHUNK`], in the order made, and adds to the one it made last.
    #[test]
    fn many_findings_go_to_full_lists_in_order() {
        let (mut findings, mut full) = (Vec::new(), Vec::new());
        let mut out = Out {
            rule: RuleId::new("test-rule"),
            severity: Severity::Warning,
            object: None,
            findings: &mut findings,
            full: Some(&mut full),
        };
        let made = 2 * CHUNK + 3;
        for i in 0..made {
            out.emit(Loc::default(), format!("finding {i}"));
            out.last_at_most_info("weaker evidence");
            assert_eq!(out.last().map(|f| f.message.to_string()), Some(format!("finding {i}")));
        }
        assert_eq!(full.iter().map(Vec::len).collect::<Vec<_>>(), [CHUNK, CHUNK]);
        assert_eq!(findings.len(), 3);
        let all: Vec<&Finding> = full.iter().flatten().chain(&findings).collect();
        assert_eq!(all.len(), made);
        for (i, f) in all.iter().enumerate() {
            assert_eq!(f.message.as_str(), format!("finding {i}"));
            assert_eq!(f.severity, Severity::Info);
            assert_eq!(f.rule, "test-rule");
        }
    }

    /// Without somewhere to put full lists (rules on one object or file), findings stay in
    /// one list.
    #[test]
    fn without_full_lists_findings_stay_in_one() {
        let mut findings = Vec::new();
        let mut out = Out {
            rule: RuleId::new("test-rule"),
            severity: Severity::Error,
            object: None,
            findings: &mut findings,
            full: None,
        };
        for i in 0..CHUNK + 1 {
            out.emit(Loc::default(), format!("finding {i}"));
        }
        assert_eq!(findings.len(), CHUNK + 1);
    }
}
