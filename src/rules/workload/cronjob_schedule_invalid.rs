//! `workload-cronjob-schedule-invalid`: a CronJob whose `spec.schedule` the API server
//! rejects (not five cron fields or a descriptor, as robfig/cron's `ParseStandard` reads
//! them; `TZ=` or `CRON_TZ=` in it), or whose `spec.timeZone` is not an IANA time zone name.

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::Typed;
use crate::model::cron::{schedule_problem, time_zone_problem};
use crate::source::Route;

declare_rule!(CronjobScheduleInvalid, "workload-cronjob-schedule-invalid");

impl Rule for CronjobScheduleInvalid {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Typed::CronJob(c) = &cx.obj.typed else { return };
        let spec = Route::root().key("spec");
        if !cx.exists(&spec) {
            return;
        }
        let name = name(cx);
        let schedule = spec.key("schedule");
        let problem = if cx.exists(&schedule) {
            schedule_problem(&c.spec.schedule).map(|p| {
                format!(
                    "CronJob `{name}`: the API server rejects schedule \"{}\": {p}",
                    c.spec.schedule
                )
            })
        } else {
            Some(format!("CronJob `{name}` has no schedule; the API server requires one"))
        };
        if let Some(problem) = problem {
            out.emit(cx.at(&schedule), problem)
                .label("not a schedule the API server accepts");
        }
        if let Some(problem) = c.spec.time_zone.as_deref().and_then(time_zone_problem) {
            out.emit(
                cx.at(&spec.key("timeZone")),
                format!("CronJob `{name}`: the API server rejects timeZone: {problem}"),
            )
            .label("an IANA time zone name such as Europe/Berlin");
        }
    }
}
