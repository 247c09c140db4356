//! Company settings (the RBAC switch, limits that only tighten) and the
//! legacy role import with its preview.

use interim_policy::answer::{ActivationLink, LegacyImport, Settings as SettingsAnswer, Usage};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::company::{usage, validate_company_name};
use interim_policy::email::same_email;
use interim_policy::legacy::{MigratedUser, preview_migration};
use interim_policy::limits::Limits;
use interim_policy::snapshot::Snapshot;
use interim_policy::time::Instant;
use interim_policy::wire::{GroupMemberWire, GroupWire, LegacyUserWire, UserWire};
use serde::Deserialize;
use serde_json::json;

use super::{Actor, Error, Result, begin_as, new_id, record, require};
use crate::AppState;
use crate::store::{Settings, WriteTx};

/// The settings as the audit records them (no counts: they change without
/// the settings changing).
fn audited(s: &Settings) -> serde_json::Value {
    json!({ "companyId": s.company_id, "companyName": s.company_name,
        "rbacEnabled": s.rbac_enabled, "limits": s.limits })
}

fn answer(s: &Settings) -> SettingsAnswer {
    SettingsAnswer {
        company_id: s.company_id.clone(),
        company_name: s.company_name.clone(),
        rbac_enabled: s.rbac_enabled,
        limits: s.limits,
        seed_limits: Limits::SEED,
        usage: Usage::default(),
    }
}

/// The settings with what the company holds at `now`.
fn with_usage(s: &Settings, snapshot: &Snapshot, now: Instant) -> SettingsAnswer {
    SettingsAnswer {
        usage: usage(snapshot, now),
        ..answer(s)
    }
}

pub async fn read(state: &AppState, actor: &Actor) -> Result<SettingsAnswer> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        actor,
        Operation::Organization,
        Access::View,
        None,
        now,
    )?;
    Ok(with_usage(&state.store.settings().await?, &snapshot, now))
}

/// A change of settings: any part may be left out.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsInput {
    /// 1 to 100 characters, one line.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub rbac_enabled: Option<bool>,
    #[serde(default)]
    pub limits: Option<Limits>,
}

/// Names the company, switches RBAC or tightens limits (the policy refuses
/// to loosen them).
pub async fn write(
    state: &AppState,
    actor: &Actor,
    input: &SettingsInput,
) -> Result<SettingsAnswer> {
    let op = Operation::Organization;
    let (mut tx, snapshot, now) = begin_as(state, actor, op, Access::Change, None).await?;
    let before = tx.settings().await?;
    let mut after = before.clone();
    if let Some(name) = &input.company_name {
        after.company_name = validate_company_name(name).map_err(Error::violations)?;
    }
    if let Some(limits) = input.limits {
        after.limits = limits.validate().map_err(|v| {
            Error::violations(
                v.into_iter()
                    .map(|mut v| {
                        v.field = format!("limits.{}", v.field);
                        v
                    })
                    .collect(),
            )
        })?;
    }
    if let Some(rbac) = input.rbac_enabled {
        after.rbac_enabled = rbac;
    }
    if after != before {
        tx.put_settings(&after).await?;
        let details = json!({ "before": audited(&before), "after": audited(&after) });
        let target = format!("company:{}", after.company_id);
        let action = AuditAction::SettingsChanged;
        record(&mut tx, &actor.email, now, action, target, details, None).await?;
    }
    tx.commit().await?;
    Ok(with_usage(&after, &snapshot, now))
}

