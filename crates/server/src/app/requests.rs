//! Just-in-time access requests (SPEC §4): request, review, approve or
//! self-approve, deny, cancel, revoke, and the expiry and end the system
//! applies; reviewers' delegations. Every rule is the policy's
//! (`validate_request`, `apply_action`, `who_can_approve`,
//! `validate_delegation`); these functions load, ask, write, audit and
//! notify.

use chrono::{DateTime, Utc};
use interim_policy::answer::{AccessRequest, Delegation};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::email::same_email;
use interim_policy::request::{
    RequestAction, RequestStatus, Reviewer, TransitionOutcome, apply_action, effective_status,
    pending_deadline, pending_expired_if_created_by, validate_delegation, validate_request,
    who_can_approve,
};
use interim_policy::snapshot::Snapshot;
use interim_policy::time::{duration_text, format_instant, granted_text};
use interim_policy::wire::{AccessRequestInput, AccessRequestWire, DelegationInput};
use serde_json::json;

use super::{Actor, Error, Result, SYSTEM, new_id, record, require};
use crate::AppState;
use crate::notify::{self, Event};

/// A request as the API answers it, as of `now`.
pub fn answer(
    r: &AccessRequestWire,
    comment: Option<&str>,
    s: &Snapshot,
    now: DateTime<Utc>,
) -> AccessRequest {
    let live = s.request_idx(&r.id).and_then(|i| s.request(i));
    AccessRequest {
        id: r.id.clone(),
        requester: r.requester.clone(),
        agent_pool_id: r.agent_pool_id.clone(),
        status: r.status,
        effective_status: live.map_or(r.status, |req| effective_status(req, now)),
        approval: r.approval,
        requested_minutes: r.requested_minutes,
        reason: r.reason.clone(),
        ticket_ref: r.ticket_ref.clone(),
        created_at: r.created_at,
        approved_at: r.approved_at,
        ends_at: r.ends_at,
        decided_by: r.decided_by.clone(),
        pending_until: live
            .filter(|_| r.status == RequestStatus::Pending)
            .map(pending_deadline),
        comment: comment.map(str::to_owned),
    }
}

/// Requests access to a locked pool: pending, or approved at once where
/// the settings allow it and a reason is given.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &AccessRequestInput,
) -> Result<AccessRequest> {
    let (mut tx, snapshot, now) = super::begin(state).await?;
    let valid = validate_request(&snapshot, &actor.email, input, now).map_err(Error::violations)?;
    let auto = valid.status == RequestStatus::Approved;
    let wire = AccessRequestWire {
        id: new_id()?,
        requester: valid.requester,
        agent_pool_id: valid.agent_pool_id,
        status: valid.status,
        approval: valid.approval,
        requested_minutes: valid.requested_minutes,
        reason: valid.reason,
        ticket_ref: valid.ticket_ref,
        created_at: valid.created_at,
        approved_at: valid.approved_at,
        ends_at: valid.ends_at,
        decided_by: auto.then(|| actor.email.clone()),
    };
    tx.insert_request(&wire).await?;
    let target = format!("request:{}", wire.id);
    let pool_name = pool_name(&snapshot, &wire.agent_pool_id);
    let details = json!({"requester": wire.requester, "agentPoolId": wire.agent_pool_id, "poolName": pool_name,
        "minutes": wire.requested_minutes, "period": duration_text(wire.requested_minutes),
        "approval": wire.approval, "ticketRef": wire.ticket_ref});
    let (who, why) = (&actor.email, wire.reason.clone());
    record(
        &mut tx,
        who,
        now,
        AuditAction::RequestCreated,
        target.clone(),
        details,
        why,
    )
    .await?;
    if auto {
        let details = json!({"requester": wire.requester, "agentPoolId": wire.agent_pool_id, "poolName": pool_name,
            "selfApproved": true, "startsAt": wire.approved_at.map(format_instant), "endsAt": wire.ends_at.map(format_instant),
            "period": granted_text(wire.requested_minutes, wire.approved_at, wire.ends_at), "ticketRef": wire.ticket_ref});
        let why = wire.reason.clone();
        record(
            &mut tx,
            who,
            now,
            AuditAction::RequestApproved,
            target,
            details,
            why,
        )
        .await?;
    }
    let event = if auto {
        Event::Approved
    } else {
        Event::Created
    };
    let told =
        notify::enqueue(&mut tx, &state.channels, &snapshot, event, &wire, None, now).await?;
    let after = tx.snapshot(now).await?;
    tx.commit().await?;
    if told > 0 {
        notify::wake(&state.outbox);
    }
    Ok(answer(&wire, None, &after, now))
}

