//! Signing in and out, and who the signed-in person is. A session is a
//! random token (stored hashed) with its CSRF token; every attempt is
//! audited, and an unknown address costs as long as a wrong password.

use chrono::Duration;
use interim_policy::answer::{Me, MyGroup, SignedIn};
use interim_policy::audit::AuditAction;
use interim_policy::decision::effective_permissions;
use interim_policy::request::{is_direct_reviewer, is_reviewer};
use interim_policy::time::format_instant;
use serde_json::json;

use super::actor::{hash_password, random_token, token_hash, verify_password};
use super::{Actor, Credential, Error, Kind, Result, record};
use crate::AppState;
use crate::store::key;

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// A hash to compare against when the account has no password, so that an
/// unknown address takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// A new session: its secret token (for the cookie) and the answer.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub answer: SignedIn,
}

/// The longest address kept of a failed attempt: nobody can grow the
/// audit log with what they type (an address is at most 254 characters).
const MAX_TYPED_CHARS: usize = interim_policy::email::MAX_EMAIL_CHARS;

/// Signs in with an e-mail address and password, from `client`. Failures
/// are throttled per (account, client) and per client (`throttle.rs`); a
/// refusal by the throttle is audited like any failure.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: std::net::IpAddr,
) -> Result<Session> {
    let now = state.clock.now();
    let k: String = key(email.trim()).chars().take(MAX_TYPED_CHARS).collect();
    let address = client.to_string();
    if let Err(wait) = state.throttle.check(&k, client) {
        let mut tx = state.store.begin().await?;
        let why = format!("throttled: too many failed attempts from this client, {wait} s to wait");
        let details = json!({ "address": address });
        record(
            &mut tx,
            &k,
            now,
            AuditAction::SignInFailed,
            format!("user:{k}"),
            details,
            Some(why),
        )
        .await?;
        tx.commit().await?;
        return Err(Error::new(
            Kind::TooMany(wait),
            "auth.signin.rate_limited",
            format!("too many failed sign-in attempts from here: try again in {wait} seconds"),
        ));
    }
    let stored = state.store.password_hash(&k).await?;
    let snapshot = state.store.snapshot(now).await?;
    let user = snapshot
        .user_idx(&k)
        .and_then(|u| snapshot.user(u).map(|user| (u, user)));
    let hash = stored.as_deref().unwrap_or_else(|| dummy_hash());
    let ok = verify_password(password, hash) && stored.is_some();
    let enabled = user.is_some_and(|(_, u)| u.enabled);
    let mut tx = state.store.begin().await?;
    let target = format!("user:{k}");
    let details = json!({ "address": address });
    if !(ok && enabled) {
        state.throttle.failed(&k, client);
        let why = if ok {
            "account disabled"
        } else {
            "wrong e-mail or password"
        };
        let action = AuditAction::SignInFailed;
        record(
            &mut tx,
            &k,
            now,
            action,
            target,
            details,
            Some(why.to_owned()),
        )
        .await?;
        tx.commit().await?;
        return Err(Error::new(
            Kind::Unauthenticated,
            "auth.credentials.invalid",
            "wrong e-mail or password, or the account is disabled",
        ));
    }
    state.throttle.succeeded(&k, client);
    let token = random_token()?;
    let csrf = random_token()?;
    let expires = now + Duration::hours(SESSION_HOURS);
    tx.insert_session(&token_hash(&token), &k, &csrf, now, expires)
        .await?;
    tx.record_login(&k, now).await?;
    record(
        &mut tx,
        &k,
        now,
        AuditAction::SignInSucceeded,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Session {
        token,
        answer: SignedIn {
            email: user.map(|(_, u)| u.email.clone()),
            csrf_token: csrf,
            expires_at: format_instant(expires),
            permissions: user.and_then(|(u, _)| effective_permissions(&snapshot, u, now)),
        },
    })
}

/// Ends the actor's session (a key has none to end), audited.
pub async fn sign_out(state: &AppState, actor: &Actor) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if let Credential::Session { token_hash } = &actor.credential {
        tx.delete_session(token_hash).await?;
    }
    let target = format!("user:{}", actor.email);
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::SignedOut,
        target,
        json!({}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who the actor is: roles, groups, effective permissions with their
/// reasons, and whether they review requests now.
pub async fn me(state: &AppState, actor: &Actor) -> Result<Me> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    let permissions =
        effective_permissions(&snapshot, actor.idx, now).ok_or_else(Error::unauthenticated)?;
    let groups = snapshot
        .groups()
        .iter()
        .filter_map(|g| {
            g.members
                .iter()
                .find(|m| m.user == actor.idx)
                .map(|m| MyGroup {
                    group_id: g.id.clone(),
                    name: g.name.clone(),
                    group_admin: m.group_admin,
                })
        })
        .collect();
    Ok(Me {
        email: actor.email.clone(),
        credential: match actor.credential {
            Credential::Session { .. } => "session",
            Credential::ApiKey { .. } => "apiKey",
        }
        .to_owned(),
        groups,
        permissions,
        reviewer: is_reviewer(&snapshot, actor.idx, now),
        may_delegate: is_direct_reviewer(&snapshot, actor.idx),
    })
}
