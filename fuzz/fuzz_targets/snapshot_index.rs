//! Snapshot indexing: any company that reads as a snapshot is indexed or
//! refused with its problems, never a panic; an indexed one answers a
//! decision for each of its users and pools.
#![no_main]

use interim_policy::api::index_snapshot;
use interim_policy::decision::{Check, decide};
use interim_policy::role::PoolLevel;
use interim_policy::parse::from_json_str;
use interim_policy::wire::SnapshotWire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(wire) = from_json_str::<SnapshotWire>(text) else {
        return;
    };
    let users: Vec<String> = wire.users.iter().map(|u| u.email.clone()).collect();
    let pools: Vec<String> = wire.agent_pools.iter().map(|p| p.id.clone()).collect();
    let Ok(snapshot) = index_snapshot(wire) else {
        return;
    };
    let now = interim_policy::time::Instant::default();
    let check = Check::Pool(PoolLevel::Standard);
    for u in users.iter().take(8) {
        for p in pools.iter().take(8) {
            let _ = decide(&snapshot, u, check, Some(p), now);
        }
    }
});
