//! Reading the audit log (R on audit events): filtered pages, the whole
//! filtered log for export, and the hash chain verified.

use interim_policy::answer::ChainCheck;
use interim_policy::audit::{AuditEvent, verify_chain};
use interim_policy::catalogue::{Access, Operation};

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

/// Whether every link of the chain holds, and every broken one.
pub async fn verify(state: &AppState, actor: &Actor) -> Result<ChainCheck> {
    allowed(state, actor).await?;
    let chain = state.store.audit_chain().await?;
    Ok(match verify_chain(&chain) {
        Ok(status) => ChainCheck {
            valid: true,
            checked: status.checked,
            head: Some(status.head),
            errors: Vec::new(),
        },
        Err(errors) => ChainCheck {
            valid: false,
            checked: u64::try_from(chain.len()).unwrap_or(u64::MAX),
            head: None,
            errors,
        },
    })
}
