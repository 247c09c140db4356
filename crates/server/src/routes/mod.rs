//! The HTTP API: each resource module has its own `router()`.

use axum::Router;
use chrono::{DateTime, Utc};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::{Check, decide_idx};
use interim_policy::snapshot::Snapshot;

use crate::AppState;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};

pub mod audit;
pub mod explain;
pub mod groups;
pub mod health;
pub mod keys;
pub mod notifications;
pub mod pools;
pub mod requests;
pub mod session;
pub mod settings;
pub mod temp_access;
pub mod users;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(session::router())
        .merge(temp_access::router())
        .merge(pools::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(groups::router())
        .merge(keys::router())
        .merge(settings::router())
        .merge(explain::router())
        .merge(requests::router())
        .merge(notifications::router())
}

/// Opens the one write transaction and refuses, with the policy's reason,
/// unless the actor may `access` `op` (on `pool`, for environment operations).
pub async fn begin_as(
    state: &AppState,
    actor: &Actor,
    op: Operation,
    access: Access,
    pool: Option<&str>,
) -> ApiResult<(
    crate::store::WriteTx,
    std::sync::Arc<Snapshot>,
    DateTime<Utc>,
)> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let snapshot = tx.snapshot(now).await?;
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
) -> ApiResult<()> {
    actor.in_scope(op.category())?;
    let p = match pool {
        Some(id) => match snapshot.pool_idx(id) {
            Some(p) => Some(p),
            // Unknown pool: answer 404 only to callers who may use the
            // operation somewhere, so ids cannot be probed.
            None => {
                let anywhere =
                    decide_idx(snapshot, actor.idx, Check::Operation(op, access), None, now)
                        .allowed
                        || snapshot.has_live_role(actor.idx, interim_policy::Role::GroupAdmin);
                return Err(if anywhere {
                    ApiError::not_found("agentPool.id.unknown", format!("no agent pool `{id}`"))
                } else {
                    ApiError::forbidden(
                        "deny.level_too_low",
                        format!("{} `{}` is not allowed", access.wire_name(), op.id()),
                    )
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
        Err(ApiError::forbidden(
            &w.reason,
            format!(
                "{} `{}` is not allowed: {}",
                access.wire_name(),
                op.id(),
                w.message
            ),
        ))
    }
}

/// Whether the actor may `access` `op` (no error).
pub fn allowed(
    snapshot: &Snapshot,
    actor: &Actor,
    op: Operation,
    access: Access,
    now: DateTime<Utc>,
) -> bool {
    actor.in_scope(op.category()).is_ok()
        && decide_idx(snapshot, actor.idx, Check::Operation(op, access), None, now).allowed
}

/// A new random id.
pub fn new_id() -> ApiResult<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| ApiError::internal("id", e))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |a: usize, b: usize| h.get(a..b).unwrap_or_default();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    ))
}
