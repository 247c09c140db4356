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
        let text = json_text(req, state).await?;
        interim_policy::parse::from_json_str(&text)
            .map(Body)
            .map_err(ApiError::violation)
    }
}

/// An optional JSON body: none when the request has no content type and
/// no body (what a client sends when it has nothing to say), else [`Body`].
impl<S: Send + Sync, T: DeserializeOwned> axum::extract::OptionalFromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, ApiError> {
        let typed = req.headers().contains_key(axum::http::header::CONTENT_TYPE);
        let empty = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() == b"0");
        if !typed && empty {
            return Ok(None);
        }
        <Body<T> as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

/// A vendor resource written back as it was read: the vendor's read-only
/// fields (`id`, `createdDate`, …), which its server ignores on writes,
/// are accepted and ignored; any other unknown field is still a 400.
pub trait ReadOnlyFields {
    /// Top-level fields of the vendor's read DTO that its write DTO lacks.
    const READ_ONLY: &'static [&'static str];
}

/// A JSON body of a vendor write: [`Body`], less the resource's
/// [`ReadOnlyFields`].
#[derive(Debug)]
pub struct VendorBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + ReadOnlyFields> FromRequest<S> for VendorBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let text = json_text(req, state).await?;
        let mut value = interim_policy::parse::parse_json(&text).map_err(ApiError::violation)?;
        if let Some(object) = value.as_object_mut() {
            for field in T::READ_ONLY {
                object.remove(*field);
            }
        }
        interim_policy::parse::from_value(value)
            .map(VendorBody)
            .map_err(ApiError::violation)
    }
}

/// The body as text, when it is declared JSON, fits the limit and is UTF-8.
async fn json_text<S: Send + Sync>(req: Request, state: &S) -> Result<String, ApiError> {
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
            "send the body as “application/json”",
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
    String::from_utf8(Vec::from(bytes))
        .map_err(|_| ApiError::bad_request("body.json.malformed", "", "the body is not UTF-8"))
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

/// The highest page index.
pub const MAX_PAGE: i64 = 1_000_000;
/// The largest page size (where a listing sets none of its own).
pub const MAX_SIZE: i64 = 1000;

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
                    format!("“{key}” is a whole number from {min} to {max}, got “{v}”"),
                )),
            },
        }
    }

    /// A boolean parameter: `true` or `false`, absent meaning false.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::bad_request(
                "query.value.invalid",
                name,
                format!("“{name}” is true or false, got “{other}”"),
            )),
        }
    }

    /// `page` (from 0) and `size` (default 20).
    pub fn paging(&self) -> Result<Paging, ApiError> {
        self.paging_sized(20, MAX_SIZE)
    }

    /// `page` (from 0) and `size` (default `size`, at most `most`).
    pub fn paging_sized(&self, size: i64, most: i64) -> Result<Paging, ApiError> {
        let page = self.number("page", 0, 0, MAX_PAGE)?;
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
            // Exactly `field` or `field,asc|desc` (the direction in any
            // case), as the OpenAPI document's pattern says.
            let (field, direction) = match s.split_once(',') {
                Some((field, direction)) => (field, Some(direction.to_ascii_lowercase())),
                None => (s, None),
            };
            let asc = match direction.as_deref() {
                None | Some("asc") => true,
                Some("desc") => false,
                Some(other) => {
                    return Err(ApiError::bad_request(
                        "query.sort.invalid",
                        "sort",
                        format!("sort direction “{other}”: use asc or desc"),
                    ));
                }
            };
            if !allowed.contains(&field) {
                return Err(ApiError::bad_request(
                    "query.sort.invalid",
                    "sort",
                    format!(
                        "cannot sort by “{field}”: use one of {}",
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
