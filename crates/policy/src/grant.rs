//! Temporary access grants: validation of the vendor's wire shape and of the
//! portal's form, context-free and against a company snapshot. Every check
//! runs and every violation is returned.

use std::borrow::Cow;

use chrono::{Datelike, Duration, Timelike};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::catalogue::{Access, Operation};
use crate::decision::{Check, decide};
use crate::email::{email_key, is_valid_email};
use crate::limits::{EXPIRY_GRACE_SECONDS, Limits, MAX_GRANT_NAME_CHARS, MAX_INCIDENT_ID_CHARS};
use crate::request::form_number;
use crate::role::{PoolLevel, Role};
use crate::snapshot::{GrantIdx, Snapshot, name_key};
use crate::time::{Instant, add, format_instant, not_an_instant, parse_instant};
use crate::violation::{Code, Violation, item};
use crate::wire::{CreateTempAccess, FormValue, GrantForm, GrantRole};

/// What grant checks need beyond the input: the company and who asks.
#[derive(Clone, Copy, Debug)]
pub struct GrantContext<'a> {
    pub snapshot: &'a Snapshot,
    /// The user creating the grant; `None` skips the authority check
    /// (offline validation of a file).
    pub actor: Option<&'a str>,
    /// The id of the grant this one replaces: it counts towards neither the
    /// limit nor the names.
    pub replacing: Option<&'a str>,
}

/// A grant that passed validation, ready to store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGrant {
    pub name: String,
    /// The name was absent and the default name was given.
    pub default_name: bool,
    pub agent_pool_ids: Vec<String>,
    /// As given, except that a known user's address is written as stored.
    pub user_emails: Vec<String>,
    /// The highest role listed.
    pub roles: Vec<GrantRole>,
    #[serde(with = "crate::time::rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expiration_date: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
}

impl NewGrant {
    pub fn level(&self) -> PoolLevel {
        self.roles
            .iter()
            .map(|r| r.0)
            .max()
            .unwrap_or(PoolLevel::Standard)
    }
}

/// `Temp-Access-DDMMYYYY-HHmmss-SSS` of `now` (UTC), moved forward one
/// millisecond at a time while `taken` says the name is in use.
pub fn default_grant_name(now: Instant, taken: impl Fn(&str) -> bool) -> String {
    let mut t = now;
    // Each step frees at most one name, so this ends within (names + 1) steps;
    // the bound keeps it total whatever `taken` does.
    for _ in 0..100_000 {
        let name = format!(
            "Temp-Access-{:02}{:02}{:04}-{:02}{:02}{:02}-{:03}",
            t.day(),
            t.month(),
            t.year(),
            t.hour(),
            t.minute(),
            t.second(),
            t.timestamp_subsec_millis() % 1000
        );
        if !taken(&name) {
            return name;
        }
        t += Duration::milliseconds(1);
    }
    format!("Temp-Access-{}", t.timestamp_millis())
}

/// Validates a grant in the vendor's wire shape.
pub fn validate_grant(
    input: &CreateTempAccess,
    now: Instant,
    ctx: Option<&GrantContext<'_>>,
) -> Result<NewGrant, Vec<Violation>> {
    let mut errors = Vec::new();
    let limits = ctx.map(|c| c.snapshot.limits).unwrap_or_default();
    let roles = check_roles(input.roles.as_deref(), &mut errors);
    let expiry = match input.expiration_date.as_deref() {
        None => {
            errors.push(Violation::new(
                "expirationDate",
                Code::GrantExpirationRequired,
                "an expiry date is required",
            ));
            None
        }
        Some(text) => match parse_instant(text) {
            None => {
                errors.push(Violation::new(
                    "expirationDate",
                    Code::GrantExpirationInvalid,
                    not_an_instant(text),
                ));
                None
            }
            Some(t) => check_instant(
                t,
                now,
                limits,
                "expirationDate",
                (Code::GrantExpirationNotFuture, Code::GrantExpirationTooFar),
                &mut errors,
            ),
        },
    };
    let parts = Parts {
        name: input.name.as_deref(),
        pools: input.agent_pool_ids.as_deref(),
        users: input.user_emails.as_deref(),
        incident: input.incident_id.as_deref(),
    };
    let common = check_common(&parts, now, limits, ctx, &mut errors);
    finish(errors, common, roles, expiry)
}

