//! Decisions with their reasons, effective permissions and explanations.
//!
//! A decision is computed on the indexed [`Snapshot`] with no allocation:
//! the reason refers to roles, groups, grants and requests by index, and is
//! turned into words (and wire form) only when asked.

use serde::{Deserialize, Serialize};

use crate::catalogue::{Access, Operation};
use crate::role::{Category, Level, PoolLevel, Role, RoleSet};
use crate::snapshot::{
    AccessEntry, EntrySource, GrantIdx, GroupIdx, PoolIdx, PoolLists, RequestIdx, Snapshot, UserIdx,
};
use crate::time::{Instant, format_instant};

/// What is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// View or change an operation of the catalogue.
    Operation(Operation, Access),
    /// Use a pool at a level.
    Pool(PoolLevel),
}

/// Where pool access comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolSource {
    Group(GroupIdx),
    Grant(GrantIdx),
    Request(RequestIdx),
}

/// Why a decision came out as it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A standing role gives the level needed.
    Role(Role),
    /// The Group Admin role, on a pool of an environment the user administers.
    GroupAdmin(GroupIdx),
    /// A Group Admin reads what the grant form needs (users, pools, grants).
    GrantManager(GroupIdx),
    /// Pool access from a group, grant or approved request.
    PoolAccess(PoolSource, PoolLevel),
    /// RBAC is off: every enabled user has Standard access to every pool.
    RbacOffStandard,

    UserUnknown,
    UserDisabled,
    PoolUnknown,
    /// The user's best level on the category is below what is needed.
    LevelTooLow {
        have: Level,
        need: Level,
    },
    /// A role that would give it is recorded but inert while RBAC is off.
    RoleInert(Role),
    /// The Group Admin role would give it, but not on this pool (or no pool was named).
    GroupAdminOutOfScope,
    /// The user has pool access, but below the level asked.
    PoolLevelTooLow(PoolSource, PoolLevel),
    /// The pool is locked for the user's group: access needs an approved request.
    PoolLocked(GroupIdx),
    /// A grant gave access to this pool, and it has expired.
    GrantExpired(GrantIdx),
    /// An approved request gave access to this pool, and its period is over.
    RequestEnded(RequestIdx),
    NoPoolAccess,
    /// RBAC is off: no pool is Privileged.
    RbacOffPrivileged,
}

/// Allowed or denied, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
}

impl Decision {
    fn allow(reason: Reason) -> Decision {
        Decision {
            allowed: true,
            reason,
        }
    }

    fn deny(reason: Reason) -> Decision {
        Decision {
            allowed: false,
            reason,
        }
    }
}

/// Decides by string ids.
pub fn decide(
    snapshot: &Snapshot,
    user: &str,
    check: Check,
    pool: Option<&str>,
    now: Instant,
) -> Decision {
    decide_found(
        snapshot,
        snapshot.user_idx(user),
        check,
        pool.map(|id| snapshot.pool_idx(id)),
        now,
    )
}

/// Decides on ids as looked up (wherever they were: the snapshot's own
/// index, or a caller's cache of it): `user` is `None` for an id the company
/// does not have; `pool` is `None` when none was named and `Some(None)` for
/// an unknown one. Unknown ids are refused, the user's first.
pub fn decide_found(
    snapshot: &Snapshot,
    user: Option<UserIdx>,
    check: Check,
    pool: Option<Option<PoolIdx>>,
    now: Instant,
) -> Decision {
    let Some(u) = user else {
        return Decision::deny(Reason::UserUnknown);
    };
    let p = match pool {
        None => None,
        Some(Some(p)) => Some(p),
        Some(None) => return Decision::deny(Reason::PoolUnknown),
    };
    decide_idx(snapshot, u, check, p, now)
}

/// Decides by interned indices (the batch path).
pub fn decide_idx(
    snapshot: &Snapshot,
    u: UserIdx,
    check: Check,
    pool: Option<PoolIdx>,
    now: Instant,
) -> Decision {
    decide_at(snapshot, u, check, pool, now.timestamp_millis())
}

