//! `/api/v1/audit`: the hash-chained log, filtered, paged, exported, verified.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use interim_policy::answer::ChainCheck;
use interim_policy::audit::AuditEvent;
use interim_policy::csv_file::csv_file;
use interim_policy::time::{format_instant, not_an_instant, parse_instant};

use crate::AppState;
use crate::app::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Page, Params};
use crate::store::AuditFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/audit", get(list))
        .route("/api/v1/audit/export", get(export))
        .route("/api/v1/audit/verify", get(verify))
}

fn filter(params: &Params) -> ApiResult<AuditFilter> {
    let instant = |key: &str| -> ApiResult<Option<i64>> {
        match params.get(key) {
            None => Ok(None),
            Some(v) => parse_instant(v)
                .map(|t| Some(t.timestamp_millis()))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "query.value.invalid",
                        key,
                        format!("“{key}”: {}", not_an_instant(v)),
                    )
                }),
        }
    };
    Ok(AuditFilter {
        actor: params.get("actor").map(str::to_owned),
        action: params.get("action").map(str::to_owned),
        target: params.get("target").map(str::to_owned),
        from_ms: instant("from")?,
        to_ms: instant("to")?,
        newest_first: match params.get("order") {
            None | Some("oldest") => false,
            Some("newest") => true,
            Some(other) => {
                return Err(ApiError::bad_request(
                    "query.value.invalid",
                    "order",
                    format!("order is oldest or newest, got “{other}”"),
                ));
            }
        },
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "Audit",
    summary = "Audit events, oldest first unless asked otherwise",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("order" = Option<String>, Query, description = "oldest (default) or newest first"), ("actor" = Option<String>, Query, description = "Who"), ("action" = Option<String>, Query, description = "What, e.g. grant.created"), ("target" = Option<String>, Query, description = "e.g. grant:ID, user:EMAIL"), ("from" = Option<String>, Query, description = "RFC 3339, inclusive"), ("to" = Option<String>, Query, description = "RFC 3339, exclusive")),
    responses((status = 200, description = "A page of events", body = Page<AuditEvent>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<AuditEvent>>> {
    let paging = params.paging()?;
    let f = filter(&params)?;
    let (items, total) =
        app::audit::events(&state, &actor, &f, paging.offset(), paging.size).await?;
    Ok(Json(paging.cut(items, total)))
}

#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "Audit",
    summary = "Verify the hash chain",
    responses((status = 200, description = "Whether every link holds", body = ChainCheck), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn verify(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<ChainCheck>> {
    Ok(Json(app::audit::verify(&state, &actor).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/audit/export",
    tag = "Audit",
    summary = "Export events as CSV or JSON",
    params(("format" = Option<String>, Query, description = "json (default: the events, their signed checkpoints and the key's public half) or csv"), ("actor" = Option<String>, Query, description = "Who"), ("action" = Option<String>, Query, description = "What, e.g. grant.created"), ("target" = Option<String>, Query, description = "e.g. grant:ID, user:EMAIL"), ("from" = Option<String>, Query, description = "RFC 3339, inclusive"), ("to" = Option<String>, Query, description = "RFC 3339, exclusive")),
    responses((status = 200, description = "The file", content((interim_policy::checkpoint::AuditLog = "application/json"), (String = "text/csv"))), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn export(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Response> {
    // A file is always oldest first: the order its chain is checked in.
    let f = AuditFilter {
        newest_first: false,
        ..filter(&params)?
    };
    let (events, _) = app::audit::events(&state, &actor, &f, 0, i64::MAX).await?;
    let format = params.get("format").unwrap_or("json");
    let (body, kind, ext) = match format {
        "json" => (json_export(&state, events)?, "application/json", "json"),
        "csv" => (csv_export(&events), "text/csv; charset=utf-8", "csv"),
        other => {
            return Err(ApiError::bad_request(
                "query.value.invalid",
                "format",
                format!("format “{other}”: use csv or json"),
            ));
        }
    };
    let mut response = body.into_response();
    if let Ok(v) = HeaderValue::from_str(kind) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"interim-audit.{ext}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The events with the checkpoints that vouch for them and the key that
/// signed those: what `interim audit verify --file` and the policy's
/// `verifyAuditLog` check offline.
fn json_export(
    state: &AppState,
    events: Vec<interim_policy::audit::AuditEvent>,
) -> ApiResult<String> {
    let checkpoints = match state.checkpoints.as_ref() {
        Some(c) => c
            .all()
            .map_err(|e| ApiError::internal("reading the audit checkpoints", e))?,
        None => Vec::new(),
    };
    let log = interim_policy::checkpoint::AuditLog {
        events,
        checkpoints,
        public_key: state.checkpoints.as_ref().map(|c| c.public_key()),
    };
    serde_json::to_string_pretty(&log).map_err(|e| ApiError::internal("export", e))
}

/// One row per event, details as canonical JSON.
fn csv_export(events: &[interim_policy::audit::AuditEvent]) -> String {
    let rows: Vec<[String; 9]> = events
        .iter()
        .map(|e| {
            [
                e.seq.to_string(),
                format_instant(e.time),
                e.actor.clone(),
                e.action.as_str().to_owned(),
                e.target.clone(),
                interim_policy::audit::canonical_json(&e.details),
                e.reason.clone().unwrap_or_default(),
                e.prev_hash.clone(),
                e.hash.clone(),
            ]
        })
        .collect();
    csv_file(
        &[
            "seq", "time", "actor", "action", "target", "details", "reason", "prevHash", "hash",
        ],
        rows.iter().map(|r| r.iter().map(String::as_str)),
    )
}