/// A valid form: the grant and the wire body to submit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormGrant {
    pub grant: NewGrant,
    /// The vendor's wire shape, with `expirationDate` computed from the choice.
    pub request: CreateTempAccess,
}

/// Validates the portal's form: one role, and an expiry as days, hours or a
/// custom instant. Days and hours are exact durations from `now`.
pub fn validate_grant_form(
    form: &GrantForm,
    now: Instant,
    ctx: Option<&GrantContext<'_>>,
) -> Result<FormGrant, Vec<Violation>> {
    let mut errors = Vec::new();
    let limits = ctx.map(|c| c.snapshot.limits).unwrap_or_default();
    let role = match form
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => {
            errors.push(Violation::new(
                "role",
                Code::GrantRoleRequired,
                "choose a role",
            ));
            None
        }
        Some(text) => match PoolLevel::parse(text) {
            None => {
                errors.push(Violation::new(
                    "role",
                    Code::GrantRoleUnknown,
                    format!("“{text}” is not a role: use Standard or Privileged"),
                ));
                None
            }
            Some(level) => Some(vec![GrantRole(level)]),
        },
    };
    let expiry = form_expiry(form, now, limits, &mut errors);
    let parts = Parts {
        name: form.name.as_deref(),
        pools: Some(&form.agent_pool_ids),
        users: Some(&form.user_emails),
        incident: form.incident_id.as_deref(),
    };
    let common = check_common(&parts, now, limits, ctx, &mut errors);
    let grant = finish(errors, common, role, expiry)?;
    let request = CreateTempAccess {
        agent_pool_ids: Some(grant.agent_pool_ids.clone()),
        user_emails: Some(grant.user_emails.clone()),
        roles: Some(
            grant
                .roles
                .iter()
                .map(|r| r.0.grant_name().to_owned())
                .collect(),
        ),
        expiration_date: Some(format_instant(grant.expiration_date)),
        name: (!grant.default_name).then(|| grant.name.clone()),
        incident_id: grant.incident_id.clone(),
    };
    Ok(FormGrant { grant, request })
}

fn form_expiry(
    form: &GrantForm,
    now: Instant,
    limits: Limits,
    errors: &mut Vec<Violation>,
) -> Option<Instant> {
    let kind = form
        .expiry_kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let Some(kind) = kind else {
        errors.push(Violation::new(
            "expiryKind",
            Code::GrantExpiryKindRequired,
            "choose days, hours or a date",
        ));
        return None;
    };
    if !matches!(kind, "days" | "hours" | "custom") {
        errors.push(Violation::new(
            "expiryKind",
            Code::GrantExpiryKindUnknown,
            format!("“{kind}” is not an expiry: use days, hours or custom"),
        ));
        return None;
    }
    let value = match &form.expiry {
        Some(FormValue::Text(t)) if t.trim().is_empty() => None,
        v => v.as_ref(),
    };
    let Some(value) = value else {
        let what = match kind {
            "days" => "enter a number of days",
            "hours" => "enter a number of hours",
            _ => "pick a date and time",
        };
        errors.push(Violation::new("expiry", Code::GrantExpiryRequired, what));
        return None;
    };
    let codes = (Code::GrantExpiryNotFuture, Code::GrantExpiryTooFar);
    match kind {
        "custom" => {
            let text = match value {
                FormValue::Text(t) => Some(t.as_str()),
                FormValue::Number(_) => None,
            };
            match text.and_then(parse_instant) {
                Some(t) => check_instant(t, now, limits, "expiry", codes, errors),
                None => {
                    errors.push(Violation::new(
                        "expiry",
                        Code::GrantExpiryInvalid,
                        "not a date and time with a time zone offset",
                    ));
                    None
                }
            }
        }
        unit => {
            let (max, hours_each, word) = if unit == "days" {
                (i64::from(limits.max_grant_days), 24, "days")
            } else {
                (i64::from(limits.max_grant_hours()), 1, "hours")
            };
            match form_number(value) {
                None => {
                    errors.push(Violation::new(
                        "expiry",
                        Code::GrantExpiryInvalid,
                        "enter a whole number",
                    ));
                    None
                }
                Some(n) if !(1..=max).contains(&n) => {
                    errors.push(Violation::new(
                        "expiry",
                        Code::GrantExpiryOutOfRange,
                        format!("{word} are 1 to {max}"),
                    ));
                    None
                }
                // Checked as a typed instant is: at the end of the year
                // 9999 the sum is held at the last writable instant, which
                // may not be in the future.
                Some(n) => check_instant(
                    add(now, Duration::hours(n * hours_each)),
                    now,
                    limits,
                    "expiry",
                    codes,
                    errors,
                ),
            }
        }
    }
}

