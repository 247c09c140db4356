//! The outbox of access-request notifications, for admins: what was sent
//! to whom, how delivery stands, and a retry.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::time::format_instant;
use serde_json::{Value, json};

use crate::AppState;
use crate::app::require;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, Path};
use crate::notify;
use crate::store::Notification;

/// Notifications in one page unless `size` says otherwise, and the most.
const PAGE: i64 = 50;
const MOST: i64 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/{id}/retry", post(retry))
}

fn out(n: &Notification) -> Value {
    // The webhook's `text`, or the mail's body: what the receiver reads.
    let text = if n.channel == "webhook" {
        serde_json::from_str::<Value>(&n.body)
            .ok()
            .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| n.body.clone())
    } else {
        n.body.clone()
    };
    json!({
        "id": n.id,
        "event": n.event,
        "requestId": n.request_id,
        "channel": n.channel,
        // A webhook's URL often holds its secret (Slack's do): shown
        // without its path to those who may view the outbox.
        "recipient": if n.channel == "webhook" { notify::redacted(&n.recipient) } else { n.recipient.clone() },
        "subject": n.subject,
        "text": text,
        "status": n.status,
        "attempts": n.attempts,
        "lastError": n.last_error,
        "createdAt": format_instant(n.created_at),
        "nextAttemptAt": (n.status == "pending").then(|| format_instant(n.next_attempt_at)),
        "deliveredAt": n.delivered_at.map(format_instant),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "Access Requests",
    summary = "The notification outbox, newest first, a page at a time: each message, its channel and recipient (a webhook without its path), and how delivery stands",
    params(("status" = Option<String>, Query, description = "pending | delivered | failed"), ("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 50, at most 500)")),
    responses((status = 200, description = "The channels configured and the notifications", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        &actor,
        Operation::CompanyWebhooks,
        Access::View,
        None,
        now,
    )?;
    let status = params.get("status");
    if let Some(s) = status.filter(|s| !matches!(*s, "pending" | "delivered" | "failed")) {
        return Err(ApiError::bad_request(
            "body.field.invalid_type",
            "status",
            format!("`status` is pending, delivered or failed, not `{s}`"),
        ));
    }
    let paging = params.paging_sized(PAGE, MOST)?;
    let (items, total) = state
        .store
        .notifications(status, paging.offset(), paging.size)
        .await?;
    let shown = paging.cut(items, total);
    let c = &state.channels;
    Ok(Json(json!({
        "channels": {"webhooks": c.webhooks.len(), "email": c.smtp_url.is_some()},
        "total": shown.total,
        "page": paging.page,
        "size": paging.size,
        "hasMore": shown.has_more,
        "items": shown.items.iter().map(out).collect::<Vec<_>>(),
    })))
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
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        &actor,
        Operation::CompanyWebhooks,
        Access::Change,
        None,
        now,
    )?;
    let mut tx = state.store.begin().await?;
    if !tx.retry_notification(&id, now).await? {
        return Err(ApiError::not_found(
            "notification.id.unknown",
            format!("no notification `{id}` waiting for delivery"),
        ));
    }
    tx.commit().await?;
    notify::wake(&state.outbox);
    Ok(StatusCode::NO_CONTENT)
}
