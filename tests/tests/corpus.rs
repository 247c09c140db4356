//! The whole conformance corpus through the native core — and, compiled to
//! wasm32, through the same core under Node (`wasm-bindgen-test-runner`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use interim_conformance::{run_all, run_core};

#[test]
fn corpus_through_the_core() {
    let (total, failures) = match run_all(|_, call| run_core(call)) {
        Ok(r) => r,
        Err(e) => panic!("cannot load the corpus: {e}"),
    };
    assert!(total >= 150, "the corpus has {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
