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

use chrono::{Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use interim_policy::decision::allowed_pools_idx;
use interim_policy::grant::{GrantContext, validate_grant_form};
use interim_policy::snapshot::{PoolIdx, UserIdx};
use interim_policy::wire::{
    AgentPoolWire, FormValue, GrantForm, GrantRole, GroupMemberWire, GroupWire, SnapshotWire,
    TempAccess, UserWire,
};
use interim_policy::{
    Access, Check, Instant, Operation, PoolLevel, Role, Snapshot, decide, decide_idx,
};

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn now() -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

/// `users` users, `pools` pools, groups of 10 pools and 100 members, and
/// `grants` active grants of `per_grant_users` users × `per_grant_pools` pools.
fn company(
    users: usize,
    pools: usize,
    grants: usize,
    per_grant_users: usize,
    per_grant_pools: usize,
) -> SnapshotWire {
    let mut rng = Lcg(42);
    let roles = |i: usize| match i % 50 {
        0 => vec![Role::CompanyAdmin],
        1 => vec![Role::Developer, Role::GroupAdmin],
        2 => vec![Role::Security],
        3 => vec![Role::IncidentResponder],
        _ => vec![Role::Developer],
    };
    let user_wire: Vec<UserWire> = (0..users)
        .map(|i| UserWire {
            email: format!("user{i:05}@corp.example.com"),
            first_name: "F".into(),
            last_name: "L".into(),
            enabled: i % 97 != 5,
            roles: roles(i),
        })
        .collect();
    let pool_wire: Vec<AgentPoolWire> = (0..pools)
        .map(|i| AgentPoolWire {
            id: format!("pool-{i:04}-7f3c9a"),
            name: format!("Pool {i}"),
            description: String::new(),
            request_settings: None,
            access_reviewers: vec![],
        })
        .collect();
    let groups = (users / 100).max(1);
    let group_wire: Vec<GroupWire> = (0..groups)
        .map(|g| GroupWire {
            id: format!("group-{g:04}"),
            name: format!("Group {g}"),
            agent_pool_ids: (0..10.min(pools))
                .map(|k| pool_wire[(g * 10 + k) % pools].id.clone())
                .collect(),
            roles: vec![PoolLevel::Standard],
            members: (0..100.min(users))
                .map(|m| GroupMemberWire {
                    email: user_wire[(g * 100 + m) % users].email.clone(),
                    group_admin: m == 1,
                    elevated_roles: if m % 10 == 0 {
                        vec![PoolLevel::Privileged]
                    } else {
                        vec![]
                    },
                })
                .collect(),
            request_overrides: vec![],
        })
        .collect();
    let grant_wire: Vec<TempAccess> = (0..grants)
        .map(|i| TempAccess {
            id: format!("grant-{i:04}"),
            name: format!("Grant {i}"),
            agent_pool_ids: (0..per_grant_pools)
                .map(|_| pool_wire[rng.next(pools)].id.clone())
                .collect(),
            user_emails: (0..per_grant_users)
                .map(|_| user_wire[rng.next(users)].email.clone())
                .collect(),
            roles: vec![GrantRole(if i % 3 == 0 {
                PoolLevel::Privileged
            } else {
                PoolLevel::Standard
            })],
            expiration_date: now() + Duration::days(1 + (i % 20) as i64),
            created_at: now() - Duration::days(1),
            incident_id: None,
            created_by: None,
        })
        .collect();
    SnapshotWire {
        company_id: "corp".into(),
        rbac_enabled: true,
        limits: Default::default(),
        users: user_wire,
        agent_pools: pool_wire,
        groups: group_wire,
        grants: grant_wire,
        requests: vec![],
        delegations: vec![],
    }
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

criterion_group!(benches, bench_decisions, bench_snapshot, bench_validation);
criterion_main!(benches);
