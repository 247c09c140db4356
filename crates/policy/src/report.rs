//! The access summary (SPEC §4, tracking): configuration and current access
//! per pool, per group and per user, at an instant — as data, and as CSV.
//! The server, the CLI and the npm package give the same report because it
//! is computed here.

use serde::{Deserialize, Serialize};

use crate::decision::effective_permissions;
use crate::role::PoolLevel;
use crate::snapshot::{Snapshot, UserIdx};
use crate::time::{Instant, format_instant};
use crate::wire::RequestSettingsWire;

/// How the report's rows are ordered and its CSV laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReportBy {
    #[default]
    Pool,
    Group,
    User,
}

impl ReportBy {
    /// Each way, by the name the API takes.
    pub const NAMED: [(&'static str, ReportBy); 3] = [
        ("pool", ReportBy::Pool),
        ("group", ReportBy::Group),
        ("user", ReportBy::User),
    ];

    /// `pool`, `group` or `user`.
    pub fn parse(text: &str) -> Option<ReportBy> {
        Self::NAMED
            .into_iter()
            .find_map(|(name, by)| (name == text).then_some(by))
    }
}

/// One source of one user's current access to one pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessRow {
    pub agent_pool_id: String,
    pub pool_name: String,
    pub user: String,
    pub level: PoolLevel,
    /// `group`, `grant`, `request` or `rbacOff` (every pool, Standard).
    pub source: String,
    /// The group, grant or request that gives the access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// When this source ends (grants and requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// A pool's configuration and how many use it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolSummary {
    pub agent_pool_id: String,
    pub name: String,
    /// The pool's default request settings (absent: requests off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_settings: Option<RequestSettingsWire>,
    pub access_reviewers: Vec<String>,
    /// Groups holding the pool.
    pub group_ids: Vec<String>,
    /// Users with access now.
    pub users_with_access: usize,
}

/// A group's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupSummary {
    pub group_id: String,
    pub name: String,
    pub agent_pool_ids: Vec<String>,
    /// The highest pool role the group gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<PoolLevel>,
    pub members: usize,
    pub group_admins: Vec<String>,
    /// Pools whose request settings this group's assignment overrides.
    pub overridden_pools: Vec<String>,
}

/// A user's standing and current access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSummary {
    pub email: String,
    pub enabled: bool,
    pub roles: Vec<crate::role::Role>,
    /// Pools the user can use now.
    pub pools: usize,
    /// Pools locked for the user's groups, which a request can open.
    pub locked_pools: Vec<String>,
}

/// The whole summary at `generatedAt`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessReport {
    pub generated_at: String,
    pub by: ReportBy,
    pub pools: Vec<PoolSummary>,
    pub groups: Vec<GroupSummary>,
    pub users: Vec<UserSummary>,
    /// Every source of current access, ordered by `by`.
    pub access: Vec<AccessRow>,
}

/// What gives an allowed pool decision: the source it names.
fn source_of(d: &crate::decision::DecisionWire) -> (&'static str, Option<String>) {
    match (&d.grant_id, &d.request_id, &d.group_id) {
        (Some(id), _, _) => ("grant", Some(id.clone())),
        (None, Some(id), _) => ("request", Some(id.clone())),
        (None, None, Some(id)) => ("group", Some(id.clone())),
        (None, None, None) => ("rbacOff", None),
    }
}

