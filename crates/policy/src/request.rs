//! Just-in-time access requests: settings and their merge, request
//! validation, reviewers, the state machine, and delegation of reviewing.
//! The vocabulary (periods, approval, statuses, settings) is `crate::vocab`,
//! re-exported here.

use chrono::Duration;
use serde::{Deserialize, Serialize};

pub use crate::vocab::{Approval, Period, RequestSettings, RequestStatus};

use crate::email::email_key;
use crate::limits::{
    MAX_DELEGATION_DAYS, MAX_REASON_CHARS, MAX_REQUEST_MINUTES, MAX_TICKET_REF_CHARS,
    PENDING_REQUEST_TTL_HOURS,
};
use crate::role::{PoolLevel, Role};
use crate::snapshot::{GroupIdx, PoolIdx, Request, RequestIdx, Snapshot, UserIdx};
use crate::time::{Instant, add, format_instant, not_an_instant, parse_instant};
use crate::violation::{Code, Violation};
use crate::wire::{
    AccessRequestInput, DelegationInput, DelegationWire, FormValue, RequestSettingsWire,
};

/// What can be done to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestAction {
    /// A reviewer approves, optionally for a shorter period than asked and
    /// with a comment for the requester.
    Approve {
        duration_minutes: Option<FormValue>,
        comment: Option<String>,
    },
    /// A reviewer denies, with a comment for the requester.
    Deny { comment: Option<String> },
    /// The requester withdraws a pending request.
    Cancel,
    /// The sweeper: a pending request unanswered for 24 hours.
    Expire,
    /// An admin or reviewer ends approved access early, optionally saying
    /// why.
    Revoke { comment: Option<String> },
    /// The sweeper: the approved period is over.
    End,
}

impl RequestAction {
    /// What the action makes of a request: `approved`, `denied`, …
    pub const fn past(&self) -> &'static str {
        match self {
            RequestAction::Approve { .. } => "approved",
            RequestAction::Deny { .. } => "denied",
            RequestAction::Cancel => "cancelled",
            RequestAction::Expire => "expired",
            RequestAction::Revoke { .. } => "revoked",
            RequestAction::End => "ended",
        }
    }

    pub const fn name(&self) -> &'static str {
        match self {
            RequestAction::Approve { .. } => "approve",
            RequestAction::Deny { .. } => "deny",
            RequestAction::Cancel => "cancel",
            RequestAction::Expire => "expire",
            RequestAction::Revoke { .. } => "revoke",
            RequestAction::End => "end",
        }
    }
}

/// The only legal transitions: `pending → approved | denied | cancelled |
/// expired` and `approved → revoked | ended`.
pub fn next_status(from: RequestStatus, action: &RequestAction) -> Option<RequestStatus> {
    use RequestStatus::*;
    match (from, action) {
        (Pending, RequestAction::Approve { .. }) => Some(Approved),
        (Pending, RequestAction::Deny { .. }) => Some(Denied),
        (Pending, RequestAction::Cancel) => Some(Cancelled),
        (Pending, RequestAction::Expire) => Some(Expired),
        (Approved, RequestAction::Revoke { .. }) => Some(Revoked),
        (Approved, RequestAction::End) => Some(Ended),
        _ => None,
    }
}

/// Validates request settings as an admin saves them on a pool or on one
/// group assignment: requests turned on must offer at least one period.
/// Periods come back sorted and distinct.
pub fn validate_request_settings(
    wire: &RequestSettingsWire,
) -> Result<RequestSettingsWire, Vec<Violation>> {
    let settings = RequestSettings::from(wire.clone());
    if settings.enabled && settings.periods.is_empty() {
        return Err(vec![Violation::new(
            "periods",
            Code::SettingsPeriodsEmpty,
            "choose at least one access period members may request",
        )]);
    }
    Ok(settings.to_wire())
}

/// How a user reaches a pool through their groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestAccess {
    /// An assignment without requests gives standing access: no request needed.
    Standing(GroupIdx, PoolLevel),
    /// Locked for every assignment: these merged settings apply.
    Requestable {
        settings: RequestSettings,
        groups: Vec<GroupIdx>,
    },
    /// The user's groups do not hold the pool.
    NotRequestable,
}

/// The settings that apply to `u` on `p`, merged across the user's
/// assignments (standing access beats a request).
pub fn request_access(snapshot: &Snapshot, u: UserIdx, p: PoolIdx) -> RequestAccess {
    let Some(assignment) = snapshot.assignment(u, p) else {
        return RequestAccess::NotRequestable;
    };
    if let Some((level, group)) = assignment.standing {
        return RequestAccess::Standing(group, level);
    }
    let mut merged: Option<RequestSettings> = None;
    let mut groups = Vec::new();
    for (gi, group) in snapshot.groups().iter().enumerate() {
        if group.pools.binary_search(&p).is_err() || !group.members.iter().any(|m| m.user == u) {
            continue;
        }
        let Some(settings) = group
            .settings_for(p, snapshot.pools())
            .filter(|s| s.enabled)
        else {
            continue;
        };
        groups.push(GroupIdx(u32::try_from(gi).unwrap_or(u32::MAX)));
        merged = Some(match merged {
            None => settings.clone(),
            Some(m) => m.merge(settings),
        });
    }
    match merged {
        Some(settings) => RequestAccess::Requestable { settings, groups },
        None => RequestAccess::NotRequestable,
    }
}

