//! The system's own writes, on a timer: `grant.expired` in the audit log
//! within about a second of each expiry, requests closed when due, the
//! oldest rows of the change log removed, and the cached snapshot compacted
//! when removed grants and requests pile up in it.
//! Decisions never wait for it: they compare against the clock. Each pass
//! calls the same use cases a person's action takes.

use std::time::Duration;

use crate::AppState;
use crate::app::{self, Result};

/// How often the sweeper looks.
pub const SWEEP_EVERY: Duration = Duration::from_millis(250);

/// One pass over grants: every expired grant not yet logged gets its
/// event. Returns how many were written.
pub async fn sweep(state: &AppState) -> Result<usize> {
    app::grants::log_expiries(state).await
}

/// One pass over access requests: a pending request unanswered for 24 hours
/// becomes `expired`, an approved one whose period is over `ended`.
pub async fn sweep_requests(state: &AppState) -> Result<usize> {
    app::requests::close_due(state).await
}

/// Runs [`sweep`] and [`sweep_requests`] forever.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&state).await {
                tracing::error!(error = %e.message, "the expiry sweeper failed; retrying");
            }
            if let Err(e) = sweep_requests(&state).await {
                tracing::error!(error = %e.message, "the request sweeper failed; retrying");
            }
            if let Err(e) = state.store.prune_changes().await {
                tracing::error!(error = %e, "pruning the change log failed; retrying");
            }
            if let Err(e) = state.store.compact_snapshot().await {
                tracing::error!(error = %e, "compacting the snapshot failed; retrying");
            }
        }
    })
}
