//! Request settings (SPEC §4): a pool's default for every group assignment
//! of the pool, and one assignment's override. Checked by the policy's
//! `validate_request_settings`.

use interim_policy::answer::{AssignmentRequestSettings, PoolRequestSettings};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::request::validate_request_settings;
use interim_policy::wire::{AssignmentOverrideWire, GroupWire, RequestSettingsWire};
use serde_json::{Value, json};

use super::{Actor, Error, Result, begin_as, record};
use crate::AppState;

/// Sets a pool's request settings (`None` turns requests off by default).
pub async fn set_pool_default(
    state: &AppState,
    actor: &Actor,
    pool_id: &str,
    settings: Option<&RequestSettingsWire>,
) -> Result<PoolRequestSettings> {
    let op = Operation::AccessRequestSettings;
    let (mut tx, _, now) = begin_as(state, actor, op, Access::Change, Some(pool_id)).await?;
    let settings = settings
        .map(validate_request_settings)
        .transpose()
        .map_err(Error::violations)?;
    let mut pool = state
        .store
        .pools()
        .await?
        .into_iter()
        .find(|p| p.wire.id == pool_id)
        .ok_or_else(|| Error::not_found("pool.id.unknown", format!("no agent pool “{pool_id}”")))?
        .wire;
    pool.request_settings = settings;
    tx.put_pool(&pool, now, Some(&actor.email)).await?;
    let details = json!({"requestSettings": pool.request_settings});
    let target = format!("pool:{pool_id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::PoolUpdated,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(PoolRequestSettings {
        agent_pool_id: pool_id.to_owned(),
        request_settings: pool.request_settings,
    })
}

/// A group and one of its pools, for an assignment override.
async fn assignment(state: &AppState, id: &str, pool: &str) -> Result<GroupWire> {
    let group = state
        .store
        .groups()
        .await?
        .into_iter()
        .find(|g| g.wire.id == id)
        .ok_or_else(|| Error::not_found("group.id.unknown", format!("no group “{id}”")))?
        .wire;
    if !group.agent_pool_ids.iter().any(|p| p == pool) {
        return Err(Error::not_found(
            "group.agentPoolIds.unknown",
            format!("the group “{id}” does not hold the pool “{pool}”"),
        ));
    }
    Ok(group)
}

/// Overrides the pool's request settings on one (group, pool) assignment.
pub async fn set_override(
    state: &AppState,
    actor: &Actor,
    group_id: &str,
    pool: &str,
    settings: &RequestSettingsWire,
) -> Result<AssignmentRequestSettings> {
    let op = Operation::AccessRequestSettings;
    let (mut tx, _, now) = begin_as(state, actor, op, Access::Change, Some(pool)).await?;
    let settings = validate_request_settings(settings).map_err(Error::violations)?;
    let mut group = assignment(state, group_id, pool).await?;
    group.request_overrides.retain(|o| o.agent_pool_id != pool);
    group.request_overrides.push(AssignmentOverrideWire {
        agent_pool_id: pool.to_owned(),
        request_settings: settings.clone(),
    });
    tx.put_group(&group, now, Some(&actor.email)).await?;
    let details = json!({"agentPoolId": pool, "requestSettings": settings});
    let target = format!("group:{group_id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::GroupUpdated,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(AssignmentRequestSettings {
        group_id: group_id.to_owned(),
        agent_pool_id: pool.to_owned(),
        request_settings: settings,
    })
}

/// Removes an assignment's override: the pool's settings apply again.
pub async fn remove_override(
    state: &AppState,
    actor: &Actor,
    group_id: &str,
    pool: &str,
) -> Result<()> {
    let op = Operation::AccessRequestSettings;
    let (mut tx, _, now) = begin_as(state, actor, op, Access::Change, Some(pool)).await?;
    let mut group = assignment(state, group_id, pool).await?;
    let before = group.request_overrides.len();
    group.request_overrides.retain(|o| o.agent_pool_id != pool);
    if group.request_overrides.len() == before {
        return Err(Error::not_found(
            "group.requestOverrides.unknown",
            format!("no override for “{pool}” in “{group_id}”"),
        ));
    }
    tx.put_group(&group, now, Some(&actor.email)).await?;
    let details = json!({"agentPoolId": pool, "requestSettings": Value::Null});
    let target = format!("group:{group_id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::GroupUpdated,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
