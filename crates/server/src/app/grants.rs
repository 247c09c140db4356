//! Temporary access grants: who may see and manage them, create, delete,
//! replace (delete and create in one step), and the expiry the system
//! writes to the audit log. Every rule is the policy's, checked inside the
//! write transaction.

use chrono::{DateTime, Utc};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::grant::{
    GrantContext, NewGrant, can_manage_grant, manages_grants, validate_grant,
};
use interim_policy::snapshot::{Snapshot, name_key};
use interim_policy::time::format_instant;
use interim_policy::wire::{CreateTempAccess, TempAccess};
use serde_json::json;

use super::{Actor, Error, Result, SYSTEM, allowed, new_id, record, require};
use crate::AppState;
use crate::store::{WriteTx, from_ms};

/// Whether the actor manages grants at all (the policy's rule).
fn may_manage_some(snapshot: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> bool {
    manages_grants(snapshot, &actor.email, now)
}

/// Whether the actor sees the grants themselves: R on temporary access,
/// which the policy also gives a Group Admin for the grant form.
fn sees_grants(snapshot: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> bool {
    allowed(
        snapshot,
        actor,
        Operation::TemporaryAccess,
        Access::View,
        now,
    )
}

/// Refuses unless the actor may see grants: R on temporary access, or a
/// Group Admin who manages some (the grant form needs the list).
fn refuse_view(snapshot: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> Result<()> {
    if sees_grants(snapshot, actor, now) || may_manage_some(snapshot, actor, now) {
        Ok(())
    } else {
        require(
            snapshot,
            actor,
            Operation::TemporaryAccess,
            Access::View,
            None,
            now,
        )
    }
}

/// Refuses unless the actor may create grants somewhere.
fn refuse_change(snapshot: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> Result<()> {
    if may_manage_some(snapshot, actor, now) {
        Ok(())
    } else {
        require(
            snapshot,
            actor,
            Operation::TemporaryAccess,
            Access::Change,
            None,
            now,
        )
    }
}

/// The grant the actor asks for, as the policy validates it (replacing
/// `replacing`, when given), if the actor may create grants at all.
fn validated(
    snapshot: &Snapshot,
    actor: &Actor,
    input: &CreateTempAccess,
    replacing: Option<&str>,
    now: DateTime<Utc>,
) -> Result<NewGrant> {
    refuse_change(snapshot, actor, now)?;
    let ctx = GrantContext {
        snapshot,
        actor: Some(&actor.email),
        replacing,
    };
    validate_grant(input, now, Some(&ctx)).map_err(Error::violations)
}

fn not_found(id: &str) -> Error {
    Error::not_found(
        "grant.id.unknown",
        format!("no active temporary access “{id}”"),
    )
}

/// How active grants are ordered: by these fields, each ascending or not.
pub type Sort = Vec<(String, bool)>;

/// The fields grants can be sorted by, and the default order.
pub const SORTABLE: &[&str] = &["name", "expirationDate", "createdAt"];
pub const DEFAULT_SORT: (&str, bool) = ("expirationDate", true);

/// The active grants the actor may see, in `sort` order.
pub async fn active(state: &AppState, actor: &Actor, sort: &Sort) -> Result<Vec<TempAccess>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    refuse_view(&snapshot, actor, now)?;
    if !sees_grants(&snapshot, actor, now) {
        return Ok(Vec::new());
    }
    let mut grants: Vec<TempAccess> = snapshot
        .active_grants(now, None)
        .map(|g| g.wire.clone())
        .collect();
    grants.sort_by(|a, b| {
        for (field, asc) in sort {
            let o = match field.as_str() {
                "name" => name_key(&a.name).cmp(&name_key(&b.name)),
                "createdAt" => a.created_at.cmp(&b.created_at),
                _ => a.expiration_date.cmp(&b.expiration_date),
            };
            let o = if *asc { o } else { o.reverse() };
            if o.is_ne() {
                return o;
            }
        }
        a.id.cmp(&b.id)
    });
    Ok(grants)
}

/// One active grant.
pub async fn one(state: &AppState, actor: &Actor, id: &str) -> Result<TempAccess> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    refuse_view(&snapshot, actor, now)?;
    snapshot
        .grant_idx(id)
        .and_then(|g| snapshot.grant(g))
        .filter(|g| g.is_active(now) && sees_grants(&snapshot, actor, now))
        .map(|g| g.wire.clone())
        .ok_or_else(|| not_found(id))
}

fn stored(g: NewGrant, id: String, actor: &Actor, now: DateTime<Utc>) -> TempAccess {
    TempAccess {
        id,
        name: g.name,
        agent_pool_ids: g.agent_pool_ids,
        user_emails: g.user_emails,
        roles: g.roles,
        expiration_date: g.expiration_date,
        created_at: now,
        incident_id: g.incident_id,
        created_by: Some(actor.email.clone()),
    }
}

/// Writes a new grant and its `grant.created` event.
/// The event names the pools and the period as well as the ids, and
/// carries the incident id as its reason, so it reads alone.
async fn insert(
    tx: &mut WriteTx,
    snapshot: &Snapshot,
    grant: &TempAccess,
    actor: &Actor,
    now: DateTime<Utc>,
    replaces: Option<&str>,
) -> Result<()> {
    tx.insert_grant(grant).await?;
    let pool_names: Vec<Option<String>> = grant
        .agent_pool_ids
        .iter()
        .map(|id| {
            snapshot
                .pool_idx(id)
                .and_then(|p| snapshot.pool(p))
                .map(|p| p.name.clone())
        })
        .collect();
    let minutes = (grant.expiration_date - now).num_minutes();
    let details = json!({
        "name": grant.name,
        "agentPoolIds": grant.agent_pool_ids,
        "poolNames": pool_names,
        "userEmails": grant.user_emails,
        "roles": grant.roles,
        "expirationDate": format_instant(grant.expiration_date),
        "period": interim_policy::time::duration_text(minutes),
        "incidentId": grant.incident_id,
        "replaces": replaces,
    });
    let target = format!("grant:{}", grant.id);
    record(
        tx,
        &actor.email,
        now,
        AuditAction::GrantCreated,
        target,
        details,
        grant.incident_id.clone(),
    )
    .await
}

/// Grants temporary access, as the policy allows it now.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &CreateTempAccess,
) -> Result<TempAccess> {
    let (company, now) = super::cached(state).await?;
    validated(&company, actor, input, None, now)?;
    let (mut tx, snapshot, now) = super::begin(state).await?;
    let valid = validated(&snapshot, actor, input, None, now)?;
    let grant = stored(valid, new_id()?, actor, now);
    insert(&mut tx, &snapshot, &grant, actor, now, None).await?;
    tx.commit().await?;
    Ok(grant)
}

/// Deletes an active grant: its access ends at once.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<()> {
    let (company, now) = super::cached(state).await?;
    deletable(&company, actor, id, now)?;
    let (mut tx, snapshot, now) = super::begin(state).await?;
    let grant = deletable(&snapshot, actor, id, now)?;
    tx.delete_grant(id, now, &actor.email).await?;
    let details = json!({ "name": grant.wire.name, "userEmails": grant.wire.user_emails, "agentPoolIds": grant.wire.agent_pool_ids });
    let target = format!("grant:{id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::GrantDeleted,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The active grant `id`, if the actor may delete it.
fn deletable<'s>(
    snapshot: &'s Snapshot,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<&'s interim_policy::snapshot::Grant> {
    let grant = snapshot
        .grant_idx(id)
        .and_then(|g| snapshot.grant(g))
        .filter(|g| g.is_active(now));
    let Some(grant) = grant else {
        refuse_view(snapshot, actor, now)?;
        return Err(not_found(id));
    };
    can_manage_grant(snapshot, &actor.email, &grant.wire.agent_pool_ids, now)
        .map_err(|v| Error::forbidden(v.code.as_str(), v.message))?;
    Ok(grant)
}

/// Deletes a grant and creates its replacement in one transaction: access
/// never has a gap, and the new grant is validated as if the old were gone
/// (the policy checks that the old one is active and that the actor
/// manages its pools as well as the new ones).
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: &CreateTempAccess,
) -> Result<TempAccess> {
    let (company, now) = super::cached(state).await?;
    validated(&company, actor, input, Some(id), now)?;
    let (mut tx, snapshot, now) = super::begin(state).await?;
    let valid = validated(&snapshot, actor, input, Some(id), now)?;
    let old_name = snapshot
        .grant_idx(id)
        .and_then(|g| snapshot.grant(g))
        .map(|g| g.wire.name.clone())
        .unwrap_or_default();
    let grant = stored(valid, new_id()?, actor, now);
    tx.delete_grant(id, now, &actor.email).await?;
    let details = json!({ "name": old_name, "replacedBy": grant.id });
    let target = format!("grant:{id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::GrantReplaced,
        target,
        details,
        None,
    )
    .await?;
    insert(&mut tx, &snapshot, &grant, actor, now, Some(id)).await?;
    tx.commit().await?;
    Ok(grant)
}

/// The system writes `grant.expired` for every grant past its expiry not
/// yet logged, each exactly once. Access ended at the instant regardless:
/// decisions compare against the clock. Answers how many it wrote.
pub async fn log_expiries(state: &AppState) -> Result<usize> {
    let now = state.clock.now();
    let mut written = 0;
    for (id, name, expires_ms) in state.store.expired_unlogged(now).await? {
        let mut tx = state.store.begin().await?;
        if !tx.mark_expiry_logged(&id).await? {
            continue;
        }
        let lag_ms = now.timestamp_millis() - expires_ms;
        let details = json!({ "name": name, "expiredAt": format_instant(from_ms(expires_ms)), "lagMs": lag_ms });
        let target = format!("grant:{id}");
        record(
            &mut tx,
            SYSTEM,
            now,
            AuditAction::GrantExpired,
            target,
            details,
            None,
        )
        .await?;
        tx.commit().await?;
        state.metrics.expiry_lag(lag_ms);
        written += 1;
    }
    Ok(written)
}
