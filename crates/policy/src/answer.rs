//! Answers: the JSON bodies the server sends, each a named type defined
//! once. The server serialises them, the portal and the CLI read them, the
//! OpenAPI document gives their schemas (with the `openapi` feature), and
//! the npm package's declarations are checked against them.
//!
//! Readers accept fields they do not know, so an older portal can read a
//! newer server's answer; optional fields are left out when empty.

use serde::{Deserialize, Serialize};

use crate::time::{Instant, rfc3339_millis};
use crate::vocab::{Approval, RequestStatus};

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

/// A user, the vendor's `UserPublicDTO`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub roles: Vec<crate::role::Role>,
    /// Roles recorded but giving nothing while RBAC is off.
    #[serde(default)]
    pub inert_roles: Vec<crate::role::Role>,
    pub enabled: bool,
    #[serde(default)]
    pub created_date: String,
    /// Left out when unknown (the vendor's answers have a string or nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default)]
    pub last_modified_date: String,
    /// Left out when unknown (the vendor's answers have a string or nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by: Option<String>,
    /// Left out when unknown (the vendor's answers have a string or nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_date: Option<String>,
    /// `USER_PASS`.
    #[serde(default)]
    pub register_method: String,
    /// `SYSTEM`.
    #[serde(default)]
    pub user_management_type: String,
    /// With `includeAccessAndPermissions=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_memberships: Option<Vec<UserMembership>>,
    /// With `includeAccessAndPermissions=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_pool_permissions: Option<Vec<UserPoolPermissions>>,
    /// The one-time link that lets the person set a password: in the
    /// answer that made it only (the server keeps only its hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_link: Option<String>,
}

/// A new activation link, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActivationLink {
    pub email: String,
    pub activation_link: String,
    pub expires_at: String,
    /// Also e-mailed to the person.
    #[serde(default)]
    pub emailed: bool,
}

/// A legacy import: what it did (or, previewed, would do), and a one-time
/// activation link for each person it created (to a signed-in admin only:
/// an API key never receives links).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LegacyImport {
    pub users: Vec<crate::legacy::MigratedUser>,
    #[serde(default)]
    pub errors: Vec<crate::violation::Violation>,
    #[serde(default)]
    pub activation_links: Vec<ActivationLink>,
}

/// An account activated: its address, to sign in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Activated {
    pub email: String,
}

/// A user's membership of one access group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserMembership {
    pub email: String,
    pub group_id: String,
    pub group_admin: bool,
}

/// What a user may do on one pool, in the user API's words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserPoolPermissions {
    pub agent_pool_id: String,
    /// `STANDARD`, plus `IGNORE_QUOTA` when privileged.
    pub permissions: Vec<String>,
}

/// An agent pool, the vendor's `AgentPoolPublicApiDTO`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Pool {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Left out when unknown (the vendor's answers have a string or nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default)]
    pub created_date: String,
    #[serde(default)]
    pub agents_enabled: bool,
    #[serde(default)]
    pub live_agents_count: i64,
}

/// A member of an access group, the vendor's `UserGroupMemberPublicDTO`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub email: String,
    #[serde(default)]
    pub group_admin: bool,
    #[serde(default)]
    pub elevated_roles: Vec<crate::role::PoolLevel>,
    /// The group's roles and the elevated ones.
    #[serde(default)]
    pub effective_roles: Vec<crate::role::PoolLevel>,
}

/// An access group, the vendor's `UserGroupPublicDTO`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub name: String,
    pub agent_pool_ids: Vec<String>,
    pub roles: Vec<crate::role::PoolLevel>,
    pub members: Vec<Member>,
    #[serde(default)]
    pub member_count: usize,
    #[serde(default)]
    pub default: bool,
    /// Left out when unknown (the vendor's answers have a string or nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default)]
    pub created_date: String,
    /// Left out when unknown (the vendor's answers have a string or nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by: Option<String>,
    #[serde(default)]
    pub last_modified_date: String,
}

/// One item of a bulk call that failed, with what was sent for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BulkFailure<F> {
    pub message: String,
    pub payload: F,
    pub status: u16,
}

/// The vendor's bulk answer: what was done and what failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Bulk<S, F> {
    #[serde(default)]
    pub successes: Vec<S>,
    #[serde(default)]
    pub failures: Vec<BulkFailure<F>>,
}

/// An API key without its secret, the vendor's `SystemApiKeyReadDTO`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub label: String,
    pub created_by: String,
    pub created_date: String,
    pub expiration_date: String,
    pub scopes: Vec<String>,
    /// When a request last used it (to the minute); absent when never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<String>,
}