/// Whether each (user, pool) pair may use the pool at `level` at one
/// instant, by interned indices: [`decide_idx`]'s answer by the same rules
/// ([`pool_gate`], then an entry that [gives](AccessEntry::gives) the
/// level), without choosing a reason; the instant read once for all.
/// Unknown indices are refused.
pub fn allowed_pools_idx<'a>(
    snapshot: &'a Snapshot,
    pairs: impl IntoIterator<Item = (UserIdx, PoolIdx)> + 'a,
    level: PoolLevel,
    now: Instant,
) -> impl Iterator<Item = bool> + 'a {
    let now_ms = now.timestamp_millis();
    let lists = snapshot.pool_lists();
    pairs
        .into_iter()
        .map(move |(u, p)| match pool_gate(&lists, u, Some(p), level) {
            Err(_) => false,
            Ok(Gate::Decided(_)) => true,
            Ok(Gate::Entries(p)) => lists.any_entry(u, p, |e| e.gives(level, now_ms)),
        })
}

/// A user who may be decided on: known and enabled (else the refusal's
/// reason); their recorded roles.
#[inline]
fn user_gate(lists: &PoolLists<'_>, u: UserIdx) -> Result<RoleSet, Reason> {
    match lists.user_flags(u) {
        None => Err(Reason::UserUnknown),
        Some((false, _)) => Err(Reason::UserDisabled),
        Some((true, roles)) => Ok(roles),
    }
}

/// What a pool decision settles before the user's entries.
enum Gate {
    /// Allowed without entries (RBAC off, Standard), for this reason.
    Decided(Reason),
    /// A known pool: the user's entries for it decide.
    Entries(PoolIdx),
}

/// The rules of a pool decision before the entries: a known, enabled user
/// and a known pool; with RBAC off every such user has Standard access to
/// every pool and none has Privileged. `Err` is a refusal's reason.
#[inline]
fn pool_gate(
    lists: &PoolLists<'_>,
    u: UserIdx,
    pool: Option<PoolIdx>,
    need: PoolLevel,
) -> Result<Gate, Reason> {
    user_gate(lists, u)?;
    let p = pool
        .filter(|&p| lists.has_pool(p))
        .ok_or(Reason::PoolUnknown)?;
    match (lists.rbac_enabled, need) {
        (true, _) => Ok(Gate::Entries(p)),
        (false, PoolLevel::Standard) => Ok(Gate::Decided(Reason::RbacOffStandard)),
        (false, PoolLevel::Privileged) => Err(Reason::RbacOffPrivileged),
    }
}

/// The decision at `now_ms` (milliseconds since 1970).
fn decide_at(
    snapshot: &Snapshot,
    u: UserIdx,
    check: Check,
    pool: Option<PoolIdx>,
    now_ms: i64,
) -> Decision {
    let lists = snapshot.pool_lists();
    match check {
        Check::Operation(op, access) => match user_gate(&lists, u) {
            Ok(roles) => decide_operation(snapshot, u, roles, op, access, pool),
            Err(reason) => Decision::deny(reason),
        },
        Check::Pool(level) => match pool_gate(&lists, u, pool, level) {
            Ok(Gate::Entries(p)) => decide_pool(snapshot, u, level, p, now_ms),
            Ok(Gate::Decided(reason)) => Decision::allow(reason),
            Err(reason) => Decision::deny(reason),
        },
    }
}

fn decide_operation(
    snapshot: &Snapshot,
    u: UserIdx,
    recorded: RoleSet,
    op: Operation,
    access: Access,
    pool: Option<PoolIdx>,
) -> Decision {
    let category = op.category();
    let need = access.needs();
    let scope = if op.is_pool_scoped() { pool } else { None };
    let mut have = Level::None;
    let mut inert = None;
    let mut out_of_scope = false;
    for role in recorded.iter() {
        let cell = role.row().cell(category);
        if cell.level == Level::None {
            continue;
        }
        if role.rbac_only() && !snapshot.rbac_enabled {
            if cell.level >= need {
                inert.get_or_insert(role);
            }
            continue;
        }
        let group = if cell.scoped {
            match scope.and_then(|p| snapshot.administered_by(u, p)) {
                Some(g) => Some(g),
                None => {
                    out_of_scope |= cell.level >= need;
                    continue;
                }
            }
        } else {
            None
        };
        if cell.level >= need {
            return Decision::allow(match group {
                Some(g) => Reason::GroupAdmin(g),
                None => Reason::Role(role),
            });
        }
        have = have.max(cell.level);
    }
    // The right to create grants includes reading the users, pools and active
    // grants the form needs: a Group Admin with environments reads them.
    if access == Access::View
        && matches!(
            op,
            Operation::TemporaryAccess | Operation::Users | Operation::AgentPools
        )
        && snapshot.rbac_enabled
        && recorded.contains(Role::GroupAdmin)
        && let Some(g) = snapshot
            .administered_pools(u)
            .next()
            .and_then(|p| snapshot.administered_by(u, p))
    {
        return Decision::allow(Reason::GrantManager(g));
    }
    if let Some(role) = inert {
        Decision::deny(Reason::RoleInert(role))
    } else if out_of_scope {
        Decision::deny(Reason::GroupAdminOutOfScope)
    } else {
        Decision::deny(Reason::LevelTooLow { have, need })
    }
}

