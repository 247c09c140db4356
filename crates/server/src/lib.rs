//! # interim-server
//!
//! The authority: an axum API over SQLite whose every rule comes from
//! `interim-policy`, checked inside the write transaction. [`app`] builds the
//! router (tested without a socket); [`serve`] runs it.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

pub mod app;
pub mod auth;
pub mod checkpoints;
pub mod clock;
pub mod config;
pub mod error;
pub mod extract;
pub mod headers;
pub mod metrics;
pub mod notify;
pub mod routes;
pub mod seed;
mod serve;
pub mod store;
pub mod sweeper;
pub mod throttle;

use crate::clock::Clock;
use crate::error::ApiError;
use crate::store::Store;

pub use crate::config::{Config, LogFormat};
pub use crate::serve::serve;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Everything a handler needs.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// Sign-in failures per (account, client) and per client.
    pub throttle: throttle::SignInThrottle,
    /// Writes per person.
    pub writes: throttle::WriteThrottle,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    pub metrics: metrics::Metrics,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Where access-request notifications go (none by default).
    pub channels: Arc<notify::Channels>,
    /// Signed checkpoints of the audit log (none in tests that need none).
    pub checkpoints: checkpoints::Shared,
    /// The audit log as verified at start-up.
    pub audit_verified: Arc<std::sync::Mutex<Option<bool>>>,
    /// Wakes the notification worker after a commit that wrote to the outbox.
    pub outbox: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// The start-up verification of the audit log: `None` until done.
    pub fn audit_verified(&self) -> Option<bool> {
        self.audit_verified.lock().ok().and_then(|v| *v)
    }

    pub fn new(store: Store, clock: Arc<dyn Clock>) -> AppState {
        let throttle = throttle::SignInThrottle::new(Arc::clone(&clock));
        let writes = crate::throttle::WriteThrottle::new(crate::throttle::WRITES_PER_SECOND);
        AppState {
            store,
            clock,
            throttle,
            writes,
            checkpoints: None,
            audit_verified: Arc::default(),
            trusted_proxies: Arc::new(Vec::new()),
            metrics: metrics::Metrics::default(),
            secure_cookies: false,
            channels: Arc::new(notify::Channels::default()),
            outbox: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

/// The whole HTTP surface. `portal` is the folder of the portal's built
/// files, served with a single-page fallback when given.
pub fn app(state: AppState, portal: Option<PathBuf>) -> Router {
    let api = routes::router()
        .route("/metrics", get(metrics::render))
        .route("/api/openapi.json", get(routes::openapi::document))
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "route.method.not_allowed",
                "this path does not take that method",
            )
        });
    let portal = portal.filter(|p| p.join("index.html").is_file());
    let index_html = portal
        .as_ref()
        .and_then(|dir| std::fs::read_to_string(dir.join("index.html")).ok());
    let security = headers::SecurityHeaders::new(index_html.as_deref(), state.secure_cookies);
    let router = match portal {
        Some(dir) => {
            let index = dir.join("index.html");
            api.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => api.fallback(not_found),
    };
    router
        .layer(axum::middleware::from_fn_with_state(security, headers::add))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found("route.path.unknown", format!("nothing at “{}”", uri.path()))
}
