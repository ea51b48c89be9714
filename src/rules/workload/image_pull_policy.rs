//! `workload-image-pull-policy` (off by default): a container (main, sidecar or init) whose
//! effective `imagePullPolicy` is not the option `required` (default `Always`). Without the
//! field the API server sets `Always` for an image without a digest whose tag is `latest`
//! or absent, and `IfNotPresent` otherwise. Digest-pinned images are exempt: the policy
//! cannot change what runs.

use super::{all_sets, subject};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use crate::model::image::ImageRef;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub required: String,
}

pub struct ImagePullPolicy {
    required: String,
}

const POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];

impl RuleDef for ImagePullPolicy {
    const ID: &'static str = "workload-image-pull-policy";
    type Options = Options;
    fn check_options(options: &Options) -> Result<(), String> {
        if POLICIES.contains(&options.required.as_str()) {
            Ok(())
        } else {
            Err(format!(
                "required: `{}` is not an imagePullPolicy (Always, IfNotPresent or Never)",
                options.required
            ))
        }
    }

    fn new(options: Options) -> Self {
        ImagePullPolicy {
            required: options.required,
        }
    }
}

impl Rule for ImagePullPolicy {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for (set, c) in all_sets(&w) {
            let Some(image) = c.container.image.as_deref() else {
                continue;
            };
            let Ok(r) = ImageRef::parse(image) else { continue };
            if r.is_pinned() {
                continue;
            }
            let written = c.container.image_pull_policy.as_deref().filter(|p| !p.is_empty());
            let effective = written.unwrap_or(match r.tag {
                None | Some("latest") => "Always",
                Some(_) => "IfNotPresent",
            });
            if effective == self.required {
                continue;
            }
            let message = format!(
                "{} `{}` of {} pulls its image with imagePullPolicy {effective}{}, not {}",
                set.title(),
                c.name(),
                subject(cx),
                if written.is_none() {
                    " (the default for this image)"
                } else {
                    ""
                },
                self.required
            );
            match written {
                Some(_) => {
                    out.emit(cx.at(&c.route.key("imagePullPolicy")), message)
                        .label(format!("not {}", self.required));
                }
                None => {
                    out.emit(cx.at(&c.route.key("image")), message)
                        .label(format!("imagePullPolicy defaults to {effective} for this image"));
                }
            }
        }
    }
}
