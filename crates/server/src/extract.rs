//! Request extractors that answer bad input in the API's error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
pub use interim_policy::answer::Page;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body read with the policy's parser: unknown fields, wrong types
/// and broken JSON are 400 with the field path; an oversize body is 413.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        // Only JSON: a cross-site form cannot post `text/plain` as a body.
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "body.content_type.unsupported",
                "send the body as `application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body.size.too_large",
                    format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
                )
            } else {
                ApiError::bad_request(
                    "body.json.malformed",
                    "",
                    format!("the body could not be read: {e}"),
                )
            }
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            ApiError::bad_request("body.json.malformed", "", "the body is not UTF-8")
        })?;
        interim_policy::parse::from_json_str(text)
            .map(Body)
            .map_err(ApiError::violation)
    }
}

/// Path parameters; a bad one (not UTF-8, wrong shape) is a 400 in the
/// error shape.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e| {
                ApiError::bad_request(
                    "path.invalid",
                    "",
                    format!("the path could not be read: {e}"),
                )
            })
    }
}

/// Query parameters as a list of pairs (a key may repeat, as `sort` does).
#[derive(Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|e| {
                ApiError::bad_request(
                    "query.invalid",
                    "",
                    format!("the query string could not be read: {e}"),
                )
            })
    }
}

impl Params {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A non-negative integer parameter.
    pub fn number(&self, key: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_request(
                    "query.value.invalid",
                    key,
                    format!("`{key}` is a whole number from {min} to {max}, got `{v}`"),
                )),
            },
        }
    }

    /// `page` (from 0) and `size` (default 20).
    pub fn paging(&self) -> Result<Paging, ApiError> {
        self.paging_sized(20, 1000)
    }

    /// `page` (from 0) and `size` (default `size`, at most `most`).
    pub fn paging_sized(&self, size: i64, most: i64) -> Result<Paging, ApiError> {
        let page = self.number("page", 0, 0, 1_000_000)?;
        let size = self.number("size", size, 1, most)?;
        Ok(Paging { page, size })
    }

    /// `sort=field,asc|desc` (repeatable), checked against the sortable fields.
    pub fn sort(
        &self,
        allowed: &[&str],
        default: (&str, bool),
    ) -> Result<Vec<(String, bool)>, ApiError> {
        let mut out = Vec::new();
        for s in self.all("sort") {
            let mut parts = s.split(',').map(str::trim);
            let field = parts.next().unwrap_or_default();
            let asc = match parts.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => true,
                Some("desc") => false,
                Some(other) => {
                    return Err(ApiError::bad_request(
                        "query.sort.invalid",
                        "sort",
                        format!("sort direction `{other}`: use asc or desc"),
                    ));
                }
            };
            if !allowed.contains(&field) {
                return Err(ApiError::bad_request(
                    "query.sort.invalid",
                    "sort",
                    format!(
                        "cannot sort by `{field}`: use one of {}",
                        allowed.join(", ")
                    ),
                ));
            }
            out.push((field.to_owned(), asc));
        }
        if out.is_empty() {
            out.push((default.0.to_owned(), default.1));
        }
        Ok(out)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: i64,
    pub size: i64,
}

impl Paging {
    /// Where this page starts.
    pub fn offset(self) -> i64 {
        self.page.saturating_mul(self.size)
    }

    /// This page of a sorted list the store cut already, of `total` in all.
    pub fn cut<T>(self, items: Vec<T>, total: i64) -> Page<T> {
        let offset = self.offset();
        let shown = i64::try_from(items.len()).unwrap_or(0);
        Page {
            items,
            total,
            offset,
            limit: self.size,
            has_more: offset + shown < total,
        }
    }

    /// Cuts a whole sorted list into this page.
    pub fn page<T>(self, all: Vec<T>) -> Page<T> {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let items: Vec<T> = all
            .into_iter()
            .skip(usize::try_from(self.offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(self.size).unwrap_or(0))
            .collect();
        self.cut(items, total)
    }
}