/// The access summary of the company at `now`.
pub fn access_report(snapshot: &Snapshot, now: Instant, by: ReportBy) -> AccessReport {
    let mut access = Vec::new();
    let mut users = Vec::with_capacity(snapshot.users().len());
    for (i, user) in snapshot.users().iter().enumerate() {
        let Some(p) = u32::try_from(i)
            .ok()
            .and_then(|i| effective_permissions(snapshot, UserIdx(i), now))
        else {
            continue;
        };
        for pool in &p.pools {
            let name = snapshot
                .pool_idx(&pool.agent_pool_id)
                .and_then(|i| snapshot.pool(i))
                .map(|p| p.name.clone())
                .unwrap_or_default();
            for s in &pool.sources {
                if !s.allowed {
                    continue;
                }
                let (source, source_id) = source_of(s);
                access.push(AccessRow {
                    agent_pool_id: pool.agent_pool_id.clone(),
                    pool_name: name.clone(),
                    user: user.email.clone(),
                    level: s.pool_level.unwrap_or(pool.level),
                    source: source.to_owned(),
                    source_id,
                    until: s.until.clone(),
                });
            }
        }
        users.push(UserSummary {
            email: user.email.clone(),
            enabled: user.enabled,
            roles: user.roles.iter().collect(),
            pools: p.pools.len(),
            locked_pools: p.locked_pools,
        });
    }
    let pools = snapshot
        .pools()
        .iter()
        .map(|pool| {
            let mut holders: Vec<String> = snapshot
                .groups()
                .iter()
                .filter(|g| {
                    g.pools
                        .iter()
                        .any(|&p| snapshot.pool(p).is_some_and(|x| x.id == pool.id))
                })
                .map(|g| g.id.clone())
                .collect();
            crate::order::sort(&mut holders);
            let mut who: Vec<&str> = access
                .iter()
                .filter(|r| r.agent_pool_id == pool.id)
                .map(|r| r.user.as_str())
                .collect();
            crate::order::sort(&mut who);
            who.dedup();
            PoolSummary {
                agent_pool_id: pool.id.clone(),
                name: pool.name.clone(),
                request_settings: pool.request_settings.as_ref().map(|s| s.to_wire()),
                access_reviewers: pool
                    .reviewers
                    .iter()
                    .filter_map(|&u| snapshot.user(u))
                    .map(|u| u.email.clone())
                    .collect(),
                group_ids: holders,
                users_with_access: who.len(),
            }
        })
        .collect();
    let groups = snapshot
        .groups()
        .iter()
        .map(|g| GroupSummary {
            group_id: g.id.clone(),
            name: g.name.clone(),
            agent_pool_ids: g
                .pools
                .iter()
                .filter_map(|&p| snapshot.pool(p))
                .map(|p| p.id.clone())
                .collect(),
            level: g.level,
            members: g.members.len(),
            group_admins: g
                .members
                .iter()
                .filter(|m| m.group_admin)
                .filter_map(|m| snapshot.user(m.user))
                .map(|u| u.email.clone())
                .collect(),
            overridden_pools: g
                .overrides
                .iter()
                .filter_map(|(p, _)| snapshot.pool(*p))
                .map(|p| p.id.clone())
                .collect(),
        })
        .collect();
    match by {
        ReportBy::Pool | ReportBy::Group => crate::order::sort_by(&mut access, |a, b| {
            (&a.agent_pool_id, &a.user, &a.source).cmp(&(&b.agent_pool_id, &b.user, &b.source))
        }),
        ReportBy::User => crate::order::sort_by(&mut access, |a, b| {
            (&a.user, &a.agent_pool_id, &a.source).cmp(&(&b.user, &b.agent_pool_id, &b.source))
        }),
    }
    if by == ReportBy::Group {
        // Group view: access that comes through a group, by group.
        access.retain(|r| r.source == "group");
        crate::order::sort_by(&mut access, |a, b| {
            (&a.source_id, &a.agent_pool_id, &a.user).cmp(&(
                &b.source_id,
                &b.agent_pool_id,
                &b.user,
            ))
        });
    }
    AccessReport {
        generated_at: format_instant(now),
        by,
        pools,
        groups,
        users,
        access,
    }
}

/// The report's access rows as CSV, columns led by the report's `by`.
pub fn report_csv(report: &AccessReport) -> String {
    let header: &[&str] = match report.by {
        ReportBy::Pool => &[
            "agentPoolId",
            "poolName",
            "user",
            "level",
            "source",
            "sourceId",
            "until",
        ],
        ReportBy::Group => &[
            "groupId",
            "agentPoolId",
            "poolName",
            "user",
            "level",
            "until",
        ],
        ReportBy::User => &[
            "user",
            "agentPoolId",
            "poolName",
            "level",
            "source",
            "sourceId",
            "until",
        ],
    };
    let rows = report.access.iter().map(|r| {
        let level = r.level.wire_name();
        let sid = r.source_id.as_deref().unwrap_or_default();
        let until = r.until.as_deref().unwrap_or_default();
        match report.by {
            ReportBy::Pool => vec![
                &r.agent_pool_id,
                &r.pool_name,
                &r.user,
                level,
                &r.source,
                sid,
                until,
            ],
            ReportBy::Group => vec![sid, &r.agent_pool_id, &r.pool_name, &r.user, level, until],
            ReportBy::User => vec![
                &r.user,
                &r.agent_pool_id,
                &r.pool_name,
                level,
                &r.source,
                sid,
                until,
            ],
        }
    });
    crate::csv_file::csv_file(header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_by_parses() {
        assert_eq!(ReportBy::parse("user"), Some(ReportBy::User));
        assert_eq!(ReportBy::parse("team"), None);
    }
}
