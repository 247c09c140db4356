//! Access groups (environments): their pools, roles and members, in the
//! vendor's shapes. Reading needs R on access groups, changing WR; every
//! change is audited.

use chrono::{DateTime, Utc};
use interim_policy::answer::{Bulk, BulkFailure, Group, Member};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::email::same_email;
use interim_policy::role::PoolLevel;
use interim_policy::time::format_instant;
use interim_policy::user::{GroupInput, validate_group, validate_member};
use interim_policy::wire::{GroupMemberWire, GroupWire};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Actor, Error, Result, begin_as, new_id, record, require};
use crate::AppState;
use crate::store::{GroupRecord, WriteTx, from_ms};
use interim_policy::group_admin::{may_change_members, may_see_group};

/// A member to add, the vendor's `UserGroupMemberPublicDTO` as sent.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberInput {
    pub email: String,
    #[serde(default)]
    pub group_admin: bool,
    #[serde(default)]
    pub elevated_roles: Vec<PoolLevel>,
    /// Read-only: ignored when sent.
    #[serde(default)]
    pub effective_roles: Vec<PoolLevel>,
}

/// A member's group admin flag and elevated roles, as sent.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberUpdate {
    #[serde(default)]
    pub elevated_roles: Vec<PoolLevel>,
    #[serde(default)]
    pub group_admin: bool,
}

fn member(g: &GroupWire, m: &GroupMemberWire) -> Member {
    let mut effective: Vec<PoolLevel> = g.roles.iter().chain(&m.elevated_roles).copied().collect();
    effective.sort_unstable();
    effective.dedup();
    Member {
        email: m.email.clone(),
        group_admin: m.group_admin,
        elevated_roles: m.elevated_roles.clone(),
        effective_roles: effective,
    }
}

fn answer(r: GroupRecord) -> Group {
    let members: Vec<Member> = r.wire.members.iter().map(|m| member(&r.wire, m)).collect();
    Group {
        member_count: members.len(),
        members,
        id: r.wire.id,
        name: r.wire.name,
        agent_pool_ids: r.wire.agent_pool_ids,
        roles: r.wire.roles,
        default: false,
        created_by: r.created_by,
        created_date: format_instant(from_ms(r.created_ms)),
        last_modified_by: r.modified_by,
        last_modified_date: format_instant(from_ms(r.modified_ms)),
    }
}

async fn find(state: &AppState, id: &str) -> Result<GroupRecord> {
    state
        .store
        .groups()
        .await?
        .into_iter()
        .find(|g| g.wire.id == id)
        .ok_or_else(|| Error::not_found("group.id.unknown", format!("no group “{id}”")))
}

/// Refuses unless the actor may see groups: all of them (view on access
/// groups), or those whose members he manages (a Group Admin). Answers
/// which group ids are visible (`None`: all).
async fn gate(state: &AppState, actor: &Actor) -> Result<Option<Vec<String>>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    let all = require(
        &snapshot,
        actor,
        Operation::AccessGroups,
        Access::View,
        None,
        now,
    );
    let Err(refusal) = all else {
        return Ok(None);
    };
    let managed: Vec<String> = snapshot
        .groups()
        .iter()
        .filter(|g| may_see_group(&snapshot, &actor.email, &g.id, now))
        .map(|g| g.id.clone())
        .collect();
    if managed.is_empty() {
        Err(refusal)
    } else {
        Ok(Some(managed))
    }
}

/// Refuses unless the actor may change group `id`'s members: the policy's
/// `group_admin::may_change_members`.
fn require_members(
    snapshot: &interim_policy::snapshot::Snapshot,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let d = may_change_members(snapshot, &actor.email, id, now);
    if d.allowed {
        return Ok(());
    }
    let w = d.to_wire(snapshot);
    Err(Error::forbidden(
        &w.reason,
        format!("You may not change this group's members: {}", w.message),
    ))
}

