//! Reading the audit log (R on audit events): filtered pages, the whole
//! filtered log for export, and the hash chain verified.

use interim_policy::answer::ChainCheck;
use interim_policy::audit::AuditEvent;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::checkpoint::verify_log;

use super::{Actor, Result, require};
use crate::AppState;
use crate::store::AuditFilter;

async fn allowed(state: &AppState, actor: &Actor) -> Result<()> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        actor,
        Operation::AuditEvents,
        Access::View,
        None,
        now,
    )
}

/// Events matching `filter`, oldest first, from `offset`, at most `limit`;
/// and how many match in all.
pub async fn events(
    state: &AppState,
    actor: &Actor,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditEvent>, i64)> {
    allowed(state, actor).await?;
    Ok(state.store.audit(filter, offset, limit).await?)
}

/// Whether every link of the chain holds and every signed checkpoint's
/// event is still there unchanged; every problem found.
pub async fn verify(state: &AppState, actor: &Actor) -> Result<ChainCheck> {
    allowed(state, actor).await?;
    check(state).await
}

/// The check itself, also run by the server at start-up.
pub async fn check(state: &AppState) -> Result<ChainCheck> {
    let chain = state.store.audit_chain().await?;
    let (public_key, all) = match state.checkpoints.as_ref() {
        Some(c) => (
            Some(c.public_key()),
            c.all()
                .map_err(|e| super::Error::internal("reading the audit checkpoints", e))?,
        ),
        None => (None, Vec::new()),
    };
    let (authentic, forged): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| {
        public_key
            .as_deref()
            .is_some_and(|k| interim_policy::checkpoint::signed_by(k, c))
    });
    let checked = u64::try_from(chain.len()).unwrap_or(u64::MAX);
    let (head, errors) = match verify_log(&chain, &authentic) {
        Ok(status) => (Some(status.head), Vec::new()),
        Err(errors) => (None, errors),
    };
    Ok(ChainCheck {
        valid: errors.is_empty() && forged.is_empty(),
        checked,
        head,
        errors,
        checkpoints: u64::try_from(authentic.len()).unwrap_or(u64::MAX),
        forged_checkpoints: u64::try_from(forged.len()).unwrap_or(u64::MAX),
        latest_checkpoint: authentic.into_iter().max_by_key(|c| c.count),
        public_key,
    })
}
