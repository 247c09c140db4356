//! Who is calling: a session cookie (with CSRF double submit and an Origin
//! check on writes) or a Bearer API key, which carries its creator's rights.

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use interim_policy::key_scope::{self, KeyScope};

use crate::AppState;
pub use crate::app::actor::{
    Actor, Credential, hash_password, random_token, token_hash, verify_password,
};
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "interim_session";
pub const CSRF_COOKIE: &str = "interim_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Actor, ApiError> {
        let now = state.clock.now();
        // A credential presented is the one used: an `Authorization` header
        // that is not a usable Bearer key is refused, never passed over for
        // a cookie the same client also sends.
        let authorization = parts.headers.get(header::AUTHORIZATION);
        if authorization.is_some() && bearer(&parts.headers).is_none() {
            return Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "auth.header.invalid",
                "the Authorization header is not “Bearer” and an API key",
            ));
        }
        let (email_key, credential) = if let Some(token) = bearer(&parts.headers) {
            let live = state.store.api_key_owner(&token_hash(token), now).await?;
            let Some(live) = live else {
                return Err(ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "auth.key.invalid",
                    "the API key is unknown or revoked",
                ));
            };
            let scopes: Vec<KeyScope> = live
                .scopes
                .iter()
                .filter_map(|s| KeyScope::parse(s))
                .collect();
            // The scope this operation needs, from the policy's table, next
            // to the rest of the authorization: a route missing from the
            // table is refused to keys.
            let operation = parts
                .extensions
                .get::<MatchedPath>()
                .and_then(|p| key_scope::operation(parts.method.as_str(), p.as_str()));
            key_scope::key_may_call(&scopes, operation)
                .map_err(|r| ApiError::forbidden(r.code, r.message))?;
            let expires_at = crate::store::from_ms(live.expires_ms);
            (live.owner, Credential::ApiKey { scopes, expires_at })
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let hash = token_hash(token);
            let Some(session) = state
                .store
                .session(&hash)
                .await?
                .filter(|s| s.expires_ms > now.timestamp_millis())
            else {
                return Err(ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "auth.session.expired",
                    "the session has ended: sign in again",
                ));
            };
            if !is_safe(&parts.method) {
                check_csrf(&parts.headers, &session.csrf)?;
            }
            (session.email_key, Credential::Session { token_hash: hash })
        } else {
            return Err(ApiError::unauthenticated());
        };
        let snapshot = state.store.snapshot(now).await?;
        let Some(idx) = snapshot.user_idx(&email_key) else {
            return Err(ApiError::unauthenticated());
        };
        let Some(user) = snapshot.user(idx).filter(|u| u.enabled) else {
            return Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "auth.user.disabled",
                "this account is disabled",
            ));
        };
        if !is_safe(&parts.method)
            && let Err(wait) = state.writes.write(&email_key)
        {
            let mut e = ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "auth.writes.rate_limited",
                format!("too many writes at once: try again in {wait} seconds"),
            );
            e.retry_after = Some(wait);
            return Err(e);
        }
        Ok(Actor {
            email: user.email.clone(),
            idx,
            credential,
        })
    }
}

/// The token of an `Authorization: Bearer …` header; the scheme's case does
/// not matter (RFC 9110 §11.1: `BEARER` and `bearer` are the same).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Cookie-authenticated writes need the CSRF token in a header and, when the
/// browser sends one, an Origin matching the Host.
fn check_csrf(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if sent != Some(expected) {
        return Err(ApiError::forbidden(
            "auth.csrf.invalid",
            format!("cookie-authenticated writes need the “{CSRF_HEADER}” header from sign-in"),
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin_host != host {
            return Err(ApiError::forbidden(
                "auth.origin.invalid",
                format!("a write from origin “{origin}” is not accepted"),
            ));
        }
    }
    Ok(())
}
