//! Explanations (why does a user have access to a pool, what may they do)
//! and the company snapshot every client validates against, filtered to
//! what the caller may see.

use chrono::{DateTime, Utc};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::{
    EffectivePermissions, PoolExplanation, effective_permissions, explain_pool,
};
use interim_policy::email::same_email;
use interim_policy::request::is_direct_reviewer;
use interim_policy::snapshot::Snapshot;
use interim_policy::wire::{GroupWire, SnapshotWire, TempAccess, UserWire};

use super::{Actor, Error, Result, allowed, require};
use crate::AppState;

/// Anyone may ask about themselves; about others needs to see users.
fn may_ask(snapshot: &Snapshot, actor: &Actor, user: &str, now: DateTime<Utc>) -> Result<()> {
    if same_email(user, &actor.email) {
        return Ok(());
    }
    require(snapshot, actor, Operation::Users, Access::View, None, now)
}

/// Why `user` (the actor when `None`) has, or has not, access to `pool`.
pub async fn pool_access(
    state: &AppState,
    actor: &Actor,
    user: Option<&str>,
    pool: &str,
) -> Result<PoolExplanation> {
    let now = state.clock.now();
    let user = user.unwrap_or(&actor.email);
    let snapshot = state.store.snapshot(now).await?;
    may_ask(&snapshot, actor, user, now)?;
    Ok(explain_pool(&snapshot, user, pool, now))
}

/// What `user` (the actor when `None`) may do, with the reasons.
pub async fn permissions(
    state: &AppState,
    actor: &Actor,
    user: Option<&str>,
) -> Result<EffectivePermissions> {
    let now = state.clock.now();
    let user = user.unwrap_or(&actor.email);
    let snapshot = state.store.snapshot(now).await?;
    may_ask(&snapshot, actor, user, now)?;
    let unknown = || Error::not_found("user.email.unknown", format!("no user “{user}”"));
    let u = snapshot.user_idx(user).ok_or_else(unknown)?;
    effective_permissions(&snapshot, u, now).ok_or_else(unknown)
}

/// What the caller may see of the company.
struct View<'a> {
    actor: &'a Actor,
    /// Reads users and grants (admins, viewers, grant managers): all of it.
    full: bool,
    /// A reviewer picks a delegate among the enabled users: they see those
    /// addresses and names, not roles, and nothing of disabled accounts.
    directory: bool,
}

impl View<'_> {
    fn me(&self, email: &str) -> bool {
        same_email(email, &self.actor.email)
    }

    fn users(&self, s: &Snapshot) -> Vec<UserWire> {
        s.users()
            .iter()
            .filter(|u| self.full || (self.directory && u.enabled) || self.me(&u.email))
            .map(|u| UserWire {
                email: u.email.clone(),
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                enabled: u.enabled,
                roles: if self.full || self.me(&u.email) {
                    u.roles.iter().collect()
                } else {
                    Vec::new()
                },
            })
            .collect()
    }

    /// Every active grant's name and period (the grant checks need them),
    /// with whom and what it names hidden unless it names the caller.
    fn grants(&self, s: &Snapshot, now: DateTime<Utc>) -> Vec<TempAccess> {
        s.active_grants(now, None)
            .map(|g| {
                let mut w = g.wire.clone();
                if !self.full && !w.user_emails.iter().any(|e| self.me(e)) {
                    w.user_emails.clear();
                    w.agent_pool_ids.clear();
                    w.created_by = None;
                    w.incident_id = None;
                }
                w
            })
            .collect()
    }

    /// Groups the caller belongs to, with only themself as member.
    fn groups(&self, groups: Vec<GroupWire>) -> Vec<GroupWire> {
        groups
            .into_iter()
            .filter(|g| self.full || g.members.iter().any(|m| self.me(&m.email)))
            .map(|mut g| {
                if !self.full {
                    g.members.retain(|m| self.me(&m.email));
                }
                g
            })
            .collect()
    }
}

/// The company as the caller may see it: whole for those who read users
/// and grants; for others themselves, the pools, their groups, every active
/// grant's name and period, their requests and their delegations — only
/// items whose users and pool are in this snapshot.
pub async fn snapshot(state: &AppState, actor: &Actor) -> Result<SnapshotWire> {
    let now = state.clock.now();
    // The index and the company as stored, of one commit.
    let read = state.store.read(now).await?;
    let s = &read.snapshot;
    let full = allowed(s, actor, Operation::Users, Access::View, now)
        && allowed(s, actor, Operation::TemporaryAccess, Access::View, now);
    let view = View {
        actor,
        full,
        directory: !full && is_direct_reviewer(s, actor.idx),
    };
    let users = view.users(s);
    let wire = read.wire();
    let agent_pools = if allowed(s, actor, Operation::AgentPools, Access::View, now) {
        wire.agent_pools
    } else {
        Vec::new()
    };
    let has_user = |e: &str| users.iter().any(|u| same_email(&u.email, e));
    let has_pool = |p: &str| agent_pools.iter().any(|x| x.id == p);
    let requests = wire
        .requests
        .into_iter()
        .filter(|r| full || view.me(&r.requester))
        .filter(|r| has_user(&r.requester) && has_pool(&r.agent_pool_id))
        .collect();
    let delegations = wire
        .delegations
        .into_iter()
        .filter(|d| full || view.me(&d.from) || view.me(&d.to))
        .filter(|d| has_user(&d.from) && has_user(&d.to))
        .collect();
    Ok(SnapshotWire {
        company_id: s.company_id.clone(),
        rbac_enabled: s.rbac_enabled,
        limits: s.limits,
        grants: view.grants(s, now),
        groups: view.groups(wire.groups),
        users,
        agent_pools,
        requests,
        delegations,
    })
}
