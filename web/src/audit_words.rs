//! An audit event in words: what happened, to whom, with names where the
//! event or the company knows them. The event's data stays as it is (the
//! details disclosure shows it); instants in it are formatted in the
//! browser's zone.

use interim_policy::audit::{AuditAction, AuditEvent};
use interim_policy::snapshot::Snapshot;
use interim_policy::time::parse_instant;
use serde_json::Value;

use crate::names::{person, pool};
use crate::when::local;

/// The action as people say it: "Grant created".
pub fn title(action: AuditAction) -> &'static str {
    use AuditAction as A;
    match action {
        A::GrantCreated => "Grant created",
        A::GrantDeleted => "Grant deleted",
        A::GrantExpired => "Grant expired",
        A::GrantReplaced => "Grant replaced",
        A::RequestCreated => "Access requested",
        A::RequestApproved => "Request approved",
        A::RequestDenied => "Request denied",
        A::RequestCancelled => "Request cancelled",
        A::RequestExpired => "Request expired",
        A::RequestRevoked => "Access revoked",
        A::RequestEnded => "Requested access ended",
        A::DelegationCreated => "Reviewing delegated",
        A::DelegationRevoked => "Delegation ended",
        A::RoleAssigned => "Role assigned",
        A::RoleRemoved => "Role removed",
        A::UserCreated => "User created",
        A::UserUpdated => "User changed",
        A::UserEnabled => "User enabled",
        A::UserDisabled => "User disabled",
        A::UserDeleted => "User deleted",
        A::UserActivationLinkMade => "Activation link made",
        A::UserActivated => "Account activated",
        A::PasswordChanged => "Password changed",
        A::UsersImported => "Users imported",
        A::GroupCreated => "Group created",
        A::GroupUpdated => "Group changed",
        A::GroupDeleted => "Group deleted",
        A::PoolCreated => "Pool created",
        A::PoolUpdated => "Pool changed",
        A::PoolDeleted => "Pool deleted",
        A::SettingsChanged => "Settings changed",
        A::SignInSucceeded => "Signed in",
        A::SignInFailed => "Sign-in failed",
        A::SignedOut => "Signed out",
        A::ApiKeyCreated => "API key created",
        A::ApiKeyRevoked => "API key revoked",
        A::ApiKeyUpdated => "API key renamed",
    }
}

