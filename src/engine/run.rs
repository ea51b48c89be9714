//! The run: load and check files in parallel, build the index, run cross-object rules,
//! apply suppressions, sort.

use super::finding::{Finding, RuleId, Severity};
use super::rule::{FileCx, Kept, ObjectCx, Out, Rule, SetCx};
use super::settings::Settings;
use super::suppress::{self, ANNOTATION_PREFIX, Suppression, SuppressionKind};
use crate::model::intern::Interner;
use crate::model::load::{Parts, load_at};
use crate::model::namespaces::{self, NamespaceInfo, Namespaces};
use crate::model::{FileFacts, Index, LoadOptions, ObjectRef};
use crate::source::{DecodeError, Directive, FileId, Loc, ReadError, Route, Span, read_text};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Where an input's text comes from.
#[derive(Clone, Debug)]
pub enum Source {
    Path(PathBuf),
    /// Text already in memory (rendered output, the configuration file).
    Text(Arc<str>),
    /// A stream that could not be read as text (stdin over the size limit, binary, not
    /// UTF-8): reported like a file with the same problem.
    Unreadable(ReadError),
}

/// A file of the run: an input to lint, or a file findings may point into (the
/// configuration file).
#[derive(Clone, Debug)]
pub struct FileEntry {
    /// The path as shown to the user (relative to the working directory when possible).
    pub display: String,
    pub source: Source,
    /// Text that replaces what the source holds (an editor's unsaved buffer, a fix pass's
    /// edited text): read instead of the source, which still says where the file is.
    buffer: Option<Arc<str>>,
    /// Linted (not only referenced).
    pub input: bool,
    /// Named explicitly on the command line (or stdin).
    pub explicit: bool,
    /// The fingerprint of the bytes first read, so that what is shown later is what was
    /// linted.
    fingerprint: OnceLock<u64>,
    /// The directory the file's objects are deployed from, as shown (a rendered
    /// kustomization's overlay); by default the file's own directory.
    dir: Option<String>,
    /// Positions are lines of rendered output (`helm template`), not of the file named.
    pub rendered: bool,
    /// Where its documents lie in the text read, as the check found them (so that fixes
    /// are lowered without parsing the file again); unset when a document did not parse.
    documents: OnceLock<Arc<super::fix::Documents>>,
    /// The text the check read, kept for the run's later reads (snippets, fixes, rules that
    /// read objects again) while [`TEXTS_KEPT_AFTER_CHECK`] allows.
    kept: OnceLock<Arc<str>>,
}

impl FileEntry {
    /// Where the file sits, for resolving references among objects of the same identity.
    /// `dirs` holds the directories of the files met before (see [`FileMeta::new`]).
    ///
    /// [`FileMeta::new`]: crate::model::facts::FileMeta::new
    pub fn meta(
        &self,
        interner: &crate::model::intern::Interner,
        dirs: &mut crate::model::facts::Dirs,
    ) -> crate::model::facts::FileMeta {
        let parent;
        let dir = match &self.dir {
            Some(d) => d.as_str(),
            None => {
                parent = Path::new(&self.display)
                    .parent()
                    .map(|p| p.to_string_lossy())
                    .unwrap_or_default();
                &parent
            }
        };
        crate::model::facts::FileMeta::new(&self.display, dir, interner, dirs)
    }
}

/// The files of a run, by [`FileId`].
#[derive(Clone, Debug)]
pub struct Files {
    entries: Vec<FileEntry>,
    /// Largest file read, in bytes.
    max_size: u64,
    /// The bytes of checked texts that may still be kept ([`Files::keep`]).
    room: Room,
}

/// A budget of bytes, taken from by threads at once.
#[derive(Debug)]
struct Room(std::sync::atomic::AtomicUsize);

impl Room {
    /// Takes `n` bytes, if that many are left.
    fn take(&self, n: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.0
            .fetch_update(Relaxed, Relaxed, |left| left.checked_sub(n))
            .is_ok()
    }
}

