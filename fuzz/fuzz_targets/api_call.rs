//! The JSON interface every surface calls (`api::call_json`): any text in,
//! an answer or a malformed-input report out, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = interim_policy::api::call_json(text);
    }
});