/// Strictly after `now`, at most the longest grant plus the grace after it.
fn check_instant(
    t: Instant,
    now: Instant,
    limits: Limits,
    field: &str,
    (not_future, too_far): (Code, Code),
    errors: &mut Vec<Violation>,
) -> Option<Instant> {
    let latest = add(
        add(now, Duration::days(i64::from(limits.max_grant_days))),
        Duration::seconds(EXPIRY_GRACE_SECONDS),
    );
    if t <= now {
        errors.push(Violation::new(
            field,
            not_future,
            "the expiry is not in the future".to_owned(),
        ));
        None
    } else if t > latest {
        errors.push(Violation::new(
            field,
            too_far,
            format!("a grant lasts at most {} days", limits.max_grant_days),
        ));
        None
    } else {
        Some(t)
    }
}

fn check_roles(roles: Option<&[String]>, errors: &mut Vec<Violation>) -> Option<Vec<GrantRole>> {
    let Some(roles) = roles else {
        errors.push(Violation::new(
            "roles",
            Code::GrantRolesRequired,
            "a role is required: Standard or Privileged",
        ));
        return None;
    };
    if roles.is_empty() {
        errors.push(Violation::new(
            "roles",
            Code::GrantRolesEmpty,
            "list at least one role",
        ));
        return None;
    }
    let mut best: Option<PoolLevel> = None;
    let mut ok = true;
    for (i, r) in roles.iter().enumerate() {
        match PoolLevel::parse(r.trim()) {
            Some(level) => best = best.max(Some(level)),
            None => {
                ok = false;
                errors.push(Violation::new(
                    item("roles", i),
                    Code::GrantRolesUnknown,
                    format!("“{r}” is not a role: use Standard or Privileged"),
                ));
            }
        }
    }
    if ok {
        best.map(|l| vec![GrantRole(l)])
    } else {
        None
    }
}

struct Parts<'a> {
    name: Option<&'a str>,
    pools: Option<&'a [String]>,
    users: Option<&'a [String]>,
    incident: Option<&'a str>,
}

struct Common {
    name: String,
    default_name: bool,
    pools: Vec<String>,
    users: Vec<String>,
    incident: Option<String>,
}

fn finish(
    errors: Vec<Violation>,
    common: Option<Common>,
    roles: Option<Vec<GrantRole>>,
    expiry: Option<Instant>,
) -> Result<NewGrant, Vec<Violation>> {
    match (errors.is_empty(), common, roles, expiry) {
        (true, Some(c), Some(roles), Some(expiration_date)) => Ok(NewGrant {
            name: c.name,
            default_name: c.default_name,
            agent_pool_ids: c.pools,
            user_emails: c.users,
            roles,
            expiration_date,
            incident_id: c.incident,
        }),
        _ => Err(errors),
    }
}