impl Clone for Room {
    fn clone(&self) -> Room {
        Room(std::sync::atomic::AtomicUsize::new(
            self.0.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }
}

impl Default for Files {
    fn default() -> Files {
        Files::new(crate::source::Limits::default().max_file_size)
    }
}

impl Files {
    /// No file is read past `max_size` bytes.
    pub fn new(max_size: u64) -> Files {
        Files {
            entries: Vec::new(),
            max_size,
            room: Room(std::sync::atomic::AtomicUsize::new(TEXTS_KEPT_AFTER_CHECK)),
        }
    }

    /// The size limit.
    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    /// Changes the size limit (before anything is read).
    pub fn set_max_size(&mut self, max_size: u64) {
        self.max_size = max_size;
    }

    /// Makes room for `n` more files at once (a run adds tens of thousands: the registry is
    /// held to the end, and growing it by doubling would leave up to half of it unused).
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve_exact(n);
    }

    pub fn add(&mut self, display: String, source: Source, input: bool, explicit: bool) -> FileId {
        self.entries.push(FileEntry {
            display: crate::source::escape_control(&display).into_owned(),
            source,
            buffer: None,
            input,
            explicit,
            fingerprint: OnceLock::new(),
            dir: None,
            rendered: false,
            documents: OnceLock::new(),
            kept: OnceLock::new(),
        });
        FileId(self.entries.len() as u32 - 1)
    }

    /// Replaces a file's text with an in-memory buffer (an editor's unsaved buffer, a fix
    /// pass's edited text): reads return it from now on. The file keeps its name and its
    /// source (a path still matches configuration path globs as the file on disk does);
    /// the fingerprint of what was read before is forgotten.
    pub fn set_text(&mut self, id: FileId, text: Arc<str>) {
        let entry = &mut self.entries[id.0 as usize];
        entry.buffer = Some(text);
        entry.fingerprint = OnceLock::new();
        entry.documents = OnceLock::new();
        entry.kept = OnceLock::new();
    }

    /// Drops a file's in-memory buffer: reads return what the source holds again.
    pub fn clear_text(&mut self, id: FileId) {
        let entry = &mut self.entries[id.0 as usize];
        entry.buffer = None;
        entry.fingerprint = OnceLock::new();
        entry.documents = OnceLock::new();
        entry.kept = OnceLock::new();
    }

    /// Sets the directory a file's objects are deployed from (a rendered kustomization's
    /// overlay).
    pub fn set_dir(&mut self, id: FileId, dir: &str) {
        self.entries[id.0 as usize].dir = Some(crate::source::escape_control(dir).into_owned());
    }

    /// Marks a file whose findings' positions are those of rendered output.
    pub fn set_rendered(&mut self, id: FileId) {
        self.entries[id.0 as usize].rendered = true;
    }

    pub fn get(&self, id: FileId) -> &FileEntry {
        &self.entries[id.0 as usize]
    }

    pub fn display(&self, id: FileId) -> &str {
        &self.get(id).display
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = FileId> {
        (0..self.entries.len() as u32).map(FileId)
    }

    /// The decoded text of a file: a regular file of at most the size limit, decoded.
    /// The texts the check read are kept for later reads (to render snippets, lower fixes)
    /// as far as [`TEXTS_KEPT_AFTER_CHECK`] allows; the others are read again, so that
    /// memory does not grow with the input. A file whose bytes differ from those first
    /// read is [`ReadError::Changed`], never shown.
    pub fn read(&self, id: FileId) -> Result<Arc<str>, ReadError> {
        let entry = self.get(id);
        if let Some(text) = entry.buffer.as_ref().or_else(|| entry.kept.get()) {
            return Ok(text.clone());
        }
        match &entry.source {
            Source::Text(t) => Ok(t.clone()),
            Source::Unreadable(e) => Err(e.clone()),
            Source::Path(p) => {
                let (text, print) = read_text(p, self.max_size)?;
                if *entry.fingerprint.get_or_init(|| print) != print {
                    return Err(ReadError::Changed);
                }
                Ok(Arc::from(text))
            }
        }
    }

    /// The length of a file's text when it is in memory (a buffer, rendered output, a
    /// text kept), without reading anything.
    fn size_in_memory(&self, id: FileId) -> Option<usize> {
        let entry = self.get(id);
        match (entry.buffer.as_ref().or_else(|| entry.kept.get()), &entry.source) {
            (Some(text), _) | (None, Source::Text(text)) => Some(text.len()),
            _ => None,
        }
    }

    /// A file's text when it is in memory (a buffer, rendered output, a text kept), without
    /// reading anything.
    pub fn in_memory(&self, id: FileId) -> Option<Arc<str>> {
        let entry = self.get(id);
        match (entry.buffer.as_ref().or_else(|| entry.kept.get()), &entry.source) {
            (Some(text), _) | (None, Source::Text(text)) => Some(text.clone()),
            _ => None,
        }
    }

    /// Keeps no more texts ([`Files::keep`]): the run's input is larger than it may keep.
    fn keep_none(&self) {
        self.room.0.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Keeps the text the check read of a file on disk for the run's later reads, if the
    /// bytes kept so far leave room for it.
    fn keep(&self, id: FileId, text: &Arc<str>) {
        let entry = self.get(id);
        if entry.buffer.is_some() || !matches!(entry.source, Source::Path(_)) {
            return;
        }
        if self.room.take(text.len()) {
            let _ = entry.kept.set(text.clone());
        }
    }

    /// Where the documents of a file's text (as [`Files::read`] returns it) lie, when the
    /// check recorded it.
    pub fn documents(&self, id: FileId) -> Option<Arc<super::fix::Documents>> {
        self.get(id).documents.get().cloned()
    }

    /// [`Files::read`], when it succeeds.
    pub fn text(&self, id: FileId) -> Option<Arc<str>> {
        self.read(id).ok()
    }
}

/// Moves findings out of generated inputs (rendered kustomizations) into the files that
/// define what they are about, before suppressions are matched.
pub trait Relocate: Send + Sync {
    /// Relocates findings in place, and the spans to mask with them. Returns the
    /// suppression comments of the files findings may now point into (those files are not
    /// inputs, so the run has not read them).
    fn relocate(&self, files: &Files, findings: &mut Vec<Finding>, masks: &mut Masks) -> Vec<(FileId, Vec<Directive>)>;
    /// How many rendered outputs were linted, and how many files of the repository they
    /// were rendered from (what the run counts as checked instead).
    fn counts(&self) -> (usize, usize);
}

/// A rule as configured for this run.
pub struct ActiveRule {
    pub id: RuleId,
    pub severity: Severity,
    pub rule: Box<dyn Rule>,
}

/// How many files are checked at once, at most.
const FILES_AT_ONCE: usize = 2048;

/// How many bytes of a large input are checked at once, at most, as far as the sizes are
/// known before reading: a slice of a few large files makes as many outputs as one of many
/// small ones (20,000 Deployments, HPAs and PDBs in 200 files were all one slice).
const BYTES_AT_ONCE: usize = 4 << 20;

/// The input's slices, by the files' sizes in order: consecutive ranges of at most
/// [`FILES_AT_ONCE`] files and, past a slice's first file, `max_bytes` bytes.
fn slices(sizes: &[usize], max_bytes: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0usize);
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && (i - start == FILES_AT_ONCE || bytes.saturating_add(size) > max_bytes) {
            out.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes = bytes.saturating_add(size);
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
}

/// Sorts findings by file (as shown), start, rule, message and end, stably: the order of
/// every output. Files are ranked by their shown path once, so that comparing two findings
/// does not compare paths. The findings' indices are put in order, not the findings: they
/// are bucketed by file rank (in their order), each file's sorted on its own (in parallel),
/// and each finding then moved once into place. Sorting the findings themselves would be
/// serial and need half the list again as scratch.
pub fn sort_findings(files: &Files, findings: &mut [Finding]) {
    let mut ids: Vec<FileId> = files.ids().collect();
    ids.sort_by(|a, b| files.display(*a).cmp(files.display(*b)));
    // Files shown alike rank alike.
    let mut rank = vec![0u32; files.len()];
    let mut r = 0;
    for (i, id) in ids.iter().enumerate() {
        if i > 0 && files.display(ids[i - 1]) != files.display(*id) {
            r += 1;
        }
        rank[id.0 as usize] = r;
    }
    let rank_of = |f: &Finding| rank[f.loc().file.0 as usize] as usize;
    // Where each rank's indices start, then the indices bucketed by rank.
    let mut starts = vec![0usize; r as usize + 2];
    for f in findings.iter() {
        starts[rank_of(f) + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut order = vec![0u32; findings.len()];
    let mut next = starts.clone();
    for (i, f) in findings.iter().enumerate() {
        let k = rank_of(f);
        order[next[k]] = i as u32;
        next[k] += 1;
    }
    let within = |a: &Finding, b: &Finding| {
        let (la, lb) = (a.loc(), b.loc());
        la.span
            .start
            .cmp(&lb.span.start)
            // Strings are compared only when what comes before is equal.
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.message.cmp(&b.message))
            .then(la.span.end.cmp(&lb.span.end))
    };
    {
        let all: &[Finding] = findings;
        let mut by_file: Vec<&mut [u32]> = Vec::new();
        let mut rest = &mut order[..];
        for k in 0..starts.len() - 1 {
            let (file, tail) = std::mem::take(&mut rest).split_at_mut(starts[k + 1] - starts[k]);
            if file.len() > 1 {
                by_file.push(file);
            }
            rest = tail;
        }
        // A file of many findings (one large file holds them all) is sorted in parallel too.
        const LARGE: usize = 1 << 16;
        by_file.par_iter_mut().for_each(|file| {
            let by = |a: &u32, b: &u32| within(&all[*a as usize], &all[*b as usize]);
            if file.len() > LARGE {
                file.par_sort_by(by);
            } else {
                file.sort_by(by);
            }
        });
    }
    // Position `j` takes the finding at `order[j]`: each cycle of the permutation is followed
    // once, and a placed position marked by pointing at itself.
    for first in 0..order.len() {
        let mut j = first;
        loop {
            let from = order[j] as usize;
            order[j] = j as u32;
            if from == first || from == j {
                break;
            }
            findings.swap(j, from);
            j = from;
        }
    }
}

/// One finding per rule and start position (what SARIF consumers and editors key on):
/// findings of one rule that start at the same place (the same object in two renders that
/// name it differently, or a fact present twice) become the most severe of them, with the
/// others' messages as related locations. Expects findings sorted by file, start and rule.
fn one_per_position(findings: &mut Vec<Finding>) {
    // In place: `later` is merged into `kept` when they share rule, file and start.
    findings.dedup_by(|later, kept| {
        let (a, b) = (kept.loc(), later.loc());
        if kept.rule != later.rule || a.file != b.file || a.span.start != b.span.start {
            return false;
        }
        if later.severity > kept.severity {
            kept.severity = later.severity;
        }
        let more = later.take_more();
        kept.also_about(later.object.clone(), more.also);
        if later.message != kept.message && kept.related_locs().iter().all(|r| r.message != later.message) {
            kept.related(b, &*later.message);
        }
        for r in more.related {
            if kept
                .related_locs()
                .iter()
                .all(|k| k.loc != r.loc || k.message != r.message)
            {
                kept.more_mut().related.push(r);
            }
        }
        true
    });
}

impl ActiveRule {
    /// Runs the rule on one object, its findings merged by root cause.
    fn check_object(&self, cx: &ObjectCx<'_>, object: &Arc<ObjectRef>, findings: &mut Vec<Finding>) {
        let start = findings.len();
        self.rule.check_object(
            cx,
            &mut Out {
                rule: self.id,
                severity: self.severity,
                object: Some(object.clone()),
                findings,
                full: None,
            },
        );
        if findings.len() - start > 1 {
            let mut found = findings.split_off(start);
            self.rule.merge(&mut found);
            findings.append(&mut found);
        }
    }
}

pub struct Engine {
    pub rules: Vec<ActiveRule>,
    pub settings: Settings,
    /// Suppressions from the configuration file.
    pub config_suppressions: Vec<Suppression>,
    /// Directory the configuration's path globs are relative to.
    pub config_base: Option<PathBuf>,
    /// Every rule id and family known (to tell unknown names in suppressions).
    pub known: Vec<&'static str>,
    /// Moves findings out of rendered kustomizations, when there are any.
    pub relocate: Option<Box<dyn Relocate>>,
}

#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub files: usize,
    pub bytes: u64,
    pub documents: usize,
    pub objects: usize,
    /// Documents skipped as not Kubernetes objects.
    pub skipped_documents: usize,
    /// Objects read into a typed struct.
    pub typed: usize,
    /// Objects of kinds without a typed struct (CRDs, other kinds): read generically.
    pub generic: usize,
    /// Objects with values of the wrong type (reported by `invalid-manifest`; the values
    /// are left out and the rest of the object is still checked).
    pub invalid: usize,
    /// SOPS-encrypted documents.
    pub sops: usize,
    /// Generic objects by `apiVersion kind`.
    pub generic_kinds: std::collections::BTreeMap<String, usize>,
    pub load_and_check: Duration,
    pub cross_object: Duration,
    /// Files parsed a second time for their namespaces' Pod Security labels: those read
    /// for the labels before the check (up to the label's last occurrence), and those whose
    /// workloads were judged again.
    pub files_read_again: usize,
    /// Time each cross-object rule took, slowest first.
    pub set_rules: Vec<(&'static str, Duration)>,
}

/// An input that could not be read.
#[derive(Debug, Clone)]
pub struct IoError {
    pub path: String,
    pub message: String,
}

/// How many bytes of documents the namespace prescan parses at a time, up to the document
/// that holds the label's last occurrence.
const PRESCAN_PART_BYTES: usize = 4 << 10;

/// How many bytes of input text the namespace prescan keeps for the check, so that each
/// file is read once; past it, files are read again (memory stays bounded on any input).
const TEXTS_KEPT: usize = 256 << 20;

/// At most this many bytes of the texts the check read are kept for the rest of the run
/// ([`Files::read`]): a repository of this size is read once. A larger one is read again
/// where the report shows it: in part when its size is known only as it is checked, whole
/// when the namespace prescan read it all first.
const TEXTS_KEPT_AFTER_CHECK: usize = 16 << 20;

/// Spans of each file that hold values that may be secret: text snippets never show them.
pub type Masks = BTreeMap<FileId, Vec<Span>>;

pub struct Outcome {
    pub findings: Vec<Finding>,
    /// What snippets must hide, computed for every object whatever the rules selected.
    pub masks: Masks,
    pub suppressed: usize,
    pub stats: Stats,
    pub io_errors: Vec<IoError>,
    /// The cross-object rules that reported findings: those whose findings depend on other
    /// objects than the one they point at (rules that read namespace labels point at the
    /// labels as a related location instead).
    pub cross_object: std::collections::BTreeSet<&'static str>,
}

/// The results of the files read so far, merged in file order.
#[derive(Default)]
struct Gathered {
    findings: Vec<Finding>,
    namespaces: Vec<NamespaceInfo>,
    masks: Masks,
    facts: FileFacts,
    kept: Kept,
    suppressions: Vec<Suppression>,
    stats: Stats,
    io_errors: Vec<IoError>,
}

/// A file's output, and with a cache `Some(what it was computed from)` when the file was
/// checked rather than taken from the cache.
type Checked = (FileOutput, Option<Option<Seen>>);

impl Gathered {
    /// Adds the outputs of `slice`'s files, in its order, and with a cache records those
    /// checked anew.
    fn merge(&mut self, mut incremental: Option<&mut Incremental>, slice: &[FileId], outputs: Vec<Checked>) {
        for (id, (out, checked)) in slice.iter().zip(outputs) {
            if let (Some(k), Some(seen)) = (incremental.as_deref_mut(), checked) {
                k.checked += 1;
                match seen {
                    Some(seen) => k.outputs.insert(*id, (seen, out.clone())),
                    None => k.outputs.remove(id),
                };
            }
            self.add(*id, out);
        }
    }

    fn add(&mut self, id: FileId, out: FileOutput) {
        self.findings.extend(out.findings);
        self.namespaces.extend(out.namespaces);
        if !out.masks.is_empty() {
            self.masks.insert(id, out.masks);
        }
        self.facts.append(out.facts);
        self.kept.append(out.kept);
        self.suppressions.extend(out.suppressions);
        self.stats.add(&out.stats);
        self.io_errors.extend(out.io_error);
    }
}

#[derive(Clone, Default)]
struct FileOutput {
    findings: Vec<Finding>,
    /// The Namespaces of the file, with their Pod Security labels.
    namespaces: Vec<NamespaceInfo>,
    masks: Vec<Span>,
    facts: FileFacts,
    kept: Kept,
    suppressions: Vec<Suppression>,
    stats: Stats,
    io_error: Option<IoError>,
}

impl FileOutput {
    /// Adds what a later part of the same file gave.
    fn append(&mut self, later: FileOutput) {
        self.findings.extend(later.findings);
        self.namespaces.extend(later.namespaces);
        self.masks.extend(later.masks);
        self.facts.append(later.facts);
        self.kept.append(later.kept);
        self.suppressions.extend(later.suppressions);
        self.stats.add(&later.stats);
        debug_assert!(later.io_error.is_none());
    }
}

/// What a long-lived session (an editor's) keeps between runs: each file's output with
/// what it was computed from, so that a run after an edit checks only the files that
/// changed, and the Pod Security findings judged again with namespace labels, so that those
/// files are not read again either. The cross-object phase always runs on the whole set. A
/// cache belongs to one engine and one set of files: make a new one when either changes.
#[derive(Default)]
pub struct Incremental {
    interner: Interner,
    outputs: rustc_hash::FxHashMap<FileId, (Seen, FileOutput)>,
    /// Per file: the findings of workloads judged again, and the namespaces' labels they
    /// were judged with.
    rejudged: rustc_hash::FxHashMap<FileId, (Seen, u64, Vec<Finding>)>,
    /// Files checked (not taken from the cache) by the last run.
    pub checked: usize,
}

/// What a kept output was computed from: the hash of a text in memory, or the size and
/// modification time of a file on disk (so that an unchanged file is not even read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Text(u64),
    Disk(u64, std::time::SystemTime),
}

impl Files {
    fn seen(&self, id: FileId) -> Option<Seen> {
        let entry = self.get(id);
        match (&entry.buffer, &entry.source) {
            (Some(t), _) | (None, Source::Text(t)) => Some(Seen::Text(crate::source::fingerprint(t.as_bytes()))),
            (None, Source::Path(p)) => {
                let m = std::fs::metadata(p).ok()?;
                Some(Seen::Disk(m.len(), m.modified().ok()?))
            }
            (None, Source::Unreadable(_)) => None,
        }
    }
}

impl Engine {
    /// An engine with these rules and settings, no configuration file and no renders.
    pub fn new(rules: Vec<ActiveRule>, mut settings: Settings) -> Engine {
        settings.enabled = rules.iter().map(|r| r.id.as_str()).collect();
        settings.enabled.sort_unstable();
        let mut known: Vec<&'static str> = super::all_meta()
            .iter()
            .flat_map(|m| [m.id.as_str(), m.family.as_str()])
            .collect();
        known.sort_unstable();
        known.dedup();
        Engine {
            rules,
            settings,
            config_suppressions: Vec::new(),
            config_base: None,
            known,
            relocate: None,
        }
    }

    fn is_enabled(&self, id: &str) -> bool {
        self.rules.iter().any(|r| r.id == id)
    }

    pub fn run(&self, files: &Files) -> Outcome {
        self.run_incremental(files, None)
    }

    /// [`Engine::run`], taking the output of each file that is unchanged from
    /// `incremental` and keeping the others' there: the same outcome, with only the changed files
    /// checked again.
    pub fn run_incremental(&self, files: &Files, incremental: Option<&mut Incremental>) -> Outcome {
        self.run_observed(files, incremental, |_| ()).0
    }

    /// [`Engine::run_incremental`], also handing the cross-object phase's context (the
    /// index of the whole set) to `observe` once the rules have run, for what reads the set
    /// besides rules (the posture report).
    pub fn run_observed<T>(
        &self,
        files: &Files,
        mut incremental: Option<&mut Incremental>,
        observe: impl FnOnce(&SetCx<'_>) -> T,
    ) -> (Outcome, T) {
        let started = Instant::now();
        let inputs: Vec<FileId> = files.ids().filter(|id| files.get(*id).input).collect();
        // Workloads are judged with their namespaces' Pod Security labels as far as the
        // files that spell the enforce label out declare them (a session with a cache judges
        // against no labels, so that its files' outputs do not depend on other files). The
        // workloads of namespaces whose labels turn out otherwise are judged again below.
        let labels_wanted =
            self.settings.pss.respect_namespace_labels && self.rules.iter().any(|r| r.rule.reads_namespace_labels());
        let (known, prescanned, mut texts) = if labels_wanted && incremental.is_none() {
            self.prescan_namespaces(files, &inputs)
        } else {
            (Namespaces::new(), 0, Vec::new())
        };
        let fresh = Interner::default();
        // Files are checked in parallel a slice at a time and each slice's outputs merged
        // in file order, so that the run holds the merged facts and findings plus a slice's
        // outputs or two, not every file's output twice. Without a cache, a slice is merged
        // while the next one is checked.
        let mut gathered = Gathered::default();
        if let Some(k) = incremental.as_deref_mut() {
            k.checked = 0;
            k.outputs.retain(|id, _| files.get(*id).input);
        }
        let sizes: Vec<usize> = inputs
            .iter()
            .enumerate()
            .map(|(i, id)| {
                texts
                    .get(i)
                    .and_then(Option::as_ref)
                    .map(|t| t.len())
                    .or_else(|| files.size_in_memory(*id))
                    .unwrap_or(0)
            })
            .collect();
        // A large input is checked in slices of bounded bytes too, and what each slice freed
        // is returned before the next one allocates; a smaller one (most repositories) is
        // not held back by either.
        let large = sizes.iter().sum::<usize>() > TEXTS_KEPT_AFTER_CHECK;
        let release = || {
            if large {
                super::par::release_freed();
            }
        };
        let mut pending: Option<(&[FileId], Vec<Checked>)> = None;
        for range in slices(&sizes, if large { BYTES_AT_ONCE } else { usize::MAX }) {
            let slice = &inputs[range.clone()];
            let previous = incremental.as_deref();
            let interner = previous.map_or(&fresh, |k| &k.interner);
            // The texts the prescan read, taken (and dropped once checked); the others are
            // read now. The largest files first, as far as their sizes are known before
            // reading.
            let work: Vec<(FileId, Option<Arc<str>>, usize)> = range
                .map(|i| (inputs[i], texts.get_mut(i).and_then(Option::take), sizes[i]))
                .collect();
            let check = || {
                super::par::largest_first(
                    work,
                    |(_, _, size)| *size,
                    |(id, text, _)| {
                        let Some(previous) = previous else {
                            let text = text.map_or_else(|| files.read(id), Ok);
                            if let Ok(text) = &text {
                                files.keep(id, text);
                            }
                            return (self.check_file(files, id, text, &known, interner), None);
                        };
                        let seen = files.seen(id);
                        match (seen, previous.outputs.get(&id)) {
                            (Some(now), Some((was, out))) if *was == now => (out.clone(), None),
                            _ => (self.check_file(files, id, files.read(id), &known, interner), Some(seen)),
                        }
                    },
                )
            };
            if incremental.is_some() {
                let outputs = check();
                gathered.merge(incremental.as_deref_mut(), slice, outputs);
            } else {
                let (outputs, ()) = rayon::join(check, || {
                    if let Some((done, outputs)) = pending.take() {
                        gathered.merge(None, done, outputs);
                    }
                });
                pending = Some((slice, outputs));
            }
            // What checking the slice freed (its trees and objects, among the outputs kept)
            // is returned before the next slice allocates its own.
            release();
        }
        if let Some((done, outputs)) = pending {
            gathered.merge(None, done, outputs);
        }
        gathered.facts.shrink();
        // The findings are held through the cross-object phase: without the room the merge's
        // doubling left (up to half the list).
        gathered.findings.shrink_to_fit();
        // The room the merge's growth left is returned before the index is built.
        release();
        let Gathered {
            mut findings,
            namespaces: found_namespaces,
            mut masks,
            facts,
            kept,
            suppressions: file_suppressions,
            mut stats,
            io_errors,
        } = gathered;
        let mut suppressions = self.config_suppressions.clone();
        suppressions.extend(file_suppressions);
        let mut namespaces = Namespaces::new();
        // The first definition with Pod Security labels wins.
        for ns in found_namespaces.into_iter().filter(|n| n.enforce.is_some()) {
            namespaces.entry(ns.name.clone()).or_insert(ns);
        }
        stats.files_read_again = prescanned;
        if labels_wanted && namespaces != known {
            stats.files_read_again +=
                self.rejudge(files, &facts, &namespaces, &mut findings, incremental.as_deref_mut());
        }
        stats.load_and_check = started.elapsed();

        let set_started = Instant::now();
        // The index and the cross-object rules hold the run's largest data (with the check's
        // findings) while they allocate and free much besides (maps as they grow): in a
        // large run, what they free is returned at once, rather than wait on top of that
        // data (100k documents: about 9 MiB of the peak, with the lists of `Out::full`).
        let eagerly = large.then(super::par::release_eagerly);
        let interner = incremental.as_ref().map_or(&fresh, |k| &k.interner);
        let index = Index::build(
            facts,
            {
                let mut dirs = crate::model::facts::Dirs::default();
                files.ids().map(|id| files.get(id).meta(interner, &mut dirs)).collect()
            },
            interner,
        );
        let cx = SetCx::new(&index, &self.settings, &kept, files);
        let set_findings: Vec<(Vec<Vec<Finding>>, Duration)> = self
            .rules
            .par_iter()
            // A rule per job: a few rules take most of the phase.
            .with_max_len(1)
            .map(|r| {
                let started = Instant::now();
                let (mut found, mut full) = (Vec::new(), Vec::new());
                r.rule.check_set(
                    &cx,
                    &mut Out {
                        rule: r.id,
                        severity: r.severity,
                        object: None,
                        findings: &mut found,
                        full: Some(&mut full),
                    },
                );
                // Held until all rules are done, with the index: without the room its
                // doubling left.
                found.shrink_to_fit();
                full.push(found);
                (full, started.elapsed())
            })
            .collect();
        let observed = observe(&cx);
        // The index is dropped before the list of findings grows, so that the two (the
        // largest parts of a large run) are not held with the list's old and new buffers.
        drop(cx);
        index.drop_in_parallel();
        drop(eagerly);
        super::par::release_freed();
        // One growth of the (large) list of findings, not one per rule, and to its final
        // length: doubling it here would leave most of a (large) list unused.
        findings.reserve_exact(set_findings.iter().flat_map(|(found, _)| found).map(Vec::len).sum());
        let mut cross_object = std::collections::BTreeSet::new();
        for (r, (found, took)) in self.rules.iter().zip(set_findings) {
            if found.iter().any(|chunk| !chunk.is_empty()) {
                cross_object.insert(r.id.as_str());
            }
            for mut chunk in found {
                findings.append(&mut chunk);
            }
            stats.set_rules.push((r.id.as_str(), took));
        }
        stats.set_rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        if let Some(r) = &self.relocate {
            let (rendered, sources) = r.counts();
            stats.files = stats.files.saturating_sub(rendered) + sources;
            for (file, directives) in r.relocate(files, &mut findings, &mut masks) {
                suppressions.extend(directives.iter().map(|d| self.comment_suppression(file, d)));
            }
        }

        let base = self.config_base.as_deref();
        // Paths relative to the configuration, for the suppressions that name paths (only
        // they read them: most runs have none, and a large one has tens of thousands of files).
        let relative: Vec<Option<PathBuf>> = if suppressions.iter().any(|s| s.paths.is_some()) {
            files.ids().map(|id| relative_to(files.get(id), base)).collect()
        } else {
            Vec::new()
        };
        let suppressed = suppress::apply(&mut findings, &mut suppressions, |id| {
            relative.get(id.0 as usize).and_then(Option::as_deref)
        });

        let unused: Vec<&Suppression> = suppressions
            .iter()
            .filter(|s| {
                !s.used
                    && (s.malformed.is_some()
                        || !s.unknown.is_empty()
                        || self.rules.iter().any(|r| {
                            s.rules
                                .iter()
                                .any(|sel| suppress::selector_matches(suppress::unqualified(sel), r.id.as_str()))
                        }))
            })
            .collect();
        for r in &self.rules {
            r.rule.check_suppressions(
                &unused,
                &mut Out {
                    rule: r.id,
                    severity: r.severity,
                    object: None,
                    findings: &mut findings,
                    full: None,
                },
            );
        }
        stats.cross_object = set_started.elapsed();

        sort_findings(files, &mut findings);
        one_per_position(&mut findings);
        (
            Outcome {
                findings,
                masks,
                suppressed,
                stats,
                io_errors,
                cross_object,
            },
            observed,
        )
    }

    /// The namespaces with Pod Security labels that the files declaring them in plain text
    /// define (the first definition in file order wins), read before the check so that
    /// workloads are judged once; and how many files were parsed for it. Every input is
    /// read, and only those whose text holds [`namespaces::ENFORCE_LABEL`] are parsed, up to
    /// the document that holds its last occurrence (a Namespace that spells the label
    /// otherwise, with escapes, is found by the check, and its workloads are judged again). Also
    /// returns the texts read, by input, for the check (see [`TEXTS_KEPT`]). As it reads the
    /// whole input, it is what tells `files` to keep no text after the check when the input
    /// is larger than [`TEXTS_KEPT_AFTER_CHECK`].
    fn prescan_namespaces(&self, files: &Files, inputs: &[FileId]) -> (Namespaces, usize, Vec<Option<Arc<str>>>) {
        // Each input's Namespaces (when it was parsed) and text (when it was read).
        type Read = (Option<Vec<NamespaceInfo>>, Option<Arc<str>>);
        // The texts are kept for the check (each file read once) as far as they fit in
        // TEXTS_KEPT bytes, whichever files come first; the check reads the others again.
        let room = Room(std::sync::atomic::AtomicUsize::new(TEXTS_KEPT));
        let read = std::sync::atomic::AtomicUsize::new(0);
        let keep = |text: Arc<str>| {
            read.fetch_add(text.len(), std::sync::atomic::Ordering::Relaxed);
            room.take(text.len()).then_some(text)
        };
        let found: Vec<Read> = inputs
            .par_iter()
            // A file per job: a few large files may hold most of the bytes.
            .with_max_len(1)
            .map(|id| {
                let Ok(text) = files.read(*id) else {
                    return (None, None);
                };
                let Some(last) = memchr::memmem::rfind(text.as_bytes(), namespaces::ENFORCE_LABEL.as_bytes()) else {
                    return (None, keep(text));
                };
                let opts = LoadOptions {
                    limits: self.settings.limits.clone(),
                    explicit: files.get(*id).explicit,
                };
                // The documents up to the one that holds the label's last occurrence, a few
                // at a time: a Namespace with the label holds its text, and the documents
                // after it (a file's workloads, often) are parsed by the check alone.
                let mut parts = Parts::with_budget(&text, &opts, PRESCAN_PART_BYTES);
                let mut infos = Vec::new();
                while let Some(loaded) = parts.next_part() {
                    infos.extend(
                        loaded
                            .objects
                            .iter()
                            .filter_map(|o| namespaces::info_of(&loaded.tree, o, *id)),
                    );
                    let reached = loaded.docs.last().map(|d| loaded.tree.span(d.root).end.byte as usize);
                    if reached.is_some_and(|end| end > last) {
                        break;
                    }
                }
                drop(parts);
                (Some(infos), keep(text))
            })
            .collect();
        let parsed = found.iter().filter(|(f, _)| f.is_some()).count();
        let mut known = Namespaces::new();
        let mut texts = Vec::with_capacity(found.len());
        for (infos, text) in found {
            for ns in infos.into_iter().flatten().filter(|n| n.enforce.is_some()) {
                known.entry(ns.name.clone()).or_insert(ns);
            }
            texts.push(text);
        }
        // An input larger than the texts the check may keep is read again in part for what
        // the report shows anyway: none is kept, so that the run does not hold that many
        // bytes of text besides its facts and findings.
        if read.into_inner() > TEXTS_KEPT_AFTER_CHECK {
            files.keep_none();
        }
        (known, parsed, texts)
    }

    /// Judges again, with every namespace's Pod Security labels known, the workloads of the
    /// namespaces that carry such labels: only the rules that read those labels, only those
    /// objects, and only their files are read again (with a cache, only those that changed,
    /// or whose namespaces' labels did). Returns how many files were read.
    fn rejudge(
        &self,
        files: &Files,
        facts: &FileFacts,
        namespaces: &Namespaces,
        findings: &mut Vec<Finding>,
        incremental: Option<&mut Incremental>,
    ) -> usize {
        let labelled = |ns: &str| namespaces.get(ns).is_some_and(|n| n.enforce.is_some());
        let wanted: Vec<Arc<ObjectRef>> = facts
            .workloads
            .iter()
            .filter(|w| labelled(&w.namespace))
            .map(|w| w.obj.clone())
            .collect();
        let rules: Vec<&ActiveRule> = self.rules.iter().filter(|r| r.rule.reads_namespace_labels()).collect();
        if wanted.is_empty() || rules.is_empty() {
            return 0;
        }
        let labels = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            format!("{namespaces:?}").hash(&mut h);
            h.finish()
        };
        // File by file, in file order: the findings judged again.
        let mut judged: BTreeMap<FileId, Vec<Finding>> = BTreeMap::new();
        let mut read_again: Vec<Arc<ObjectRef>> = Vec::new();
        for o in &wanted {
            let reuse = incremental.as_deref().and_then(|k| {
                let (seen, was_labels, found) = k.rejudged.get(&o.file)?;
                (k.outputs.get(&o.file).map(|(s, _)| s) == Some(seen) && *was_labels == labels).then_some(found)
            });
            match reuse {
                Some(found) => {
                    judged.entry(o.file).or_insert_with(|| found.clone());
                }
                None => read_again.push(o.clone()),
            }
        }
        let found: Vec<(FileId, Vec<Finding>)> = revisit(files, &self.settings, namespaces, &read_again, |cx, oref| {
            let mut found = Vec::new();
            for r in &rules {
                r.check_object(cx, oref, &mut found);
            }
            (oref.file, found)
        });
        let mut read: Vec<FileId> = read_again.iter().map(|o| o.file).collect();
        read.sort_unstable();
        read.dedup();
        for file in &read {
            judged.insert(*file, Vec::new());
        }
        for (file, found) in found {
            judged.entry(file).or_default().extend(found);
        }
        if let Some(k) = incremental {
            for file in &read {
                if let Some((seen, _)) = k.outputs.get(file) {
                    k.rejudged.insert(*file, (*seen, labels, judged[file].clone()));
                }
            }
        }
        let judged_objects: std::collections::HashSet<(FileId, u32)> =
            wanted.iter().map(|o| (o.file, o.index)).collect();
        let replaced: std::collections::HashSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        findings.retain(|f| {
            !(replaced.contains(f.rule.as_str())
                && f.object
                    .as_ref()
                    .is_some_and(|o| judged_objects.contains(&(o.file, o.index))))
        });
        findings.extend(judged.into_values().flatten());
        read.len()
    }

    fn check_file(
        &self,
        files: &Files,
        id: FileId,
        text: Result<Arc<str>, ReadError>,
        namespaces: &Namespaces,
        interner: &Interner,
    ) -> FileOutput {
        let entry = files.get(id);
        let mut out = FileOutput {
            findings: Vec::new(),
            namespaces: Vec::new(),
            masks: Vec::new(),
            facts: FileFacts::default(),
            kept: Kept::default(),
            suppressions: Vec::new(),
            stats: Stats {
                files: 1,
                ..Stats::default()
            },
            io_error: None,
        };
        let text = match text {
            Ok(t) => t,
            Err(e @ (ReadError::Io(_) | ReadError::Special(_) | ReadError::Changed)) => {
                out.io_error = Some(IoError {
                    path: entry.display.clone(),
                    message: e.to_string(),
                });
                return out;
            }
            Err(ReadError::TooLarge(size)) => {
                self.file_rules(&mut out, id, entry, None, Some(size), None);
                return out;
            }
            Err(ReadError::Decode(e)) => {
                self.file_rules(&mut out, id, entry, Some(&e), None, None);
                return out;
            }
        };
        out.stats.bytes = text.len() as u64;
        let mut parts = Parts::new(
            &text,
            &LoadOptions {
                limits: self.settings.limits.clone(),
                explicit: entry.explicit,
            },
        );
        let mut part = 0;
        // Where the documents lie, for lowering fixes later: recorded when every document
        // parses as it would with the default limits (fixes are lowered with those).
        let mut documents = (self.settings.limits.max_depth == crate::source::Limits::default().max_depth)
            .then(super::fix::Documents::default);
        // A file of several parts reads its next part while the part read is checked (on
        // another thread when one is free): reading is about half of the work. Parts are
        // checked into outputs of their own, added to the file's in part order, so the
        // output is what one part after another gives.
        let several = text.len() > crate::model::load::PART_BYTES;
        let mut next = parts.next_part();
        while let Some(loaded) = next.take() {
            if loaded.parse_error {
                documents = None;
            }
            if let Some(d) = &mut documents {
                d.add(&text, &loaded.tree, &loaded.docs);
            }
            if several {
                let checked;
                (next, checked) = rayon::join(
                    || parts.next_part(),
                    || {
                        let mut o = FileOutput::default();
                        self.check_part(&mut o, id, entry, &loaded, part, namespaces, interner);
                        o
                    },
                );
                out.append(checked);
            } else {
                self.check_part(&mut out, id, entry, &loaded, part, namespaces, interner);
                next = parts.next_part();
            }
            part += 1;
        }
        if let Some(mut d) = documents {
            d.shrink();
            // A file checked twice (Pod Security labels judged again) finds the same.
            let _ = entry.documents.set(Arc::new(d));
        }
        for d in &parts.directives {
            out.suppressions.push(self.comment_suppression(id, d));
        }
        out.facts.shrink();
        out.kept.shrink();
        out.masks.shrink_to_fit();
        out
    }

    /// Checks the objects of one part of a file (the whole file, unless it is larger than
    /// [`crate::model::load::PART_BYTES`]).
    #[allow(clippy::too_many_arguments)]
    fn check_part(
        &self,
        out: &mut FileOutput,
        id: FileId,
        entry: &FileEntry,
        loaded: &crate::model::Loaded<'_>,
        part: usize,
        namespaces: &Namespaces,
        interner: &Interner,
    ) {
        out.stats.documents += loaded.documents;
        out.stats.skipped_documents += loaded.skipped;
        out.stats.objects += loaded.objects.len();
        let mut invalid: Vec<usize> = loaded
            .issues
            .iter()
            .filter(|i| i.kind == crate::model::IssueKind::Invalid)
            .filter_map(|i| i.object)
            .collect();
        invalid.dedup();
        out.stats.invalid += invalid.len();
        let refs: Vec<Arc<ObjectRef>> = loaded
            .objects
            .iter()
            .enumerate()
            .map(|(i, o)| Arc::new(ObjectRef::of(o, id, loaded.first_object + i, interner)))
            .collect();
        self.file_rules(out, id, entry, None, None, Some((loaded, &refs, part)));

        for (obj, oref) in loaded.objects.iter().zip(&refs) {
            if obj.sops {
                out.stats.sops += 1;
            }
            match obj.typed {
                crate::model::Typed::Generic => {
                    out.stats.generic += 1;
                    *out.stats
                        .generic_kinds
                        .entry(format!("{} {}", obj.api_version, obj.kind))
                        .or_default() += 1;
                }
                _ => out.stats.typed += 1,
            }
            out.namespaces.extend(namespaces::info_of(&loaded.tree, obj, id));
            let cx = ObjectCx::new(id, &loaded.tree, obj, &self.settings, namespaces);
            crate::model::sensitive::secret_spans(&loaded.tree, obj, cx.string_hits(), &mut out.masks);
            for r in &self.rules {
                r.check_object(&cx, oref, &mut out.findings);
                r.rule.keep(&cx, oref, &mut out.kept);
            }
            out.facts
                .add(id, &loaded.tree, obj, oref, &self.settings.default_namespace, interner);
            self.annotation_suppressions(&mut out.suppressions, &cx, oref);
        }
        let unreadable = loaded
            .issues
            .iter()
            .filter(|i| matches!(i.kind, crate::model::IssueKind::Invalid) && i.object.is_none())
            .count();
        if unreadable > 0 {
            out.facts.unreadable.push((id, unreadable));
        }
    }

    fn comment_suppression(&self, file: FileId, d: &Directive) -> Suppression {
        Suppression {
            kind: SuppressionKind::Comment { own_line: d.own_line },
            unknown: self.unknown_names(&d.rules),
            rules: d.rules.clone(),
            reason: d.reason.clone(),
            loc: Loc { file, span: d.span },
            object: None,
            paths: None,
            malformed: d.malformed.clone(),
            used: false,
        }
    }

    fn file_rules(
        &self,
        out: &mut FileOutput,
        id: FileId,
        entry: &FileEntry,
        decode_error: Option<&DecodeError>,
        too_large: Option<u64>,
        loaded: Option<(&crate::model::Loaded<'_>, &[Arc<ObjectRef>], usize)>,
    ) {
        let cx = FileCx {
            file: id,
            path: &entry.display,
            decode_error,
            too_large,
            loaded: loaded.map(|l| l.0),
            objects: loaded.map_or(&[], |l| l.1),
            settings: &self.settings,
            part: loaded.map_or(0, |l| l.2),
        };
        for r in &self.rules {
            r.rule.check_file(
                &cx,
                &mut Out {
                    rule: r.id,
                    severity: r.severity,
                    object: None,
                    findings: &mut out.findings,
                    full: None,
                },
            );
        }
    }

    fn annotation_suppressions(&self, into: &mut Vec<Suppression>, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>) {
        let Some(annotations) = cx.obj.annotations() else {
            return;
        };
        for (key, reason) in annotations.range(ANNOTATION_PREFIX.to_string()..) {
            let Some(rule) = key.strip_prefix(ANNOTATION_PREFIX) else {
                break;
            };
            let route = Route::root().keys(&["metadata", "annotations"]).key(key.clone());
            let rules = vec![rule.to_string()];
            into.push(Suppression {
                kind: SuppressionKind::Annotation,
                unknown: self.unknown_names(&rules),
                rules,
                reason: Some(reason.clone()).filter(|r| !r.trim().is_empty()),
                loc: cx.at(&route).loc,
                object: Some(oref.clone()),
                paths: None,
                malformed: None,
                used: false,
            });
        }
    }

    /// The names that are not `all`, a known rule id or a known family.
    pub fn unknown_names(&self, names: &[String]) -> Vec<String> {
        names
            .iter()
            .filter(|n| {
                let n = super::suppress::unqualified(n);
                !super::suppress::SELECTOR_KEYWORDS.contains(&n) && !self.known.contains(&n)
            })
            .cloned()
            .collect()
    }

    /// Whether any rule is enabled (used by the CLI for `--select` sanity checks).
    pub fn has_rule(&self, id: &str) -> bool {
        self.is_enabled(id)
    }
}

/// Reads again, in parallel, the files that hold `objects` and calls `f` on each object
/// with its tree and the namespaces given. Results are in file and object order; objects of
/// files that can no longer be read are skipped.
pub(crate) fn revisit<T: Send>(
    files: &Files,
    settings: &Settings,
    namespaces: &Namespaces,
    objects: &[Arc<ObjectRef>],
    f: impl Fn(&ObjectCx<'_>, &Arc<ObjectRef>) -> T + Sync,
) -> Vec<T> {
    let mut by_file: BTreeMap<FileId, Vec<&Arc<ObjectRef>>> = BTreeMap::new();
    for o in objects {
        by_file.entry(o.file).or_default().push(o);
    }
    for list in by_file.values_mut() {
        list.sort_by_key(|o| o.index);
        list.dedup_by_key(|o| o.index);
    }
    let by_file: Vec<_> = by_file.into_iter().collect();
    let size = |(id, _): &(FileId, Vec<&Arc<ObjectRef>>)| files.size_in_memory(*id).unwrap_or(0);
    let results: Vec<Vec<T>> = super::par::largest_first(by_file, size, |(id, wanted)| {
        let mut out = Vec::new();
        let Ok(text) = files.read(id) else {
            return out;
        };
        let opts = LoadOptions {
            limits: settings.limits.clone(),
            explicit: files.get(id).explicit,
        };
        // Each wanted document alone, where the check found them all.
        if let Some(documents) = files.documents(id) {
            let mut alone = Vec::new();
            for o in &wanted {
                let doc = o.doc as usize;
                if alone.last().is_none_or(|(d, _)| *d != doc) {
                    match documents
                        .locate(doc)
                        .and_then(|(range, line)| load_at(&text, range, line, doc, &opts))
                    {
                        Some(loaded) => alone.push((doc, loaded)),
                        None => {
                            alone.clear();
                            break;
                        }
                    }
                }
            }
            if !alone.is_empty() {
                // Wanted objects come in file order, as `alone` and each document's
                // objects do: one walk finds them all (a `List` of many items included).
                let (mut at, mut next) = (0, 0);
                for o in &wanted {
                    while alone[at].0 != o.doc as usize {
                        (at, next) = (at + 1, 0);
                    }
                    let loaded = &alone[at].1;
                    let Some(i) = loaded.objects[next..]
                        .iter()
                        .position(|obj| obj.prefix.to_string() == *o.prefix)
                    else {
                        continue;
                    };
                    next += i + 1;
                    let cx = ObjectCx::new(id, &loaded.tree, &loaded.objects[next - 1], settings, namespaces);
                    out.push(f(&cx, o));
                }
                return out;
            }
        }
        let mut parts = Parts::new(&text, &opts);
        let mut wanted = wanted.iter().peekable();
        while let Some(loaded) = parts.next_part() {
            let end = loaded.first_object + loaded.objects.len();
            while let Some(oref) = wanted.next_if(|o| (o.index as usize) < end) {
                let Some(obj) = loaded.objects.get(oref.index as usize - loaded.first_object) else {
                    continue;
                };
                let cx = ObjectCx::new(id, &loaded.tree, obj, settings, namespaces);
                out.push(f(&cx, oref));
            }
            if wanted.peek().is_none() {
                break;
            }
        }
        out
    });
    results.into_iter().flatten().collect()
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.files += o.files;
        self.bytes += o.bytes;
        self.documents += o.documents;
        self.objects += o.objects;
        self.skipped_documents += o.skipped_documents;
        self.typed += o.typed;
        self.generic += o.generic;
        self.invalid += o.invalid;
        self.sops += o.sops;
        for (k, n) in &o.generic_kinds {
            *self.generic_kinds.entry(k.clone()).or_default() += n;
        }
    }
}

/// A file's path relative to `base`, for configuration path globs.
fn relative_to(entry: &FileEntry, base: Option<&Path>) -> Option<PathBuf> {
    match &entry.source {
        Source::Text(_) | Source::Unreadable(_) => Some(PathBuf::from(&entry.display)),
        Source::Path(p) => {
            let abs = std::path::absolute(p).ok()?;
            match base {
                Some(base) => abs.strip_prefix(base).ok().map(Path::to_path_buf),
                None => Some(PathBuf::from(&entry.display)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_hold_at_most_so_many_files_and_bytes() {
        let mb = 1 << 20;
        // Small files: slices of FILES_AT_ONCE files.
        let small = slices(&[1000; 5000], BYTES_AT_ONCE);
        assert_eq!(small, [0..2048, 2048..4096, 4096..5000]);
        // Large files: as many as fit in the bytes, and a file larger than that alone.
        let large = [mb, mb, mb, mb, mb, 9 * mb, mb];
        assert_eq!(slices(&large, BYTES_AT_ONCE), [0..4, 4..5, 5..6, 6..7]);
        // No bound on bytes (a small input), or sizes unknown before reading: by count only.
        for one in [slices(&large, usize::MAX), slices(&[0; 3], BYTES_AT_ONCE)] {
            assert_eq!((one.len(), one[0].start), (1, 0));
        }
        assert!(slices(&[], BYTES_AT_ONCE).is_empty());
    }

    #[test]
    fn a_file_that_changed_since_it_was_linted_is_not_shown() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\n").expect("write");
        let mut files = Files::default();
        let id = files.add("a.yaml".into(), Source::Path(path.clone()), true, true);
        assert_eq!(files.read(id).as_deref(), Ok("a: 1\n"));
        std::fs::write(&path, "a: 2\n").expect("write");
        assert_eq!(files.read(id), Err(ReadError::Changed));
        assert_eq!(files.text(id), None);
    }

    /// The findings' order is that of a stable sort by (file as shown, start, rule, message,
    /// end): files shown alike (two renders) rank alike, and ties keep their order.
    #[test]
    fn findings_are_sorted_as_a_stable_sort_would_sort_them() {
        use crate::engine::Text;
        use crate::source::Pos;
        let mut files = Files::default();
        let names = ["b.yaml", "a.yaml", "c.yaml", "a.yaml", "z/d.yaml"];
        let ids: Vec<FileId> = names
            .iter()
            .map(|n| files.add((*n).into(), Source::Text(Arc::from("")), true, true))
            .collect();
        let rules = ["rule-b", "rule-a", "rule-c"];
        // A small deterministic generator: many ties on every key.
        let mut state = 0x2545_f491_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n) as u32
        };
        let at = |line: u32| Pos {
            line,
            col: 1,
            byte: line,
        };
        let mut findings: Vec<Finding> = (0..3000)
            .map(|i| {
                let (file, line, rule) = (ids[next(5) as usize], next(6) + 1, rules[next(3) as usize]);
                let loc = Loc {
                    file,
                    span: Span {
                        start: at(line),
                        end: at(line + next(2)),
                    },
                };
                // The message tells findings apart only sometimes; the label carries the
                // finding's index, which the order never looks at.
                let mut f = Finding::new(rule, Severity::Warning, format!("m{}", next(2)), loc.into(), None);
                f.label = Some(crate::engine::shared(&i.to_string()));
                f
            })
            .collect();
        let rank = |f: &Finding| names[f.loc().file.0 as usize];
        let expected: Vec<Option<Text>> = {
            let mut all: Vec<&Finding> = findings.iter().collect();
            all.sort_by(|a, b| {
                let (la, lb) = (a.loc(), b.loc());
                rank(a)
                    .cmp(rank(b))
                    .then(la.span.start.cmp(&lb.span.start))
                    .then(a.rule.cmp(&b.rule))
                    .then(a.message.cmp(&b.message))
                    .then(la.span.end.cmp(&lb.span.end))
            });
            all.into_iter().map(|f| f.label.clone()).collect()
        };
        sort_findings(&files, &mut findings);
        let got: Vec<Option<Text>> = findings.iter().map(|f| f.label.clone()).collect();
        assert_eq!(got.len(), expected.len());
        assert!(got == expected, "the order differs from a stable sort's");
    }

    /// A run whose input the namespace prescan finds larger than the texts the check may
    /// keep keeps none of them (each file is read again where the report shows it); a
    /// smaller one keeps every text it read.
    #[test]
    fn texts_are_kept_after_the_check_only_when_the_whole_input_fits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let object = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
        let small = dir.path().join("small.yaml");
        std::fs::write(&small, object).expect("write");
        // The same object and a comment: more than the bytes kept, quick to parse.
        let large = dir.path().join("large.yaml");
        let comment = format!("# {}\n", "x".repeat(1 << 10));
        let mut text = object.to_string();
        while text.len() <= TEXTS_KEPT_AFTER_CHECK {
            text.push_str(&comment);
        }
        std::fs::write(&large, text).expect("write");
        let engine = Engine::new(crate::rules::every_rule(), Settings::default());
        let kept = |paths: &[&std::path::Path]| -> Vec<bool> {
            let mut files = Files::default();
            let ids: Vec<FileId> = paths
                .iter()
                .map(|p| files.add(p.display().to_string(), Source::Path(p.to_path_buf()), true, true))
                .collect();
            engine.run(&files);
            ids.iter().map(|id| files.get(*id).kept.get().is_some()).collect()
        };
        assert_eq!(kept(&[&small]), [true]);
        assert_eq!(kept(&[&small, &large]), [false, false]);
    }

    #[test]
    fn a_buffer_replaces_the_file_and_forgets_its_fingerprint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\n").expect("write");
        let mut files = Files::default();
        let id = files.add("a.yaml".into(), Source::Path(path.clone()), true, true);
        assert_eq!(files.read(id).as_deref(), Ok("a: 1\n"));
        files.set_text(id, Arc::from("a: 3\n"));
        assert_eq!(files.read(id).as_deref(), Ok("a: 3\n"));
        assert!(matches!(files.get(id).source, Source::Path(_)));
        assert_eq!(files.get(id).fingerprint.get(), None);
    }
}
