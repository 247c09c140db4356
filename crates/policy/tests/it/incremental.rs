//! The snapshot after a write, made from what the write changed
//! (`Snapshot::apply`), answers exactly as the company indexed afresh.

use chrono::{Duration, TimeZone, Utc};
use interim_policy::decision::effective_permissions;
use interim_policy::snapshot::Changes;
use interim_policy::vocab::{Approval, RequestStatus};
use interim_policy::wire::{
    AccessRequestWire, AgentPoolWire, DelegationWire, GrantRole, GroupMemberWire, GroupWire,
    RequestSettingsWire, SnapshotWire, TempAccess, UserWire,
};
use interim_policy::{Check, Instant, Limits, PoolLevel, Role, Snapshot, decide};
use proptest::prelude::*;

const USERS: usize = 6;
const POOLS: usize = 4;

fn at(minutes: i64) -> Instant {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn email(u: usize) -> String {
    // Some addresses are named in another letter case than stored.
    if u.is_multiple_of(2) {
        format!("User{u}@X.io")
    } else {
        format!("user{u}@x.io")
    }
}

fn pool(p: usize) -> String {
    format!("p{p}")
}

/// Six users, four pools, two groups: one gives standing access to p0 and
/// p1, the other takes requests on p2 (and elevates one member).
fn directory() -> SnapshotWire {
    let member = |u: usize, elevated: bool| GroupMemberWire {
        email: email(u).to_lowercase(),
        group_admin: u == 1,
        elevated_roles: if elevated {
            vec![PoolLevel::Privileged]
        } else {
            vec![]
        },
    };
    SnapshotWire {
        company_id: "c".into(),
        rbac_enabled: true,
        limits: Limits::default(),
        users: (0..USERS)
            .map(|u| UserWire {
                email: email(u).to_lowercase(),
                first_name: String::new(),
                last_name: String::new(),
                enabled: u != 5,
                roles: if u == 0 {
                    vec![Role::CompanyAdmin]
                } else {
                    vec![Role::Developer]
                },
            })
            .collect(),
        agent_pools: (0..POOLS)
            .map(|p| AgentPoolWire {
                id: pool(p),
                name: format!("P{p}"),
                description: String::new(),
                request_settings: None,
                access_reviewers: vec![],
            })
            .collect(),
        groups: vec![
            GroupWire {
                id: "standing".into(),
                name: "Standing".into(),
                agent_pool_ids: vec![pool(0), pool(1)],
                roles: vec![PoolLevel::Standard],
                members: vec![member(1, false), member(2, true)],
                request_overrides: vec![],
            },
            GroupWire {
                id: "locked".into(),
                name: "Locked".into(),
                agent_pool_ids: vec![pool(2)],
                roles: vec![PoolLevel::Standard],
                members: vec![member(2, false), member(3, true), member(4, false)],
                request_overrides: vec![interim_policy::wire::AssignmentOverrideWire {
                    agent_pool_id: pool(2),
                    request_settings: RequestSettingsWire {
                        enabled: true,
                        periods: vec![],
                        approval: Approval::Manual,
                        reason_required: false,
                    },
                }],
            },
        ],
        grants: vec![],
        requests: vec![],
        delegations: vec![],
    }
}

/// One write: what it does to the company.
#[derive(Clone, Debug)]
enum Write {
    Grant {
        users: Vec<usize>,
        pools: Vec<usize>,
        privileged: bool,
        from: i64,
        minutes: i64,
    },
    DeleteGrant(usize),
    Request {
        user: usize,
        pool: usize,
        status: u8,
        from: i64,
    },
    /// Moves request `n` to another status.
    Transition(usize, u8),
    Delegate(usize, usize, i64),
    Rbac(bool),
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        4 => (
            prop::collection::vec(0..USERS + 1, 1..4),
            prop::collection::vec(0..POOLS + 1, 1..3),
            any::<bool>(),
            -90i64..30,
            1i64..120,
        )
            .prop_map(|(users, pools, privileged, from, minutes)| Write::Grant {
                users,
                pools,
                privileged,
                from,
                minutes
            }),
        2 => (0usize..8).prop_map(Write::DeleteGrant),
        3 => (0..USERS, 0..POOLS, 0u8..3, -90i64..30)
            .prop_map(|(user, pool, status, from)| Write::Request { user, pool, status, from }),
        2 => (0usize..8, 0u8..3).prop_map(|(n, s)| Write::Transition(n, s)),
        1 => (0..USERS, 0..USERS, -60i64..60).prop_map(|(a, b, m)| Write::Delegate(a, b, m)),
        1 => any::<bool>().prop_map(Write::Rbac),
    ]
}

