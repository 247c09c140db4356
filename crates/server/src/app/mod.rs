//! Use cases: what a person (or the system) can do, each written once.
//!
//! A use case takes the actor and its input, runs in one write transaction,
//! asks the policy, writes, appends the audit event, queues notifications,
//! commits, and returns a typed result or an [`Error`]. The HTTP handlers
//! (`crate::routes`) only extract, call and map to HTTP; the sweeper calls
//! the same use cases as the system actor. Nothing here knows HTTP.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::{Check, decide_idx};
use interim_policy::snapshot::Snapshot;
use serde_json::Value;

use crate::AppState;
use crate::store::WriteTx;
pub use crate::store::new_id;

pub mod activation;
pub mod actor;
pub mod audit;
pub mod error;
pub mod explain;
pub mod grants;
pub mod groups;
pub mod keys;
pub mod outbox;
pub mod password;
pub mod pools;
pub mod reports;
pub mod request_settings;
pub mod requests;
pub mod sessions;
pub mod settings;
pub mod users;

pub use actor::{Actor, Credential};
pub use error::{Error, Kind, Result};

/// The actor named in the audit log for what the server does by itself.
pub const SYSTEM: &str = "system";

/// Opens the one write transaction: the company as it sees it, and the
/// instant the use case acts at.
pub async fn begin(state: &AppState) -> Result<(WriteTx, Arc<Snapshot>, DateTime<Utc>)> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let snapshot = tx.snapshot(now).await?;
    Ok((tx, snapshot, now))
}

/// The company as cached now: for refusing before the write lock is taken,
/// so that a flood of refused writes waits for nobody's write (and no one
/// waits for it). The check inside the transaction stays the authority.
pub async fn cached(state: &AppState) -> Result<(Arc<Snapshot>, DateTime<Utc>)> {
    let now = state.clock.now();
    Ok((state.store.snapshot(now).await?, now))
}

/// Opens the one write transaction and refuses, with the policy's reason,
/// unless the actor may `access` `op` (on `pool`, for environment operations).
/// A refusal is found on the cached company first, without the write lock.
pub async fn begin_as(
    state: &AppState,
    actor: &Actor,
    op: Operation,
    access: Access,
    pool: Option<&str>,
) -> Result<(WriteTx, Arc<Snapshot>, DateTime<Utc>)> {
    let (company, now) = cached(state).await?;
    require(&company, actor, op, access, pool, now)?;
    let (tx, snapshot, now) = begin(state).await?;
    require(&snapshot, actor, op, access, pool, now)?;
    Ok((tx, snapshot, now))
}

/// Refuses with the policy's reason unless the actor may `access` `op`.
pub fn require(
    snapshot: &Snapshot,
    actor: &Actor,
    op: Operation,
    access: Access,
    pool: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let p = match pool {
        Some(id) => match snapshot.pool_idx(id) {
            Some(p) => Some(p),
            // Unknown pool: answer "not found" only to callers who may use
            // the operation somewhere, so ids cannot be probed.
            None => {
                let anywhere =
                    decide_idx(snapshot, actor.idx, Check::Operation(op, access), None, now)
                        .allowed
                        || snapshot.has_live_role(actor.idx, interim_policy::Role::GroupAdmin);
                return Err(if anywhere {
                    Error::not_found("agentPool.id.unknown", format!("no agent pool “{id}”"))
                } else {
                    Error::forbidden("deny.level_too_low", not_allowed(op, access))
                });
            }
        },
        None => None,
    };
    let d = decide_idx(snapshot, actor.idx, Check::Operation(op, access), p, now);
    if d.allowed {
        Ok(())
    } else {
        let w = d.to_wire(snapshot);
        Err(Error::forbidden(
            &w.reason,
            format!("{}: {}", not_allowed(op, access), w.message),
        ))
    }
}

/// "You may not change access groups", in the catalogue's words.
fn not_allowed(op: Operation, access: Access) -> String {
    let verb = match access {
        Access::View => "see",
        Access::Change => "change",
    };
    let title = op.title();
    let mut what = title.chars();
    let what = what
        .next()
        .map(|c| c.to_lowercase().chain(what).collect::<String>())
        .unwrap_or_default();
    format!("You may not {verb} {what}")
}

/// Whether the actor may `access` `op` (no error).
pub fn allowed(
    snapshot: &Snapshot,
    actor: &Actor,
    op: Operation,
    access: Access,
    now: DateTime<Utc>,
) -> bool {
    decide_idx(snapshot, actor.idx, Check::Operation(op, access), None, now).allowed
}

/// Appends one event to the audit log, in the use case's transaction.
pub async fn record(
    tx: &mut WriteTx,
    actor: &str,
    now: DateTime<Utc>,
    action: AuditAction,
    target: String,
    details: Value,
    reason: Option<String>,
) -> Result<()> {
    tx.audit(NewEvent {
        time: now,
        actor: actor.to_owned(),
        action,
        target,
        details,
        reason,
    })
    .await?;
    Ok(())
}