/// Whether `actor` reviews `r` now (the policy's list, delegates included).
fn reviews(s: &Snapshot, actor: &str, r: &AccessRequestWire, now: DateTime<Utc>) -> bool {
    match (s.user_idx(&r.requester), s.pool_idx(&r.agent_pool_id)) {
        (Some(u), Some(p)) => who_can_approve(s, u, p, now)
            .iter()
            .any(|rev| same_email(&rev.email, actor)),
        _ => false,
    }
}

/// May `actor` see every request? (Those who read the company's users.)
pub fn sees_all(s: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> bool {
    require(s, actor, Operation::Users, Access::View, None, now).is_ok()
}

/// Whose requests a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The actor's own.
    Mine,
    /// Those the actor reviews now.
    Review,
    /// Everyone's (those who read users).
    All,
}

impl Scope {
    /// Each scope, by the name the API takes.
    pub const NAMED: [(&'static str, Scope); 3] = [
        ("mine", Scope::Mine),
        ("review", Scope::Review),
        ("all", Scope::All),
    ];
}

/// Requests in `scope`, newest first, optionally only those whose status
/// at this instant is `status`.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    scope: Scope,
    status: Option<&str>,
) -> Result<Vec<AccessRequest>> {
    if let Some(s) = status.filter(|s| !RequestStatus::NAMES.contains(s)) {
        return Err(Error::invalid(
            "query.value.invalid",
            "status",
            format!(
                "“status” is one of {}, not “{s}”",
                RequestStatus::NAMES.join(", ")
            ),
        ));
    }
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    if scope == Scope::All {
        require(&snapshot, actor, Operation::Users, Access::View, None, now)?;
    }
    Ok(state
        .store
        .requests()
        .await?
        .iter()
        .filter(|(r, _)| match scope {
            Scope::Mine => same_email(&r.requester, &actor.email),
            Scope::Review => reviews(&snapshot, &actor.email, r, now),
            Scope::All => true,
        })
        .map(|(r, c)| answer(r, c.as_deref(), &snapshot, now))
        .filter(|a| status.is_none_or(|s| a.effective_status.wire_name() == s))
        .collect())
}

/// The stored request `id`, if the actor may see it.
async fn visible(
    state: &AppState,
    actor: &Actor,
    id: &str,
    s: &Snapshot,
    now: DateTime<Utc>,
) -> Result<(AccessRequestWire, Option<String>)> {
    let found = state.store.request(id).await?.filter(|(r, _)| {
        same_email(&r.requester, &actor.email)
            || reviews(s, &actor.email, r, now)
            || sees_all(s, actor, now)
    });
    found.ok_or_else(|| {
        Error::not_found(
            "request.id.unknown",
            format!("no request “{id}” you may see"),
        )
    })
}

/// One request the actor may see.
pub async fn one(state: &AppState, actor: &Actor, id: &str) -> Result<AccessRequest> {
    let now = state.clock.now();
    let s = state.store.snapshot(now).await?;
    let (r, c) = visible(state, actor, id, &s, now).await?;
    Ok(answer(&r, c.as_deref(), &s, now))
}

