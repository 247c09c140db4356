//! Company settings (the RBAC switch, limits that only tighten) and the
//! legacy role import with its preview.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use interim_policy::answer::Settings;
use interim_policy::wire::LegacyUserWire;

use crate::AppState;
use crate::app::settings::SettingsInput;
use crate::app::{self, Actor};
use crate::error::ApiResult;
use crate::extract::{Body, Params};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/settings", get(read).put(write))
        .route("/api/v1/users/import", post(import))
}

#[utoipa::path(
    get,
    path = "/api/v1/settings",
    tag = "Settings",
    summary = "Company settings: RBAC and limits",
    responses((status = 200, description = "The settings", body = Settings), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn read(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Settings>> {
    Ok(Json(app::settings::read(&state, &actor).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/settings",
    tag = "Settings",
    summary = "Switch RBAC, tighten limits",
    request_body = SettingsInput,
    responses((status = 200, description = "The settings", body = Settings), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn write(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<SettingsInput>,
) -> ApiResult<Json<Settings>> {
    Ok(Json(app::settings::write(&state, &actor, &input).await?))
}

/// `POST /api/v1/users/import?preview=true` previews; without it, applies.
#[utoipa::path(
    post,
    path = "/api/v1/users/import",
    tag = "Users",
    summary = "Import users from the legacy role system (preview with ?preview=true)",
    params(("preview" = Option<bool>, Query, description = "Only preview")),
    request_body = Vec<LegacyUserWire>,
    responses((status = 200, description = "What was (or would be) written, and the new people's activation links", body = interim_policy::answer::LegacyImport), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn import(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
    Body(entries): Body<Vec<LegacyUserWire>>,
) -> ApiResult<Json<interim_policy::answer::LegacyImport>> {
    let preview_only = params.flag("preview")?;
    let done = app::settings::import(&state, &actor, &entries, preview_only).await?;
    Ok(Json(done))
}
