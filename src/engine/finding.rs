//! Findings, severities and locations as rules report them.

use crate::model::ObjectRef;
use crate::source::Loc;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Severity, String> {
        match s {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            _ => Err(format!("`{s}` is not a severity (error, warning, info)")),
        }
    }
}

/// A text a finding carries (message, label, route, fix title). Findings repeat a few
/// texts many times (every Deployment of a repository has the same route to its pod's
/// `securityContext`, the same label, often the same message), so texts are shared
/// ([`shared`]) rather than each finding holding a copy. A thin pointer (8 bytes, where an
/// `Arc<str>` takes 16): a finding holds up to four.
pub type Text = arcstr::ArcStr;

/// How many distinct texts a thread remembers for sharing before it forgets them all and
/// starts again: the memory this costs stays bounded, however many findings a run makes.
const SHARED_TEXTS: usize = 1 << 14;

thread_local! {
    static TEXTS: std::cell::RefCell<crate::source::Recent<Text>> =
        const { std::cell::RefCell::new(crate::source::Recent::new()) };
}

/// The text `s`, shared with the findings this thread made recently that carry the same
/// text; allocated at its exact size otherwise. The thread's set keeps at most
/// [`SHARED_TEXTS`] texts alive after the findings that carried them are dropped (an
/// editor's session keeps them until its next run), and only texts findings show.
pub fn shared(s: &str) -> Text {
    TEXTS.with_borrow_mut(|texts| crate::source::shared_in(texts, s, SHARED_TEXTS, || Text::from(s)))
}

/// Where a finding points: a location, the route that led there, and, when the field the
/// route names is absent, the part of the route that is missing.
#[derive(Clone, Debug)]
pub struct Target {
    pub loc: Loc,
    /// Route from the document root, e.g. `spec.template.spec.containers[0].image`.
    route: Option<Text>,
    /// Where the absent tail of the route starts in it, in bytes (the route's length when
    /// the field exists): the location is then the nearest existing ancestor. The tail is
    /// the end of the route as written, and held once (a run holds every finding).
    absent_from: u32,
}

impl Target {
    /// The field at `route` (when the finding names one), found at `loc`.
    pub fn new(loc: Loc, route: Option<Text>) -> Target {
        let absent_from = route.as_ref().map_or(0, |r| to_u32(r.len()));
        Target {
            loc,
            route,
            absent_from,
        }
    }

    /// The field at `route`, absent: `loc` is its nearest existing ancestor, and `missing`
    /// the tail of the route as written (`securityContext.runAsNonRoot`) that is not there.
    pub fn absent(loc: Loc, route: Text, missing: &str) -> Target {
        debug_assert!(route.ends_with(missing), "`{missing}` is not the tail of `{route}`");
        let absent_from = match route.strip_suffix(missing) {
            Some(present) if !missing.is_empty() => to_u32(present.len()),
            // Not a tail of the route as written: the route alone is told.
            _ => to_u32(route.len()),
        };
        Target {
            loc,
            route: Some(route),
            absent_from,
        }
    }

    /// Route from the document root, e.g. `spec.template.spec.containers[0].image`.
    pub fn route(&self) -> Option<&str> {
        self.route.as_deref()
    }

    /// The absent tail of the route (`securityContext.runAsNonRoot`) when the location is
    /// the nearest existing ancestor instead of the field itself.
    pub fn missing(&self) -> Option<&str> {
        self.route
            .as_deref()
            .and_then(|r| r.get(self.absent_from as usize..))
            .filter(|tail| !tail.is_empty())
    }

    /// Says no more that part of the route is missing (the location stands for the field).
    pub fn forget_missing(&mut self) {
        self.absent_from = self.route.as_ref().map_or(0, |r| to_u32(r.len()));
    }
}

/// A route's length: routes are far shorter than 4 GiB (a text is at most that).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<Loc> for Target {
    fn from(loc: Loc) -> Target {
        Target::new(loc, None)
    }
}

/// A rule's id as findings carry it: a thin pointer (8 bytes, where a `&str` takes 16) to
/// the id, which lives as long as the program. A run holds every finding.
#[derive(Clone, Copy)]
pub struct RuleId(&'static &'static str);

impl RuleId {
    /// The id `id`, the same for every caller: each distinct id is kept once, for the rest
    /// of the program (there are as many as the rules the program ever configured).
    pub fn new(id: &'static str) -> RuleId {
        static IDS: std::sync::Mutex<rustc_hash::FxHashMap<&'static str, &'static &'static str>> =
            std::sync::Mutex::new(rustc_hash::FxHashMap::with_hasher(rustc_hash::FxBuildHasher));
        let mut ids = IDS.lock().unwrap_or_else(|e| e.into_inner());
        RuleId(ids.entry(id).or_insert_with(|| Box::leak(Box::new(id))))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl From<&'static str> for RuleId {
    fn from(id: &'static str) -> RuleId {
        RuleId::new(id)
    }
}

impl std::ops::Deref for RuleId {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

impl PartialEq for RuleId {
    fn eq(&self, other: &RuleId) -> bool {
        std::ptr::eq(self.0, other.0) || self.0 == other.0
    }
}

impl Eq for RuleId {}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        *self.0 == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other
    }
}