fn status(s: u8) -> RequestStatus {
    match s {
        0 => RequestStatus::Pending,
        1 => RequestStatus::Approved,
        _ => RequestStatus::Ended,
    }
}

fn request(id: String, user: usize, pool_n: usize, s: u8, from: i64) -> AccessRequestWire {
    let decided = s != 0;
    AccessRequestWire {
        id,
        requester: email(user),
        agent_pool_id: pool(pool_n),
        status: status(s),
        approval: Approval::Manual,
        requested_minutes: 60,
        reason: None,
        ticket_ref: None,
        created_at: at(from - 5),
        approved_at: decided.then(|| at(from)),
        ends_at: decided.then(|| at(from + 60)),
        decided_by: None,
    }
}

/// Applies `w` to the company as stored (`wire`) and says what it changed.
fn perform(wire: &mut SnapshotWire, w: &Write, n: usize) -> Changes {
    let mut changes = Changes::default();
    match w {
        Write::Grant {
            users,
            pools,
            privileged,
            from,
            minutes,
        } => {
            let g = TempAccess {
                id: format!("grant-{n}"),
                name: format!("Grant {n}"),
                // Index USERS / POOLS is unknown: a filtered snapshot.
                agent_pool_ids: pools.iter().map(|&p| pool(p)).collect(),
                user_emails: users.iter().map(|&u| email(u)).collect(),
                roles: vec![GrantRole(if *privileged {
                    PoolLevel::Privileged
                } else {
                    PoolLevel::Standard
                })],
                expiration_date: at(from + minutes),
                created_at: at(*from),
                incident_id: None,
                created_by: None,
            };
            changes.grants.push((g.id.clone(), Some(g.clone())));
            wire.grants.push(g);
        }
        Write::DeleteGrant(i) => {
            if !wire.grants.is_empty() {
                let g = wire.grants.remove(i % wire.grants.len());
                changes.grants.push((g.id, None));
            }
        }
        Write::Request {
            user,
            pool,
            status,
            from,
        } => {
            let r = request(format!("request-{n}"), *user, *pool, *status, *from);
            changes.requests.push((r.id.clone(), Some(r.clone())));
            wire.requests.push(r);
        }
        Write::Transition(i, s) => {
            if !wire.requests.is_empty() {
                let len = wire.requests.len();
                let r = &mut wire.requests[i % len];
                let user = (0..USERS).find(|&u| email(u) == r.requester).unwrap_or(0);
                let pool_n = (0..POOLS)
                    .find(|&p| pool(p) == r.agent_pool_id)
                    .unwrap_or(0);
                *r = request(r.id.clone(), user, pool_n, *s, -30);
                changes.requests.push((r.id.clone(), Some(r.clone())));
            }
        }
        Write::Delegate(a, b, m) => {
            wire.delegations = vec![DelegationWire {
                from: email(*a),
                to: email(*b),
                starts_at: at(*m),
                ends_at: at(m + 60),
            }];
            changes.delegations = Some(wire.delegations.clone());
        }
        Write::Rbac(on) => {
            wire.rbac_enabled = *on;
            changes.settings = Some((wire.company_id.clone(), *on, wire.limits));
        }
    }
    changes
}