/// A write of group `id`'s members: refused early on the cached company,
/// then decided again inside the transaction.
async fn begin_members(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<(
    WriteTx,
    std::sync::Arc<interim_policy::snapshot::Snapshot>,
    DateTime<Utc>,
)> {
    let (company, now) = super::cached(state).await?;
    require_members(&company, actor, id, now)?;
    let (tx, snapshot, now) = super::begin(state).await?;
    require_members(&snapshot, actor, id, now)?;
    Ok((tx, snapshot, now))
}

/// Groups whose name holds `name` (any letter case), by name.
/// The vendor's sort fields of groups, and the default order.
pub const SORTABLE: &[&str] = &["name", "createdDate", "lastModifiedDate", "memberCount"];
pub const DEFAULT_SORT: (&str, bool) = ("name", true);

/// What a list of groups is asked for (the vendor's parameters, and ours).
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Part of the name, any case (ours).
    pub name: Option<String>,
    /// Groups with access to any of these pools (the vendor's).
    pub agent_pool_ids: Vec<String>,
    /// With their members (the vendor's `includeMembers`; the count is
    /// always there).
    pub include_members: bool,
    /// `(field, ascending)`, first key first.
    pub sort: Vec<(String, bool)>,
}

pub async fn list(state: &AppState, actor: &Actor, q: &Query) -> Result<Vec<Group>> {
    let visible = gate(state, actor).await?;
    let name = q.name.as_deref().map(str::to_lowercase);
    let mut groups: Vec<GroupRecord> = state
        .store
        .groups()
        .await?
        .into_iter()
        .filter(|g| visible.as_ref().is_none_or(|v| v.contains(&g.wire.id)))
        .filter(|g| {
            name.as_ref()
                .is_none_or(|n| g.wire.name.to_lowercase().contains(n.as_str()))
        })
        .filter(|g| {
            q.agent_pool_ids.is_empty()
                || g.wire
                    .agent_pool_ids
                    .iter()
                    .any(|p| q.agent_pool_ids.contains(p))
        })
        .collect();
    groups.sort_by(|a, b| {
        q.sort
            .iter()
            .map(|(field, asc)| {
                let o = match field.as_str() {
                    "createdDate" => a.created_ms.cmp(&b.created_ms),
                    "lastModifiedDate" => a.modified_ms.cmp(&b.modified_ms),
                    "memberCount" => a.wire.members.len().cmp(&b.wire.members.len()),
                    _ => a.wire.name.to_lowercase().cmp(&b.wire.name.to_lowercase()),
                };
                if *asc { o } else { o.reverse() }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(groups
        .into_iter()
        .map(answer)
        .map(|mut g| {
            if !q.include_members {
                g.members.clear();
            }
            g
        })
        .collect())
}

/// One group; its members only when asked for (`memberCount` always).
pub async fn one(state: &AppState, actor: &Actor, id: &str, members: bool) -> Result<Group> {
    if gate(state, actor)
        .await?
        .is_some_and(|visible| !visible.iter().any(|v| v == id))
    {
        return Err(Error::forbidden(
            "deny.group_admin_out_of_scope",
            "You may see only the groups whose members you manage",
        ));
    }
    let mut group = answer(find(state, id).await?);
    if !members {
        group.members.clear();
    }
    Ok(group)
}

async fn save(
    tx: &mut WriteTx,
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    group: &GroupWire,
    details: Value,
) -> Result<()> {
    tx.put_group(group, now, Some(&actor.email)).await?;
    let target = format!("group:{}", group.id);
    record(tx, &actor.email, now, action, target, details, None).await
}

fn described(group: &GroupWire) -> Value {
    json!({"name": group.name, "agentPoolIds": group.agent_pool_ids, "roles": group.roles})
}

async fn begin(
    state: &AppState,
    actor: &Actor,
) -> Result<(
    WriteTx,
    std::sync::Arc<interim_policy::snapshot::Snapshot>,
    DateTime<Utc>,
)> {
    begin_as(state, actor, Operation::AccessGroups, Access::Change, None).await
}

pub async fn create(state: &AppState, actor: &Actor, input: &GroupInput) -> Result<Group> {
    let (mut tx, snapshot, now) = begin(state, actor).await?;
    let valid = validate_group(Some(&snapshot), None, input).map_err(Error::violations)?;
    let group = GroupWire {
        id: new_id()?,
        name: valid.name,
        agent_pool_ids: valid.agent_pool_ids,
        roles: valid.roles,
        members: Vec::new(),
        request_overrides: Vec::new(),
    };
    save(
        &mut tx,
        actor,
        now,
        AuditAction::GroupCreated,
        &group,
        described(&group),
    )
    .await?;
    tx.commit().await?;
    Ok(answer(find(state, &group.id).await?))
}

/// Renames a group, or changes its pools or roles; overrides of pools it no
/// longer holds go.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: &GroupInput,
) -> Result<Group> {
    let (mut tx, snapshot, now) = begin(state, actor).await?;
    let mut group = find(state, id).await?.wire;
    let valid = validate_group(Some(&snapshot), Some(id), input).map_err(Error::violations)?;
    // The vendor's update: what the body leaves out stays as it is (a
    // name-only PUT renamed the group and wiped its pools and roles).
    group.name = valid.name;
    if input.agent_pool_ids.is_some() {
        group.agent_pool_ids = valid.agent_pool_ids;
    }
    if input.roles.is_some() {
        group.roles = valid.roles;
    }
    group
        .request_overrides
        .retain(|o| group.agent_pool_ids.contains(&o.agent_pool_id));
    save(
        &mut tx,
        actor,
        now,
        AuditAction::GroupUpdated,
        &group,
        described(&group),
    )
    .await?;
    tx.commit().await?;
    Ok(answer(find(state, id).await?))
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<()> {
    let (mut tx, _, now) = begin(state, actor).await?;
    let group = find(state, id).await?.wire;
    tx.delete_group(id).await?;
    let details = json!({"name": group.name, "members": group.members.len()});
    let target = format!("group:{id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::GroupDeleted,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds (or replaces) members; an unknown user fails alone.
pub async fn add_members(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: Vec<MemberInput>,
) -> Result<Bulk<Member, Member>> {
    let (mut tx, snapshot, now) = begin_members(state, actor, id).await?;
    let mut group = find(state, id).await?.wire;
    let mut bulk = Bulk {
        successes: Vec::new(),
        failures: Vec::new(),
    };
    for m in input {
        match validate_member(&snapshot, &m.email) {
            Err(v) => bulk.failures.push(BulkFailure {
                message: v.message,
                payload: Member {
                    email: m.email,
                    group_admin: m.group_admin,
                    elevated_roles: m.elevated_roles,
                    effective_roles: m.effective_roles,
                },
                status: 404,
            }),
            Ok(u) => {
                let email = snapshot.user(u).map(|u| u.email.clone()).unwrap_or(m.email);
                let added = GroupMemberWire {
                    email: email.clone(),
                    group_admin: m.group_admin,
                    elevated_roles: m.elevated_roles,
                };
                group.members.retain(|x| !same_email(&x.email, &email));
                bulk.successes.push(member(&group, &added));
                group.members.push(added);
            }
        }
    }
    if !bulk.successes.is_empty() {
        let added: Vec<&str> = bulk.successes.iter().map(|m| m.email.as_str()).collect();
        let details = json!({"membersAdded": added});
        save(
            &mut tx,
            actor,
            now,
            AuditAction::GroupUpdated,
            &group,
            details,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(bulk)
}

/// Removes members; an address that is not a member fails alone.
pub async fn remove_members(
    state: &AppState,
    actor: &Actor,
    id: &str,
    emails: Vec<String>,
) -> Result<Bulk<String, String>> {
    let (mut tx, _, now) = begin_members(state, actor, id).await?;
    let mut group = find(state, id).await?.wire;
    let mut bulk = Bulk {
        successes: Vec::new(),
        failures: Vec::new(),
    };
    for email in emails {
        let before = group.members.len();
        group.members.retain(|m| !same_email(&m.email, &email));
        if group.members.len() < before {
            bulk.successes.push(email);
        } else {
            bulk.failures.push(BulkFailure {
                message: format!("“{email}” is not a member"),
                payload: email,
                status: 404,
            });
        }
    }
    if !bulk.successes.is_empty() {
        let details = json!({"membersRemoved": bulk.successes});
        save(
            &mut tx,
            actor,
            now,
            AuditAction::GroupUpdated,
            &group,
            details,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(bulk)
}

/// Sets a member's group admin flag and elevated roles.
pub async fn update_member(
    state: &AppState,
    actor: &Actor,
    id: &str,
    email: &str,
    input: MemberUpdate,
) -> Result<Member> {
    let (mut tx, _, now) = begin_members(state, actor, id).await?;
    let mut group = find(state, id).await?.wire;
    let Some(m) = group
        .members
        .iter_mut()
        .find(|m| same_email(&m.email, email))
    else {
        return Err(Error::not_found(
            "group.members.unknown",
            format!("“{email}” is not a member of this group"),
        ));
    };
    m.group_admin = input.group_admin;
    m.elevated_roles = input.elevated_roles;
    let updated = m.clone();
    let details = json!({"member": updated.email, "groupAdmin": updated.group_admin, "elevatedRoles": updated.elevated_roles});
    save(
        &mut tx,
        actor,
        now,
        AuditAction::GroupUpdated,
        &group,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(member(&group, &updated))
}
