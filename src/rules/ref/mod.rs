//! Dangling references (workload-checks.md §2): objects that name others by name, checked
//! against the set. A name not in the set is `info` unless `complete_set`; a referenced
//! object that is in the set and contradicts the reference (no such port, no such key) is
//! reported at the rule's severity (or above) regardless.

pub mod configmap_not_found;
pub mod ingress_backend_not_found;
pub mod ingress_tls_secret_not_found;
pub mod priority_class_not_found;
pub mod pvc_not_found;
pub mod rollout_service_not_found;
pub mod secret_not_found;
pub mod service_selector_no_match;
pub mod service_target_port;
pub mod servicemonitor_no_match;
pub mod statefulset_service;
pub mod storage_class_not_found;

use crate::engine::{Out, SetCx, Severity, first_few};
use crate::model::ObjectRef;
use crate::model::refs::{BUILTIN_CONFIGMAPS, ProviderFact, Target};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// Options of the rules that look for ConfigMap and Secret providers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvidedOptions {
    /// Names (globs) provided outside the set: by an operator, a controller, the cluster.
    pub assume_provided: Vec<String>,
}

/// The compiled `assume_provided` globs.
pub struct Assumed(GlobSet);

impl Assumed {
    pub fn check(options: &ProvidedOptions) -> Result<(), String> {
        for g in &options.assume_provided {
            GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("assume_provided: invalid glob `{g}`: {e}"))?;
        }
        Ok(())
    }

    pub fn new(options: &ProvidedOptions) -> Assumed {
        let mut b = GlobSetBuilder::new();
        for g in &options.assume_provided {
            // Checked by `check` before the rule is built.
            if let Ok(glob) = GlobBuilder::new(g).literal_separator(true).build() {
                b.add(glob);
            }
        }
        Assumed(b.build().unwrap_or_else(|_| GlobSet::empty()))
    }

    pub fn matches(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

/// `Kind `name``, for messages: written in place where it is shown.
pub fn who(o: &ObjectRef) -> Who<'_> {
    Who(o)
}

/// An object as a message names it ([`who`]).
pub struct Who<'a>(&'a ObjectRef);

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`", self.0.kind, self.0.name.as_deref().unwrap_or("<unnamed>"))
    }
}

/// `s` when `n` is not one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What provides a ConfigMap or a Secret (§0.5), for "searched …" in messages.
pub fn searched(target: Target) -> &'static str {
    match target {
        Target::ConfigMap => "ConfigMaps and kustomize configMapGenerators",
        _ => {
            "Secrets, SealedSecrets, ExternalSecrets, cert-manager Certificates and annotated Ingresses, \
             SecretProviderClass secretObjects and kustomize secretGenerators"
        }
    }
}

/// Caps a "not in the set" finding at `info` unless the set is complete.
pub fn not_in_set(cx: &SetCx<'_>, f: &mut crate::engine::Finding) {
    if !cx.settings.complete_set {
        f.at_most(Severity::Info);
    }
}

/// When a name resolved among equally close providers, what a finding about one of them
/// says.
fn ambiguity(cx: &SetCx<'_>, what: &str, name: &str, ns: &str, all: &[&ProviderFact], best: &ProviderFact) -> String {
    if all.len() < 2 {
        return String::new();
    }
    let files: Vec<String> = all.iter().map(|p| cx.index.display(p.obj.file).to_string()).collect();
    format!(
        "; the reference is ambiguous: {} providers of {what} `{name}` in `{ns}` are equally close ({}); this is the one in {}",
        all.len(),
        files.join(", "),
        cx.index.display(best.obj.file)
    )
}

/// `ref-configmap-not-found` and `ref-secret-not-found`: every reference of a pod template
/// to a ConfigMap (or a Secret, image pull Secrets included) that no provider satisfies,
/// and every key read that a provider in the set with known keys lacks.
pub fn check_pod_refs(cx: &SetCx<'_>, out: &mut Out<'_>, target: Target, assumed: &Assumed) {
    let index = cx.index;
    let what = if target == Target::ConfigMap {
        "ConfigMap"
    } else {
        "Secret"
    };
    for r in &index.refs.facts.refs {
        let pull = r.target == Target::PullSecret;
        if !(r.target == target || (pull && target == Target::Secret)) {
            continue;
        }
        if r.optional || assumed.matches(&r.name) {
            continue;
        }
        if target == Target::ConfigMap && BUILTIN_CONFIGMAPS.contains(&&*r.name) {
            continue;
        }
        let found: Vec<&ProviderFact> = index.refs.providers(target, &r.namespace, &r.name).collect();
        let Some(resolved) = index.closest(r.obj.file, found.iter().copied(), |p| p.obj.file) else {
            let searched = searched(target);
            if pull {
                let f = out.emit_for(
                    &r.obj,
                    r.loc,
                    format!(
                        "{} pulls its images with Secret `{}`, which is not in the set (searched {searched} in namespace `{}`); private images will fail with ImagePullBackOff",
                        who(&r.obj),
                        r.name,
                        r.namespace
                    ),
                );
                f.label("image pull Secret not found");
                f.at_most(Severity::Info);
                continue;
            }
            let key = match &*r.keys {
                [(k, _)] => format!(", key `{k}`"),
                _ => String::new(),
            };
            let f = out.emit_for(
                &r.obj,
                r.loc,
                format!(
                    "{} reads {what} `{}`{key}, which is not in the set (searched {searched} in namespace `{}`); the pod will not start",
                    who(&r.obj),
                    r.name,
                    r.namespace
                ),
            );
            f.label(if target == Target::ConfigMap {
                "ConfigMap not found"
            } else {
                "Secret not found"
            });
            not_in_set(cx, f);
            continue;
        };
        if pull {
            continue;
        }
        let candidates: Vec<&ProviderFact> = resolved.candidates().collect();
        for (key, loc) in &*r.keys {
            if candidates.iter().any(|p| p.may_have(key)) {
                continue;
            }
            let p = resolved.best;
            let keys: Vec<String> = p.keys.iter().flatten().map(|k| format!("`{k}`")).collect();
            let has = if keys.is_empty() {
                "no keys".to_string()
            } else {
                first_few(&keys)
            };
            let f = out.emit_for(
                &r.obj,
                *loc,
                format!(
                    "{} reads key `{key}` of {what} `{}`, which has no such key (it has {has}); the pod will not start{}",
                    who(&r.obj),
                    r.name,
                    ambiguity(cx, what, &r.name, &r.namespace, &candidates, p)
                ),
            );
            f.label("no such key");
            f.severity = Severity::Error;
            let provided = if &*p.obj.kind == what {
                format!("{what} `{}` is defined here", r.name)
            } else {
                format!("{} provides {what} `{}`", who(&p.obj), r.name)
            };
            f.related(p.loc, provided);
        }
    }
}