impl PartialEq<RuleId> for &str {
    fn eq(&self, other: &RuleId) -> bool {
        *self == *other.0
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &RuleId) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RuleId {
    fn cmp(&self, other: &RuleId) -> std::cmp::Ordering {
        self.0.cmp(other.0)
    }
}

impl std::hash::Hash for RuleId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

/// A second location that explains a finding.
#[derive(Clone, Debug)]
pub struct Related {
    pub loc: Loc,
    pub message: Text,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: Text,
    pub target: Target,
    /// Short text under the underline; defaults to what is missing, if anything.
    pub label: Option<Text>,
    pub object: Option<Arc<ObjectRef>>,
    /// The fix of this finding, if its rule has one for it.
    pub fix: Option<Box<super::fix::Fix>>,
    /// What few findings carry, allocated only for them (a run holds many findings).
    more: Option<Box<More>>,
}

/// The parts of a [`Finding`] that most findings do not have.
#[derive(Clone, Debug, Default)]
pub struct More {
    /// Extra help specific to this finding (the rule's remediation is shown too).
    pub help: Option<Text>,
    /// Most findings that have related locations have one: it is held here, not in a list
    /// of its own (a finding with `More` costs one allocation, not two).
    pub related: smallvec::SmallVec<[Related; 1]>,
    /// What a finding of a rule that judges by other objects is about: the admission policy
    /// or the CustomResourceDefinition. Suppressions may name it: `policy-violation.<name>`.
    pub qualifier: Option<Arc<str>>,
    /// Why a rule that fixes findings like this one has no fix for it.
    pub not_fixable: Option<Text>,
    /// Other objects the finding stands for: the same object in other Kustomize renders,
    /// whose identical findings were merged into this one.
    pub also: Vec<Arc<ObjectRef>>,
}

static NO_MORE: More = More {
    help: None,
    related: smallvec::SmallVec::new_const(),
    qualifier: None,
    not_fixable: None,
    also: Vec::new(),
};

impl Finding {
    /// A finding with nothing but its rule, severity, message, target, object and fix.
    pub fn new(
        rule: impl Into<RuleId>,
        severity: Severity,
        message: impl AsRef<str>,
        target: Target,
        object: Option<Arc<ObjectRef>>,
    ) -> Finding {
        Finding::with_text(rule.into(), severity, shared(message.as_ref()), target, object)
    }

    /// [`Finding::new`] with its message made already (as [`shown`] makes it, for a text
    /// that may hold control characters or be long).
    pub fn with_text(
        rule: RuleId,
        severity: Severity,
        message: Text,
        target: Target,
        object: Option<Arc<ObjectRef>>,
    ) -> Finding {
        Finding {
            rule,
            severity,
            message,
            target,
            label: None,
            object,
            fix: None,
            more: None,
        }
    }

    pub fn loc(&self) -> Loc {
        self.target.loc
    }

    /// Help, related locations, qualifier, why there is no fix, other objects.
    pub fn more(&self) -> &More {
        self.more.as_deref().unwrap_or(&NO_MORE)
    }

    /// [`Finding::more`], to change (allocated on first use).
    pub fn more_mut(&mut self) -> &mut More {
        self.more.get_or_insert_default()
    }

    /// Takes what [`Finding::more`] holds, leaving nothing.
    pub fn take_more(&mut self) -> More {
        self.more.take().map(|m| *m).unwrap_or_default()
    }

    /// The related locations.
    pub fn related_locs(&self) -> &[Related] {
        &self.more().related
    }

    /// The related locations, to change in place (none allocated when there are none).
    pub fn related_locs_mut(&mut self) -> &mut [Related] {
        self.more.as_deref_mut().map_or(&mut [], |m| &mut m.related[..])
    }

    /// Sets (or clears) what the finding is about.
    pub fn set_qualifier(&mut self, qualifier: Option<Arc<str>>) {
        if qualifier.is_some() || self.more.is_some() {
            self.more_mut().qualifier = qualifier;
        }
    }

    /// Takes why there is no fix, leaving none.
    pub fn take_not_fixable(&mut self) -> Option<Text> {
        self.more.as_deref_mut().and_then(|m| m.not_fixable.take())
    }

    /// Sets the text shown under the underline.
    pub fn label(&mut self, label: impl AsRef<str>) -> &mut Finding {
        self.label = Some(shown(label.as_ref()));
        self
    }

