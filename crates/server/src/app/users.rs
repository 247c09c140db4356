//! Users: listed and read by those who read users (anyone reads themself),
//! created, updated, disabled, enabled and deleted by those who change
//! users, each change audited with the roles it added and removed.

use chrono::{DateTime, Utc};
use interim_policy::answer::{User, UserMembership, UserPoolPermissions};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::effective_permissions;
use interim_policy::email::same_email;
use interim_policy::role::Role;
use interim_policy::snapshot::{Snapshot, UserIdx};
use interim_policy::time::format_instant;
use interim_policy::user::{UserInput, validate_disable, validate_new_user, validate_user_update};
use interim_policy::wire::UserWire;
use serde_json::json;

use super::actor::hash_password;
use super::{Actor, Error, Result, begin_as, new_id, record, require};
use crate::AppState;
use crate::store::{UserRecord, WriteTx, from_ms, key};

/// A user as the API answers, with their memberships and pool permissions
/// when `detail` is asked for.
pub fn answer(u: UserRecord, snapshot: &Snapshot, detail: bool, now: DateTime<Utc>) -> User {
    let idx = snapshot.user_idx(&u.wire.email).filter(|_| detail);
    User {
        group_memberships: idx.map(|i| memberships(snapshot, i, &u.wire.email)),
        agent_pool_permissions: idx.map(|i| {
            effective_permissions(snapshot, i, now)
                .map(|p| {
                    p.pools
                        .into_iter()
                        .map(|p| UserPoolPermissions {
                            agent_pool_id: p.agent_pool_id,
                            permissions: p.permissions,
                        })
                        .collect()
                })
                .unwrap_or_default()
        }),
        id: u.id,
        inert_roles: interim_policy::user::inert_roles(&u.wire.roles, snapshot.rbac_enabled),
        roles: u.wire.roles,
        email: u.wire.email,
        first_name: u.wire.first_name,
        last_name: u.wire.last_name,
        enabled: u.wire.enabled,
        created_date: format_instant(from_ms(u.created_ms)),
        created_by: u.created_by,
        last_modified_date: format_instant(from_ms(u.modified_ms)),
        last_modified_by: u.modified_by,
        last_login_date: u.last_login_ms.map(|t| format_instant(from_ms(t))),
        register_method: "USER_PASS".to_owned(),
        user_management_type: "SYSTEM".to_owned(),
        activation_link: None,
    }
}

fn memberships(snapshot: &Snapshot, i: UserIdx, email: &str) -> Vec<UserMembership> {
    snapshot
        .groups()
        .iter()
        .filter_map(|g| {
            g.members
                .iter()
                .find(|m| m.user == i)
                .map(|m| UserMembership {
                    email: email.to_owned(),
                    group_id: g.id.clone(),
                    group_admin: m.group_admin,
                })
        })
        .collect()
}

/// Which users a list holds, and in what order.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub role: Option<Role>,
    /// In the e-mail or the name, any letter case.
    pub search: Option<String>,
    pub sort: Vec<(String, bool)>,
    /// Memberships and pool permissions too.
    pub detail: bool,
}

/// The fields users can be sorted by, and the default order.
pub const SORTABLE: &[&str] = &["email", "firstName", "lastName", "createdDate"];
pub const DEFAULT_SORT: (&str, bool) = ("email", true);

