//! The wire reader (`parse.rs`): any text read as each kind of body the
//! server and the CLI accept, with field paths, never a panic.
#![no_main]

use interim_policy::parse::from_json_str;
use interim_policy::wire::{AccessRequestInput, CreateTempAccess, GrantForm, SnapshotWire};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = from_json_str::<CreateTempAccess>(text);
    let _ = from_json_str::<GrantForm>(text);
    let _ = from_json_str::<AccessRequestInput>(text);
    let _ = from_json_str::<SnapshotWire>(text);
    let _ = from_json_str::<interim_policy::checkpoint::AuditLog>(text);
});
