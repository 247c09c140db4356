use chrono::{Duration, TimeZone, Utc};
use interim_policy::api::call_json;
use interim_policy::decision::allowed_pools_idx;
use interim_policy::grant::{GrantContext, validate_grant, validate_grant_form};
use interim_policy::snapshot::{PoolIdx, UserIdx};
use interim_policy::wire::{AgentPoolWire, GrantRole};
use interim_policy::wire::{
    CreateTempAccess, FormValue, GrantForm, GroupMemberWire, GroupWire, SnapshotWire, TempAccess,
    UserWire,
};
use interim_policy::{
    Access, Check, Instant, Operation, PoolLevel, Role, Snapshot, decide, decide_idx,
};
use proptest::prelude::*;

fn instant(ms: i64) -> Instant {
    Utc.timestamp_millis_opt(1_790_000_000_000 + ms).unwrap()
}

fn wire(rbac: bool, roles: Vec<Role>, grants: Vec<TempAccess>) -> SnapshotWire {
    SnapshotWire {
        company_id: "c".into(),
        rbac_enabled: rbac,
        limits: Default::default(),
        users: vec![
            UserWire {
                email: "u@x.io".into(),
                first_name: String::new(),
                last_name: String::new(),
                enabled: true,
                roles,
            },
            UserWire {
                email: "admin@x.io".into(),
                first_name: String::new(),
                last_name: String::new(),
                enabled: true,
                roles: vec![Role::CompanyAdmin],
            },
        ],
        agent_pools: vec![
            AgentPoolWire {
                id: "p1".into(),
                name: "P1".into(),
                description: String::new(),
                request_settings: None,
                access_reviewers: vec![],
            },
            AgentPoolWire {
                id: "p2".into(),
                name: "P2".into(),
                description: String::new(),
                request_settings: None,
                access_reviewers: vec![],
            },
        ],
        groups: vec![GroupWire {
            id: "g".into(),
            name: "G".into(),
            agent_pool_ids: vec!["p1".into()],
            roles: vec![PoolLevel::Standard],
            members: vec![GroupMemberWire {
                email: "u@x.io".into(),
                group_admin: true,
                elevated_roles: vec![],
            }],
            request_overrides: vec![],
        }],
        grants,
        requests: vec![],
        delegations: vec![],
    }
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        "[a-z]{1,6}@[a-z]{1,6}\\.[a-z]{2,3}",
        Just("Standard".to_owned()),
        Just("2026-11-23T10:00:00Z".to_owned()),
        "\\PC{0,120}",
    ]
}

