//! Decisions, snapshot indexing and grant validation, measured by criterion.
//!
//! Targets (issue #2): ≤100 ns per decision on the large snapshot and no more
//! than 1.3× the small one; snapshot load ≤20 ms; full validation of a
//! maximal grant form against 100 active grants ≤20 µs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "benchmark"
)]

use std::hint::black_box;

mod floor;
use floor::Floor;

use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use interim_policy::decision::allowed_pools_idx;
use interim_policy::grant::{GrantContext, validate_grant_form};
use interim_policy::sample::{self, Lcg, Size};
use interim_policy::snapshot::{PoolIdx, UserIdx};
use interim_policy::wire::{FormValue, GrantForm, SnapshotWire};
use interim_policy::{Access, Check, Instant, Operation, PoolLevel, Snapshot, decide, decide_idx};

fn now() -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

fn company(
    users: usize,
    pools: usize,
    grants: usize,
    per_grant_users: usize,
    per_grant_pools: usize,
) -> SnapshotWire {
    sample::company(
        Size {
            users,
            pools,
            grants,
            per_grant_users,
            per_grant_pools,
        },
        now(),
    )
}

/// 1024 mixed queries: pool access for grant users on grant pools, pool
/// access on group pools, and operations with and without a pool scope.
fn queries(w: &SnapshotWire) -> Vec<(String, Check, Option<String>)> {
    let mut rng = Lcg(7);
    let ops = [
        Operation::Agents,
        Operation::TemporaryAccess,
        Operation::AuditEvents,
        Operation::Cases,
    ];
    (0..1024)
        .map(|i| match i % 4 {
            0 if !w.grants.is_empty() => {
                let g = &w.grants[rng.next(w.grants.len())];
                let u = g.user_emails[rng.next(g.user_emails.len())].clone();
                let p = g.agent_pool_ids[rng.next(g.agent_pool_ids.len())].clone();
                (u, Check::Pool(PoolLevel::Standard), Some(p))
            }
            1 => {
                let u = w.users[rng.next(w.users.len())].email.clone();
                let p = w.agent_pools[rng.next(w.agent_pools.len())].id.clone();
                (u, Check::Pool(PoolLevel::Privileged), Some(p))
            }
            2 => {
                let u = w.users[rng.next(w.users.len())].email.clone();
                let p = w.agent_pools[rng.next(w.agent_pools.len())].id.clone();
                (
                    u,
                    Check::Operation(Operation::Agents, Access::Change),
                    Some(p),
                )
            }
            _ => {
                let u = w.users[rng.next(w.users.len())].email.clone();
                (
                    u,
                    Check::Operation(ops[rng.next(ops.len())], Access::View),
                    None,
                )
            }
        })
        .collect()
}

fn bench_decisions(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    for (label, wire) in [
        ("large", company(10_000, 1_000, 100, 50, 20)),
        ("small", company(50, 20, 10, 5, 3)),
    ] {
        let snapshot = Snapshot::build(wire.clone()).unwrap();
        let qs = queries(&wire);
        let now = now();
        let mut i = 0usize;
        group.bench_function(format!("{label}/by_id"), |b| {
            b.iter(|| {
                let (u, check, p) = &qs[i & 1023];
                i = i.wrapping_add(1);
                black_box(decide(&snapshot, black_box(u), *check, p.as_deref(), now))
            })
        });
        let interned: Vec<(UserIdx, Check, Option<PoolIdx>)> = qs
            .iter()
            .map(|(u, c, p)| {
                (
                    snapshot.user_idx(u).unwrap(),
                    *c,
                    p.as_deref().and_then(|p| snapshot.pool_idx(p)),
                )
            })
            .collect();
        let mut j = 0usize;
        group.bench_function(format!("{label}/interned"), |b| {
            b.iter(|| {
                let (u, check, p) = interned[j & 1023];
                j = j.wrapping_add(1);
                black_box(decide_idx(&snapshot, black_box(u), check, p, now))
            })
        });
        // The batch path: 1,024 pool decisions at one instant, per decision.
        let pairs: Vec<(UserIdx, PoolIdx)> = interned
            .iter()
            .filter_map(|&(u, _, p)| Some((u, p?)))
            .collect();
        group.throughput(criterion::Throughput::Elements(pairs.len() as u64));
        group.bench_function(format!("{label}/batch"), |b| {
            b.iter(|| {
                allowed_pools_idx(&snapshot, pairs.iter().copied(), PoolLevel::Standard, now)
                    .filter(|&allowed| allowed)
                    .count()
            })
        });
        group.throughput(criterion::Throughput::Elements(1));
    }
    group.finish();
}