/// A pool decision past [`pool_gate`] (RBAC on, known user and pool): the
/// user's entries for the pool decide.
fn decide_pool(
    snapshot: &Snapshot,
    u: UserIdx,
    need: PoolLevel,
    p: PoolIdx,
    now_ms: i64,
) -> Decision {
    let entries = snapshot.access_entries(u, p);
    // Allowed when an entry gives the level (the rule, `AccessEntry::gives`);
    // the reason is the preferred such entry, else what comes closest.
    if let Some((source, level)) = preferred(entries.iter().filter(|e| e.gives(need, now_ms)), need)
    {
        return Decision::allow(Reason::PoolAccess(source, level));
    }
    if let Some((source, level)) = preferred(entries.iter().filter(|e| e.in_period(now_ms)), need) {
        return Decision::deny(Reason::PoolLevelTooLow(source, level));
    }
    let mut expired = None;
    let mut ended = None;
    let mut locked = None;
    for e in entries {
        match e.source {
            EntrySource::Grant(gi) if e.to_ms <= now_ms => expired = Some(gi),
            EntrySource::Request(ri) if e.to_ms <= now_ms => ended = Some(ri),
            EntrySource::Locked(g) => locked = Some(g),
            _ => {}
        }
    }
    Decision::deny(match (expired, ended, locked) {
        (Some(gi), _, _) => Reason::GrantExpired(gi),
        (None, Some(ri), _) => Reason::RequestEnded(ri),
        (None, None, Some(g)) => Reason::PoolLocked(g),
        (None, None, None) => Reason::NoPoolAccess,
    })
}

/// Of entries in their period, the one a decision names: a group's standing
/// access first; then, among grants, one giving `need` before one that does
/// not, and the one lasting longest; then the request giving the most. The
/// first wins a tie. Entries come sorted by source (standing, locked,
/// grants, requests), so the first kind met is the preferred kind.
fn preferred<'a>(
    entries: impl Iterator<Item = &'a AccessEntry>,
    need: PoolLevel,
) -> Option<(PoolSource, PoolLevel)> {
    let mut best: Option<&AccessEntry> = None;
    for e in entries {
        best = match (best, e.source) {
            (None, EntrySource::Locked(_)) => None,
            (None, _) => Some(e),
            (Some(b), EntrySource::Grant(_)) if matches!(b.source, EntrySource::Grant(_)) => {
                let key = |x: &AccessEntry| (x.level >= need, x.to_ms);
                if key(e) > key(b) { Some(e) } else { Some(b) }
            }
            (Some(b), EntrySource::Request(_)) if matches!(b.source, EntrySource::Request(_)) => {
                if e.level > b.level {
                    Some(e)
                } else {
                    Some(b)
                }
            }
            (Some(b), _) => Some(b),
        };
    }
    let e = best?;
    let source = match e.source {
        EntrySource::Standing(g) => PoolSource::Group(g),
        EntrySource::Grant(gi) => PoolSource::Grant(gi),
        EntrySource::Request(ri) => PoolSource::Request(ri),
        EntrySource::Locked(_) => return None,
    };
    Some((source, e.level))
}