fn text<'a>(d: &'a Value, key: &str) -> Option<&'a str> {
    d.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn texts(d: &Value, key: &str) -> Vec<String> {
    d.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// "a, b and c".
fn and(items: Vec<String>) -> String {
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// An instant of the details, in the browser's zone.
fn at(d: &Value, key: &str) -> Option<String> {
    text(d, key).and_then(parse_instant).map(local)
}

/// The part of a target after its kind: `grant:ID` → `ID`.
fn target_id(target: &str) -> &str {
    target.split_once(':').map_or(target, |(_, id)| id)
}

/// What happened, in one or two sentences.
pub fn summary(e: &AuditEvent, c: Option<&Snapshot>) -> String {
    use AuditAction as A;
    let d = &e.details;
    let who = |email: &str| person(c, email);
    let target = target_id(&e.target);
    let people = || and(texts(d, "userEmails").iter().map(|m| who(m)).collect());
    let pools = || {
        let names = texts(d, "poolNames");
        if names.is_empty() {
            and(texts(d, "agentPoolIds")
                .iter()
                .map(|p| pool(c, p))
                .collect())
        } else {
            and(names)
        }
    };
    let named = |key: &str| text(d, key).map(|n| format!("“{n}”")).unwrap_or_default();
    let request_pool = || {
        text(d, "poolName")
            .map(str::to_owned)
            .or_else(|| text(d, "agentPoolId").map(|p| pool(c, p)))
            .unwrap_or_else(|| "a pool".to_owned())
    };
    let requester = || text(d, "requester").map_or_else(|| "someone".to_owned(), who);
    let until = |key: &str| {
        at(d, key)
            .map(|t| format!(" until {t}"))
            .unwrap_or_default()
    };
    match e.action {
        A::GrantCreated => format!(
            "{} got access to {}{} ({}).",
            people(),
            pools(),
            until("expirationDate"),
            named("name")
        ),
        A::GrantDeleted => format!(
            "Grant {} deleted: {} lost access to {}.",
            named("name"),
            people(),
            pools()
        ),
        A::GrantExpired => format!("Grant {} ended at its expiry.", named("name")),
        A::GrantReplaced => format!("Grant {} was replaced by a new one.", named("name")),
        A::RequestCreated => format!(
            "{} asked for access to {}{}.",
            requester(),
            request_pool(),
            text(d, "period")
                .map(|p| format!(" for {p}"))
                .unwrap_or_default()
        ),
        A::RequestApproved => format!(
            "{}'s access to {} approved{}.",
            requester(),
            request_pool(),
            until("endsAt")
        ),
        A::RequestDenied => format!("{}'s request for {} denied.", requester(), request_pool()),
        A::RequestCancelled => format!(
            "{} cancelled their request for {}.",
            requester(),
            request_pool()
        ),
        A::RequestExpired => format!(
            "{}'s request for {} expired unanswered.",
            requester(),
            request_pool()
        ),
        A::RequestRevoked => format!("{}'s access to {} revoked.", requester(), request_pool()),
        A::RequestEnded => format!("{}'s access to {} ended.", requester(), request_pool()),
        A::DelegationCreated => format!(
            "Reviewing delegated to {}{}.",
            text(d, "to").map_or_else(String::new, who),
            until("endsAt")
        ),
        A::DelegationRevoked => format!(
            "Delegation to {} ended.",
            text(d, "to").map_or_else(String::new, who)
        ),
        A::RoleAssigned | A::RoleRemoved => format!(
            "{} {} {}.",
            d.get("role")
                .and_then(|r| serde_json::from_value::<interim_policy::Role>(r.clone()).ok())
                .map_or("A role", |r| r.display_name()),
            if e.action == A::RoleAssigned {
                "given to"
            } else {
                "taken from"
            },
            who(target)
        ),
        A::UserCreated => {
            let name = full_name(d).unwrap_or_else(|| who(target));
            let shown = if name == target {
                name
            } else {
                format!("{name} ({target})")
            };
            let password = if d.get("passwordSet") == Some(&Value::Bool(true)) {
                " with a password"
            } else {
                ""
            };
            format!("{shown} added{password}.")
        }
        A::UserUpdated => format!("{} changed.", who(target)),
        A::UserEnabled => format!("{} may sign in again.", who(target)),
        A::UserDisabled => format!("{} may no longer sign in.", who(target)),
        A::UserDeleted => format!("{target} deleted."),
        A::UserActivationLinkMade => format!(
            "A one-time activation link for {}{}.",
            who(target),
            at(d, "expiresAt")
                .map(|t| format!(", valid until {t}"))
                .unwrap_or_default()
        ),
        A::UserActivated => format!("{} set their first password.", who(target)),
        A::PasswordChanged => format!(
            "{} changed their password; their other sessions ended.",
            who(target)
        ),
        A::UsersImported => format!(
            "{} users imported from the legacy roles.",
            d.get("users").and_then(Value::as_array).map_or(0, Vec::len)
        ),
        A::GroupCreated | A::GroupUpdated | A::GroupDeleted => group(e, d, target, c),
        A::PoolCreated | A::PoolUpdated | A::PoolDeleted => {
            let verb = match e.action {
                A::PoolCreated => "created",
                A::PoolDeleted => "deleted",
                _ => "changed",
            };
            let name = text(d, "name").map_or_else(|| pool(c, target), str::to_owned);
            let agents = match d.get("agentsEnabled") {
                Some(Value::Bool(true)) => "; its agents enabled",
                Some(Value::Bool(false)) => "; its agents detached",
                _ if d.get("requestSettings").is_some() => "; its request settings",
                _ => "",
            };
            format!("Agent pool “{name}” {verb}{agents}.")
        }
        A::SettingsChanged => settings(d),
        A::SignInSucceeded => text(d, "address").map_or_else(String::new, |a| format!("From {a}.")),
        A::SignInFailed => format!("A sign-in as {} failed{}.", target, from_address(d)),
        A::SignedOut => "Signed out.".to_owned(),
        A::ApiKeyCreated => format!(
            "API key {} created with {}{}.",
            named("label"),
            and(texts(d, "scopes")),
            until("expirationDate")
        ),
        A::ApiKeyRevoked => format!("API key {} revoked.", named("label")),
        A::ApiKeyUpdated => format!("API key renamed to {}.", named("label")),
    }
}

fn full_name(d: &Value) -> Option<String> {
    let n = format!(
        "{} {}",
        text(d, "firstName")?,
        text(d, "lastName").unwrap_or_default()
    );
    Some(n.trim().to_owned())
}

fn from_address(d: &Value) -> String {
    text(d, "address")
        .map(|a| format!(" from {a}"))
        .unwrap_or_default()
}

fn group(e: &AuditEvent, d: &Value, target: &str, c: Option<&Snapshot>) -> String {
    let name = text(d, "name").map(str::to_owned).or_else(|| {
        c.and_then(|c| c.groups().iter().find(|g| g.id == target))
            .map(|g| g.name.clone())
    });
    let name = name.map_or_else(
        || "An access group".to_owned(),
        |n| format!("Access group “{n}”"),
    );
    let people = |key: &str| and(texts(d, key).iter().map(|m| person(c, m)).collect());
    let what = if let Some(m) = text(d, "member") {
        format!(": {}'s membership changed", person(c, m))
    } else if d.get("membersAdded").is_some() {
        format!(": {} added", people("membersAdded"))
    } else if d.get("membersRemoved").is_some() {
        format!(": {} removed", people("membersRemoved"))
    } else {
        match e.action {
            AuditAction::GroupCreated => " created".to_owned(),
            AuditAction::GroupDeleted => " deleted".to_owned(),
            _ => " changed".to_owned(),
        }
    };
    format!("{name}{what}.")
}

/// What a change of settings changed.
fn settings(d: &Value) -> String {
    let (Some(before), Some(after)) = (d.get("before"), d.get("after")) else {
        return "Company settings changed.".to_owned();
    };
    let mut changes = Vec::new();
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    if field(before, "companyName") != field(after, "companyName") {
        changes.push(format!(
            "the company is now called “{}”",
            text(after, "companyName").unwrap_or_default()
        ));
    }
    if field(before, "rbacEnabled") != field(after, "rbacEnabled") {
        let on = after.get("rbacEnabled") == Some(&Value::Bool(true));
        changes.push(format!(
            "roles are {}",
            if on {
                "enforced (RBAC on)"
            } else {
                "not enforced (RBAC off)"
            }
        ));
    }
    let limits = [
        ("maxUsersPerGrant", "people per grant"),
        ("maxPoolsPerGrant", "pools per grant"),
        ("maxGrantDays", "days per grant"),
        ("maxActiveGrants", "active grants"),
    ];
    for (key, words) in limits {
        let (b, a) = (
            field(&field(before, "limits"), key),
            field(&field(after, "limits"), key),
        );
        if a != b {
            changes.push(format!("at most {a} {words} (was {b})"));
        }
    }
    if field(before, "companyId") != field(after, "companyId") {
        changes.push(format!(
            "the company id is {}",
            text(after, "companyId").unwrap_or_default()
        ));
    }
    if changes.is_empty() {
        "Company settings saved unchanged.".to_owned()
    } else {
        let mut s = and(changes);
        if let Some(first) = s.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{s}.")
    }
}
