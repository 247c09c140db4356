//! Instruction counts (callgrind, through gungraun) of what must not get
//! slower: decisions, snapshot indexing, the snapshot after a write, grant
//! validation and the JSON interface, on the large sample company.
//! Counts repeat on a loaded machine; `cargo xtask test` compares them with
//! `benches/instructions.baseline` and fails on more than 10 % more.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_macros,
    missing_debug_implementations,
    reason = "benchmark (gungraun's main! prints)"
)]

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use gungraun::{library_benchmark, library_benchmark_group, main};
use interim_policy::api::{Call, call_with};
use interim_policy::decision::allowed_pools_idx;
use interim_policy::grant::{GrantContext, validate_grant_form};
use interim_policy::sample::{self, Lcg, Size};
use interim_policy::snapshot::{Changes, PoolIdx, UserIdx};
use interim_policy::wire::{FormValue, GrantForm, SnapshotWire, TempAccess};
use interim_policy::{Check, Instant, PoolLevel, Snapshot, decide, decide_idx};

fn now() -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

fn large() -> SnapshotWire {
    sample::company(Size::LARGE, now())
}

/// 1,024 pool decisions: users of grants on their pools, and any user on
/// any pool.
fn queries(w: &SnapshotWire) -> Vec<(String, String)> {
    let mut rng = Lcg(7);
    (0..1024)
        .map(|i| {
            if i % 2 == 0 {
                let g = &w.grants[rng.next(w.grants.len())];
                let u = g.user_emails[rng.next(g.user_emails.len())].clone();
                (
                    u,
                    g.agent_pool_ids[rng.next(g.agent_pool_ids.len())].clone(),
                )
            } else {
                let u = w.users[rng.next(w.users.len())].email.clone();
                (u, w.agent_pools[rng.next(w.agent_pools.len())].id.clone())
            }
        })
        .collect()
}

struct Decisions {
    snapshot: Snapshot,
    by_id: Vec<(String, String)>,
    interned: Vec<(UserIdx, PoolIdx)>,
}

fn decisions() -> Decisions {
    let wire = large();
    let snapshot = Snapshot::build(wire.clone()).unwrap();
    let by_id = queries(&wire);
    let interned = by_id
        .iter()
        .map(|(u, p)| (snapshot.user_idx(u).unwrap(), snapshot.pool_idx(p).unwrap()))
        .collect();
    Decisions {
        snapshot,
        by_id,
        interned,
    }
}

// Each benchmark hands its input back, so that dropping the company is not
// counted.

#[library_benchmark(setup = decisions)]
fn decide_1024_by_string_ids(d: Decisions) -> (usize, Decisions) {
    let now = now();
    let allowed = d
        .by_id
        .iter()
        .filter(|(u, p)| {
            decide(
                &d.snapshot,
                black_box(u),
                Check::Pool(PoolLevel::Standard),
                Some(p),
                now,
            )
            .allowed
        })
        .count();
    (allowed, d)
}

#[library_benchmark(setup = decisions)]
fn decide_1024_interned(d: Decisions) -> (usize, Decisions) {
    let now = now();
    let allowed = d
        .interned
        .iter()
        .filter(|&&(u, p)| {
            decide_idx(
                &d.snapshot,
                black_box(u),
                Check::Pool(PoolLevel::Standard),
                Some(p),
                now,
            )
            .allowed
        })
        .count();
    (allowed, d)
}

#[library_benchmark(setup = decisions)]
fn decide_1024_batched(d: Decisions) -> (usize, Decisions) {
    let allowed = allowed_pools_idx(
        &d.snapshot,
        d.interned.iter().copied(),
        PoolLevel::Standard,
        now(),
    )
    .filter(|&a| a)
    .count();
    (allowed, d)
}

#[library_benchmark(setup = large)]
fn index_large_company(wire: SnapshotWire) -> Snapshot {
    Snapshot::build(black_box(wire)).unwrap()
}

/// The large company indexed, and a grant of 50 users on 20 pools.
fn after_write() -> (Snapshot, TempAccess) {
    let mut wire = large();
    let grant = wire.grants.pop().unwrap();
    (Snapshot::build(wire).unwrap(), grant)
}

#[library_benchmark(setup = after_write)]
fn apply_one_grant_to_large_company(
    (snapshot, grant): (Snapshot, TempAccess),
) -> (Snapshot, Snapshot) {
    let changes = Changes {
        grants: vec![(grant.id.clone(), Some(grant))],
        ..Changes::default()
    };
    let next = snapshot.apply(black_box(changes)).unwrap();
    (next, snapshot)
}

struct Form {
    snapshot: Snapshot,
    form: GrantForm,
    admin: String,
}

fn form() -> Form {
    let mut wire = large();
    wire.grants.truncate(99);
    let admin = wire.users[0].email.clone();
    let form = GrantForm {
        name: Some("Incident 9182: payments outage".into()),
        role: Some("Privileged".into()),
        agent_pool_ids: wire.agent_pools[..20]
            .iter()
            .map(|p| p.id.clone())
            .collect(),
        user_emails: wire.users[100..150]
            .iter()
            .filter(|u| u.enabled)
            .map(|u| u.email.clone())
            .collect(),
        expiry_kind: Some("days".into()),
        expiry: Some(FormValue::Text("7".into())),
        incident_id: Some("INC-9182".into()),
    };
    Form {
        snapshot: Snapshot::build(wire).unwrap(),
        form,
        admin,
    }
}

#[library_benchmark(setup = form)]
fn validate_max_grant_form_99_active(f: Form) -> (bool, Form) {
    let ctx = GrantContext {
        snapshot: &f.snapshot,
        actor: Some(&f.admin),
        replacing: None,
    };
    let ok = validate_grant_form(black_box(&f.form), now(), Some(&ctx)).is_ok();
    (ok, f)
}

/// The large company indexed, and a decision call as the npm package
/// sends it (JSON text, the company already indexed).
fn json_call() -> (Snapshot, String) {
    let wire = large();
    let user = wire.grants[0].user_emails[0].clone();
    let pool = wire.grants[0].agent_pool_ids[0].clone();
    let text = serde_json::json!({
        "op": "decide",
        "now": "2026-11-22T10:00:00Z",
        "input": {"user": user, "poolAccess": "Standard", "pool": pool}
    })
    .to_string();
    (Snapshot::build(wire).unwrap(), text)
}

#[library_benchmark(setup = json_call)]
fn json_interface_decide((snapshot, text): (Snapshot, String)) -> (String, Snapshot) {
    let call: Call = serde_json::from_str(black_box(&text)).unwrap();
    let answer = call_with(&call, Some(&snapshot)).unwrap();
    (answer.to_json().to_string(), snapshot)
}

library_benchmark_group!(
    name = policy;
    benchmarks =
        decide_1024_by_string_ids,
        decide_1024_interned,
        decide_1024_batched,
        index_large_company,
        apply_one_grant_to_large_company,
        validate_max_grant_form_99_active,
        json_interface_decide
);

main!(library_benchmark_groups = policy);
