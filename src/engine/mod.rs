//! The rule engine: the rule trait and registry, findings, suppression and the run. Knows
//! no particular rule: the rule modules list themselves (`rules::all()`) and the run is
//! handed that list.

mod finding;
pub mod fix;
pub mod meta;
pub mod par;
mod rule;
mod run;
mod settings;
pub mod suppress;

pub use finding::{Finding, MAX_TEXT, Related, RuleId, Severity, Target, Text, first_few, printable, shared, shown};
pub use fix::{Applicability, Fix, FixPolicy};
pub use meta::{RuleMeta, all_meta, closest_name, did_you_mean_rule, meta};
pub use rule::{FileCx, Kept, NoOptions, ObjectCx, Out, Rule, RuleDef, RuleEntry, SetCx, entry};
pub use run::{
    ActiveRule, Engine, FileEntry, Files, Incremental, IoError, Masks, Outcome, Relocate, Source, Stats, sort_findings,
};
pub use settings::{PssSettings, Settings};
pub use suppress::{SELECTOR_KEYWORDS, Suppression, SuppressionKind};
