//! `image-mutable-tag`: an image with no tag or the `latest` tag (and no digest) runs
//! whatever was pushed last. It is also unpinned: this finding stands for both, and
//! `image-not-digest-pinned` leaves such references to it.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::image::ImageRef;

declare_rule!(MutableTag, "image-mutable-tag");

impl Rule for MutableTag {
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
            if r.is_pinned() {
                continue;
            }
            let route = c.route.key("image");
            match (&r.tag, &r.tag_range) {
                (Some("latest"), Some(range)) => {
                    out.emit(
                        cx.at_part(&route, range.clone()),
                        format!(
                            "image `{}` of {} `{}` uses the `latest` tag and no digest: it runs whatever was pushed last",
                            crate::source::excerpt(image),
                            c.kind.noun(),
                            c.name()
                        ),
                    )
                    .label("mutable tag");
                }
                (None, _) => {
                    out.emit(
                        cx.at(&route),
                        format!(
                            "image `{}` of {} `{}` has no tag and no digest: it resolves to `{}` at pull time",
                            crate::source::excerpt(image),
                            c.kind.noun(),
                            c.name(),
                            r.canonical()
                        ),
                    )
                    .label("no tag");
                }
                _ => {}
            }
        }
    }
}
