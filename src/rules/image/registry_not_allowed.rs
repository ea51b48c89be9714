//! `image-registry-not-allowed`: an image from a registry outside the option
//! `allowed_registries` (globs such as `ghcr.io/my-org/*`, `*.dkr.ecr.*.amazonaws.com`,
//! matched against `registry/repository` and the registry alone). An empty list turns the
//! rule off.

use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use crate::model::image::ImageRef;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub allowed_registries: Vec<String>,
}

pub struct RegistryNotAllowed {
    allowed: Vec<String>,
    set: GlobSet,
}

impl RuleDef for RegistryNotAllowed {
    const ID: &'static str = "image-registry-not-allowed";
    type Options = Options;
    fn check_options(options: &Options) -> Result<(), String> {
        for g in &options.allowed_registries {
            GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("allowed_registries: invalid glob `{g}`: {e}"))?;
        }
        Ok(())
    }

    fn new(options: Options) -> Self {
        let mut b = GlobSetBuilder::new();
        for g in &options.allowed_registries {
            // Checked by `check_options` before the rule is built.
            if let Ok(glob) = GlobBuilder::new(g).literal_separator(true).build() {
                b.add(glob);
            }
        }
        RegistryNotAllowed {
            set: b.build().unwrap_or_else(|_| GlobSet::empty()),
            allowed: options.allowed_registries,
        }
    }
}

impl Rule for RegistryNotAllowed {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if self.allowed.is_empty() {
            return;
        }
        let Some(w) = cx.workload() else { return };
        for c in w.containers() {
            let Some(image) = c.container.image.as_deref() else {
                continue;
            };
            let Ok(r) = ImageRef::parse(image) else { continue };
            let full = format!("{}/{}", r.registry(), r.repository());
            if self.set.is_match(r.registry()) || self.set.is_match(&full) {
                continue;
            }
            let registry_chars = r.domain.map_or(0, |d| d.chars().count());
            let target = if r.domain.is_some() {
                cx.at_part(&c.route.key("image"), 0..registry_chars)
            } else {
                cx.at(&c.route.key("image"))
            };
            let f = out
                .emit(
                    target,
                    format!(
                        "image `{}` of {} `{}` comes from `{}`, which is not an allowed registry ({})",
                        crate::source::excerpt(image),
                        c.kind.noun(),
                        c.name(),
                        r.registry(),
                        self.allowed.join(", ")
                    ),
                )
                .label("registry not allowed");
            if crate::model::views::image_from_trigger(cx.obj, c.name()) {
                f.help("an automatic ImageChange trigger replaces this image at deploy time: the image that runs is unknown here");
                f.at_most(crate::engine::Severity::Info);
            }
        }
    }
}
