//! Sign-in, sign-out, and what the signed-in user may do.

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use interim_policy::answer::{Activated, Me, SignedIn};

use serde::Deserialize;

use crate::AppState;
use crate::app::sessions::SESSION_HOURS;
use crate::app::{self, Actor};
use crate::auth::{CSRF_COOKIE, SESSION_COOKIE};
use crate::error::ApiResult;
use crate::extract::Body;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/sign-in", post(sign_in))
        .route("/api/v1/auth/sign-out", post(sign_out))
        .route("/api/v1/auth/me", get(me))
        .route("/api/v1/auth/activate", post(activate))
        .route("/api/v1/auth/password", post(change_password))
}

/// The client's address: the peer, or whom a trusted proxy names.
fn client(
    state: &AppState,
    connect: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: &HeaderMap,
) -> std::net::IpAddr {
    let peer = connect.map_or(std::net::IpAddr::from([127, 0, 0, 1]), |c| c.0.0.ip());
    crate::throttle::client_address(peer, headers, &state.trusted_proxies)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    tag = "Session",
    summary = "Change my password: the current one is required; my other sessions end, this one stays",
    request_body = PasswordChange,
    responses((status = 204, description = "Changed"))
)]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    connect: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Body(input): Body<PasswordChange>,
) -> ApiResult<StatusCode> {
    let client = client(&state, connect, &headers);
    let (current, new) = (&input.current_password, &input.new_password);
    app::password::change(&state, &actor, current, new, client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Activate {
    /// The part of the activation link after `#`.
    pub token: String,
    pub password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/activate",
    tag = "Session",
    summary = "Set the first password through a one-time activation link",
    request_body = Activate,
    responses((status = 200, description = "Activated: sign in with this address and the new password", body = Activated))
)]
pub(crate) async fn activate(
    State(state): State<AppState>,
    Body(input): Body<Activate>,
) -> ApiResult<Json<Activated>> {
    Ok(Json(
        app::activation::activate(&state, &input.token, &input.password).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SignIn {
    pub email: String,
    pub password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-in",
    tag = "Session",
    summary = "Sign in with e-mail and password",
    request_body = SignIn,
    responses((status = 200, description = "Signed in: session cookie set, CSRF token and permissions in the body", body = SignedIn), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 429, description = "Too many sign-in attempts", body = crate::error::ErrorBody))
)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Body(input): Body<SignIn>,
) -> ApiResult<Response> {
    let client = client(&state, connect, &headers);
    let session = app::sessions::sign_in(&state, &input.email, &input.password, client).await?;
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let max_age = SESSION_HOURS * 3600;
    let (token, csrf) = (&session.token, &session.answer.csrf_token);
    let mut response = Json(session.answer.clone()).into_response();
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
    app::sessions::sign_out(&state, &actor).await?;
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
    responses((status = 200, description = "Who I am and what I may do", body = Me), (status = 401, description = "Not signed in", body = crate::error::ErrorBody))
)]
pub(crate) async fn me(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Me>> {
    Ok(Json(app::sessions::me(&state, &actor).await?))
}
