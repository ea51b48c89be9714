//! The loader on any bytes: decoding, the YAML tree, typed objects. It must never panic,
//! and every span it records must lie inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::model::{LoadOptions, load};
use plimsoll::source::decode;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data.to_vec()) else { return };
    let loaded = load(&text, &LoadOptions::default());
    for obj in &loaded.objects {
        let span = loaded.tree.span(obj.root);
        assert!(span.start.byte <= span.end.byte && span.end.byte as usize <= text.len());
        assert!(text.is_char_boundary(span.start.byte as usize) && text.is_char_boundary(span.end.byte as usize));
    }
});