/// The checks both shapes of a grant share, each in turn so that every
/// violation is reported: what is replaced, the name, the pools, the users,
/// the incident, then the company's rules when there is a company.
fn check_common(
    parts: &Parts<'_>,
    now: Instant,
    limits: Limits,
    ctx: Option<&GrantContext<'_>>,
    errors: &mut Vec<Violation>,
) -> Option<Common> {
    let snapshot = ctx.map(|c| c.snapshot);
    let replaced = replaced_grant(ctx, now, errors);
    let taken = |key: &str| {
        snapshot.is_some_and(|s| s.active_grants(now, replaced).any(|g| g.name_key == key))
    };
    let (name, default_name) = check_name(parts.name, now, taken, errors);
    let pool_ids = check_pools(parts.pools, limits, snapshot, errors);
    let emails = check_users(parts.users, limits, snapshot, errors);
    let incident = check_incident(parts.incident, errors);
    if let Some(c) = ctx {
        check_company(c, replaced, &pool_ids, now, errors);
    }
    Some(Common {
        name,
        default_name,
        pools: pool_ids,
        users: emails,
        incident,
    })
}

/// The grant being replaced, which counts towards neither the limit nor the
/// names. Only an active grant can be replaced: naming another is a
/// violation, and then nothing is replaced.
fn replaced_grant(
    ctx: Option<&GrantContext<'_>>,
    now: Instant,
    errors: &mut Vec<Violation>,
) -> Option<GrantIdx> {
    let c = ctx?;
    let id = c.replacing?;
    let s = c.snapshot;
    let replaced = s
        .grant_idx(id)
        .filter(|g| s.grant(*g).is_some_and(|g| g.is_active(now)));
    if replaced.is_none() {
        errors.push(Violation::new(
            "",
            Code::GrantNotFound,
            format!("no active grant “{id}” to replace"),
        ));
    }
    replaced
}

/// The name and whether it is the default: absent → the default (the first
/// one `taken` leaves free); present → trimmed, 1..=100 characters, free.
/// `taken` is asked about name keys.
fn check_name(
    name: Option<&str>,
    now: Instant,
    taken: impl Fn(&str) -> bool,
    errors: &mut Vec<Violation>,
) -> (String, bool) {
    let Some(raw) = name else {
        return (default_grant_name(now, |n| taken(&name_key(n))), true);
    };
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars == 0 {
        errors.push(Violation::new(
            "name",
            Code::GrantNameBlank,
            "the name is blank: leave it out for the default name",
        ));
    } else if chars > MAX_GRANT_NAME_CHARS {
        errors.push(Violation::new(
            "name",
            Code::GrantNameTooLong,
            format!("at most {MAX_GRANT_NAME_CHARS} characters, got {chars}"),
        ));
    } else if taken(&name_key(trimmed)) {
        errors.push(Violation::new(
            "name",
            Code::GrantNameTaken,
            format!("an active grant is already named “{trimmed}”"),
        ));
    }
    (trimmed.to_owned(), false)
}

/// Agent pools: 1..=limit, distinct, not blank, and known when there is a
/// company. Every id is kept as given.
fn check_pools(
    pools: Option<&[String]>,
    limits: Limits,
    snapshot: Option<&Snapshot>,
    errors: &mut Vec<Violation>,
) -> Vec<String> {
    let pools = check_list(
        pools,
        "agentPoolIds",
        i64::from(limits.max_pools_per_grant),
        (
            Code::GrantPoolsRequired,
            Code::GrantPoolsEmpty,
            Code::GrantPoolsTooMany,
        ),
        "agent pool",
        errors,
    );
    let mut pool_ids = Vec::new();
    if let Some(list) = pools {
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        seen.reserve(list.len());
        pool_ids.reserve(list.len());
        for (i, id) in list.iter().enumerate() {
            let field = || item("agentPoolIds", i);
            if id.trim().is_empty() {
                errors.push(Violation::new(
                    field(),
                    Code::GrantPoolsBlank,
                    "the agent pool id is blank",
                ));
            } else if !seen.insert(id.as_str()) {
                errors.push(Violation::new(
                    field(),
                    Code::GrantPoolsDuplicate,
                    format!("“{id}” is listed twice"),
                ));
            } else if snapshot.is_some_and(|s| s.pool_idx(id).is_none()) {
                errors.push(Violation::new(
                    field(),
                    Code::GrantPoolsUnknown,
                    format!("no agent pool “{id}”"),
                ));
            }
            pool_ids.push(id.clone());
        }
    }
    pool_ids
}

