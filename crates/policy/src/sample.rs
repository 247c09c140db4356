//! A synthetic company of any size, the same every run: what the
//! benchmarks, the instruction-count guard and the server's load test
//! measure against. Built only with the `sample` feature.

use chrono::Duration;

use crate::role::{PoolLevel, Role};
use crate::time::Instant;
use crate::wire::{
    AgentPoolWire, GrantRole, GroupMemberWire, GroupWire, SnapshotWire, TempAccess, UserWire,
};

/// A small deterministic generator (no dependency, same data every run).
#[derive(Debug, Clone)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number below `n` (`n` > 0).
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// The size of a sample company.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub users: usize,
    pub pools: usize,
    /// Active grants, each of `per_grant_users` × `per_grant_pools`.
    pub grants: usize,
    pub per_grant_users: usize,
    pub per_grant_pools: usize,
}

impl Size {
    /// 10,000 users, 1,000 pools, 100 groups, 100 grants × 50 users × 20 pools.
    pub const LARGE: Size = Size {
        users: 10_000,
        pools: 1_000,
        grants: 100,
        per_grant_users: 50,
        per_grant_pools: 20,
    };
    /// 50 users, 20 pools, 10 grants × 5 users × 3 pools.
    pub const SMALL: Size = Size {
        users: 50,
        pools: 20,
        grants: 10,
        per_grant_users: 5,
        per_grant_pools: 3,
    };
}

fn roles(i: usize) -> Vec<Role> {
    match i % 50 {
        0 => vec![Role::CompanyAdmin],
        1 => vec![Role::Developer, Role::GroupAdmin],
        2 => vec![Role::Security],
        3 => vec![Role::IncidentResponder],
        _ => vec![Role::Developer],
    }
}

/// `size.users` users (every 50th a Company Admin, user 0 first), pools,
/// groups of 10 pools and 100 members (one group per 100 users), and the
/// grants, created a day before `now` and active at `now`.
pub fn company(size: Size, now: Instant) -> SnapshotWire {
    let Size {
        users,
        pools,
        grants,
        per_grant_users,
        per_grant_pools,
    } = size;
    let mut rng = Lcg(42);
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
    let email = |i: usize| {
        user_wire
            .get(i % users.max(1))
            .map(|u| u.email.clone())
            .unwrap_or_default()
    };
    let pool_id = |i: usize| {
        pool_wire
            .get(i % pools.max(1))
            .map(|p| p.id.clone())
            .unwrap_or_default()
    };
    let group_wire: Vec<GroupWire> = (0..(users / 100).max(1))
        .map(|g| GroupWire {
            id: format!("group-{g:04}"),
            name: format!("Group {g}"),
            agent_pool_ids: (0..10.min(pools)).map(|k| pool_id(g * 10 + k)).collect(),
            roles: vec![PoolLevel::Standard],
            members: (0..100.min(users))
                .map(|m| GroupMemberWire {
                    email: email(g * 100 + m),
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
                .map(|_| pool_id(rng.next(pools)))
                .collect(),
            user_emails: (0..per_grant_users)
                .map(|_| email(rng.next(users)))
                .collect(),
            roles: vec![GrantRole(if i % 3 == 0 {
                PoolLevel::Privileged
            } else {
                PoolLevel::Standard
            })],
            expiration_date: now + Duration::days(1 + (i % 20) as i64),
            created_at: now - Duration::days(1),
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
