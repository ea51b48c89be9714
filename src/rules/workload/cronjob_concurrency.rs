//! `workload-cronjob-concurrency` (off by default): a CronJob whose `concurrencyPolicy` is
//! absent or `Allow`: a run that outlasts the interval overlaps the next one.

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::Typed;
use crate::source::Route;

declare_rule!(CronjobConcurrency, "workload-cronjob-concurrency");

impl Rule for CronjobConcurrency {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Typed::CronJob(c) = &cx.obj.typed else { return };
        let spec = Route::root().key("spec");
        if !cx.exists(&spec) || c.spec.concurrency_policy.as_deref().is_some_and(|p| p != "Allow") {
            return;
        }
        let shown = c.spec.concurrency_policy.as_deref().map_or(" (the default)", |_| "");
        out.emit(
            cx.at(&spec.key("concurrencyPolicy")),
            format!(
                "CronJob `{}` allows concurrent runs{shown}: a run that outlasts the interval overlaps the next one",
                name(cx)
            ),
        );
    }
}
