//! First start: the bootstrap Company Admin from configuration (or a
//! one-time password printed once), and the demo company of the run command.

use chrono::{DateTime, Duration, Utc};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::limits::Limits;
use interim_policy::role::{PoolLevel, Role};
use interim_policy::wire::{
    AgentPoolWire, GrantRole, GroupMemberWire, GroupWire, SnapshotWire, TempAccess, UserWire,
};
use serde_json::json;

use crate::auth::{hash_password, random_token};
use crate::error::ApiError;
use crate::store::{Settings, Store};

/// The demo company's password for every demo user (documented in README).
pub const DEMO_PASSWORD: &str = "interim-demo-2026";

fn user(email: &str, first: &str, last: &str, roles: &[Role]) -> UserWire {
    UserWire {
        email: email.into(),
        first_name: first.into(),
        last_name: last.into(),
        enabled: true,
        roles: roles.to_vec(),
    }
}

fn pool(id: &str, name: &str, description: &str) -> AgentPoolWire {
    AgentPoolWire {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        request_settings: None,
        access_reviewers: vec![],
    }
}

fn member(email: &str, admin: bool, elevated: &[PoolLevel]) -> GroupMemberWire {
    GroupMemberWire {
        email: email.into(),
        group_admin: admin,
        elevated_roles: elevated.to_vec(),
    }
}

/// What the demo company is called.
pub const DEMO_COMPANY_NAME: &str = "Acme Payments (demo)";

/// A small company to click through.
pub fn demo(admin_email: &str, now: DateTime<Utc>) -> SnapshotWire {
    SnapshotWire {
        company_id: "demo".into(),
        rbac_enabled: true,
        limits: Limits::SEED,
        users: vec![
            user(admin_email, "Ada", "Admin", &[Role::CompanyAdmin]),
            user(
                "dana.dev@example.com",
                "Dana",
                "Developer",
                &[Role::Developer],
            ),
            user(
                "gil.groupadmin@example.com",
                "Gil",
                "Group Admin",
                &[Role::Developer, Role::GroupAdmin],
            ),
            user(
                "vic.viewer@example.com",
                "Vic",
                "Viewer",
                &[Role::CompanyViewer],
            ),
            user(
                "sam.security@example.com",
                "Sam",
                "Security",
                &[Role::Security],
            ),
            user(
                "ines.oncall@example.com",
                "Ines",
                "Responder",
                &[Role::Developer, Role::IncidentResponder],
            ),
        ],
        agent_pools: vec![
            pool(
                "pool-payments-prod",
                "Payments production",
                "Payment services, EU region",
            ),
            pool(
                "pool-payments-staging",
                "Payments staging",
                "Pre-production payments",
            ),
            pool(
                "pool-search-prod",
                "Search production",
                "Search and indexing",
            ),
            pool(
                "pool-ledger-prod",
                "Ledger production",
                "Double-entry ledger",
            ),
        ],
        groups: vec![
            GroupWire {
                id: "group-payments".into(),
                name: "Payments".into(),
                agent_pool_ids: vec!["pool-payments-prod".into(), "pool-payments-staging".into()],
                roles: vec![PoolLevel::Standard],
                members: vec![
                    member("gil.groupadmin@example.com", true, &[PoolLevel::Privileged]),
                    member("dana.dev@example.com", false, &[]),
                ],
                request_overrides: vec![],
            },
            GroupWire {
                id: "group-search".into(),
                name: "Search".into(),
                agent_pool_ids: vec!["pool-search-prod".into()],
                roles: vec![PoolLevel::Standard],
                members: vec![member("ines.oncall@example.com", false, &[])],
                request_overrides: vec![],
            },
        ],
        grants: vec![TempAccess {
            id: "demo-grant-1".into(),
            name: "Incident 4211: ledger drift".into(),
            agent_pool_ids: vec!["pool-ledger-prod".into()],
            user_emails: vec!["ines.oncall@example.com".into()],
            roles: vec![GrantRole(PoolLevel::Standard)],
            expiration_date: now + Duration::hours(6),
            created_at: now,
            incident_id: Some("4211".into()),
            created_by: Some(admin_email.into()),
        }],
        requests: vec![],
        delegations: vec![],
    }
}

/// What the first start did.
#[derive(Debug, PartialEq, Eq)]
pub enum FirstStart {
    /// The database already had a company.
    Existing,
    /// The company was created with the configured admin password.
    Bootstrapped,
    /// The company was created with this one-time password.
    OneTimePassword(String),
    /// The demo company was created.
    Demo,
}

/// Sets up a new database: the demo company, or the bootstrap admin alone.
pub async fn first_start(
    store: &Store,
    admin_email: &str,
    admin_password: Option<&str>,
    demo_company: bool,
    now: DateTime<Utc>,
) -> Result<FirstStart, ApiError> {
    if store.is_initialized().await? {
        return Ok(FirstStart::Existing);
    }
    let mut tx = store.begin().await?;
    let outcome = if demo_company {
        let hash = hash_password(admin_password.unwrap_or(DEMO_PASSWORD))?;
        tx.import(&demo(admin_email, now), Some(&hash), now).await?;
        let mut settings = tx.settings().await?;
        settings.company_name = DEMO_COMPANY_NAME.to_owned();
        tx.put_settings(&settings).await?;
        FirstStart::Demo
    } else {
        let (password, outcome) = match admin_password {
            Some(p) => (p.to_owned(), FirstStart::Bootstrapped),
            None => {
                let p = random_token()?.chars().take(20).collect::<String>();
                (p.clone(), FirstStart::OneTimePassword(p))
            }
        };
        tx.put_settings(&Settings {
            company_id: "company".into(),
            company_name: String::new(),
            rbac_enabled: true,
            limits: Limits::SEED,
        })
        .await?;
        let hash = hash_password(&password)?;
        tx.insert_user(
            "bootstrap-admin",
            &user(admin_email, "Company", "Admin", &[Role::CompanyAdmin]),
            Some(&hash),
            now,
            None,
        )
        .await?;
        outcome
    };
    tx.audit(NewEvent {
        time: now,
        actor: "system".into(),
        action: AuditAction::UserCreated,
        target: format!("user:{admin_email}"),
        details: json!({ "bootstrap": true, "demo": demo_company }),
        reason: Some("first start".into()),
    })
    .await?;
    tx.commit().await?;
    Ok(outcome)
}
