//! `workload-env-duplicate`: two `env[]` entries with the same `name` in one container (every
//! set, ephemeral containers included). The later one wins at runtime, and patches keyed by
//! `name` drop or merge the wrong entry. Overlaps with `envFrom` have a documented
//! precedence and are not reported.

use super::Set;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use std::collections::HashMap;

declare_rule!(EnvDuplicate, "workload-env-duplicate");

impl Rule for EnvDuplicate {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for c in w.containers() {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (j, e) in c.container.env.iter().flatten().enumerate() {
                let Some(i) = seen.insert(e.name.as_str(), j) else {
                    continue;
                };
                let env = c.route.key("env");
                let f = out.emit(
                    cx.at(&env.index(j).key("name")),
                    format!(
                        "{} `{}` sets `{}` twice (entries {i} and {j}); only the last value is used",
                        Set::of(&c).title(),
                        c.name(),
                        e.name
                    ),
                );
                f.label("set again");
                f.related(cx.at(&env.index(i).key("name")).loc, "set first here");
            }
        }
    }
}