pub async fn list(state: &AppState, actor: &Actor, q: &Query) -> Result<Vec<User>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(&snapshot, actor, Operation::Users, Access::View, None, now)?;
    let search = q.search.as_deref().map(str::to_lowercase);
    let mut users: Vec<UserRecord> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| q.role.is_none_or(|r| u.wire.roles.contains(&r)))
        .filter(|u| {
            search.as_ref().is_none_or(|s| {
                u.wire.email.to_lowercase().contains(s.as_str())
                    || format!("{} {}", u.wire.first_name, u.wire.last_name)
                        .to_lowercase()
                        .contains(s.as_str())
            })
        })
        .collect();
    users.sort_by(|a, b| {
        let text = |u: &UserRecord, field: &str| match field {
            "firstName" => u.wire.first_name.to_lowercase(),
            "lastName" => u.wire.last_name.to_lowercase(),
            _ => u.wire.email.to_lowercase(),
        };
        for (field, asc) in &q.sort {
            let o = match field.as_str() {
                "createdDate" => a.created_ms.cmp(&b.created_ms),
                f => text(a, f).cmp(&text(b, f)),
            };
            let o = if *asc { o } else { o.reverse() };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(users
        .into_iter()
        .map(|u| answer(u, &snapshot, q.detail, now))
        .collect())
}

async fn find(state: &AppState, email: &str) -> Result<UserRecord> {
    state
        .store
        .user(&key(email))
        .await?
        .ok_or_else(|| unknown(email))
}

fn unknown(email: &str) -> Error {
    Error::not_found("user.email.unknown", format!("no user “{email}”"))
}

/// One user: anyone reads themself; others need R on users.
pub async fn one(state: &AppState, actor: &Actor, email: &str, detail: bool) -> Result<User> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    if !same_email(email, &actor.email) {
        require(&snapshot, actor, Operation::Users, Access::View, None, now)?;
    }
    Ok(answer(find(state, email).await?, &snapshot, detail, now))
}

/// Audits the roles added and removed.
pub async fn audit_roles(
    tx: &mut WriteTx,
    actor: &Actor,
    now: DateTime<Utc>,
    email: &str,
    before: &[Role],
    after: &[Role],
) -> Result<()> {
    for (list, other, action) in [
        (after, before, AuditAction::RoleAssigned),
        (before, after, AuditAction::RoleRemoved),
    ] {
        for role in list.iter().filter(|r| !other.contains(r)) {
            let target = format!("user:{email}");
            record(
                tx,
                &actor.email,
                now,
                action,
                target,
                json!({ "role": role }),
                None,
            )
            .await?;
        }
    }
    Ok(())
}

/// The user as stored after a change.
async fn reread(state: &AppState, email: &str, now: DateTime<Utc>) -> Result<User> {
    let snapshot = state.store.snapshot(now).await?;
    Ok(answer(find(state, email).await?, &snapshot, false, now))
}

pub async fn create(state: &AppState, actor: &Actor, input: &UserInput) -> Result<User> {
    if input.password.is_some() {
        actor.not_a_key("set a password")?;
    }
    let (mut tx, snapshot, now) =
        begin_as(state, actor, Operation::Users, Access::Change, None).await?;
    let valid = validate_new_user(Some(&snapshot), input).map_err(Error::violations)?;
    let hash = input.password.as_deref().map(hash_password).transpose()?;
    let wire = UserWire {
        email: valid.email.clone(),
        first_name: valid.first_name,
        last_name: valid.last_name,
        enabled: true,
        roles: valid.roles,
    };
    let by = Some(actor.email.as_str());
    tx.insert_user(&new_id()?, &wire, hash.as_deref(), now, by)
        .await?;
    let details = json!({ "firstName": wire.first_name, "lastName": wire.last_name, "passwordSet": hash.is_some() });
    let target = format!("user:{}", wire.email);
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::UserCreated,
        target,
        details,
        None,
    )
    .await?;
    audit_roles(&mut tx, actor, now, &wire.email, &[], &wire.roles).await?;
    // Without a password, the person sets one through a one-time link,
    // handed to a signed-in admin only: a key holder with the link could
    // sign in as the person, and so reach beyond the key's scopes.
    let link = if hash.is_none() && !actor.by_key() {
        let made = super::activation::issue(state, &mut tx, &actor.email, &wire.email, now);
        Some(made.await?.0)
    } else {
        None
    };
    tx.commit().await?;
    let mut user = reread(state, &wire.email, now).await?;
    user.activation_link = link;
    Ok(user)
}

/// Updates a user's names, roles or password (a new password ends their
/// sessions).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    email: &str,
    input: &UserInput,
) -> Result<User> {
    if input.password.is_some() {
        actor.not_a_key("set a password")?;
    }
    let (mut tx, snapshot, now) =
        begin_as(state, actor, Operation::Users, Access::Change, None).await?;
    let stored = find(state, email).await?;
    let u = snapshot.user_idx(email).ok_or_else(|| unknown(email))?;
    let valid = validate_user_update(&snapshot, u, input).map_err(Error::violations)?;
    let before = stored.wire.roles.clone();
    let wire = UserWire {
        email: stored.wire.email.clone(),
        first_name: valid.first_name,
        last_name: valid.last_name,
        enabled: stored.wire.enabled,
        roles: valid.roles,
    };
    tx.update_user(&wire, now, &actor.email).await?;
    if let Some(p) = &input.password {
        tx.set_password(&key(&wire.email), &hash_password(p)?)
            .await?;
    }
    let details = json!({ "firstName": wire.first_name, "lastName": wire.last_name, "passwordSet": input.password.is_some() });
    let target = format!("user:{}", wire.email);
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::UserUpdated,
        target,
        details,
        None,
    )
    .await?;
    audit_roles(&mut tx, actor, now, &wire.email, &before, &wire.roles).await?;
    tx.commit().await?;
    reread(state, email, now).await
}

/// Enables or disables a user (the policy refuses to disable the last
/// Company Admin).
pub async fn set_enabled(
    state: &AppState,
    actor: &Actor,
    email: &str,
    enabled: bool,
) -> Result<()> {
    let (mut tx, snapshot, now) =
        begin_as(state, actor, Operation::Users, Access::Change, None).await?;
    let mut stored = find(state, email).await?;
    if !enabled {
        let u = snapshot.user_idx(email).ok_or_else(|| unknown(email))?;
        validate_disable(&snapshot, u).map_err(Error::violation)?;
    }
    if stored.wire.enabled != enabled {
        stored.wire.enabled = enabled;
        tx.update_user(&stored.wire, now, &actor.email).await?;
        let action = if enabled {
            AuditAction::UserEnabled
        } else {
            AuditAction::UserDisabled
        };
        let target = format!("user:{}", stored.wire.email);
        record(&mut tx, &actor.email, now, action, target, json!({}), None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes a user and everything of theirs but the audit history.
pub async fn delete(state: &AppState, actor: &Actor, email: &str) -> Result<()> {
    let (mut tx, snapshot, now) =
        begin_as(state, actor, Operation::Users, Access::Change, None).await?;
    let stored = find(state, email).await?;
    let u = snapshot.user_idx(email).ok_or_else(|| unknown(email))?;
    validate_disable(&snapshot, u).map_err(Error::violation)?;
    tx.delete_user(&key(email), now).await?;
    let target = format!("user:{}", stored.wire.email);
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::UserDeleted,
        target,
        json!({}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
