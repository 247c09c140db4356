//! The outbox of access-request notifications, for admins: what was sent
//! to whom, how delivery stands, and a retry.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use interim_policy::answer::Outbox;

use crate::AppState;
use crate::app::{self, Actor};
use crate::error::ApiResult;
use crate::extract::{Params, Path};

/// Notifications in one page unless `size` says otherwise, and the most.
const PAGE: i64 = 50;
pub(crate) const MOST: i64 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/{id}/retry", post(retry))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "Access Requests",
    summary = "The notification outbox, newest first, a page at a time: each message, its channel and recipient (a webhook without its path), and how delivery stands",
    params(("status" = Option<String>, Query, description = "pending | delivered | failed"), ("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 50, at most 500)")),
    responses((status = 200, description = "The channels configured and the notifications", body = Outbox), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Outbox>> {
    let paging = params.paging_sized(PAGE, MOST)?;
    let status = params.get("status");
    let outbox = app::outbox::page(&state, &actor, status, paging.page, paging.size).await?;
    Ok(Json(outbox))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/retry",
    tag = "Access Requests",
    summary = "Send a failed or pending notification again now",
    params(("id" = String, Path, description = "Notification id")),
    responses((status = 204, description = "Queued for delivery now"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "No such notification, or already delivered", body = crate::error::ErrorBody))
)]
pub(crate) async fn retry(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app::outbox::retry(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