/// Makes `id` the deployment's company id (the `{company}` of the vendor's
/// key paths), as the system, when the configuration names another one.
pub async fn set_company_id(state: &AppState, id: &str) -> Result<()> {
    let id = id.trim();
    if id.is_empty() || id.chars().count() > 100 || id.contains(['/', '?', '#', '%']) {
        return Err(Error::invalid(
            "settings.companyId.invalid",
            "companyId",
            "a company id is 1 to 100 characters, without “/”, “?”, “#” or “%”",
        ));
    }
    let (mut tx, _, now) = super::begin(state).await?;
    let before = tx.settings().await?;
    if before.company_id == id {
        return Ok(());
    }
    let mut after = before.clone();
    after.company_id = id.to_owned();
    tx.put_settings(&after).await?;
    let details = json!({ "before": audited(&before), "after": audited(&after) });
    let target = format!("company:{id}");
    let why = Some("configured by --company-id".to_owned());
    record(
        &mut tx,
        super::SYSTEM,
        now,
        AuditAction::SettingsChanged,
        target,
        details,
        why,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Previews the legacy import (`preview_only`), or applies it: users are
/// created or their roles replaced, group admins made members, audited.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    entries: &[LegacyUserWire],
    preview_only: bool,
) -> Result<LegacyImport> {
    let (mut tx, snapshot, now) = super::begin(state).await?;
    require(
        &snapshot,
        actor,
        Operation::Users,
        Access::Change,
        None,
        now,
    )?;
    let preview = preview_migration(entries, Some(&snapshot));
    if preview_only {
        return Ok(LegacyImport {
            users: preview.users,
            errors: preview.errors,
            activation_links: Vec::new(),
        });
    }
    if !preview.errors.is_empty() {
        return Err(Error::violations(preview.errors));
    }
    let mut groups: Vec<GroupWire> = state
        .store
        .groups()
        .await?
        .into_iter()
        .map(|g| g.wire)
        .collect();
    let mut links = Vec::new();
    for u in &preview.users {
        let created = put_user(&mut tx, actor, &snapshot, u, now).await?;
        make_group_admin(&mut groups, u);
        // Each person created gets a one-time link to set a password, as
        // a user created any other way: only a signed-in admin receives it.
        if created && !actor.by_key() {
            let (link, expires) =
                super::activation::issue(state, &mut tx, &actor.email, &u.email, now).await?;
            links.push(ActivationLink {
                email: u.email.clone(),
                activation_link: link,
                expires_at: interim_policy::time::format_instant(expires),
                emailed: false,
            });
        }
    }
    let touched = |g: &&GroupWire| {
        preview
            .users
            .iter()
            .any(|u| u.group_admin_of.contains(&g.id))
    };
    for g in groups.iter().filter(touched) {
        tx.put_group(g, now, Some(&actor.email)).await?;
    }
    let details = json!({ "users": preview.users });
    let target = format!("company:{}", snapshot.company_id);
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::UsersImported,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(LegacyImport {
        users: preview.users,
        errors: Vec::new(),
        activation_links: links,
    })
}

/// Creates an imported user, or replaces an existing one's roles; true
/// when the user is new.
async fn put_user(
    tx: &mut WriteTx,
    actor: &Actor,
    snapshot: &Snapshot,
    u: &MigratedUser,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let wire = UserWire {
        email: u.email.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        enabled: true,
        roles: u.roles.clone(),
    };
    match snapshot.user_idx(&u.email).and_then(|i| snapshot.user(i)) {
        Some(existing) => {
            let mut merged = wire;
            merged.email = existing.email.clone();
            merged.enabled = existing.enabled;
            tx.update_user(&merged, now, &actor.email).await?;
            let before: Vec<interim_policy::Role> = existing.roles.iter().collect();
            super::users::audit_roles(tx, actor, now, &merged.email, &before, &merged.roles)
                .await?;
            Ok(false)
        }
        None => {
            tx.insert_user(&new_id()?, &wire, None, now, Some(&actor.email))
                .await?;
            super::users::audit_roles(tx, actor, now, &wire.email, &[], &wire.roles).await?;
            Ok(true)
        }
    }
}

/// Makes an imported user an admin (and member) of the groups named.
fn make_group_admin(groups: &mut [GroupWire], u: &MigratedUser) {
    for gid in &u.group_admin_of {
        let Some(g) = groups.iter_mut().find(|g| &g.id == gid) else {
            continue;
        };
        match g
            .members
            .iter_mut()
            .find(|m| same_email(&m.email, &u.email))
        {
            Some(m) => m.group_admin = true,
            None => g.members.push(GroupMemberWire {
                email: u.email.clone(),
                group_admin: true,
                elevated_roles: Vec::new(),
            }),
        }
    }
}
