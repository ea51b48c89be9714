//! `ref-ingress-tls-secret-not-found`: an Ingress `tls[].secretName` that nothing in its
//! namespace provides. An Ingress annotated with a cert-manager issuer provides its own.

use super::{Assumed, ProvidedOptions, not_in_set, searched};
use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::refs::Target;

pub struct IngressTlsSecretNotFound(Assumed);

impl RuleDef for IngressTlsSecretNotFound {
    const ID: &'static str = "ref-ingress-tls-secret-not-found";
    type Options = ProvidedOptions;
    fn check_options(options: &ProvidedOptions) -> Result<(), String> {
        Assumed::check(options)
    }
    fn new(options: ProvidedOptions) -> Self {
        IngressTlsSecretNotFound(Assumed::new(&options))
    }
}

impl Rule for IngressTlsSecretNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let refs = &cx.index.refs;
        for ing in &refs.facts.ingresses {
            for (secret, loc) in &*ing.tls {
                if self.0.matches(secret) || refs.providers(Target::Secret, &ing.namespace, secret).next().is_some() {
                    continue;
                }
                let f = out.emit_for(
                    &ing.obj,
                    *loc,
                    format!(
                        "Ingress `{}` terminates TLS with Secret `{secret}`, which is not in the set (searched {} in namespace `{}`)",
                        ing.name,
                        searched(Target::Secret),
                        ing.namespace
                    ),
                );
                f.label("TLS Secret not found");
                not_in_set(cx, f);
            }
        }
    }
}
