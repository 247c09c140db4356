//! The HTTP face of errors: `{code, message, fieldErrors}` on every 4xx,
//! with the status a use case's [`Kind`] maps to; internal causes are
//! logged with context and never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use interim_policy::violation::Violation;

use crate::app::{Error, Kind};

pub use interim_policy::answer::{ErrorBody, FieldError};

/// A refusal (4xx) or an internal failure (500, details logged only).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds to wait, sent as `Retry-After` (429).
    pub retry_after: Option<u64>,
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
            retry_after: None,
        }
    }

    pub fn violations(violations: Vec<Violation>) -> ApiError {
        Error::violations(violations).into()
    }

    pub fn violation(v: Violation) -> ApiError {
        Error::violation(v).into()
    }

    pub fn unauthenticated() -> ApiError {
        Error::unauthenticated().into()
    }

    pub fn forbidden(code: &str, message: impl Into<String>) -> ApiError {
        Error::forbidden(code, message).into()
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> ApiError {
        Error::not_found(code, message).into()
    }

    pub fn bad_request(code: &str, field: &str, message: impl Into<String>) -> ApiError {
        Error::invalid(code, field, message).into()
    }

    /// An internal failure: logged with its cause, answered as 500.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> ApiError {
        Error::internal(context, cause).into()
    }
}

/// A use case's refusal as HTTP: its kind is the status.
impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let retry_after = match e.kind {
            Kind::TooMany(seconds) => Some(seconds),
            _ => None,
        };
        let status = match e.kind {
            Kind::Invalid => StatusCode::BAD_REQUEST,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            body: ErrorBody {
                code: e.code,
                message: e.message,
                field_errors: e
                    .problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: p.field,
                        code: p.code,
                        message: p.message,
                    })
                    .collect(),
            },
            retry_after,
        }
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
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let retry_after = self.retry_after;
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(v) =
            retry_after.and_then(|s| axum::http::HeaderValue::from_str(&s.to_string()).ok())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        if unauthorized {
            // RFC 9110 §15.5.2: a 401 names how to authenticate.
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"interim\""),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