    /// Adds finding-specific help.
    pub fn help(&mut self, help: impl AsRef<str>) -> &mut Finding {
        self.more_mut().help = Some(shown(help.as_ref()));
        self
    }

    /// Adds a related location.
    pub fn related(&mut self, loc: Loc, message: impl AsRef<str>) -> &mut Finding {
        let message = shown(message.as_ref());
        self.more_mut().related.push(Related { loc, message });
        self
    }

    /// Attaches a fix (a finding has at most one).
    pub fn with_fix(&mut self, fix: super::fix::Fix) -> &mut Finding {
        self.fix = Some(Box::new(fix));
        self
    }

    /// Says why there is no fix for this finding.
    pub fn not_fixable(&mut self, why: impl AsRef<str>) -> &mut Finding {
        self.more_mut().not_fixable = Some(shown(why.as_ref()));
        self
    }

    /// Records that this finding stands for a copy of it that is dropped too: the copy's
    /// object, and those the copy stood for.
    pub fn also_about(&mut self, object: Option<Arc<ObjectRef>>, also: Vec<Arc<ObjectRef>>) {
        for o in object.into_iter().chain(also) {
            if self.object.as_ref() != Some(&o) && !self.more().also.contains(&o) {
                self.more_mut().also.push(o);
            }
        }
    }

    /// Caps the severity (e.g. "not in the set" verdicts are `info` unless the set is
    /// complete).
    pub fn at_most(&mut self, cap: Severity) -> &mut Finding {
        self.severity = self.severity.min(cap);
        self
    }

    /// The label to show: the rule's, else what is missing.
    pub fn shown_label(&self) -> Option<String> {
        self.label
            .as_deref()
            .map(str::to_owned)
            .or_else(|| self.target.missing().map(|m| format!("`{m}` is not set")))
    }
}

/// The longest message, label or help text a finding carries, in bytes.
pub const MAX_TEXT: usize = 2000;

/// A text a finding carries, safe to print in every format: control characters escaped (no
/// text read from a repository can start a line of its own) and at most [`MAX_TEXT`]
/// bytes.
pub fn printable(text: String) -> String {
    let mut text = match crate::source::escape_control(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    };
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// `text` as a finding carries it: printable ([`printable`]) and shared ([`shared`]), and
/// copied only where escaping or shortening changes it.
pub fn shown(text: &str) -> Text {
    match crate::source::escape_control(text) {
        std::borrow::Cow::Borrowed(t) if t.len() <= MAX_TEXT => shared(t),
        other => shared(&printable(other.into_owned())),
    }
}

/// A list in a message: the first few items, then how many more (the related locations of
/// the finding name them all).
pub fn first_few(items: &[String]) -> String {
    const SHOWN: usize = 5;
    match items.len() {
        0..=SHOWN => items.join(", "),
        n => format!("{} and {} more", items[..SHOWN].join(", "), n - SHOWN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run holds every finding until the report: what each costs in place stays small.
    #[test]
    fn a_finding_stays_small() {
        assert_eq!(std::mem::size_of::<Text>(), 8);
        assert_eq!(std::mem::size_of::<Target>(), 40);
        assert_eq!(std::mem::size_of::<Finding>(), 96);
        assert_eq!(std::mem::size_of::<Related>(), 40);
        // With its one related location in place.
        assert_eq!(std::mem::size_of::<More>(), 104);
        // With its one op in place.
        assert_eq!(std::mem::size_of::<super::super::fix::Fix>(), 104);
    }

    /// Equal texts share one allocation; a finding's label and related messages too.
    #[test]
    fn equal_texts_are_shared() {
        let a = shared("spec.template.spec.containers[0].securityContext");
        let b = shared(&String::from("spec.template.spec.containers[0].securityContext"));
        assert!(Text::ptr_eq(&a, &b));
        assert_eq!(&*a, "spec.template.spec.containers[0].securityContext");
    }

    /// A target's missing part is the tail of its route, told until it is forgotten; a
    /// field that exists has none.
    #[test]
    fn the_missing_part_of_a_target_is_the_tail_of_its_route() {
        let route = shared("spec.template.spec.containers[0].securityContext.runAsNonRoot");
        let mut t = Target::absent(Loc::default(), route.clone(), "securityContext.runAsNonRoot");
        assert_eq!(t.route(), Some(&*route));
        assert_eq!(t.missing(), Some("securityContext.runAsNonRoot"));
        t.forget_missing();
        assert_eq!(t.missing(), None);
        assert_eq!(t.route(), Some(&*route));
        let present = Target::new(Loc::default(), Some(route.clone()));
        assert_eq!(present.missing(), None);
        assert_eq!(Target::from(Loc::default()).route(), None);
        assert_eq!(Target::from(Loc::default()).missing(), None);
    }
}
