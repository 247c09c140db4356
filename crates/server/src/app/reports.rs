//! The access summary: configuration and current access per pool, group or
//! user (the policy's `access_report`), for those who read users.

use interim_policy::catalogue::{Access, Operation};
use interim_policy::report::{AccessReport, ReportBy, access_report};

use super::{Actor, Result, require};
use crate::AppState;

pub async fn access(state: &AppState, actor: &Actor, by: ReportBy) -> Result<AccessReport> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(&snapshot, actor, Operation::Users, Access::View, None, now)?;
    Ok(access_report(&snapshot, now, by))
}