/// The stable code of a reason.
pub fn reason_code(reason: Reason) -> &'static str {
    match reason {
        Reason::Role(_) => "allow.role",
        Reason::GroupAdmin(_) => "allow.group_admin",
        Reason::GrantManager(_) => "allow.grant_manager",
        Reason::PoolAccess(PoolSource::Group(_), _) => "allow.group",
        Reason::PoolAccess(PoolSource::Grant(_), _) => "allow.grant",
        Reason::PoolAccess(PoolSource::Request(_), _) => "allow.request",
        Reason::RbacOffStandard => "allow.rbac_off_standard",
        Reason::UserUnknown => "deny.user_unknown",
        Reason::UserDisabled => "deny.user_disabled",
        Reason::PoolUnknown => "deny.pool_unknown",
        Reason::LevelTooLow { .. } => "deny.level_too_low",
        Reason::RoleInert(_) => "deny.role_inert",
        Reason::GroupAdminOutOfScope => "deny.group_admin_out_of_scope",
        Reason::PoolLevelTooLow(..) => "deny.pool_level_too_low",
        Reason::PoolLocked(_) => "deny.pool_locked",
        Reason::GrantExpired(_) => "deny.grant_expired",
        Reason::RequestEnded(_) => "deny.request_ended",
        Reason::NoPoolAccess => "deny.no_pool_access",
        Reason::RbacOffPrivileged => "deny.rbac_off_privileged",
    }
}

/// Every reason code, for coverage checks and documentation.
pub const REASON_CODES: &[&str] = &[
    "allow.role",
    "allow.group_admin",
    "allow.grant_manager",
    "allow.group",
    "allow.grant",
    "allow.request",
    "allow.rbac_off_standard",
    "deny.user_unknown",
    "deny.user_disabled",
    "deny.pool_unknown",
    "deny.level_too_low",
    "deny.role_inert",
    "deny.group_admin_out_of_scope",
    "deny.pool_level_too_low",
    "deny.pool_locked",
    "deny.grant_expired",
    "deny.request_ended",
    "deny.no_pool_access",
    "deny.rbac_off_privileged",
];

/// A decision as every surface answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionWire {
    pub allowed: bool,
    pub reason: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The pool level the source gives, when the reason is about pool access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_level: Option<PoolLevel>,
    /// Until when the source gives access (grants and requests), or when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl Decision {
    /// The decision in words and in wire form.
    pub fn to_wire(self, snapshot: &Snapshot) -> DecisionWire {
        let mut w = DecisionWire {
            allowed: self.allowed,
            reason: reason_code(self.reason).to_owned(),
            message: String::new(),
            role: None,
            group_id: None,
            grant_id: None,
            request_id: None,
            pool_level: None,
            until: None,
        };
        let group_name = |g: GroupIdx| snapshot.group(g).map(|g| (g.id.clone(), g.name.clone()));
        w.message = match self.reason {
            Reason::Role(role) => {
                w.role = Some(role);
                format!("the {} role gives it", role.display_name())
            }
            Reason::GroupAdmin(g) => {
                w.role = Some(Role::GroupAdmin);
                let (id, name) = group_name(g).unwrap_or_default();
                w.group_id = Some(id);
                format!(
                    "the Group Admin role gives it on the pools of “{name}”, which the user administers"
                )
            }
            Reason::GrantManager(g) => {
                w.role = Some(Role::GroupAdmin);
                let (id, name) = group_name(g).unwrap_or_default();
                w.group_id = Some(id);
                format!(
                    "a Group Admin of “{name}” manages its grants, and reads what the grant form needs"
                )
            }
            Reason::PoolAccess(source, level) | Reason::PoolLevelTooLow(source, level) => {
                w.pool_level = Some(level);
                let what = describe_source(snapshot, source, &mut w);
                if self.allowed {
                    format!("{what} gives {} access", level.grant_name())
                } else {
                    format!("{what} gives only {} access", level.grant_name())
                }
            }
            Reason::RbacOffStandard => {
                "RBAC is off: every enabled user has Standard access to every pool".to_owned()
            }
            Reason::UserUnknown => "no such user".to_owned(),
            Reason::UserDisabled => "the user is disabled".to_owned(),
            Reason::PoolUnknown => "no such agent pool".to_owned(),
            Reason::LevelTooLow { have, need } => format!(
                "it needs {}, and the user's roles give {}",
                level_words(need),
                level_words(have)
            ),
            Reason::RoleInert(role) => {
                w.role = Some(role);
                format!(
                    "the {} role would give it, but it is inert while RBAC is off",
                    role.display_name()
                )
            }
            Reason::GroupAdminOutOfScope => {
                w.role = Some(Role::GroupAdmin);
                "the Group Admin role gives it only on pools of environments the user administers"
                    .to_owned()
            }
            Reason::PoolLocked(g) => {
                let (id, name) = group_name(g).unwrap_or_default();
                w.group_id = Some(id);
                format!("the pool is locked for group “{name}”: request access to use it")
            }
            Reason::GrantExpired(gi) => {
                let grant = snapshot.grant(gi);
                w.grant_id = grant.map(|g| g.wire.id.clone());
                w.until = grant.map(|g| format_instant(g.wire.expiration_date));
                format!(
                    "grant “{}” has ended",
                    grant.map(|g| g.wire.name.as_str()).unwrap_or_default(),
                )
            }
            Reason::RequestEnded(ri) => {
                let request = snapshot.request(ri);
                w.request_id = request.map(|r| r.wire.id.clone());
                w.until = request.and_then(|r| r.wire.ends_at).map(format_instant);
                "the approved request's access has ended".to_owned()
            }
            Reason::NoPoolAccess => {
                "no group, grant or approved request gives access to this pool".to_owned()
            }
            Reason::RbacOffPrivileged => {
                "RBAC is off: no pool-level access control, so nobody is Privileged".to_owned()
            }
        };
        w
    }
}