/// Every answer a snapshot gives about its users and pools, by id.
fn answers(s: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for t in [-120, -45, -1, 0, 30, 100] {
        let now = at(t);
        for u in 0..USERS {
            for p in 0..POOLS {
                for level in [PoolLevel::Standard, PoolLevel::Privileged] {
                    let d = decide(s, &email(u), Check::Pool(level), Some(&pool(p)), now);
                    out.push(format!("{u} {p} {level:?} {t}: {:?}", d.to_wire(s)));
                }
            }
            let idx = s.user_idx(&email(u)).unwrap();
            out.push(format!("{:?}", effective_permissions(s, idx, now)));
            let mut grants: Vec<&str> = s
                .user_grants(idx)
                .iter()
                .map(|&g| s.grant(g).unwrap().wire.id.as_str())
                .collect();
            grants.sort_unstable();
            let requests: Vec<&str> = s
                .user_requests(idx)
                .iter()
                .map(|&r| s.request(r).unwrap().wire.id.as_str())
                .collect();
            out.push(format!("{u}: {grants:?} {requests:?}"));
        }
        let active: Vec<&str> = s
            .active_grants(now, None)
            .map(|g| g.wire.id.as_str())
            .collect();
        out.push(format!("active {t}: {active:?}"));
    }
    let requests: Vec<&str> = s.requests().map(|r| r.wire.id.as_str()).collect();
    out.push(format!(
        "{requests:?} {:?} {}",
        s.delegation_wires(),
        s.rbac_enabled
    ));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_snapshot_made_from_changes_answers_as_one_indexed_afresh(
        writes in prop::collection::vec(write(), 1..14)
    ) {
        let mut wire = directory();
        let mut snapshot = Snapshot::build(wire.clone()).unwrap();
        for (n, w) in writes.iter().enumerate() {
            let changes = perform(&mut wire, w, n);
            snapshot = snapshot.apply(changes).unwrap();
            let fresh = Snapshot::build(wire.clone()).unwrap();
            prop_assert_eq!(answers(&snapshot), answers(&fresh), "after {:?}", &writes[..=n]);
        }
        // Compacted: every user's entries in one list again, same answers.
        let fresh = Snapshot::build(wire).unwrap();
        prop_assert_eq!(answers(&snapshot.compact()), answers(&fresh));
    }
}

#[test]
fn a_change_build_would_refuse_is_refused_with_the_same_violation() {
    let snapshot = Snapshot::build(directory()).unwrap();
    let mut bad = request("r1".into(), 1, 0, 1, 0);
    bad.requester = "nobody@x.io".into();
    let changes = Changes {
        requests: vec![("r1".into(), Some(bad.clone()))],
        ..Changes::default()
    };
    let refused = snapshot.apply(changes).unwrap_err();
    let mut wire = directory();
    wire.requests.push(bad);
    assert_eq!(refused, Snapshot::build(wire).unwrap_err());
}

#[test]
fn removed_items_keep_their_place_until_indexed_afresh() {
    let mut wire = directory();
    let mut snapshot = Snapshot::build(wire.clone()).unwrap();
    let grant = Write::Grant {
        users: vec![1, 2],
        pools: vec![3],
        privileged: false,
        from: -10,
        minutes: 60,
    };
    for n in 0..3 {
        snapshot = snapshot.apply(perform(&mut wire, &grant, n)).unwrap();
    }
    snapshot = snapshot
        .apply(perform(&mut wire, &Write::DeleteGrant(0), 3))
        .unwrap();
    assert_eq!(snapshot.removed(), 1);
    assert_eq!(snapshot.grants().count(), 2);
    assert_eq!(snapshot.grant_idx("grant-2").map(|g| g.get()), Some(2));
    assert_eq!(Snapshot::build(wire.clone()).unwrap().removed(), 0);
    // Compacting is worth it past eight removed per held (and 4,096); the
    // compacted snapshot answers the same.
    for n in 4..8200 {
        let w = if n % 2 == 0 {
            grant.clone()
        } else {
            Write::DeleteGrant(0)
        };
        snapshot = snapshot.apply(perform(&mut wire, &w, n)).unwrap();
        assert_eq!(snapshot.worth_compacting(), snapshot.removed() > 4096);
    }
    assert!(snapshot.worth_compacting());
    let compact = snapshot.compact();
    assert_eq!(compact.removed(), 0);
    assert_eq!(answers(&compact), answers(&snapshot));
    assert_eq!(answers(&compact), answers(&Snapshot::build(wire).unwrap()));
}