/// 1,024 pool decisions on the large company (grant users on grant pools,
/// any user on any pool, Standard and Privileged), by the engine and by the
/// hand-written floor, which must agree on every one. `cargo xtask bench`
/// prints each engine figure as a ratio to the floor's beside it.
fn bench_floor(c: &mut Criterion) {
    let wire = company(10_000, 1_000, 100, 50, 20);
    let snapshot = Snapshot::build(wire.clone()).unwrap();
    let floor = Floor::build(&wire);
    let now = now();
    let now_ms = now.timestamp_millis();
    let mut rng = Lcg(11);
    let qs: Vec<(String, String, PoolLevel)> = (0..1024)
        .map(|i| {
            let level = if i % 3 == 0 {
                PoolLevel::Privileged
            } else {
                PoolLevel::Standard
            };
            if i % 2 == 0 {
                let g = &wire.grants[rng.next(wire.grants.len())];
                let u = g.user_emails[rng.next(g.user_emails.len())].clone();
                let p = g.agent_pool_ids[rng.next(g.agent_pool_ids.len())].clone();
                (u, p, level)
            } else {
                let u = wire.users[rng.next(wire.users.len())].email.clone();
                let p = wire.agent_pools[rng.next(wire.agent_pools.len())]
                    .id
                    .clone();
                (u, p, level)
            }
        })
        .collect();
    let interned: Vec<(UserIdx, PoolIdx, u32, u32, PoolLevel)> = qs
        .iter()
        .map(|(u, p, l)| {
            (
                snapshot.user_idx(u).unwrap(),
                snapshot.pool_idx(p).unwrap(),
                floor.user(u).unwrap(),
                floor.pool(p).unwrap(),
                *l,
            )
        })
        .collect();
    let mut allowed = 0;
    for (u, p, l) in &qs {
        let ours = decide(&snapshot, u, Check::Pool(*l), Some(p), now).allowed;
        assert_eq!(ours, floor.allowed_by_id(u, p, *l, now_ms), "{u} {p} {l:?}");
        allowed += usize::from(ours);
    }
    assert!(allowed > 100 && allowed < 1000, "{allowed} of 1024 allowed");

    let mut group = c.benchmark_group("pool");
    let mut i = 0usize;
    group.bench_function("by_id/engine", |b| {
        b.iter(|| {
            let (u, p, l) = &qs[i & 1023];
            i = i.wrapping_add(1);
            black_box(decide(&snapshot, black_box(u), Check::Pool(*l), Some(p), now).allowed)
        })
    });
    group.bench_function("by_id/floor", |b| {
        b.iter(|| {
            let (u, p, l) = &qs[i & 1023];
            i = i.wrapping_add(1);
            black_box(floor.allowed_by_id(black_box(u), p, *l, now_ms))
        })
    });
    group.bench_function("interned/engine", |b| {
        b.iter(|| {
            let (u, p, _, _, l) = interned[i & 1023];
            i = i.wrapping_add(1);
            black_box(decide_idx(&snapshot, black_box(u), Check::Pool(l), Some(p), now).allowed)
        })
    });
    group.bench_function("interned/floor", |b| {
        b.iter(|| {
            let (_, _, u, p, l) = interned[i & 1023];
            i = i.wrapping_add(1);
            black_box(floor.allowed(black_box(u), p, l, now_ms))
        })
    });
    // 1,024 decisions at one instant per iteration, at Standard.
    group.throughput(criterion::Throughput::Elements(1024));
    group.bench_function("batch/engine", |b| {
        b.iter(|| {
            allowed_pools_idx(
                &snapshot,
                interned.iter().map(|&(u, p, ..)| (u, p)),
                PoolLevel::Standard,
                now,
            )
            .filter(|&a| a)
            .count()
        })
    });
    group.bench_function("batch/floor", |b| {
        b.iter(|| {
            interned
                .iter()
                .filter(|&&(_, _, u, p, _)| floor.allowed(u, p, PoolLevel::Standard, now_ms))
                .count()
        })
    });
    group.finish();
    let mut group = c.benchmark_group("index");
    group.sample_size(20);
    group.bench_function("large/engine", |b| {
        b.iter_batched(
            || wire.clone(),
            |w| black_box(Snapshot::build(w).unwrap()),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("large/floor", |b| b.iter(|| black_box(Floor::build(&wire))));
    group.finish();
}

fn bench_snapshot(c: &mut Criterion) {
    let wire = company(10_000, 1_000, 100, 50, 20);
    let json = serde_json::to_string(&wire).unwrap();
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(20);
    group.bench_function("index_large", |b| {
        b.iter_batched(
            || wire.clone(),
            |w| black_box(Snapshot::build(w).unwrap()),
            BatchSize::LargeInput,
        )
    });
    group.bench_function(
        format!("parse_and_index_large ({} KB JSON)", json.len() / 1024),
        |b| {
            b.iter(|| {
                let w: SnapshotWire = serde_json::from_str(black_box(&json)).unwrap();
                black_box(Snapshot::build(w).unwrap())
            })
        },
    );
    group.finish();
}

fn bench_validation(c: &mut Criterion) {
    let wire = company(10_000, 1_000, 100, 50, 20);
    let snapshot = Snapshot::build(wire.clone()).unwrap();
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
            .map(|u| u.email.to_uppercase())
            .collect(),
        expiry_kind: Some("days".into()),
        expiry: Some(FormValue::Text("7".into())),
        incident_id: Some("INC-9182".into()),
    };
    let ctx = GrantContext {
        snapshot: &snapshot,
        actor: Some(&admin),
        replacing: None,
    };
    assert_eq!(snapshot.active_grants(now(), None).count(), 100);
    // The form must pass every check, or the benchmark measures a short cut.
    let mut ok_form = form.clone();
    ok_form.user_emails = wire.users[100..150]
        .iter()
        .filter(|u| u.enabled)
        .map(|u| u.email.clone())
        .collect();
    let ok_snapshot = {
        let mut w = wire.clone();
        w.grants.truncate(99);
        Snapshot::build(w).unwrap()
    };
    let ok_ctx = GrantContext {
        snapshot: &ok_snapshot,
        actor: Some(&admin),
        replacing: None,
    };
    validate_grant_form(&ok_form, now(), Some(&ok_ctx)).expect("the benchmark form is valid");
    let now = now();
    let mut group = c.benchmark_group("validate");
    group.bench_function("max_form_99_active_valid", |b| {
        b.iter(|| black_box(validate_grant_form(black_box(&ok_form), now, Some(&ok_ctx))))
    });
    group.bench_function("max_form_100_active_refused", |b| {
        b.iter(|| black_box(validate_grant_form(black_box(&form), now, Some(&ctx))))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_floor,
    bench_decisions,
    bench_snapshot,
    bench_validation
);
criterion_main!(benches);