fn grant_input() -> impl Strategy<Value = CreateTempAccess> {
    (
        prop::option::of(prop::collection::vec(text(), 0..25)),
        prop::option::of(prop::collection::vec(text(), 0..55)),
        prop::option::of(prop::collection::vec(text(), 0..3)),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(
            |(agent_pool_ids, user_emails, roles, expiration_date, name, incident_id)| {
                CreateTempAccess {
                    agent_pool_ids,
                    user_emails,
                    roles,
                    expiration_date,
                    name,
                    incident_id,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Validation never panics, with or without a company, and a refusal
    /// always names at least one violation.
    #[test]
    fn grant_validation_never_panics(input in grant_input(), now in -10_000_000i64..10_000_000, actor in prop::option::of(text())) {
        let snapshot = Snapshot::build(wire(true, vec![Role::GroupAdmin], vec![])).unwrap();
        let ctx = GrantContext { snapshot: &snapshot, actor: actor.as_deref(), replacing: None };
        for result in [validate_grant(&input, instant(now), None), validate_grant(&input, instant(now), Some(&ctx))] {
            if let Err(errors) = result {
                prop_assert!(!errors.is_empty());
            }
        }
        let form = GrantForm {
            name: input.name.clone(),
            role: input.roles.as_ref().and_then(|r| r.first().cloned()),
            agent_pool_ids: input.agent_pool_ids.clone().unwrap_or_default(),
            user_emails: input.user_emails.clone().unwrap_or_default(),
            expiry_kind: input.incident_id.clone(),
            expiry: input.expiration_date.clone().map(FormValue::Text),
            incident_id: None,
        };
        let _ = validate_grant_form(&form, instant(now), Some(&ctx));
    }

    /// Any text given to the JSON interface gets an answer or a malformed error.
    #[test]
    fn the_json_interface_never_panics(body in "\\PC{0,200}") {
        let _ = call_json(&body);
        let call = format!(r#"{{"op":"validateGrant","now":"2026-11-22T10:00:00Z","input":{body}}}"#);
        let _ = call_json(&call);
    }

    /// A grant gives access exactly on [createdAt, expirationDate).
    #[test]
    fn a_grant_is_active_exactly_on_its_period(created in -100_000i64..100_000, len in 1i64..200_000, t in -200_000i64..400_000) {
        let grant = TempAccess {
            id: "g1".into(),
            name: "G".into(),
            agent_pool_ids: vec!["p2".into()],
            user_emails: vec!["u@x.io".into()],
            roles: vec![GrantRole(PoolLevel::Standard)],
            expiration_date: instant(created + len),
            created_at: instant(created),
            incident_id: None,
            created_by: None,
        };
        let snapshot = Snapshot::build(wire(true, vec![Role::Developer], vec![grant])).unwrap();
        let d = decide(&snapshot, "u@x.io", Check::Pool(PoolLevel::Standard), Some("p2"), instant(t));
        prop_assert_eq!(d.allowed, created <= t && t < created + len);
    }

    /// The batch path answers each pair as a single decision does: grants
    /// of either level over either pool, overlapping or not, RBAC on or off,
    /// unknown users and pools.
    #[test]
    fn a_batch_decides_as_single_decisions(
        grants in prop::collection::vec((-100_000i64..100_000, 1i64..200_000, any::<bool>(), any::<bool>(), any::<bool>()), 0..5),
        t in -200_000i64..400_000,
        rbac in any::<bool>(),
    ) {
        let grants = grants
            .into_iter()
            .enumerate()
            .map(|(i, (created, len, privileged, on_p1, on_p2))| TempAccess {
                id: format!("g{i}"),
                name: format!("G{i}"),
                agent_pool_ids: [(on_p1, "p1"), (on_p2 || !on_p1, "p2")]
                    .into_iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, p)| p.to_owned())
                    .collect(),
                user_emails: vec!["u@x.io".into()],
                roles: vec![GrantRole(if privileged { PoolLevel::Privileged } else { PoolLevel::Standard })],
                expiration_date: instant(created + len),
                created_at: instant(created),
                incident_id: None,
                created_by: None,
            })
            .collect();
        let snapshot = Snapshot::build(wire(rbac, vec![Role::Developer], grants)).unwrap();
        let (u, admin) = (snapshot.user_idx("u@x.io").unwrap(), snapshot.user_idx("admin@x.io").unwrap());
        let (p1, p2) = (snapshot.pool_idx("p1").unwrap(), snapshot.pool_idx("p2").unwrap());
        let pairs = [(u, p1), (u, p2), (admin, p2), (UserIdx(99), p2), (u, PoolIdx(99))];
        for level in [PoolLevel::Standard, PoolLevel::Privileged] {
            let batch: Vec<bool> = allowed_pools_idx(&snapshot, pairs, level, instant(t)).collect();
            let single: Vec<bool> = pairs
                .into_iter()
                .map(|(u, p)| decide_idx(&snapshot, u, Check::Pool(level), Some(p), instant(t)).allowed)
                .collect();
            prop_assert_eq!(batch, single);
        }
    }

    /// Adding a role never lowers a level: whatever was allowed stays allowed.
    #[test]
    fn adding_a_role_never_lowers_a_level(roles in prop::collection::vec(role(), 0..4), extra in role(), rbac in any::<bool>()) {
        let before = Snapshot::build(wire(rbac, roles.clone(), vec![])).unwrap();
        let mut more = roles.clone();
        more.push(extra);
        let after = Snapshot::build(wire(rbac, more, vec![])).unwrap();
        let now = instant(0);
        for op in Operation::ALL {
            for access in [Access::View, Access::Change] {
                for pool in [None, Some("p1"), Some("p2")] {
                    let check = Check::Operation(*op, access);
                    if decide(&before, "u@x.io", check, pool, now).allowed {
                        prop_assert!(decide(&after, "u@x.io", check, pool, now).allowed, "{:?} {:?} {:?}", op, access, pool);
                    }
                }
            }
        }
    }

    /// Turning RBAC off never raises a level on any operation.
    #[test]
    fn rbac_off_never_raises_a_level(roles in prop::collection::vec(role(), 0..5)) {
        let on = Snapshot::build(wire(true, roles.clone(), vec![])).unwrap();
        let off = Snapshot::build(wire(false, roles, vec![])).unwrap();
        let now = instant(0) + Duration::hours(1);
        for op in Operation::ALL {
            for access in [Access::View, Access::Change] {
                for pool in [None, Some("p1")] {
                    let check = Check::Operation(*op, access);
                    if decide(&off, "u@x.io", check, pool, now).allowed {
                        prop_assert!(decide(&on, "u@x.io", check, pool, now).allowed);
                    }
                }
            }
        }
    }
}