/// Who may approve the request now, and why.
pub async fn reviewers(state: &AppState, actor: &Actor, id: &str) -> Result<Vec<Reviewer>> {
    let now = state.clock.now();
    let s = state.store.snapshot(now).await?;
    let (r, _) = visible(state, actor, id, &s, now).await?;
    Ok(
        match (s.user_idx(&r.requester), s.pool_idx(&r.agent_pool_id)) {
            (Some(u), Some(p)) => who_can_approve(&s, u, p, now),
            _ => Vec::new(),
        },
    )
}

/// A request as it stands after a transition (what its notification tells).
fn transitioned(
    before: &AccessRequestWire,
    t: &TransitionOutcome,
    by: Option<&str>,
) -> AccessRequestWire {
    AccessRequestWire {
        status: t.to,
        approved_at: t.approved_at.or(before.approved_at),
        ends_at: t.ends_at.or(before.ends_at),
        decided_by: by.map(str::to_owned).or_else(|| before.decided_by.clone()),
        ..before.clone()
    }
}

/// What each action is audited as.
fn audited(action: &RequestAction) -> AuditAction {
    match action {
        RequestAction::Approve { .. } => AuditAction::RequestApproved,
        RequestAction::Deny { .. } => AuditAction::RequestDenied,
        RequestAction::Cancel => AuditAction::RequestCancelled,
        RequestAction::Revoke { .. } => AuditAction::RequestRevoked,
        RequestAction::Expire => AuditAction::RequestExpired,
        RequestAction::End => AuditAction::RequestEnded,
    }
}

/// Applies `action` to request `id` as the policy allows, audits it and
/// queues its notification. `actor` is `None` for the system (the sweeper's
/// expiry and end). Answers the request as it stands after.
pub async fn transition(
    state: &AppState,
    actor: Option<&Actor>,
    id: &str,
    action: RequestAction,
) -> Result<AccessRequest> {
    let now = state.clock.now();
    let by = actor.map(|a| a.email.as_str());
    let mut tx = state.store.begin().await?;
    let s = tx.snapshot(now).await?;
    let Some(ri) = s.request_idx(id) else {
        return Err(Error::not_found(
            "request.id.unknown",
            format!("no open request “{id}”"),
        ));
    };
    let t = apply_action(&s, ri, by, &action, now).map_err(Error::violations)?;
    if !tx.transition_request(&t, by, now).await? {
        return Err(Error::conflict(
            "request.status.changed",
            "the request changed meanwhile: reload it",
        ));
    }
    let before = s.request(ri).map(|r| r.wire.clone());
    let details = transition_details(&s, before.as_ref(), &t);
    let target = format!("request:{id}");
    let why = t.comment.clone();
    record(
        &mut tx,
        by.unwrap_or(SYSTEM),
        now,
        audited(&action),
        target,
        details,
        why,
    )
    .await?;
    let told = match (Event::of(t.to), &before) {
        (Some(event), Some(before)) => {
            let stands = transitioned(before, &t, by);
            let comment = t.comment.as_deref();
            notify::enqueue(&mut tx, &state.channels, &s, event, &stands, comment, now).await?
        }
        _ => 0,
    };
    let after = tx.snapshot(now).await?;
    tx.commit().await?;
    if told > 0 {
        notify::wake(&state.outbox);
    }
    let (r, c) = state
        .store
        .request(id)
        .await?
        .ok_or_else(|| Error::not_found("request.id.unknown", format!("no request “{id}”")))?;
    Ok(answer(&r, c.as_deref(), &after, now))
}

/// The system closes what is due: a pending request unanswered for 24
/// hours becomes `expired`, an approved one whose period is over `ended` —
/// the same transition a person's action takes, as the system actor.
/// Answers how many it closed.
pub async fn close_due(state: &AppState) -> Result<usize> {
    let now = state.clock.now();
    let pending_before = pending_expired_if_created_by(now);
    let mut closed = 0;
    for id in state.store.due_requests(now, pending_before).await? {
        let pending = state
            .store
            .request(&id)
            .await?
            .is_some_and(|(r, _)| r.status == RequestStatus::Pending);
        let action = if pending {
            RequestAction::Expire
        } else {
            RequestAction::End
        };
        // Another writer may have closed it meanwhile: then nothing is due.
        if transition(state, None, &id, action).await.is_ok() {
            closed += 1;
        }
    }
    Ok(closed)
}