/// Where a request's access stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// Approved and within `[approvedAt, endsAt)`.
    Active,
    /// It gave access and the period is over.
    Over,
    /// It gives no access (pending, denied, cancelled, expired, revoked).
    None,
}

pub fn request_window(request: &Request, now: Instant) -> Window {
    match (
        request.wire.status,
        request.wire.approved_at,
        request.wire.ends_at,
    ) {
        (RequestStatus::Approved, Some(from), Some(to)) if from <= now && now < to => {
            Window::Active
        }
        (RequestStatus::Approved, _, Some(to)) if to <= now => Window::Over,
        (RequestStatus::Ended, ..) => Window::Over,
        _ => Window::None,
    }
}

/// The status at `now`, honouring the instant before any sweeper runs: a
/// pending request past its TTL is expired, an approved one past its period ended.
pub fn effective_status(request: &Request, now: Instant) -> RequestStatus {
    status_at(
        request.wire.status,
        request.wire.created_at,
        request.wire.ends_at,
        now,
    )
}

/// [`effective_status`] from a request's stored status, creation and end,
/// for callers that hold only those (the portal, from the API's answer).
pub fn status_at(
    status: RequestStatus,
    created_at: Instant,
    ends_at: Option<Instant>,
    now: Instant,
) -> RequestStatus {
    match status {
        RequestStatus::Pending
            if now >= add(created_at, Duration::hours(PENDING_REQUEST_TTL_HOURS)) =>
        {
            RequestStatus::Expired
        }
        RequestStatus::Approved if ends_at.is_some_and(|t| t <= now) => RequestStatus::Ended,
        s => s,
    }
}

/// When a pending request expires.
pub fn pending_deadline(request: &Request) -> Instant {
    add(
        request.wire.created_at,
        Duration::hours(PENDING_REQUEST_TTL_HOURS),
    )
}

/// A pending request created at or before this instant has expired at
/// `now` (the other side of [`pending_deadline`], for finding them).
pub fn pending_expired_if_created_by(now: Instant) -> Instant {
    add(now, -Duration::hours(PENDING_REQUEST_TTL_HOURS))
}

/// A request that passed validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRequest {
    pub requester: String,
    pub agent_pool_id: String,
    pub period: Period,
    pub requested_minutes: i64,
    pub approval: Approval,
    /// `approved` at once for auto-approval, else `pending`.
    pub status: RequestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_ref: Option<String>,
    #[serde(with = "crate::time::rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Instant,
    #[serde(
        default,
        with = "crate::time::rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub approved_at: Option<Instant>,
    #[serde(
        default,
        with = "crate::time::rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ends_at: Option<Instant>,
    /// When a pending request expires unanswered.
    #[serde(
        default,
        with = "crate::time::rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<Instant>,
}

