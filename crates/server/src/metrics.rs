//! Prometheus metrics at `/metrics`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;

#[derive(Debug, Default, Clone)]
pub struct Metrics(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    expired_logged: AtomicU64,
    expiry_lag_last_ms: AtomicI64,
    expiry_lag_max_ms: AtomicI64,
    expiry_lag_sum_ms: AtomicI64,
}

impl Metrics {
    /// Records the time from a grant's expiry to its audit record.
    pub fn expiry_lag(&self, ms: i64) {
        self.0.expired_logged.fetch_add(1, Ordering::Relaxed);
        self.0.expiry_lag_last_ms.store(ms, Ordering::Relaxed);
        self.0.expiry_lag_max_ms.fetch_max(ms, Ordering::Relaxed);
        self.0.expiry_lag_sum_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let now = state.clock.now();
    let (active, users, pools) = match state.store.snapshot(now).await {
        Ok(s) => (
            s.active_grants(now, None).count(),
            s.users().len(),
            s.pools().len(),
        ),
        Err(_) => (0, 0, 0),
    };
    let m = &state.metrics.0;
    let reads = state.store.snapshot_reads();
    let body = format!(
        "# HELP interim_active_grants Temporary access grants active now.\n\
         # TYPE interim_active_grants gauge\n\
         interim_active_grants {active}\n\
         # HELP interim_users Users of the company.\n\
         # TYPE interim_users gauge\n\
         interim_users {users}\n\
         # HELP interim_agent_pools Agent pools of the company.\n\
         # TYPE interim_agent_pools gauge\n\
         interim_agent_pools {pools}\n\
         # HELP interim_grant_expiry_audit_lag_seconds Time from a grant's expiry to its audit record.\n\
         # TYPE interim_grant_expiry_audit_lag_seconds summary\n\
         interim_grant_expiry_audit_lag_seconds_count {}\n\
         interim_grant_expiry_audit_lag_seconds_sum {:.3}\n\
         # HELP interim_grant_expiry_audit_lag_max_seconds The longest such lag since start.\n\
         # TYPE interim_grant_expiry_audit_lag_max_seconds gauge\n\
         interim_grant_expiry_audit_lag_max_seconds {:.3}\n\
         # HELP interim_snapshot_reads_total Company snapshots made: read and indexed whole, or from the last one and what changed.\n\
         # TYPE interim_snapshot_reads_total counter\n\
         interim_snapshot_reads_total{{made=\"whole\"}} {}\n\
         interim_snapshot_reads_total{{made=\"changes\"}} {}\n\
         # HELP interim_audit_log_valid The audit log's chain and signed checkpoints as verified at start-up (1 valid, 0 broken, -1 not checked).\n\
         # TYPE interim_audit_log_valid gauge\n\
         interim_audit_log_valid {}\n",
        m.expired_logged.load(Ordering::Relaxed),
        m.expiry_lag_sum_ms.load(Ordering::Relaxed) as f64 / 1000.0,
        m.expiry_lag_max_ms.load(Ordering::Relaxed) as f64 / 1000.0,
        reads.whole,
        reads.applied,
        match state.audit_verified() {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        },
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
