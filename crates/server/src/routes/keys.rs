//! API keys at the vendor's path. A key's secret is shown once; only its hash
//! is stored; requests with it act as its creator, with the creator's
//! rights at the time of the request, never more.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::Duration;
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::time::format_instant;
use interim_policy::user::validate_api_key;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::app::{new_id, require};
use crate::auth::{Actor, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params, Path};
use crate::store::{ApiKeyRecord, from_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/access/company/{company}/system-api-key",
            get(list).post(create),
        )
        .route(
            "/api/v1/access/company/{company}/system-api-key/{id}",
            put(relabel).delete(revoke),
        )
}

/// The vendor's `SystemApiKeyReadDTO`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyOut {
    id: String,
    label: String,
    created_by: String,
    created_date: String,
    expiration_date: String,
    scopes: Vec<String>,
}

fn out(k: ApiKeyRecord) -> KeyOut {
    KeyOut {
        id: k.id,
        label: k.label,
        created_by: k.owner,
        created_date: format_instant(from_ms(k.created_ms)),
        expiration_date: format_instant(from_ms(k.expires_ms)),
        scopes: k.scopes,
    }
}

/// The `{company}` segment must be this deployment's company.
async fn check_company(state: &AppState, company: &str) -> ApiResult<()> {
    let settings = state.store.settings().await?;
    if settings.company_id == company {
        Ok(())
    } else {
        Err(ApiError::not_found(
            "company.id.unknown",
            format!("no company `{company}` here"),
        ))
    }
}

async fn gate(state: &AppState, actor: &Actor, company: &str, access: Access) -> ApiResult<()> {
    check_company(state, company).await?;
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    Ok(require(
        &snapshot,
        actor,
        Operation::ApiKeys,
        access,
        None,
        now,
    )?)
}

#[utoipa::path(
    get,
    path = "/api/v1/access/company/{company}/system-api-key",
    tag = "System access API key",
    summary = "API keys (never their secrets)",
    params(("company" = String, Path, description = "This deployment's company id")),
    responses((status = 200, description = "The keys", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(company): Path<String>,
) -> ApiResult<Json<Value>> {
    gate(&state, &actor, &company, Access::View).await?;
    let now = state.clock.now().timestamp_millis();
    let keys: Vec<KeyOut> = state
        .store
        .api_keys()
        .await?
        .into_iter()
        .filter(|k| k.expires_ms > now)
        .map(out)
        .collect();
    Ok(Json(json!({ "items": keys })))
}

use interim_policy::user::API_KEY_SCOPES as SCOPES;

#[utoipa::path(
    post,
    path = "/api/v1/access/company/{company}/system-api-key",
    tag = "System access API key",
    summary = "Create an API key: its secret is shown once",
    params(("company" = String, Path, description = "This deployment's company id"), ("expirationDays" = i64, Query, description = "Life in days, 1 to 365"), ("label" = Option<String>, Query, description = "Label"), ("scopes" = Option<Vec<String>>, Query, description = "COMPANY, DEV, SECURITY, CROSS_COMPANY")),
    responses((status = 200, description = "The secret, once", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Path(company): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    gate(&state, &actor, &company, Access::Change).await?;
    let days = match params.get("expirationDays") {
        None => None,
        Some(d) => Some(d.trim().parse::<i64>().map_err(|_| {
            ApiError::bad_request(
                "apiKey.expirationDays.out_of_range",
                "expirationDays",
                format!("`{d}` is not a number of days"),
            )
        })?),
    };
    let label = params.get("label").map(str::trim);
    validate_api_key(label, days).map_err(ApiError::violations)?;
    let mut scopes: Vec<String> = Vec::new();
    actor.not_a_key()?;
    for s in params
        .all("scopes")
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !SCOPES.contains(&s) {
            return Err(ApiError::bad_request(
                "query.value.invalid",
                "scopes",
                format!("scope `{s}`: use {}", SCOPES.join(", ")),
            ));
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    // Without scopes a key has every scope, as the vendor documents.
    if scopes.is_empty() {
        scopes = SCOPES.iter().map(|s| (*s).to_owned()).collect();
    }
    let now = state.clock.now();
    let secret = new_id()?;
    let key = ApiKeyRecord {
        id: new_id()?,
        label: label.unwrap_or("api key").to_owned(),
        owner: actor.email.to_lowercase(),
        created_ms: now.timestamp_millis(),
        expires_ms: (now + Duration::days(days.unwrap_or(1))).timestamp_millis(),
        scopes,
    };
    let mut tx = state.store.begin().await?;
    tx.insert_api_key(&key, &token_hash(&secret)).await?;
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::ApiKeyCreated,
        target: format!("apikey:{}", key.id),
        details: json!({ "label": key.label, "expirationDate": format_instant(from_ms(key.expires_ms)), "scopes": key.scopes }),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(Json(
        json!({ "apiKey": secret, "id": key.id, "expirationDate": format_instant(from_ms(key.expires_ms)) }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Relabel {
    label: String,
}

/// A live key by id (the caller already may change API keys).
async fn find(state: &AppState, id: &str) -> ApiResult<ApiKeyRecord> {
    state
        .store
        .api_keys()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| ApiError::not_found("apiKey.id.unknown", format!("no API key `{id}`")))
}

#[utoipa::path(
    put,
    path = "/api/v1/access/company/{company}/system-api-key/{id}",
    tag = "System access API key",
    summary = "Change a key's label",
    params(("company" = String, Path, description = "This deployment's company id"), ("id" = String, Path, description = "API key id")),
    request_body = Relabel,
    responses((status = 200, description = "Relabelled", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn relabel(
    State(state): State<AppState>,
    actor: Actor,
    Path((company, id)): Path<(String, String)>,
    Body(input): Body<Relabel>,
) -> ApiResult<Json<Value>> {
    gate(&state, &actor, &company, Access::Change).await?;
    actor.not_a_key()?;
    let label = input.label.trim().to_owned();
    validate_api_key(Some(&label), Some(1)).map_err(ApiError::violations)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if !tx.relabel_api_key(&id, &label).await? {
        return Err(ApiError::not_found(
            "apiKey.id.unknown",
            format!("no API key `{id}`"),
        ));
    }
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::ApiKeyUpdated,
        target: format!("apikey:{id}"),
        details: json!({ "label": label }),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(Json(
        json!({ "message": format!("the API key is now labelled `{label}`"), "id": id, "label": label }),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/access/company/{company}/system-api-key/{id}",
    tag = "System access API key",
    summary = "Revoke a key",
    params(("company" = String, Path, description = "This deployment's company id"), ("id" = String, Path, description = "API key id")),
    responses((status = 200, description = "Revoked", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    Path((company, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    gate(&state, &actor, &company, Access::Change).await?;
    actor.not_a_key()?;
    let key = find(&state, &id).await?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    // Checked inside the transaction: of concurrent revokes, one wins.
    if !tx.revoke_api_key(&id, now).await? {
        return Err(ApiError::not_found(
            "apiKey.id.unknown",
            format!("no API key `{id}`"),
        ));
    }
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::ApiKeyRevoked,
        target: format!("apikey:{id}"),
        details: json!({ "label": key.label, "owner": key.owner }),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(Json(
        json!({ "message": "the API key is revoked", "id": id }),
    ))
}
