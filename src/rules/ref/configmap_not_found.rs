//! `ref-configmap-not-found`: a pod template reads a ConfigMap (env, envFrom, volumes,
//! projected volumes) that nothing in its namespace provides, or a key the ConfigMap in the
//! set lacks. Optional references are skipped.

use super::{Assumed, ProvidedOptions, check_pod_refs};
use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::refs::Target;

pub struct ConfigmapNotFound(Assumed);

impl RuleDef for ConfigmapNotFound {
    const ID: &'static str = "ref-configmap-not-found";
    type Options = ProvidedOptions;
    fn check_options(options: &ProvidedOptions) -> Result<(), String> {
        Assumed::check(options)
    }
    fn new(options: ProvidedOptions) -> Self {
        ConfigmapNotFound(Assumed::new(&options))
    }
}

impl Rule for ConfigmapNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        check_pod_refs(cx, out, Target::ConfigMap, &self.0);
    }
}
