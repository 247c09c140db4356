//! One error type for every handler: `{code, message, fieldErrors}` on every
//! 4xx; internal causes are logged with context and never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use interim_policy::violation::{Violation, status_of};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub field_errors: Vec<FieldError>,
}

/// A refusal (4xx) or an internal failure (500, details logged only).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_owned(),
                message: message.into(),
                field_errors: Vec::new(),
            },
        }
    }

    /// Violations of the policy: the status is the first that applies of
    /// 400, 404, 409, 403; the top-level code is the first violation's.
    pub fn violations(violations: Vec<Violation>) -> ApiError {
        let status = status_of(&violations)
            .and_then(|s| StatusCode::from_u16(s.http()).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        let first = violations
            .iter()
            .find(|v| StatusCode::from_u16(v.code.status().http()).ok() == Some(status));
        let code = first
            .map(|v| v.code.as_str())
            .unwrap_or("request.invalid")
            .to_owned();
        let message = match violations.len() {
            1 => first.map(|v| v.message.clone()).unwrap_or_default(),
            n => format!(
                "{n} problems: {}",
                first.map(|v| v.message.as_str()).unwrap_or_default()
            ),
        };
        ApiError {
            status,
            body: ErrorBody {
                code,
                message,
                field_errors: violations
                    .into_iter()
                    .map(|v| FieldError {
                        field: v.field,
                        code: v.code.as_str().to_owned(),
                        message: v.message,
                    })
                    .collect(),
            },
        }
    }

    pub fn violation(v: Violation) -> ApiError {
        ApiError::violations(vec![v])
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.required",
            "sign in, or send an API key as a Bearer token",
        )
    }

    pub fn forbidden(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn bad_request(code: &str, field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, code, message.clone());
        e.body.field_errors.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        });
        e
    }

    /// An internal failure: logged here with its cause, answered as 500.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "{context}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server.internal",
            "something went wrong on our side; it has been logged",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::internal("database", e)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        ApiError::internal("store", e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
