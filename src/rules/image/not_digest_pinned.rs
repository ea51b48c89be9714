//! `image-not-digest-pinned`: an image without `@sha256:` can change under the same tag.
//! A reference with no tag or `latest` is `image-mutable-tag`'s finding when that rule runs
//! (one finding per reference).

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::image::ImageRef;

declare_rule!(NotDigestPinned, "image-not-digest-pinned");

impl Rule for NotDigestPinned {
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
            let Ok(r) = ImageRef::parse(image) else { continue };
            if r.is_pinned() || (r.is_mutable() && cx.settings.enabled("image-mutable-tag")) {
                continue;
            }
            out.emit(
                cx.at(&c.route.key("image")),
                format!(
                    "image `{}` in {} {} `{}` is not pinned by digest; the tag can be re-pointed",
                    crate::source::excerpt(image),
                    cx.obj.display_name(),
                    c.kind.noun(),
                    c.name()
                ),
            )
            .label("no `@sha256:` digest");
        }
    }
}
