//! Integration tests of the policy crate: properties over arbitrary input.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

#[cfg(not(target_arch = "wasm32"))]
mod incremental;
#[cfg(not(target_arch = "wasm32"))]
mod properties;
