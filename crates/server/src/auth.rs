//! Who is calling: a session cookie (with CSRF double submit and an Origin
//! check on writes) or a Bearer API key, which carries its creator's rights.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use chrono::{DateTime, Utc};
use interim_policy::snapshot::UserIdx;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "interim_session";
pub const CSRF_COOKIE: &str = "interim_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ApiError::internal("salt", e))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::internal("salt", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal("password hash", e))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A random token: 32 bytes, hex.
pub fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal("token", e))?;
    Ok(hex(&bytes))
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How the caller proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Session {
        token_hash: String,
    },
    /// An API key and the scopes it was created with.
    ApiKey {
        scopes: Vec<String>,
    },
}

/// The signed-in caller.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The e-mail as stored.
    pub email: String,
    pub idx: UserIdx,
    pub credential: Credential,
}

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
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let (email_key, credential) = if let Some(token) = bearer {
            let owner = state.store.api_key_owner(&token_hash(token), now).await?;
            let Some((owner, scopes)) = owner else {
                return Err(ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "auth.key.invalid",
                    "the API key is unknown or revoked",
                ));
            };
            (owner, Credential::ApiKey { scopes })
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
        Ok(Actor {
            email: user.email.clone(),
            idx,
            credential,
        })
    }
}

impl Actor {
    /// An API key reaches only the categories of its scopes (the vendor's
    /// levels: COMPANY for Company config, SECURITY for Security, DEV for
    /// Environment, AppSec and Debugging Runbooks); a session reaches all.
    pub fn in_scope(&self, category: interim_policy::Category) -> Result<(), ApiError> {
        let Credential::ApiKey { scopes } = &self.credential else {
            return Ok(());
        };
        let needed = interim_policy::user::scope_for(category);
        if scopes.iter().any(|s| s == needed) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "auth.key.scope",
                format!("this API key lacks the `{needed}` scope"),
            ))
        }
    }

    /// Keys are managed with a signed-in session, never with a key.
    pub fn not_a_key(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::ApiKey { .. } => Err(ApiError::forbidden(
                "auth.key.not_allowed",
                "API keys cannot manage API keys: sign in",
            )),
            Credential::Session { .. } => Ok(()),
        }
    }
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
            format!("cookie-authenticated writes need the `{CSRF_HEADER}` header from sign-in"),
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
                format!("a write from origin `{origin}` is not accepted"),
            ));
        }
    }
    Ok(())
}

/// Sign-in attempts per account and per address within a window.
#[derive(Clone, Debug, Default)]
pub struct RateLimiter {
    attempts: Arc<Mutex<HashMap<String, Vec<i64>>>>,
}

/// Attempts allowed per account, and per address, in the window.
pub const MAX_ATTEMPTS_PER_ACCOUNT: usize = 10;
pub const MAX_ATTEMPTS_PER_ADDRESS: usize = 50;
pub const ATTEMPT_WINDOW_MS: i64 = 15 * 60 * 1000;

impl RateLimiter {
    /// Records an attempt; `Err(seconds to wait)` when over the limit.
    pub fn attempt(&self, account: &str, address: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let now = now.timestamp_millis();
        let Ok(mut map) = self.attempts.lock() else {
            return Ok(());
        };
        // Forget accounts and addresses with no recent attempt.
        map.retain(|_, list| {
            list.retain(|t| now - t < ATTEMPT_WINDOW_MS);
            !list.is_empty()
        });
        let mut wait = 0;
        for (key, max) in [
            (format!("a:{account}"), MAX_ATTEMPTS_PER_ACCOUNT),
            (format!("i:{address}"), MAX_ATTEMPTS_PER_ADDRESS),
        ] {
            let list = map.entry(key).or_default();
            list.retain(|t| now - t < ATTEMPT_WINDOW_MS);
            if list.len() >= max {
                let oldest = list.first().copied().unwrap_or(now);
                wait = wait.max((oldest + ATTEMPT_WINDOW_MS - now) / 1000 + 1);
            }
        }
        if wait > 0 {
            return Err(wait);
        }
        for key in [format!("a:{account}"), format!("i:{address}")] {
            map.entry(key).or_default().push(now);
        }
        Ok(())
    }

    /// A successful sign-in clears the account's count.
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut map) = self.attempts.lock() {
            map.remove(&format!("a:{account}"));
        }
    }
}
