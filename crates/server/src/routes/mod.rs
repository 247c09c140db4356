//! The HTTP API: each resource module has its own `router()`; its handlers
//! extract, call one use case of `crate::app`, and map the answer to HTTP.

use axum::Router;

use crate::AppState;

pub mod audit;
pub mod explain;
pub mod groups;
pub mod health;
pub mod keys;
pub mod notifications;
pub mod openapi;
pub mod pools;
pub mod requests;
pub mod session;
pub mod settings;
pub mod temp_access;
pub mod users;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(session::router())
        .merge(temp_access::router())
        .merge(pools::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(groups::router())
        .merge(keys::router())
        .merge(settings::router())
        .merge(explain::router())
        .merge(requests::router())
        .merge(notifications::router())
}