/// Optional free text: trimmed, blank means absent.
fn text(value: Option<&String>) -> Option<String> {
    value
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Parses a whole number from a form value. A whole number too large (or
/// too small) for an `i64` is read as the largest (smallest) one, so that it
/// is refused as out of range rather than as not a number.
pub(crate) fn form_number(value: &FormValue) -> Option<i64> {
    use std::num::IntErrorKind;
    match value {
        FormValue::Number(n) => Some(*n),
        FormValue::Text(t) => match t.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(e) => match e.kind() {
                IntErrorKind::PosOverflow => Some(i64::MAX),
                IntErrorKind::NegOverflow => Some(i64::MIN),
                _ => None,
            },
        },
    }
}

/// Validates a request by `requester` at `now`, returning every violation:
/// who asks, the pool and the settings that apply there, the period, the
/// free texts, each in turn.
pub fn validate_request(
    snapshot: &Snapshot,
    requester: &str,
    input: &AccessRequestInput,
    now: Instant,
) -> Result<NewRequest, Vec<Violation>> {
    let mut errors = Vec::new();
    let user = check_requester(snapshot, requester, &mut errors);
    let pool_id = trimmed(input.agent_pool_id.as_deref());
    let settings = check_pool(snapshot, user, pool_id, now, &mut errors);
    let (period, minutes) = check_period(input, settings.as_ref(), &mut errors);
    let reason = check_reason(input.reason.as_ref(), settings.as_ref(), &mut errors);
    let ticket_ref = check_ticket_ref(input.ticket_ref.as_ref(), &mut errors);

    match (errors.is_empty(), settings, period, minutes, pool_id, user) {
        (true, Some(settings), Some(period), Some(minutes), Some(pool), Some(u)) => {
            let auto = settings.approval == Approval::Auto;
            Ok(NewRequest {
                requester: snapshot
                    .user(u)
                    .map(|u| u.email.clone())
                    .unwrap_or_default(),
                agent_pool_id: pool.to_owned(),
                period,
                requested_minutes: minutes,
                approval: settings.approval,
                status: if auto {
                    RequestStatus::Approved
                } else {
                    RequestStatus::Pending
                },
                reason,
                ticket_ref,
                created_at: now,
                approved_at: auto.then_some(now),
                ends_at: auto.then(|| add(now, Duration::minutes(minutes))),
                expires_at: (!auto).then(|| add(now, Duration::hours(PENDING_REQUEST_TTL_HOURS))),
            })
        }
        _ => Err(errors),
    }
}

/// A choice from a list: trimmed, blank means none.
fn trimmed(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// Who asks: an enabled user of the company, in a company with RBAC on
/// (with RBAC off every user already has Standard access). The requester,
/// when an enabled user.
fn check_requester(
    snapshot: &Snapshot,
    requester: &str,
    errors: &mut Vec<Violation>,
) -> Option<UserIdx> {
    let user = snapshot
        .user_idx(requester)
        .filter(|u| snapshot.user(*u).is_some_and(|u| u.enabled));
    if user.is_none() {
        errors.push(Violation::new(
            "",
            Code::RequestRequesterNotAllowed,
            format!("“{requester}” is not an enabled user of this company"),
        ));
    }
    if !snapshot.rbac_enabled {
        errors.push(Violation::new(
            "",
            Code::RequestRbacDisabled,
            "access requests need RBAC: with RBAC off every user already has Standard access",
        ));
    }
    user
}

/// The pool asked for, and the settings a request for it is made under: a
/// pool named and known; for a known requester, one they may request and
/// have no open request for.
fn check_pool(
    snapshot: &Snapshot,
    user: Option<UserIdx>,
    pool_id: Option<&str>,
    now: Instant,
    errors: &mut Vec<Violation>,
) -> Option<RequestSettings> {
    let Some(id) = pool_id else {
        errors.push(Violation::new(
            "agentPoolId",
            Code::RequestPoolRequired,
            "choose an agent pool",
        ));
        return None;
    };
    let Some(p) = snapshot.pool_idx(id) else {
        errors.push(Violation::new(
            "agentPoolId",
            Code::RequestPoolUnknown,
            format!("no agent pool “{id}”"),
        ));
        return None;
    };
    let u = user?;
    let settings = requestable_settings(snapshot, u, p, id, errors);
    check_open_request(snapshot, u, p, now, errors);
    settings
}

/// The settings that apply to `u` requesting pool `p` (named `id`): a pool
/// the user already has, or that none of their groups offers for requests,
/// is a violation.
fn requestable_settings(
    snapshot: &Snapshot,
    u: UserIdx,
    p: PoolIdx,
    id: &str,
    errors: &mut Vec<Violation>,
) -> Option<RequestSettings> {
    match request_access(snapshot, u, p) {
        RequestAccess::Standing(g, _) => {
            errors.push(Violation::new(
                "agentPoolId",
                Code::RequestPoolAlreadyAccessible,
                format!(
                    "you already have access to “{id}” through group “{}”",
                    snapshot
                        .group(g)
                        .map(|g| g.name.as_str())
                        .unwrap_or_default()
                ),
            ));
            None
        }
        RequestAccess::NotRequestable => {
            errors.push(Violation::new(
                "agentPoolId",
                Code::RequestPoolNotRequestable,
                format!("none of your groups offers access requests to “{id}”"),
            ));
            None
        }
        RequestAccess::Requestable { settings, .. } => Some(settings),
    }
}

/// One open request per user and pool: a request of `u` for `p` that is
/// pending or approved at `now` is a violation.
fn check_open_request(
    snapshot: &Snapshot,
    u: UserIdx,
    p: PoolIdx,
    now: Instant,
    errors: &mut Vec<Violation>,
) {
    let open = snapshot
        .user_requests(u)
        .iter()
        .filter_map(|r| snapshot.request(*r))
        .find(|r| {
            r.pool == p
                && matches!(
                    effective_status(r, now),
                    RequestStatus::Pending | RequestStatus::Approved
                )
        });
    if let Some(r) = open {
        errors.push(Violation::new(
            "agentPoolId",
            Code::RequestPoolDuplicate,
            format!(
                "request “{}” for this pool is already {}",
                r.wire.id,
                effective_status(r, now).wire_name()
            ),
        ));
    }
}

/// The period and its minutes: a known period, one the pool offers (when
/// the settings are known), and the minutes from [`period_minutes`].
fn check_period(
    input: &AccessRequestInput,
    settings: Option<&RequestSettings>,
    errors: &mut Vec<Violation>,
) -> (Option<Period>, Option<i64>) {
    let Some(text) = trimmed(input.period.as_deref()) else {
        errors.push(Violation::new(
            "period",
            Code::RequestPeriodRequired,
            "choose an access period",
        ));
        return (None, None);
    };
    let Some(p) = Period::parse(text) else {
        errors.push(Violation::new(
            "period",
            Code::RequestPeriodUnknown,
            format!("“{text}” is not a period: use 1h, 4h, 8h, 12h, 1d, 7d or custom"),
        ));
        return (None, None);
    };
    if let Some(s) = settings
        && !s.periods.contains(&p)
    {
        let offered: Vec<&str> = s.periods.iter().map(|p| p.wire_name()).collect();
        errors.push(Violation::new(
            "period",
            Code::RequestPeriodNotAllowed,
            format!("this pool offers {}", offered.join(", ")),
        ));
    }
    (
        Some(p),
        period_minutes(p, input.duration_minutes.as_ref(), errors),
    )
}

/// The minutes of period `p`: a preset's own (a duration with it is a
/// violation), or a custom period's duration, a whole number of minutes up
/// to seven days.
fn period_minutes(
    p: Period,
    duration: Option<&FormValue>,
    errors: &mut Vec<Violation>,
) -> Option<i64> {
    match (p.minutes(), duration) {
        (Some(m), None) => Some(m),
        (Some(_), Some(_)) => {
            errors.push(Violation::new(
                "durationMinutes",
                Code::RequestDurationUnexpected,
                "a duration is given only with the custom period",
            ));
            None
        }
        (None, None) => {
            errors.push(Violation::new(
                "durationMinutes",
                Code::RequestDurationRequired,
                "a custom period needs a duration in minutes",
            ));
            None
        }
        (None, Some(v)) => {
            let minutes = form_number(v).filter(|m| (1..=MAX_REQUEST_MINUTES).contains(m));
            if minutes.is_none() {
                errors.push(Violation::new(
                    "durationMinutes",
                    Code::RequestDurationOutOfRange,
                    format!("the duration is a whole number of minutes, 1 to {MAX_REQUEST_MINUTES} (7 days)"),
                ));
            }
            minutes
        }
    }
}

/// The reason, trimmed: required when the settings ask for one (always for
/// self-approval), and no longer than the longest reason.
fn check_reason(
    reason: Option<&String>,
    settings: Option<&RequestSettings>,
    errors: &mut Vec<Violation>,
) -> Option<String> {
    let reason = text(reason);
    if settings.is_some_and(RequestSettings::needs_reason) && reason.is_none() {
        let why = match settings.map(|s| s.approval) {
            Some(Approval::Auto) => "self-approval needs a reason",
            _ => "this pool asks for a reason",
        };
        errors.push(Violation::new("reason", Code::RequestReasonRequired, why));
    }
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        errors.push(Violation::new(
            "reason",
            Code::RequestReasonTooLong,
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    reason
}

/// The ticket reference, trimmed, optional, no longer than its bound.
fn check_ticket_ref(ticket_ref: Option<&String>, errors: &mut Vec<Violation>) -> Option<String> {
    let ticket_ref = text(ticket_ref);
    if ticket_ref
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_TICKET_REF_CHARS)
    {
        errors.push(Violation::new(
            "ticketRef",
            Code::RequestTicketTooLong,
            format!("at most {MAX_TICKET_REF_CHARS} characters"),
        ));
    }
    ticket_ref
}

/// How a reviewer came to review a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reviewer {
    pub email: String,
    /// `companyAdmin`, `groupAdmin`, `accessReviewer` or `delegate`.
    pub via: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegated_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// Who may approve a request by `requester` for `pool` at `now`: Company
/// Admins, Group Admins of an environment holding the pool, the pool's named
/// access reviewers, and the delegates of any of them — never the requester,
/// never a disabled user.
pub fn who_can_approve(
    snapshot: &Snapshot,
    requester: UserIdx,
    pool: PoolIdx,
    now: Instant,
) -> Vec<Reviewer> {
    let mut out: Vec<(UserIdx, Reviewer)> = Vec::new();
    let eligible = |u: UserIdx| u != requester && snapshot.user(u).is_some_and(|u| u.enabled);
    let push = |out: &mut Vec<(UserIdx, Reviewer)>, u: UserIdx, r: Reviewer| {
        if eligible(u) && !out.iter().any(|(x, _)| *x == u) {
            out.push((u, r));
        }
    };
    let email = |u: UserIdx| {
        snapshot
            .user(u)
            .map(|u| u.email.clone())
            .unwrap_or_default()
    };
    let mut direct: Vec<UserIdx> = Vec::new();
    for (i, _) in snapshot.users().iter().enumerate() {
        let u = UserIdx(u32::try_from(i).unwrap_or(u32::MAX));
        if snapshot.has_live_role(u, Role::CompanyAdmin) {
            direct.push(u);
            push(&mut out, u, reviewer(email(u), "companyAdmin"));
        }
    }
    for (i, _) in snapshot.users().iter().enumerate() {
        let u = UserIdx(u32::try_from(i).unwrap_or(u32::MAX));
        if snapshot.has_live_role(u, Role::GroupAdmin)
            && let Some(g) = snapshot.administered_by(u, pool)
        {
            direct.push(u);
            let mut r = reviewer(email(u), "groupAdmin");
            r.group_id = snapshot.group(g).map(|g| g.id.clone());
            push(&mut out, u, r);
        }
    }
    if let Some(p) = snapshot.pool(pool) {
        for &u in &p.reviewers {
            direct.push(u);
            push(&mut out, u, reviewer(email(u), "accessReviewer"));
        }
    }
    // Delegation is not transitive: only a direct reviewer can delegate, and
    // only while enabled; the requester's delegate never reviews the requester.
    let mut delegates: Vec<(UserIdx, Reviewer)> = Vec::new();
    for d in snapshot
        .delegations()
        .iter()
        .filter(|d| d.is_active(now) && eligible(d.from) && direct.contains(&d.from))
    {
        let mut r = reviewer(email(d.to), "delegate");
        r.delegated_by = Some(email(d.from));
        r.until = Some(format_instant(d.ends_at));
        if !out.iter().any(|(x, _)| *x == d.to) {
            push(&mut delegates, d.to, r);
        }
    }
    out.extend(delegates);
    out.into_iter().map(|(_, r)| r).collect()
}

fn reviewer(email: String, via: &str) -> Reviewer {
    Reviewer {
        email,
        via: via.to_owned(),
        group_id: None,
        delegated_by: None,
        until: None,
    }
}

/// Whether `u` reviews anything at `now` (may delegate).
/// Whether `u` reviews any access request at `now`: a direct reviewer
/// (Company Admin, Group Admin of a group holding a pool, named access
/// reviewer) or the delegate of an enabled direct reviewer. It decides whether
/// the portal offers a review queue and delegation; each request's reviewers
/// are still [`who_can_approve`]'s.
pub fn is_reviewer(snapshot: &Snapshot, u: UserIdx, now: Instant) -> bool {
    let enabled = |x: UserIdx| snapshot.user(x).is_some_and(|x| x.enabled);
    enabled(u)
        && (is_direct_reviewer(snapshot, u)
            || snapshot.delegations().iter().any(|d| {
                d.to == u
                    && d.is_active(now)
                    && enabled(d.from)
                    && is_direct_reviewer(snapshot, d.from)
            }))
}

/// Whether `u` may delegate reviewing: a direct reviewer, not a delegate.
pub fn is_direct_reviewer(snapshot: &Snapshot, u: UserIdx) -> bool {
    snapshot.has_live_role(u, Role::CompanyAdmin)
        || (snapshot.has_live_role(u, Role::GroupAdmin)
            && snapshot.administered_pools(u).next().is_some())
        || snapshot.pools().iter().any(|p| p.reviewers.contains(&u))
}

/// The result of a legal transition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransitionOutcome {
    pub request_id: String,
    pub from: RequestStatus,
    pub to: RequestStatus,
    #[serde(
        default,
        with = "crate::time::rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub approved_at: Option<Instant>,
    #[serde(
        default,
        with = "crate::time::rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ends_at: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A reviewer's comment for the requester, trimmed: required to deny,
/// optional to approve or revoke, never longer than a reason.
fn checked_comment(
    comment: Option<&String>,
    required: bool,
    errors: &mut Vec<Violation>,
) -> Option<String> {
    match text(comment) {
        None if required => {
            errors.push(Violation::new(
                "comment",
                Code::RequestCommentRequired,
                "tell the requester why",
            ));
            None
        }
        Some(c) if c.chars().count() > MAX_REASON_CHARS => {
            errors.push(Violation::new(
                "comment",
                Code::RequestCommentTooLong,
                format!("at most {MAX_REASON_CHARS} characters"),
            ));
            None
        }
        c => c,
    }
}

/// Applies an action to a request, by `actor` (`None` for the sweeper): the
/// sweeper's actions once due, a person's when the state machine allows it
/// and the person may take it.
pub fn apply_action(
    snapshot: &Snapshot,
    ri: RequestIdx,
    actor: Option<&str>,
    action: &RequestAction,
    now: Instant,
) -> Result<TransitionOutcome, Vec<Violation>> {
    let Some(request) = snapshot.request(ri) else {
        return Err(vec![Violation::new(
            "requestId",
            Code::RequestNotFound,
            "no such request",
        )]);
    };
    let effective = effective_status(request, now);
    let mut outcome = unchanged(request);
    if matches!(action, RequestAction::Expire | RequestAction::End) {
        return sweep(request, action, effective, outcome, now);
    }
    let Some(to) = next_status(effective, action) else {
        return Err(vec![illegal(effective, action)]);
    };
    outcome.to = to;
    let by = acting(snapshot, request, actor, now);
    let mut errors = Vec::new();
    match action {
        RequestAction::Approve {
            duration_minutes,
            comment,
        } => approve(
            request.wire.requested_minutes,
            &by,
            duration_minutes.as_ref(),
            comment.as_ref(),
            now,
            &mut outcome,
            &mut errors,
        ),
        RequestAction::Deny { comment } => deny(&by, comment.as_ref(), &mut outcome, &mut errors),
        RequestAction::Cancel => cancel(&by, &mut errors),
        RequestAction::Revoke { comment } => {
            revoke(&by, comment.as_ref(), &mut outcome, &mut errors)
        }
        RequestAction::Expire | RequestAction::End => {}
    }
    if errors.is_empty() {
        Ok(outcome)
    } else {
        Err(errors)
    }
}

/// The outcome before the action: the request where it stands.
fn unchanged(request: &Request) -> TransitionOutcome {
    TransitionOutcome {
        request_id: request.wire.id.clone(),
        from: request.wire.status,
        to: request.wire.status,
        approved_at: None,
        ends_at: None,
        granted_minutes: None,
        comment: None,
    }
}

/// Refuses an action the state machine does not allow from `status`.
fn illegal(status: RequestStatus, action: &RequestAction) -> Violation {
    Violation::new(
        "",
        Code::RequestIllegalTransition,
        format!(
            "a request that is {} cannot be {}",
            status.wire_name(),
            action.past()
        ),
    )
}

/// The sweeper's transitions (expire, end): legal from the stored status,
/// and only when due, that is when the status at `now` already is the one
/// they record.
fn sweep(
    request: &Request,
    action: &RequestAction,
    effective: RequestStatus,
    mut outcome: TransitionOutcome,
    now: Instant,
) -> Result<TransitionOutcome, Vec<Violation>> {
    let stored = request.wire.status;
    let Some(to) = next_status(stored, action) else {
        return Err(vec![illegal(stored, action)]);
    };
    if effective != to {
        let due = match action {
            RequestAction::Expire => pending_deadline(request),
            _ => request.wire.ends_at.unwrap_or(now),
        };
        return Err(vec![Violation::new(
            "",
            Code::RequestNotDue,
            format!(
                "the request is not due to {} before {}",
                action.name(),
                format_instant(due)
            ),
        )]);
    }
    outcome.to = to;
    Ok(outcome)
}

/// Who acts on a request, as a person's actions need to know.
struct Acting<'a> {
    /// As given, to name in a refusal.
    actor: Option<&'a str>,
    /// The actor is the request's requester, enabled.
    requester: bool,
    /// The actor, enabled, is among the request's reviewers at `now`.
    reviewer: bool,
}

/// Whether the actor, when an enabled user, is the requester or one of the
/// request's reviewers at `now`.
fn acting<'a>(
    snapshot: &Snapshot,
    request: &Request,
    actor: Option<&'a str>,
    now: Instant,
) -> Acting<'a> {
    let actor_idx = actor
        .and_then(|a| snapshot.user_idx(a))
        .filter(|u| snapshot.user(*u).is_some_and(|u| u.enabled));
    let reviewers = who_can_approve(snapshot, request.requester, request.pool, now);
    let actor_email = actor_idx
        .and_then(|u| snapshot.user(u))
        .map(|u| email_key(&u.email).into_owned());
    Acting {
        actor,
        requester: actor_idx == Some(request.requester),
        reviewer: actor_email
            .as_ref()
            .is_some_and(|a| reviewers.iter().any(|r| email_key(&r.email) == a.as_str())),
    }
}