/// Users: 1..=limit, each checked by [`check_user`]. Every address is kept,
/// a known user's as stored.
fn check_users(
    users: Option<&[String]>,
    limits: Limits,
    snapshot: Option<&Snapshot>,
    errors: &mut Vec<Violation>,
) -> Vec<String> {
    let users = check_list(
        users,
        "userEmails",
        i64::from(limits.max_users_per_grant),
        (
            Code::GrantUsersRequired,
            Code::GrantUsersEmpty,
            Code::GrantUsersTooMany,
        ),
        "user",
        errors,
    );
    let mut emails = Vec::new();
    if let Some(list) = users {
        let mut seen: FxHashSet<Cow<'_, str>> = FxHashSet::default();
        seen.reserve(list.len());
        emails.reserve(list.len());
        for (i, email) in list.iter().enumerate() {
            emails.push(check_user(i, email, &mut seen, snapshot, errors));
        }
    }
    emails
}

/// User `i` of a grant: a valid address, distinct from those `seen` in any
/// case, and a known, enabled user when there is a company. The address to
/// keep: as stored for a known user, else as given.
fn check_user<'a>(
    i: usize,
    email: &'a str,
    seen: &mut FxHashSet<Cow<'a, str>>,
    snapshot: Option<&Snapshot>,
    errors: &mut Vec<Violation>,
) -> String {
    let field = || item("userEmails", i);
    if !is_valid_email(email) {
        errors.push(Violation::new(
            field(),
            Code::GrantUsersInvalid,
            format!("“{email}” is not an e-mail address"),
        ));
        return email.to_owned();
    }
    let mut stored = None;
    let key = email_key(email);
    if seen.contains(&key) {
        errors.push(Violation::new(
            field(),
            Code::GrantUsersDuplicate,
            format!("“{email}” is listed twice"),
        ));
    } else if let Some(s) = snapshot {
        match s.user_idx_by_key(&key).and_then(|u| s.user(u)) {
            None => errors.push(Violation::new(
                field(),
                Code::GrantUsersUnknown,
                format!("no user “{email}”"),
            )),
            Some(u) if !u.enabled => errors.push(Violation::new(
                field(),
                Code::GrantUsersDisabled,
                format!("“{email}” is disabled"),
            )),
            Some(u) => stored = Some(u.email.clone()),
        }
    }
    seen.insert(key);
    stored.unwrap_or_else(|| email.to_owned())
}

/// The incident id: trimmed, blank means none, at most 100 characters.
fn check_incident(incident: Option<&str>, errors: &mut Vec<Violation>) -> Option<String> {
    let incident = incident
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if incident
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_INCIDENT_ID_CHARS)
    {
        errors.push(Violation::new(
            "incidentId",
            Code::GrantIncidentTooLong,
            format!("at most {MAX_INCIDENT_ID_CHARS} characters"),
        ));
    }
    incident
}

