//! Answers: the JSON bodies the server sends, each a named type defined
//! once. The server serialises them, the portal and the CLI read them, the
//! OpenAPI document gives their schemas (with the `openapi` feature), and
//! the npm package's declarations are checked against them.
//!
//! Readers accept fields they do not know, so an older portal can read a
//! newer server's answer; optional fields are left out when empty.

use serde::{Deserialize, Serialize};

use crate::request::{Approval, RequestStatus};
use crate::time::{Instant, rfc3339_millis};

/// One problem at one field of a refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Every refusal: a stable code, a message, and the fields at fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub field_errors: Vec<FieldError>,
}

/// A whole list and its length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Listed<T> {
    pub total: usize,
    pub items: Vec<T>,
}

impl<T> Listed<T> {
    pub fn of(items: Vec<T>) -> Listed<T> {
        Listed {
            total: items.len(),
            items,
        }
    }
}

/// One page of a longer list: the vendor's page shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    #[serde(default)]
    pub offset: i64,
    #[serde(default)]
    pub limit: i64,
    #[serde(default)]
    pub has_more: bool,
}

/// An access request as the API answers it: the stored request, its status
/// at this instant (a pending request past its 24 hours is `expired`
/// before the sweeper writes it), until when a pending one waits, and the
/// reviewer's comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccessRequest {
    pub id: String,
    pub requester: String,
    pub agent_pool_id: String,
    /// As stored.
    pub status: RequestStatus,
    /// At this instant.
    pub effective_status: RequestStatus,
    pub approval: Approval,
    pub requested_minutes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_ref: Option<String>,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Instant,
    #[serde(
        default,
        with = "rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub approved_at: Option<Instant>,
    #[serde(
        default,
        with = "rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ends_at: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// Until when a pending request waits for a reviewer.
    #[serde(
        default,
        with = "rfc3339_millis::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub pending_until: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A delegation of reviewing, with its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Delegation {
    pub id: String,
    pub from: String,
    pub to: String,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: Instant,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ends_at: Instant,
}

/// Who may approve a request now, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Reviewers {
    pub reviewers: Vec<crate::request::Reviewer>,
}

/// A pool's request settings as saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PoolRequestSettings {
    pub agent_pool_id: String,
    /// `null`: requests are off for the pool by default.
    pub request_settings: Option<crate::wire::RequestSettingsWire>,
}

/// One group assignment's override of its pool's request settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRequestSettings {
    pub group_id: String,
    pub agent_pool_id: String,
    pub request_settings: crate::wire::RequestSettingsWire,
}
