//! The access summary: configuration and current access per pool, group or
//! user (the policy's `access_report`), for those who read users.

use interim_policy::catalogue::{Access, Operation};
use interim_policy::report::{AccessReport, ReportBy, access_report};

use super::{Actor, Error, Result, require};
use crate::AppState;

/// The summary `by` pool, group or user; with `id`, of that one only.
pub async fn access(
    state: &AppState,
    actor: &Actor,
    by: ReportBy,
    id: Option<&str>,
) -> Result<AccessReport> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(&snapshot, actor, Operation::Users, Access::View, None, now)?;
    let report = access_report(&snapshot, now, by);
    match id {
        None => Ok(report),
        Some(id) => report.only(id).ok_or_else(|| {
            Error::not_found(
                "report.id.unknown",
                format!("There is no {} “{id}” in the company.", by.noun()),
            )
        }),
    }
}
