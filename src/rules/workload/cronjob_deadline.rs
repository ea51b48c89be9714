//! `workload-cronjob-deadline`: a CronJob without `startingDeadlineSeconds`: after more than
//! 100 missed schedules (controller downtime, a long suspension) the controller stops
//! starting it ("too many missed start times"). A warning when it is below 10: the
//! controller checks every 10 s, so the Job may never start.

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};
use crate::model::Typed;
use crate::source::Route;

declare_rule!(CronjobDeadline, "workload-cronjob-deadline");

impl Rule for CronjobDeadline {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Typed::CronJob(c) = &cx.obj.typed else { return };
        let spec = Route::root().key("spec");
        if !cx.exists(&spec) {
            return;
        }
        let route = spec.key("startingDeadlineSeconds");
        let name = name(cx);
        match c.spec.starting_deadline_seconds {
            None => {
                out.emit(
                    cx.at(&route),
                    format!(
                        "CronJob `{name}` has no startingDeadlineSeconds: after more than 100 missed schedules (controller downtime, a long suspension) it is never started again"
                    ),
                );
            }
            Some(d) if d < 10 => {
                let f = out.emit(
                    cx.at(&route),
                    format!(
                        "CronJob `{name}` has startingDeadlineSeconds: {d}; the controller checks schedules every 10 seconds, so a run may be missed every time"
                    ),
                );
                f.label("at least 10 seconds");
                f.severity = f.severity.max(Severity::Warning);
            }
            Some(_) => {}
        }
    }
}
