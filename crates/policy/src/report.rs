//! The access summary (SPEC §4, tracking): configuration and current access
//! per pool, per group and per user, at an instant — as data, and as CSV.
//! The server, the CLI and the npm package give the same report because it
//! is computed here.

use serde::{Deserialize, Serialize};

use crate::decision::effective_permissions;
use crate::role::PoolLevel;
use crate::snapshot::{Snapshot, UserIdx};
use crate::time::{Instant, format_instant};
use crate::vocab::RequestSettings;
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

    /// What one row of this view is about, in words.
    pub fn noun(self) -> &'static str {
        match self {
            ReportBy::Pool => "agent pool",
            ReportBy::Group => "access group",
            ReportBy::User => "user",
        }
    }

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
    /// By group: the group whose member this is (the access may come
    /// through the group, a grant or a request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
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
    /// The request settings in words.
    pub access_requests: String,
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
    /// The request settings of each assignment in words, one per
    /// `agentPoolIds` entry (the group's own, else the pool's).
    pub access_requests: Vec<String>,
}

/// A user's standing and current access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSummary {
    pub email: String,
    pub enabled: bool,
    pub roles: Vec<crate::role::Role>,
    /// The access groups the user is a member of.
    pub group_ids: Vec<String>,
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
                    group_id: None,
                });
            }
        }
        let u = UserIdx(u32::try_from(i).unwrap_or(u32::MAX));
        users.push(UserSummary {
            email: user.email.clone(),
            enabled: user.enabled,
            roles: user.roles.iter().collect(),
            group_ids: snapshot
                .groups()
                .iter()
                .filter(|g| g.members.iter().any(|m| m.user == u))
                .map(|g| g.id.clone())
                .collect(),
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
                access_requests: RequestSettings::describe(pool.request_settings.as_ref()),
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
            access_requests: g
                .pools
                .iter()
                .map(|&p| {
                    let own = g.overrides.iter().find(|(q, _)| *q == p).map(|(_, s)| s);
                    let settings =
                        own.or_else(|| snapshot.pool(p).and_then(|x| x.request_settings.as_ref()));
                    RequestSettings::describe(settings)
                })
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
        // Group view: each group's members' access to the group's pools,
        // whatever gives it (the group, a grant, a request), by group.
        access = by_group(snapshot, &access);
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

/// Each group's members' access rows on the group's pools, marked with the
/// group, in the groups' order.
fn by_group(snapshot: &Snapshot, access: &[AccessRow]) -> Vec<AccessRow> {
    let mut rows = Vec::new();
    for g in snapshot.groups() {
        let members: Vec<&str> = g
            .members
            .iter()
            .filter_map(|m| snapshot.user(m.user))
            .map(|u| u.email.as_str())
            .collect();
        let pools: Vec<&str> = g
            .pools
            .iter()
            .filter_map(|&p| snapshot.pool(p))
            .map(|p| p.id.as_str())
            .collect();
        let mut mine: Vec<AccessRow> = access
            .iter()
            .filter(|r| members.contains(&r.user.as_str()))
            .filter(|r| pools.contains(&r.agent_pool_id.as_str()))
            .map(|r| AccessRow {
                group_id: Some(g.id.clone()),
                ..r.clone()
            })
            .collect();
        crate::order::sort_by(&mut mine, |a, b| {
            (&a.agent_pool_id, &a.user, &a.source).cmp(&(&b.agent_pool_id, &b.user, &b.source))
        });
        rows.append(&mut mine);
    }
    rows
}

impl AccessReport {
    /// The report narrowed to one pool, group or user (by its `by`): its
    /// summary and its access rows; `None` when the report has no such one.
    pub fn only(mut self, id: &str) -> Option<AccessReport> {
        match self.by {
            ReportBy::Pool => {
                self.pools.retain(|p| p.agent_pool_id == id);
                self.pools.first()?;
                self.access.retain(|r| r.agent_pool_id == id);
            }
            ReportBy::Group => {
                self.groups.retain(|g| g.group_id == id);
                self.groups.first()?;
                self.access.retain(|r| r.group_id.as_deref() == Some(id));
            }
            ReportBy::User => {
                self.users
                    .retain(|u| crate::email::same_email(&u.email, id));
                let email = self.users.first()?.email.clone();
                self.access.retain(|r| r.user == email);
            }
        }
        Some(self)
    }
}

/// The report as CSV: one row per source of access, led by the report's
/// `by`, each row carrying its pool's, group's or user's configuration;
/// a pool, group or user without access still has a row of its own (its
/// configuration, the access columns empty).
pub fn report_csv(report: &AccessReport) -> String {
    let access = |r: &AccessRow| -> [String; 7] {
        [
            r.agent_pool_id.clone(),
            r.pool_name.clone(),
            r.user.clone(),
            r.level.wire_name().to_owned(),
            r.source.clone(),
            r.source_id.clone().unwrap_or_default(),
            r.until.clone().unwrap_or_default(),
        ]
    };
    let none = || -> [String; 7] { Default::default() };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let header: &[&str] = match report.by {
        ReportBy::Pool => {
            for p in &report.pools {
                let config = [
                    p.agent_pool_id.clone(),
                    p.name.clone(),
                    p.access_requests.clone(),
                    p.group_ids.join(" "),
                ];
                let mine: Vec<&AccessRow> = report
                    .access
                    .iter()
                    .filter(|r| r.agent_pool_id == p.agent_pool_id)
                    .collect();
                if mine.is_empty() {
                    rows.push(
                        config
                            .iter()
                            .cloned()
                            .chain(none().into_iter().skip(2))
                            .collect(),
                    );
                }
                for r in mine {
                    rows.push(
                        config
                            .iter()
                            .cloned()
                            .chain(access(r).into_iter().skip(2))
                            .collect(),
                    );
                }
            }
            &[
                "agentPoolId",
                "poolName",
                "accessRequests",
                "groupIds",
                "user",
                "level",
                "source",
                "sourceId",
                "until",
            ]
        }
        ReportBy::Group => {
            for g in &report.groups {
                let mine: Vec<&AccessRow> = report
                    .access
                    .iter()
                    .filter(|r| r.group_id.as_deref() == Some(g.group_id.as_str()))
                    .collect();
                for (i, pool) in g.agent_pool_ids.iter().enumerate() {
                    let requests = g.access_requests.get(i).cloned().unwrap_or_default();
                    let config = [g.group_id.clone(), g.name.clone(), requests];
                    let on_pool: Vec<&&AccessRow> =
                        mine.iter().filter(|r| r.agent_pool_id == *pool).collect();
                    if on_pool.is_empty() {
                        let mut empty = none();
                        empty[0] = pool.clone();
                        rows.push(config.iter().cloned().chain(empty).collect());
                    }
                    for r in on_pool {
                        rows.push(config.iter().cloned().chain(access(r)).collect());
                    }
                }
            }
            &[
                "groupId",
                "groupName",
                "accessRequests",
                "agentPoolId",
                "poolName",
                "user",
                "level",
                "source",
                "sourceId",
                "until",
            ]
        }
        ReportBy::User => {
            for u in &report.users {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.wire_name()).collect();
                let config = [u.email.clone(), roles.join(" "), u.group_ids.join(" ")];
                let mine: Vec<&AccessRow> =
                    report.access.iter().filter(|r| r.user == u.email).collect();
                if mine.is_empty() {
                    rows.push(
                        config
                            .iter()
                            .cloned()
                            .chain(vec![String::new(); 6])
                            .collect(),
                    );
                }
                for r in mine {
                    let [pool, name, _, level, source, sid, until] = access(r);
                    rows.push(
                        config
                            .iter()
                            .cloned()
                            .chain([pool, name, level, source, sid, until])
                            .collect(),
                    );
                }
            }
            &[
                "user",
                "roles",
                "groupIds",
                "agentPoolId",
                "poolName",
                "level",
                "source",
                "sourceId",
                "until",
            ]
        }
    };
    crate::csv_file::csv_file(
        header,
        rows.iter()
            .map(|r| r.iter().map(String::as_str).collect::<Vec<_>>()),
    )
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
