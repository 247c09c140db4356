//! Agent pools: listed and read with R on agent pools (on that pool),
//! created, renamed and deleted with WR; a pool that a group holds or an
//! active grant names is not deleted.

use chrono::{DateTime, Utc};
use interim_policy::answer::Pool;
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::time::format_instant;
use interim_policy::user::{PoolInput, validate_pool};
use interim_policy::wire::AgentPoolWire;
use serde_json::json;

use super::{Actor, Error, Result, begin_as, new_id, record, require};
use crate::AppState;
use crate::store::{PoolRecord, WriteTx, from_ms};

fn answer(p: PoolRecord) -> Pool {
    Pool {
        id: p.wire.id,
        name: p.wire.name,
        description: p.wire.description,
        created_by: p.created_by,
        created_date: format_instant(from_ms(p.created_ms)),
        agents_enabled: p.agents_enabled,
        live_agents_count: 0,
    }
}

/// The fields pools can be sorted by, and the default order.
pub const SORTABLE: &[&str] = &[
    "name",
    "description",
    "createdBy",
    "createdDate",
    "agentsEnabled",
];
pub const DEFAULT_SORT: (&str, bool) = ("name", true);

/// Pools whose name holds `name` (any letter case), in `sort` order.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    name: Option<&str>,
    sort: &[(String, bool)],
) -> Result<Vec<Pool>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        actor,
        Operation::AgentPools,
        Access::View,
        None,
        now,
    )?;
    let filter = name.map(str::to_lowercase);
    let mut pools: Vec<PoolRecord> = state
        .store
        .pools()
        .await?
        .into_iter()
        .filter(|p| {
            filter
                .as_ref()
                .is_none_or(|f| p.wire.name.to_lowercase().contains(f.as_str()))
        })
        .collect();
    pools.sort_by(|a, b| {
        for (field, asc) in sort {
            let o = match field.as_str() {
                "description" => a.wire.description.cmp(&b.wire.description),
                "createdBy" => a.created_by.cmp(&b.created_by),
                "createdDate" => a.created_ms.cmp(&b.created_ms),
                "agentsEnabled" => a.agents_enabled.cmp(&b.agents_enabled),
                _ => a.wire.name.to_lowercase().cmp(&b.wire.name.to_lowercase()),
            };
            let o = if *asc { o } else { o.reverse() };
            if o.is_ne() {
                return o;
            }
        }
        a.wire.id.cmp(&b.wire.id)
    });
    Ok(pools.into_iter().map(answer).collect())
}

async fn find(state: &AppState, id: &str) -> Result<PoolRecord> {
    state
        .store
        .pools()
        .await?
        .into_iter()
        .find(|p| p.wire.id == id)
        .ok_or_else(|| unknown(id))
}

fn unknown(id: &str) -> Error {
    Error::not_found("agentPool.id.unknown", format!("no agent pool “{id}”"))
}

pub async fn one(state: &AppState, actor: &Actor, id: &str) -> Result<Pool> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        actor,
        Operation::AgentPools,
        Access::View,
        Some(id),
        now,
    )?;
    Ok(answer(find(state, id).await?))
}

async fn audited(
    tx: &mut WriteTx,
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    pool: &AgentPoolWire,
) -> Result<()> {
    let details = json!({ "name": pool.name, "description": pool.description });
    let target = format!("pool:{}", pool.id);
    record(tx, &actor.email, now, action, target, details, None).await
}

pub async fn create(state: &AppState, actor: &Actor, input: &PoolInput) -> Result<Pool> {
    let (mut tx, snapshot, now) =
        begin_as(state, actor, Operation::AgentPools, Access::Change, None).await?;
    let (name, description) =
        validate_pool(Some(&snapshot), None, input).map_err(Error::violations)?;
    let pool = AgentPoolWire {
        id: new_id()?,
        name,
        description,
        request_settings: None,
        access_reviewers: Vec::new(),
    };
    tx.put_pool(&pool, now, Some(&actor.email)).await?;
    audited(&mut tx, actor, now, AuditAction::PoolCreated, &pool).await?;
    tx.commit().await?;
    Ok(answer(PoolRecord {
        wire: pool,
        created_ms: now.timestamp_millis(),
        created_by: Some(actor.email.clone()),
        agents_enabled: true,
    }))
}

/// The vendor's `detach-agents` (`enabled` false: active agents are
/// disconnected and new ones refused) and `enable-agents`: an attribute of
/// the pool, changed with WR on it and audited when it changes.
pub async fn set_agents(state: &AppState, actor: &Actor, id: &str, enabled: bool) -> Result<()> {
    let (mut tx, _, now) = begin_as(
        state,
        actor,
        Operation::AgentPools,
        Access::Change,
        Some(id),
    )
    .await?;
    let stored = find(state, id).await?;
    if tx.set_agents_enabled(id, enabled).await? {
        let details = json!({ "name": stored.wire.name, "agentsEnabled": enabled });
        let target = format!("pool:{id}");
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
    }
    tx.commit().await?;
    Ok(())
}

pub async fn update(state: &AppState, actor: &Actor, id: &str, input: &PoolInput) -> Result<Pool> {
    let (mut tx, snapshot, now) = begin_as(
        state,
        actor,
        Operation::AgentPools,
        Access::Change,
        Some(id),
    )
    .await?;
    let mut stored = find(state, id).await?;
    let (name, description) =
        validate_pool(Some(&snapshot), Some(id), input).map_err(Error::violations)?;
    stored.wire.name = name;
    stored.wire.description = description;
    tx.put_pool(&stored.wire, now, Some(&actor.email)).await?;
    audited(&mut tx, actor, now, AuditAction::PoolUpdated, &stored.wire).await?;
    tx.commit().await?;
    Ok(answer(stored))
}

/// Deletes a pool that no group holds and no active grant names.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<()> {
    let (mut tx, snapshot, now) = begin_as(
        state,
        actor,
        Operation::AgentPools,
        Access::Change,
        Some(id),
    )
    .await?;
    let stored = find(state, id).await?;
    let p = snapshot.pool_idx(id).ok_or_else(|| unknown(id))?;
    let in_grant = snapshot
        .active_grants(now, None)
        .any(|g| g.pools.contains(&p));
    let in_group = snapshot.groups().iter().find(|g| g.pools.contains(&p));
    if in_grant || in_group.is_some() {
        let why = match in_group {
            Some(g) => format!("group “{}” holds it", g.name),
            None => "an active grant names it".to_owned(),
        };
        return Err(Error::conflict(
            "agentPool.id.in_use",
            format!("the pool is in use: {why}"),
        ));
    }
    tx.delete_pool(id).await?;
    audited(&mut tx, actor, now, AuditAction::PoolDeleted, &stored.wire).await?;
    tx.commit().await?;
    Ok(())
}