/// Approving: by a reviewer other than the requester, with an optional
/// comment, for the minutes asked or fewer; access runs from `now`.
fn approve(
    requested: i64,
    by: &Acting<'_>,
    duration: Option<&FormValue>,
    comment: Option<&String>,
    now: Instant,
    outcome: &mut TransitionOutcome,
    errors: &mut Vec<Violation>,
) {
    outcome.comment = checked_comment(comment, false, errors);
    if by.requester {
        errors.push(Violation::new(
            "",
            Code::RequestActorSelfReview,
            "a requester cannot approve their own request",
        ));
    } else if !by.reviewer {
        errors.push(not_reviewer(by.actor));
    }
    if let Some(m) = approved_minutes(requested, duration, errors) {
        outcome.approved_at = Some(now);
        outcome.ends_at = Some(add(now, Duration::minutes(m)));
        outcome.granted_minutes = Some(m);
    }
}

/// The minutes a reviewer approves: the `requested` ones when no duration
/// is given, else the duration, which may narrow the period but not widen it.
fn approved_minutes(
    requested: i64,
    duration: Option<&FormValue>,
    errors: &mut Vec<Violation>,
) -> Option<i64> {
    let Some(v) = duration else {
        return Some(requested);
    };
    match form_number(v) {
        Some(m) if m > requested && m <= MAX_REQUEST_MINUTES => {
            errors.push(Violation::new(
                "durationMinutes",
                Code::RequestDurationWider,
                format!(
                    "a reviewer may narrow the period, not widen it: at most {requested} minutes"
                ),
            ));
            None
        }
        Some(m) if (1..=requested).contains(&m) => Some(m),
        _ => {
            errors.push(Violation::new(
                "durationMinutes",
                Code::RequestDurationOutOfRange,
                format!("the duration is a whole number of minutes, 1 to {requested}"),
            ));
            None
        }
    }
}