/// The company-wide rules: RBAC is on, the actor (when known) manages every
/// pool involved, and the active-grant limit leaves room.
fn check_company(
    c: &GrantContext<'_>,
    replaced: Option<GrantIdx>,
    pool_ids: &[String],
    now: Instant,
    errors: &mut Vec<Violation>,
) {
    let s = c.snapshot;
    if !s.rbac_enabled {
        errors.push(Violation::new(
            "",
            Code::GrantRbacDisabled,
            "temporary access needs RBAC: enable it first",
        ));
    }
    if let Some(actor) = c.actor {
        // Replacing deletes the old grant: the actor must manage its pools too.
        let old_pools = replaced
            .and_then(|g| s.grant(g))
            .map(|g| g.wire.agent_pool_ids.as_slice())
            .unwrap_or_default();
        let all: Vec<&str> = pool_ids
            .iter()
            .chain(old_pools)
            .map(String::as_str)
            .collect();
        if let Err(v) = can_manage_grant(s, actor, &all, now) {
            errors.push(v);
        }
    }
    let active = s.active_grants(now, replaced).count();
    let max = usize::try_from(s.limits.max_active_grants).unwrap_or(usize::MAX);
    if active >= max {
        errors.push(Violation::new(
            "",
            Code::GrantLimitReached,
            format!("{active} grants are active and the limit is {max}: delete one first"),
        ));
    }
}

fn check_list<'a>(
    list: Option<&'a [String]>,
    field: &str,
    max: i64,
    (required, empty, too_many): (Code, Code, Code),
    what: &str,
    errors: &mut Vec<Violation>,
) -> Option<&'a [String]> {
    let Some(list) = list else {
        errors.push(Violation::new(
            field,
            required,
            format!("at least one {what} is required"),
        ));
        return None;
    };
    if list.is_empty() {
        errors.push(Violation::new(
            field,
            empty,
            format!("list at least one {what}"),
        ));
    } else if i64::try_from(list.len()).unwrap_or(i64::MAX) > max {
        errors.push(Violation::new(
            field,
            too_many,
            format!("at most {max} per grant, got {}", list.len()),
        ));
    }
    Some(list)
}

/// Whether `actor` manages grants at all: WR on temporary access, or the
/// Group Admin role with at least one environment to administer. (Which
/// pools a Group Admin may grant on is [`can_manage_grant`]'s question.)
pub fn manages_grants(snapshot: &Snapshot, actor: &str, now: Instant) -> bool {
    let Some(u) = snapshot
        .user_idx(actor)
        .filter(|u| snapshot.user(*u).is_some_and(|x| x.enabled))
    else {
        return false;
    };
    decide(
        snapshot,
        actor,
        Check::Operation(Operation::TemporaryAccess, Access::Change),
        None,
        now,
    )
    .allowed
        || (snapshot.has_live_role(u, Role::GroupAdmin)
            && snapshot.administered_pools(u).next().is_some())
}

