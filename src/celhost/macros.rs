//! Macros the `cel` crate lacks: `cel.bind` and the two-variable comprehensions.