/// A level as people say it: "read access".
fn level_words(level: Level) -> &'static str {
    match level {
        Level::None => "no access",
        Level::Read => "read access",
        Level::WriteRead => "read and write access",
    }
}

fn describe_source(snapshot: &Snapshot, source: PoolSource, w: &mut DecisionWire) -> String {
    match source {
        PoolSource::Group(g) => {
            let group = snapshot.group(g);
            w.group_id = group.map(|g| g.id.clone());
            format!(
                "membership of group “{}”",
                group.map(|g| g.name.as_str()).unwrap_or_default()
            )
        }
        PoolSource::Grant(gi) => {
            let grant = snapshot.grant(gi);
            w.grant_id = grant.map(|g| g.wire.id.clone());
            w.until = grant.map(|g| format_instant(g.wire.expiration_date));
            format!(
                "grant “{}”",
                grant.map(|g| g.wire.name.as_str()).unwrap_or_default(),
            )
        }
        PoolSource::Request(ri) => {
            let request = snapshot.request(ri);
            w.request_id = request.map(|r| r.wire.id.clone());
            w.until = request.and_then(|r| r.wire.ends_at).map(format_instant);
            format!(
                "approved request “{}”",
                request.map(|r| r.wire.id.as_str()).unwrap_or_default(),
            )
        }
    }
}

/// One category as a user holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryPermission {
    pub category: Category,
    /// The company-wide level.
    pub level: Level,
    /// The live roles that give that level.
    pub from_roles: Vec<Role>,
    /// Pools on which a scoped role gives more (Group Admin: WR on the pools
    /// of administered environments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scoped_pools: Vec<String>,
}

/// Access to one pool and every source that gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolPermission {
    pub agent_pool_id: String,
    pub level: PoolLevel,
    /// `STANDARD`, plus `IGNORE_QUOTA` when privileged (the user API's form).
    pub permissions: Vec<String>,
    pub sources: Vec<DecisionWire>,
}

/// What a user may do at an instant, with the reason for each part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EffectivePermissions {
    pub email: String,
    pub enabled: bool,
    pub rbac_enabled: bool,
    pub roles: Vec<Role>,
    /// Roles recorded but giving nothing while RBAC is off.
    pub inert_roles: Vec<Role>,
    pub categories: Vec<CategoryPermission>,
    /// Pools the user can use (while RBAC is off: every pool, Standard).
    pub pools: Vec<PoolPermission>,
    /// Pools locked for the user's groups, which a request can open.
    pub locked_pools: Vec<String>,
}