/// Live delegations the actor gave or received (all of them for those who
/// read users).
pub async fn delegations(state: &AppState, actor: &Actor) -> Result<Vec<Delegation>> {
    let now = state.clock.now();
    let s = state.store.snapshot(now).await?;
    let all = sees_all(&s, actor, now);
    Ok(state
        .store
        .delegations(now)
        .await?
        .into_iter()
        .filter(|(_, d)| {
            all || same_email(&d.from, &actor.email) || same_email(&d.to, &actor.email)
        })
        .map(|(id, d)| Delegation {
            id,
            from: d.from,
            to: d.to,
            starts_at: d.starts_at,
            ends_at: d.ends_at,
        })
        .collect())
}

/// Delegates the actor's reviewing to another user for a bounded period.
pub async fn delegate(
    state: &AppState,
    actor: &Actor,
    input: &DelegationInput,
) -> Result<Delegation> {
    let (mut tx, s, now) = super::begin(state).await?;
    let d = validate_delegation(&s, &actor.email, input, now).map_err(Error::violations)?;
    let id = new_id()?;
    tx.insert_delegation(&id, &d, now).await?;
    let details = json!({"to": d.to, "startsAt": format_instant(d.starts_at), "endsAt": format_instant(d.ends_at)});
    let target = format!("delegation:{id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::DelegationCreated,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Delegation {
        id,
        from: d.from,
        to: d.to,
        starts_at: d.starts_at,
        ends_at: d.ends_at,
    })
}

/// Ends a delegation now (its giver, or an admin).
pub async fn end_delegation(state: &AppState, actor: &Actor, id: &str) -> Result<()> {
    let (mut tx, s, now) = super::begin(state).await?;
    let admin = require(&s, actor, Operation::Users, Access::Change, None, now).is_ok();
    let (_, found) = state
        .store
        .delegations(now)
        .await?
        .into_iter()
        .find(|(i, d)| i == id && (admin || same_email(&d.from, &actor.email)))
        .ok_or_else(|| {
            Error::not_found(
                "delegation.id.unknown",
                format!("no delegation “{id}” of yours"),
            )
        })?;
    tx.delete_delegation(id, now).await?;
    let details = json!({"from": found.from, "to": found.to});
    let target = format!("delegation:{id}");
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::DelegationRevoked,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A pool's name, for an audit event that should read alone.
fn pool_name(s: &Snapshot, id: &str) -> Option<String> {
    s.pool_idx(id)
        .and_then(|p| s.pool(p))
        .map(|p| p.name.clone())
}

/// What a transition's audit event says: who asked for which pool, for
/// how long and until when, so an auditor needs no second lookup.
fn transition_details(
    s: &Snapshot,
    before: Option<&AccessRequestWire>,
    t: &TransitionOutcome,
) -> serde_json::Value {
    let starts = t.approved_at.or(before.and_then(|b| b.approved_at));
    let ends = t.ends_at.or(before.and_then(|b| b.ends_at));
    json!({
        "requester": before.map(|b| b.requester.clone()),
        "agentPoolId": before.map(|b| b.agent_pool_id.clone()),
        "poolName": before.and_then(|b| pool_name(s, &b.agent_pool_id)),
        "from": t.from,
        "to": t.to,
        "startsAt": starts.map(format_instant),
        "endsAt": ends.map(format_instant),
        "grantedMinutes": t.granted_minutes,
        "period": before.map(|b| granted_text(b.requested_minutes, starts, ends)),
        "ticketRef": before.and_then(|b| b.ticket_ref.clone()),
    })
}