/// Who may create or delete a grant: WR on temporary access (Company Admin),
/// or a Group Admin when every listed pool is in an environment they administer.
pub fn can_manage_grant(
    snapshot: &Snapshot,
    actor: &str,
    pool_ids: &[impl AsRef<str>],
    now: Instant,
) -> Result<(), Violation> {
    let decision = decide(
        snapshot,
        actor,
        Check::Operation(Operation::TemporaryAccess, Access::Change),
        None,
        now,
    );
    if decision.allowed {
        return Ok(());
    }
    let refuse = |why: String| Err(Violation::new("", Code::GrantActorNotAllowed, why));
    let Some(u) = snapshot
        .user_idx(actor)
        .filter(|u| snapshot.user(*u).is_some_and(|u| u.enabled))
    else {
        return refuse(format!("“{actor}” is not an enabled user of this company"));
    };
    if !snapshot.has_live_role(u, Role::GroupAdmin) {
        return refuse(
            "managing temporary access needs WR on temporary access (Company Admin), or the Group Admin role for the pools' environments"
                .to_owned(),
        );
    }
    let outside: Vec<&str> = pool_ids
        .iter()
        .map(AsRef::as_ref)
        .filter(|id| {
            snapshot
                .pool_idx(id)
                .and_then(|p| snapshot.administered_by(u, p))
                .is_none()
        })
        .collect();
    if outside.is_empty() && !pool_ids.is_empty() {
        Ok(())
    } else {
        refuse(format!(
            "a Group Admin manages grants only on pools of environments they administer; outside them: {}",
            outside
                .iter()
                .map(|id| format!("“{id}”"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn now() -> Instant {
        parse_instant("2026-11-22T10:00:00Z").unwrap()
    }

    fn input() -> CreateTempAccess {
        CreateTempAccess {
            agent_pool_ids: Some(vec!["p1".into()]),
            user_emails: Some(vec!["ana@example.com".into()]),
            roles: Some(vec!["standard".into()]),
            expiration_date: Some("2026-11-23T10:00:00+01:00".into()),
            name: None,
            incident_id: None,
        }
    }

    fn codes(r: Result<NewGrant, Vec<Violation>>) -> Vec<(String, Code)> {
        r.unwrap_err()
            .into_iter()
            .map(|v| (v.field, v.code))
            .collect()
    }

    #[test]
    fn a_valid_grant_gets_the_default_name_in_utc() {
        let g = validate_grant(&input(), now(), None).unwrap();
        assert_eq!(g.name, "Temp-Access-22112026-100000-000");
        assert!(g.default_name);
        assert_eq!(
            format_instant(g.expiration_date),
            "2026-11-23T09:00:00.000Z"
        );
        assert_eq!(g.roles, vec![GrantRole(PoolLevel::Standard)]);
    }

    #[test]
    fn default_name_moves_forward_a_millisecond_while_taken() {
        let taken = [
            "Temp-Access-22112026-100000-000",
            "Temp-Access-22112026-100000-001",
        ];
        let name = default_grant_name(now(), |n| taken.contains(&n));
        assert_eq!(name, "Temp-Access-22112026-100000-002");
    }

    #[test]
    fn every_problem_is_reported() {
        let bad = CreateTempAccess {
            agent_pool_ids: Some(vec![]),
            user_emails: Some(vec!["a@b.co".into(), "A@B.CO".into(), "nope".into()]),
            roles: Some(vec!["Admin".into()]),
            expiration_date: Some("2026-11-22T09:00:00Z".into()),
            name: Some("   ".into()),
            incident_id: None,
        };
        assert_eq!(
            codes(validate_grant(&bad, now(), None)),
            vec![
                ("roles[0]".into(), Code::GrantRolesUnknown),
                ("expirationDate".into(), Code::GrantExpirationNotFuture),
                ("name".into(), Code::GrantNameBlank),
                ("agentPoolIds".into(), Code::GrantPoolsEmpty),
                ("userEmails[1]".into(), Code::GrantUsersDuplicate),
                ("userEmails[2]".into(), Code::GrantUsersInvalid),
            ]
        );
    }

    #[test]
    fn the_31_day_bound_has_a_60_second_grace() {
        let mut at_limit = input();
        at_limit.expiration_date = Some("2026-12-23T10:01:00Z".into());
        assert!(validate_grant(&at_limit, now(), None).is_ok());
        at_limit.expiration_date = Some("2026-12-23T10:01:00.001Z".into());
        assert_eq!(
            codes(validate_grant(&at_limit, now(), None)),
            vec![("expirationDate".into(), Code::GrantExpirationTooFar)]
        );
    }

    #[test]
    fn form_days_are_exact_durations() {
        let form = GrantForm {
            role: Some("Privileged".into()),
            agent_pool_ids: vec!["p1".into()],
            user_emails: vec!["ana@example.com".into()],
            expiry_kind: Some("days".into()),
            expiry: Some(FormValue::Text("31".into())),
            ..GrantForm::default()
        };
        let ok = validate_grant_form(&form, now(), None).unwrap();
        assert_eq!(
            ok.request.expiration_date.as_deref(),
            Some("2026-12-23T10:00:00.000Z")
        );
        assert_eq!(ok.request.roles, Some(vec!["Privileged".to_owned()]));
        assert_eq!(ok.request.name, None, "the server gives the default name");
        let too_long = GrantForm {
            expiry: Some(FormValue::Number(32)),
            ..form
        };
        let errs = validate_grant_form(&too_long, now(), None).unwrap_err();
        assert_eq!(errs[0].code, Code::GrantExpiryOutOfRange);
    }
}
