//! `ref-secret-not-found`: a pod template reads a Secret (env, envFrom, volumes, projected
//! volumes) that nothing in its namespace provides (Secrets, SealedSecrets, ExternalSecrets,
//! cert-manager, SecretProviderClass secretObjects, kustomize generators), or a key the
//! provider in the set lacks. Image pull Secrets without a provider are `info`.

use super::{Assumed, ProvidedOptions, check_pod_refs};
use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::refs::Target;

pub struct SecretNotFound(Assumed);

impl RuleDef for SecretNotFound {
    const ID: &'static str = "ref-secret-not-found";
    type Options = ProvidedOptions;
    fn check_options(options: &ProvidedOptions) -> Result<(), String> {
        Assumed::check(options)
    }
    fn new(options: ProvidedOptions) -> Self {
        SecretNotFound(Assumed::new(&options))
    }
}

impl Rule for SecretNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        check_pod_refs(cx, out, Target::Secret, &self.0);
    }
}
