//! Writes `grant.expired` to the audit log within about a second of each
//! expiry. Decisions never wait for it: they compare against the clock.

use std::time::Duration;

use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::request::{RequestAction, RequestStatus, apply_action};
use interim_policy::time::format_instant;
use serde_json::json;

use crate::AppState;
use crate::notify;
use crate::store::{StoreError, StoreResult, from_ms};

/// How often the sweeper looks.
pub const SWEEP_EVERY: Duration = Duration::from_millis(250);

/// One pass: every expired grant not yet logged gets its event. Returns how
/// many were written.
pub async fn sweep(state: &AppState) -> StoreResult<usize> {
    let now = state.clock.now();
    let due = state.store.expired_unlogged(now).await?;
    let mut written = 0;
    for (id, name, expires_ms) in due {
        let mut tx = state.store.begin().await?;
        if tx.mark_expiry_logged(&id).await? {
            let lag_ms = now.timestamp_millis() - expires_ms;
            tx.audit(NewEvent {
                time: now,
                actor: "system".to_owned(),
                action: AuditAction::GrantExpired,
                target: format!("grant:{id}"),
                details: json!({ "name": name, "expiredAt": format_instant(from_ms(expires_ms)), "lagMs": lag_ms }),
                reason: None,
            })
            .await?;
            tx.commit().await?;
            state.metrics.expiry_lag(lag_ms);
            written += 1;
        }
    }
    Ok(written)
}

/// One pass over access requests: a pending request unanswered for 24 hours
/// becomes `expired`, an approved one whose period is over `ended` — each
/// through the policy's state machine, each written once. Decisions never
/// wait for this: they compare against the clock.
pub async fn sweep_requests(state: &AppState) -> StoreResult<usize> {
    let now = state.clock.now();
    let pending_before = interim_policy::request::pending_expired_if_created_by(now);
    let due = state.store.due_requests(now, pending_before).await?;
    let mut written = 0;
    for id in due {
        let mut tx = state.store.begin().await?;
        let snapshot = tx.snapshot(now).await?;
        let Some(ri) = snapshot.request_idx(&id) else {
            continue;
        };
        let pending = snapshot
            .request(ri)
            .is_some_and(|r| r.wire.status == RequestStatus::Pending);
        let (action, audited) = if pending {
            (RequestAction::Expire, AuditAction::RequestExpired)
        } else {
            (RequestAction::End, AuditAction::RequestEnded)
        };
        let Ok(t) = apply_action(&snapshot, ri, None, &action, now) else {
            continue;
        };
        if tx.transition_request(&t, None, now).await? {
            tx.audit(NewEvent {
                time: now,
                actor: "system".to_owned(),
                action: audited,
                target: format!("request:{id}"),
                details: json!({ "from": t.from, "to": t.to }),
                reason: None,
            })
            .await?;
            let mut told = 0;
            if let (Some(event), Some(before)) = (notify::Event::of(t.to), snapshot.request(ri)) {
                let now_stands = crate::routes::requests::transitioned(&before.wire, &t, None);
                told = notify::enqueue(
                    &mut tx,
                    &state.channels,
                    &snapshot,
                    event,
                    &now_stands,
                    None,
                    now,
                )
                .await
                .map_err(|e| StoreError::Internal(e.body.message))?;
            }
            tx.commit().await?;
            if told > 0 {
                notify::wake(&state.outbox);
            }
            written += 1;
        }
    }
    Ok(written)
}

/// Runs [`sweep`] and [`sweep_requests`] forever.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&state).await {
                tracing::error!(error = %e, "the expiry sweeper failed; retrying");
            }
            if let Err(e) = sweep_requests(&state).await {
                tracing::error!(error = %e, "the request sweeper failed; retrying");
            }
        }
    })
}
