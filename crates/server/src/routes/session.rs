//! Sign-in, sign-out, and what the signed-in user may do.

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::decision::effective_permissions;
use interim_policy::request::{is_direct_reviewer, is_reviewer};
use interim_policy::time::format_instant;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::auth::{
    Actor, CSRF_COOKIE, Credential, SESSION_COOKIE, SESSION_HOURS, random_token, token_hash,
    verify_password,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/sign-in", post(sign_in))
        .route("/api/v1/auth/sign-out", post(sign_out))
        .route("/api/v1/auth/me", get(me))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SignIn {
    email: String,
    password: String,
}

/// A hash to compare against when the account has no password, so that an
/// unknown address takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| crate::auth::hash_password("not a password of anyone").unwrap_or_default())
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-in",
    tag = "Session",
    summary = "Sign in with e-mail and password",
    request_body = SignIn,
    responses((status = 200, description = "Signed in: session cookie set, CSRF token and permissions in the body", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 429, description = "Too many sign-in attempts", body = crate::error::ErrorBody))
)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    Body(input): Body<SignIn>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let key = input.email.trim().to_lowercase();
    let address = connect
        .map(|c| c.0.0.ip().to_string())
        .unwrap_or_else(|| "local".to_owned());
    if let Err(wait) = state.limiter.attempt(&key, &address, now) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "auth.signin.rate_limited",
            format!("too many sign-in attempts: try again in {wait} seconds"),
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            e.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(e);
    }
    let stored = state.store.password_hash(&key).await?;
    let snapshot = state.store.snapshot(now).await?;
    let user = snapshot
        .user_idx(&key)
        .and_then(|u| snapshot.user(u).map(|user| (u, user)));
    let hash: &str = match stored.as_deref() {
        Some(h) => h,
        None => dummy_hash(),
    };
    let ok = verify_password(&input.password, hash) && stored.is_some();
    let enabled = user.is_some_and(|(_, u)| u.enabled);
    let mut tx = state.store.begin().await?;
    if !(ok && enabled) {
        tx.audit(NewEvent {
            time: now,
            actor: key.clone(),
            action: AuditAction::SignInFailed,
            target: format!("user:{key}"),
            details: json!({ "address": address }),
            reason: Some(
                if ok {
                    "account disabled"
                } else {
                    "wrong e-mail or password"
                }
                .to_owned(),
            ),
        })
        .await?;
        tx.commit().await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.credentials.invalid",
            "wrong e-mail or password, or the account is disabled",
        ));
    }
    let token = random_token()?;
    let csrf = random_token()?;
    let expires = now + Duration::hours(SESSION_HOURS);
    tx.insert_session(&token_hash(&token), &key, &csrf, now, expires)
        .await?;
    tx.record_login(&key, now).await?;
    tx.audit(NewEvent {
        time: now,
        actor: key.clone(),
        action: AuditAction::SignInSucceeded,
        target: format!("user:{key}"),
        details: json!({ "address": address }),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    state.limiter.succeeded(&key);
    let permissions = user.and_then(|(u, _)| effective_permissions(&snapshot, u, now));
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let max_age = SESSION_HOURS * 3600;
    let mut response = Json(json!({
        "email": user.map(|(_, u)| u.email.clone()),
        "csrfToken": csrf,
        "expiresAt": format_instant(expires),
        "permissions": permissions,
    }))
    .into_response();
    for cookie in [
        format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        ),
        format!("{CSRF_COOKIE}={csrf}; Path=/; SameSite=Strict; Max-Age={max_age}{secure}"),
    ] {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-out",
    tag = "Session",
    summary = "Sign out",
    responses((status = 204, description = "Signed out"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody))
)]
pub(crate) async fn sign_out(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if let Credential::Session { token_hash } = &actor.credential {
        tx.delete_session(token_hash).await?;
    }
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::SignedOut,
        target: format!("user:{}", actor.email),
        details: json!({}),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    let mut headers = HeaderMap::new();
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        if let Ok(v) =
            HeaderValue::from_str(&format!("{name}=; Path=/; Max-Age=0; SameSite=Strict"))
        {
            headers.append(header::SET_COOKIE, v);
        }
    }
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "Session",
    summary = "My roles, groups and effective permissions with their reasons",
    responses((status = 200, description = "Who I am and what I may do", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody))
)]
pub(crate) async fn me(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<serde_json::Value>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    let permissions =
        effective_permissions(&snapshot, actor.idx, now).ok_or_else(ApiError::unauthenticated)?;
    let groups: Vec<serde_json::Value> = snapshot
        .groups
        .iter()
        .filter_map(|g| {
            g.members
                .iter()
                .find(|m| m.user == actor.idx)
                .map(|m| json!({"groupId": g.id, "name": g.name, "groupAdmin": m.group_admin}))
        })
        .collect();
    Ok(Json(json!({
        "email": actor.email,
        "credential": match actor.credential { Credential::Session { .. } => "session", Credential::ApiKey { .. } => "apiKey" },
        "groups": groups,
        "permissions": permissions,
        // Reviews access requests now (directly or as a delegate), and may
        // delegate that (directly only): what the portal offers.
        "reviewer": is_reviewer(&snapshot, actor.idx, now),
        "mayDelegate": is_direct_reviewer(&snapshot, actor.idx),
    })))
}