/// The API keys, the vendor's list shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKeys {
    pub items: Vec<ApiKey>,
}

/// A new API key: its secret, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewApiKey {
    pub api_key: String,
    pub id: String,
    pub expiration_date: String,
}

/// What a change to an API key did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyChanged {
    pub message: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A session begun: the CSRF token to send with writes, and what the
/// person may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub email: Option<String>,
    pub csrf_token: String,
    pub expires_at: String,
    pub permissions: Option<crate::decision::EffectivePermissions>,
}

/// An access group the caller belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MyGroup {
    pub group_id: String,
    pub name: String,
    pub group_admin: bool,
}

/// Who is signed in and what they may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub email: String,
    /// `session` or `apiKey`.
    #[serde(default)]
    pub credential: String,
    #[serde(default)]
    pub groups: Vec<MyGroup>,
    pub permissions: crate::decision::EffectivePermissions,
    /// Reviews access requests now (directly or as a delegate): the server
    /// decides, since a delegate's snapshot does not hold their delegator.
    #[serde(default)]
    pub reviewer: bool,
    /// May delegate reviewing (a direct reviewer).
    #[serde(default)]
    pub may_delegate: bool,
}

/// The company's settings, and the limits of a new company (the ceiling
/// settings can only tighten).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub company_id: String,
    /// What people call the company (empty until an admin names it).
    #[serde(default)]
    pub company_name: String,
    pub rbac_enabled: bool,
    pub limits: crate::limits::Limits,
    #[serde(default = "crate::answer::seed_limits")]
    pub seed_limits: crate::limits::Limits,
    /// What the company holds now, to set beside its limits.
    #[serde(default)]
    pub usage: Usage,
}

/// What a company holds at one instant: the counts its admins watch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub users: u32,
    pub enabled_users: u32,
    pub agent_pools: u32,
    pub access_groups: u32,
    /// Against `limits.maxActiveGrants`.
    pub active_grants: u32,
    pub pending_requests: u32,
}

fn seed_limits() -> crate::limits::Limits {
    crate::limits::Limits::SEED
}

/// Whether every link of the audit log's hash chain holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChainCheck {
    pub valid: bool,
    pub checked: u64,
    /// The last hash, when the chain holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// Every broken link, and a missing or changed event a checkpoint
    /// vouches for.
    #[serde(default)]
    pub errors: Vec<crate::violation::Violation>,
    /// Signed checkpoints checked against the log.
    #[serde(default)]
    pub checkpoints: u64,
    /// Checkpoints whose signature is not the server's key (not trusted;
    /// any makes the log invalid: someone wrote the checkpoint file).
    #[serde(default)]
    pub forged_checkpoints: u64,
    /// The newest authentic checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_checkpoint: Option<crate::checkpoint::AuditCheckpoint>,
    /// The checkpoints' Ed25519 public key, lower-case hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

/// Whether the server and its database answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    pub database: bool,
    /// The audit log as verified at start-up (chain and signed
    /// checkpoints); absent until that check is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_verified: Option<bool>,
}

/// Whether this server should be sent traffic (`GET /readyz`): its
/// database answers and holds the schema this release expects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: String,
    pub database: bool,
    /// Every migration of this release is applied.
    pub schema: bool,
    /// The audit log verified at start-up (chain and checkpoints).
    pub audit: bool,
}

/// Which notification channels the server was started with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Channels {
    pub webhooks: u32,
    pub email: bool,
}

/// One notification of the outbox and how its delivery stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    /// `request.created`, `request.approved`, …, or `audit.checkpoint`.
    pub event: String,
    /// The request it tells of (empty for an audit checkpoint).
    #[serde(default)]
    pub request_id: String,
    /// `webhook` or `email`.
    pub channel: String,
    /// The e-mail address, or the webhook's URL without its path.
    pub recipient: String,
    #[serde(default)]
    pub subject: String,
    /// What the receiver reads: the webhook's `text`, or the mail's body.
    #[serde(default)]
    pub text: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    #[serde(default)]
    pub last_error: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub next_attempt_at: Option<String>,
    #[serde(default)]
    pub delivered_at: Option<String>,
}

/// A page of the outbox, newest first, with the channels configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Outbox {
    pub channels: Channels,
    pub total: u32,
    pub page: u32,
    #[serde(default)]
    pub size: u32,
    pub has_more: bool,
    pub items: Vec<Notification>,
}