/// Denying: by a reviewer other than the requester, telling the requester why.
fn deny(
    by: &Acting<'_>,
    comment: Option<&String>,
    outcome: &mut TransitionOutcome,
    errors: &mut Vec<Violation>,
) {
    if by.requester {
        errors.push(Violation::new(
            "",
            Code::RequestActorSelfReview,
            "a requester cannot review their own request",
        ));
    } else if !by.reviewer {
        errors.push(not_reviewer(by.actor));
    }
    outcome.comment = checked_comment(comment, true, errors);
}

/// Cancelling: by the requester only.
fn cancel(by: &Acting<'_>, errors: &mut Vec<Violation>) {
    if !by.requester {
        errors.push(Violation::new(
            "",
            Code::RequestActorNotRequester,
            "only the requester can cancel a request",
        ));
    }
}

/// Revoking approved access: by an admin or a reviewer of the pool, with an
/// optional comment.
fn revoke(
    by: &Acting<'_>,
    comment: Option<&String>,
    outcome: &mut TransitionOutcome,
    errors: &mut Vec<Violation>,
) {
    outcome.comment = checked_comment(comment, false, errors);
    if !by.reviewer {
        errors.push(Violation::new(
            "",
            Code::RequestActorNotAllowed,
            "only an admin or a reviewer of the pool can revoke approved access",
        ));
    }
}