/// Effective permissions: standing roles, plus pool access from groups,
/// active grants and approved requests, at `now`.
pub fn effective_permissions(
    snapshot: &Snapshot,
    u: UserIdx,
    now: Instant,
) -> Option<EffectivePermissions> {
    let user = snapshot.user(u)?;
    let live = snapshot.live_roles(u);
    let enabled = user.enabled;
    let mut categories = Vec::with_capacity(Category::ALL.len());
    for category in Category::ALL {
        let mut level = Level::None;
        let mut from_roles = Vec::new();
        let mut scoped = false;
        for role in live.iter() {
            let cell = role.row().cell(category);
            if cell.scoped {
                scoped = true;
                continue;
            }
            if cell.level > level {
                level = cell.level;
                from_roles.clear();
            }
            if cell.level == level && level > Level::None {
                from_roles.push(role);
            }
        }
        let scoped_pools = if scoped && enabled && level < Level::WriteRead {
            snapshot
                .administered_pools(u)
                .filter_map(|p| snapshot.pool(p))
                .map(|p| p.id.clone())
                .collect()
        } else {
            Vec::new()
        };
        categories.push(CategoryPermission {
            category,
            level: if enabled { level } else { Level::None },
            from_roles: if enabled { from_roles } else { Vec::new() },
            scoped_pools,
        });
    }
    let mut pools = Vec::new();
    let mut locked_pools = Vec::new();
    if enabled && !snapshot.rbac_enabled {
        let source = Decision::allow(Reason::RbacOffStandard).to_wire(snapshot);
        pools = snapshot
            .pools()
            .iter()
            .map(|p| PoolPermission {
                agent_pool_id: p.id.clone(),
                level: PoolLevel::Standard,
                permissions: PoolLevel::Standard
                    .permissions()
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                sources: vec![source.clone()],
            })
            .collect();
    }
    if enabled && snapshot.rbac_enabled {
        let mut reached: Vec<PoolIdx> = snapshot.assignments(u).iter().map(|a| a.pool).collect();
        for &gi in snapshot.user_grants(u) {
            if let Some(g) = snapshot.grant(gi).filter(|g| g.is_active(now)) {
                reached.extend(g.pools.iter().copied());
            }
        }
        for &ri in snapshot.user_requests(u) {
            if let Some(r) = snapshot.request(ri) {
                reached.push(r.pool);
            }
        }
        crate::order::sort(&mut reached);
        reached.dedup();
        for p in reached {
            let sources = pool_sources(snapshot, u, p, now);
            let Some(pool) = snapshot.pool(p) else {
                continue;
            };
            let level = sources.iter().filter_map(|s| s.pool_level).max();
            match level {
                Some(level) => pools.push(PoolPermission {
                    agent_pool_id: pool.id.clone(),
                    level,
                    permissions: level
                        .permissions()
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect(),
                    sources,
                }),
                None => {
                    if snapshot
                        .assignment(u, p)
                        .is_some_and(|a| a.locked.is_some())
                    {
                        locked_pools.push(pool.id.clone());
                    }
                }
            }
        }
    }
    Some(EffectivePermissions {
        email: user.email.clone(),
        enabled,
        rbac_enabled: snapshot.rbac_enabled,
        roles: user.roles.iter().collect(),
        inert_roles: user.roles.iter().filter(|r| !live.contains(*r)).collect(),
        categories,
        pools,
        locked_pools,
    })
}

/// Every source of access the user has on a pool at `now` (why does U have
/// access to P): standing group access, active grants, active approved requests.
pub fn pool_sources(
    snapshot: &Snapshot,
    u: UserIdx,
    p: PoolIdx,
    now: Instant,
) -> Vec<DecisionWire> {
    let now_ms = now.timestamp_millis();
    snapshot
        .access_entries(u, p)
        .iter()
        .filter_map(|e| {
            let source = match e.source {
                EntrySource::Standing(g) => PoolSource::Group(g),
                EntrySource::Grant(gi) => PoolSource::Grant(gi),
                EntrySource::Request(ri) => PoolSource::Request(ri),
                EntrySource::Locked(_) => return None,
            };
            (e.from_ms <= now_ms && now_ms < e.to_ms)
                .then(|| Decision::allow(Reason::PoolAccess(source, e.level)).to_wire(snapshot))
        })
        .collect()
}

/// Why does the user have (or not have) access to the pool: the decision for
/// Standard access and every source that gives access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolExplanation {
    pub decision: DecisionWire,
    pub privileged: DecisionWire,
    pub sources: Vec<DecisionWire>,
}

pub fn explain_pool(snapshot: &Snapshot, user: &str, pool: &str, now: Instant) -> PoolExplanation {
    let decision = decide(
        snapshot,
        user,
        Check::Pool(PoolLevel::Standard),
        Some(pool),
        now,
    );
    let privileged = decide(
        snapshot,
        user,
        Check::Pool(PoolLevel::Privileged),
        Some(pool),
        now,
    );
    let sources = match (snapshot.user_idx(user), snapshot.pool_idx(pool)) {
        (Some(u), Some(p))
            if snapshot.rbac_enabled && snapshot.user(u).is_some_and(|u| u.enabled) =>
        {
            pool_sources(snapshot, u, p, now)
        }
        _ => Vec::new(),
    };
    PoolExplanation {
        decision: decision.to_wire(snapshot),
        privileged: privileged.to_wire(snapshot),
        sources,
    }
}
