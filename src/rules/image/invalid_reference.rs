//! `image-invalid-reference`: an image that is not a valid reference (distribution
//! grammar): uppercase in the repository, a bad tag, a digest that is not `sha256:` and 64
//! lowercase hex characters, an unrendered template. The kubelet cannot pull it.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::image::ImageRef;

declare_rule!(InvalidReference, "image-invalid-reference");

impl Rule for InvalidReference {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for c in w.containers() {
            let Some(image) = c.container.image.as_deref() else {
                continue;
            };
            // An automatic ImageChange trigger replaces this image at deploy time.
            if crate::model::views::image_from_trigger(cx.obj, c.name()) {
                continue;
            }
            let Err(e) = ImageRef::parse(image) else { continue };
            // `${IMAGE}`, `{{ .Values.image }}`, `<DOCKER_REPO>`, `PROJECT_ID`: a placeholder.
            let templated = image.contains('$')
                || image.contains("{{")
                || image.contains('<')
                || image
                    .split(['/', ':', '-', '.'])
                    .any(|part| part.len() > 2 && part.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
            // A bad digest is underlined from its `@`.
            let route = c.route.key("image");
            let target = match image.find('@') {
                Some(at) if e.0.contains("digest") => {
                    let start = image[..at].chars().count();
                    cx.at_part(&route, start..image.chars().count())
                }
                _ => cx.at(&route),
            };
            let f = out.emit(
                target,
                format!(
                    "image `{}` of {} `{}` is not a valid reference: {e}",
                    crate::source::excerpt(image),
                    c.kind.noun(),
                    c.name()
                ),
            );
            f.label("invalid image reference");
            // A placeholder is meant to be replaced before the manifest is applied: the
            // reference is reported, but as a warning, not as a broken deploy.
            if templated {
                f.help("this looks like an unrendered placeholder; lint the rendered output (e.g. `helm template ... | plimsoll check -`)");
                f.at_most(crate::engine::Severity::Warning);
            }
        }
    }
}