fn not_reviewer(actor: Option<&str>) -> Violation {
    Violation::new(
        "",
        Code::RequestActorNotReviewer,
        format!(
            "“{}” is not a reviewer of this pool",
            actor.unwrap_or("anonymous")
        ),
    )
}

/// Validates a delegation of reviewing from `from` at `now`.
pub fn validate_delegation(
    snapshot: &Snapshot,
    from: &str,
    input: &DelegationInput,
    now: Instant,
) -> Result<DelegationWire, Vec<Violation>> {
    let mut errors = Vec::new();
    let from_idx = snapshot
        .user_idx(from)
        .filter(|u| snapshot.user(*u).is_some_and(|u| u.enabled));
    if !from_idx.is_some_and(|u| is_direct_reviewer(snapshot, u)) {
        errors.push(Violation::new(
            "",
            Code::DelegationFromNotReviewer,
            format!("“{from}” reviews no access requests, so has nothing to delegate"),
        ));
    }
    let to = input.to.trim();
    let to_idx = snapshot.user_idx(to);
    match to_idx.and_then(|u| snapshot.user(u)) {
        None => errors.push(Violation::new(
            "to",
            Code::DelegationToUnknown,
            format!("no user “{to}”"),
        )),
        Some(user) if !user.enabled => errors.push(Violation::new(
            "to",
            Code::DelegationToDisabled,
            format!("“{to}” is disabled"),
        )),
        Some(_) if to_idx == from_idx => errors.push(Violation::new(
            "to",
            Code::DelegationToSelf,
            "delegate to someone else",
        )),
        Some(_) => {}
    }
    let starts = match input.starts_at.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Some(now),
        Some(s) => {
            let t = parse_instant(s);
            if t.is_none() {
                errors.push(Violation::new(
                    "startsAt",
                    Code::DelegationStartsInvalid,
                    not_an_instant(s),
                ));
            }
            t
        }
    };
    let ends = parse_instant(&input.ends_at);
    if ends.is_none() {
        errors.push(Violation::new(
            "endsAt",
            Code::DelegationEndsInvalid,
            not_an_instant(&input.ends_at),
        ));
    }
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            errors.push(Violation::new(
                "endsAt",
                Code::DelegationEndsBeforeStart,
                "the end must be after the start",
            ));
        } else if e <= now {
            errors.push(Violation::new(
                "endsAt",
                Code::DelegationEndsNotFuture,
                "the end must be in the future",
            ));
        } else if e - s > Duration::days(MAX_DELEGATION_DAYS) {
            errors.push(Violation::new(
                "endsAt",
                Code::DelegationEndsTooFar,
                format!("a delegation lasts at most {MAX_DELEGATION_DAYS} days"),
            ));
        }
    }
    match (errors.is_empty(), from_idx, to_idx, starts, ends) {
        (true, Some(f), Some(t), Some(starts_at), Some(ends_at)) => Ok(DelegationWire {
            from: snapshot
                .user(f)
                .map(|u| u.email.clone())
                .unwrap_or_default(),
            to: snapshot
                .user(t)
                .map(|u| u.email.clone())
                .unwrap_or_default(),
            starts_at,
            ends_at,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_cutoff_agrees_with_the_deadline() {
        let created = crate::time::parse_instant("2026-11-22T10:00:00Z").unwrap();
        for minutes in [0, 1_439, 1_440, 1_441, 3_000] {
            let now = add(created, Duration::minutes(minutes));
            let by_deadline = now >= add(created, Duration::hours(PENDING_REQUEST_TTL_HOURS));
            assert_eq!(
                by_deadline,
                created <= pending_expired_if_created_by(now),
                "{minutes} minutes"
            );
        }
    }

    #[test]
    fn reviewers_and_their_delegates_have_a_queue() {
        let at = |s: &str| crate::time::parse_instant(s).unwrap();
        let wire: crate::wire::SnapshotWire = serde_json::from_value(serde_json::json!({
            "companyId": "c", "rbacEnabled": true,
            "users": [
                {"email": "rev@a.io", "roles": ["DEVELOPER"]},
                {"email": "del@a.io", "roles": ["DEVELOPER"]},
                {"email": "dev@a.io", "roles": ["DEVELOPER"]}
            ],
            "agentPools": [{"id": "p", "name": "P", "accessReviewers": ["rev@a.io"]}],
            "groups": [], "grants": [], "requests": [],
            "delegations": [{"from": "rev@a.io", "to": "del@a.io",
                "startsAt": "2026-11-22T10:00:00Z", "endsAt": "2026-11-23T10:00:00Z"}]
        }))
        .unwrap();
        let s = Snapshot::build(wire).unwrap();
        let u = |e: &str| s.user_idx(e).unwrap();
        let during = at("2026-11-22T12:00:00Z");
        let after = at("2026-11-23T10:00:00Z");
        assert!(is_reviewer(&s, u("rev@a.io"), during));
        assert!(is_reviewer(&s, u("del@a.io"), during));
        assert!(!is_reviewer(&s, u("del@a.io"), after));
        assert!(!is_reviewer(&s, u("dev@a.io"), during));
        assert!(!is_direct_reviewer(&s, u("del@a.io")));
    }

    #[test]
    fn periods_in_words_and_status_at_an_instant() {
        assert_eq!(Period::FourHours.label(), "4 hours");
        assert_eq!(Period::Custom.label(), "custom up to 7 days");
        let at = |s: &str| crate::time::parse_instant(s).unwrap();
        let created = at("2026-11-22T10:00:00Z");
        let pending = |now| status_at(RequestStatus::Pending, created, None, at(now));
        assert_eq!(pending("2026-11-23T09:59:59Z"), RequestStatus::Pending);
        assert_eq!(pending("2026-11-23T10:00:00Z"), RequestStatus::Expired);
        let ends = Some(at("2026-11-22T11:00:00Z"));
        let approved = |now| status_at(RequestStatus::Approved, created, ends, at(now));
        assert_eq!(approved("2026-11-22T10:59:59Z"), RequestStatus::Approved);
        assert_eq!(approved("2026-11-22T11:00:00Z"), RequestStatus::Ended);
    }

    #[test]
    fn only_the_documented_transitions_exist() {
        use RequestStatus::*;
        let actions = [
            RequestAction::Approve {
                duration_minutes: None,
                comment: None,
            },
            RequestAction::Deny { comment: None },
            RequestAction::Cancel,
            RequestAction::Expire,
            RequestAction::Revoke { comment: None },
            RequestAction::End,
        ];
        let mut legal = Vec::new();
        for from in [
            Pending, Approved, Denied, Cancelled, Expired, Revoked, Ended,
        ] {
            for a in &actions {
                if let Some(to) = next_status(from, a) {
                    legal.push((from, to));
                }
            }
        }
        assert_eq!(
            legal,
            vec![
                (Pending, Approved),
                (Pending, Denied),
                (Pending, Cancelled),
                (Pending, Expired),
                (Approved, Revoked),
                (Approved, Ended)
            ]
        );
    }

    #[test]
    fn merge_is_most_permissive() {
        let manual = RequestSettings {
            enabled: true,
            periods: vec![Period::OneHour],
            approval: Approval::Manual,
            reason_required: true,
        };
        let auto = RequestSettings {
            enabled: true,
            periods: vec![Period::OneDay, Period::Custom],
            approval: Approval::Auto,
            reason_required: false,
        };
        let m = manual.merge(&auto);
        assert_eq!(m.approval, Approval::Auto);
        assert_eq!(
            m.periods,
            vec![Period::OneHour, Period::OneDay, Period::Custom]
        );
        assert!(!m.reason_required);
        assert!(m.needs_reason(), "auto-approval always needs a reason");
        assert_eq!(m, auto.merge(&manual), "merge is symmetric");
    }

    #[test]
    fn periods_parse_and_measure() {
        assert_eq!(Period::parse("12h").and_then(Period::minutes), Some(720));
        assert_eq!(Period::parse("custom").and_then(Period::minutes), None);
        assert_eq!(Period::parse("2h"), None);
        assert_eq!(Period::SevenDays.minutes(), Some(MAX_REQUEST_MINUTES));
    }
}
