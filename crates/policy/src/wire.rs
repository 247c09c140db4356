//! Wire types: the JSON every surface speaks (serde, camelCase, unknown
//! fields refused). Inputs that people type keep loose types (strings,
//! optional fields) so that validation can name every problem; validated
//! domain values are reached from them through the checks of the core.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits::Limits;
use crate::role::{PoolLevel, Role};
use crate::time::{Instant, rfc3339_millis};
use crate::vocab::{Approval, Period, RequestSettings, RequestStatus};

/// `POST /api/v1/temp-access` — the vendor's `CreateTempAccessPublicApiDTO`.
/// Every field is optional here so that a missing one is a field violation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTempAccess {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_pool_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_emails: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
}

/// A pool role as the temp-access API writes it: `Standard` / `Privileged`,
/// read in any letter case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantRole(pub PoolLevel);

impl Serialize for GrantRole {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.grant_name())
    }
}

impl<'de> Deserialize<'de> for GrantRole {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        PoolLevel::deserialize(deserializer).map(GrantRole)
    }
}

/// A grant as the server answers it — the vendor's `GetTempAccessPublicApiDTO`
/// plus when it was created (the start of its active period).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TempAccess {
    pub id: String,
    pub name: String,
    pub agent_pool_ids: Vec<String>,
    pub user_emails: Vec<String>,
    pub roles: Vec<GrantRole>,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expiration_date: Instant,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// A number typed into a form: JSON number or the text of an input.
///
/// Any JSON number is read, so that validation answers it as it answers the
/// same text typed into the form instead of refusing the body's shape: a
/// whole one is a `Number` (`3.0` is 3; one beyond `i64`, `1e20`, is its
/// end, which is out of range); any other (`1.5`) is kept as its JSON text,
/// which is not a whole number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum FormValue {
    Number(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for FormValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FormValue, D::Error> {
        deserializer.deserialize_any(FormValueVisitor)
    }
}

struct FormValueVisitor;

impl serde::de::Visitor<'_> for FormValueVisitor {
    type Value = FormValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number or a string")
    }

    fn visit_i64<E>(self, v: i64) -> Result<FormValue, E> {
        Ok(FormValue::Number(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<FormValue, E> {
        Ok(i64::try_from(v).map_or_else(|_| FormValue::Text(v.to_string()), FormValue::Number))
    }

    /// A whole float (`3.0`, `1e20`) is that number, saturated to the range
    /// of `i64` (so a huge one is out of range, not "not a number"); any other
    /// is its JSON text, which is not a whole number.
    fn visit_f64<E>(self, v: f64) -> Result<FormValue, E> {
        if let Some(w) = crate::parse::whole_float(v) {
            let end = if w < 0 { i64::MIN } else { i64::MAX };
            return Ok(FormValue::Number(i64::try_from(w).unwrap_or(end)));
        }
        let text = serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string());
        Ok(FormValue::Text(text))
    }

    fn visit_str<E>(self, v: &str) -> Result<FormValue, E> {
        Ok(FormValue::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<FormValue, E> {
        Ok(FormValue::Text(v))
    }
}

/// The portal's grant form: one role and an expiry chosen as a number of
/// days, a number of hours, or a custom instant (RFC 3339 with the offset of
/// the browser's time zone).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default)]
    pub agent_pool_ids: Vec<String>,
    #[serde(default)]
    pub user_emails: Vec<String>,
    /// `days`, `hours` or `custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_kind: Option<String>,
    /// The number of days or hours, or the custom instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<FormValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
}

/// A user of the company, as the snapshot carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserWire {
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub roles: Vec<Role>,
}

fn yes() -> bool {
    true
}

/// Access-request settings of a pool or of one (group, pool) assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestSettingsWire {
    /// Requests enabled: the pool is locked for the group; members request access.
    pub enabled: bool,
    #[serde(default)]
    pub periods: Vec<Period>,
    #[serde(default = "manual")]
    pub approval: Approval,
    #[serde(default)]
    pub reason_required: bool,
}

fn manual() -> Approval {
    Approval::Manual
}

/// An agent pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentPoolWire {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The default for every group assignment of this pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_settings: Option<RequestSettingsWire>,
    /// Users named as access reviewers of this pool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_reviewers: Vec<String>,
}

/// A member of an access group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupMemberWire {
    pub email: String,
    #[serde(default)]
    pub group_admin: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elevated_roles: Vec<PoolLevel>,
}

/// Request settings overriding the pool's default for one group assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignmentOverrideWire {
    pub agent_pool_id: String,
    pub request_settings: RequestSettingsWire,
}

/// An access group (an environment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupWire {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub agent_pool_ids: Vec<String>,
    /// The pool roles the group gives its members.
    #[serde(default)]
    pub roles: Vec<PoolLevel>,
    #[serde(default)]
    pub members: Vec<GroupMemberWire>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_overrides: Vec<AssignmentOverrideWire>,
}

/// A stored access request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessRequestWire {
    pub id: String,
    pub requester: String,
    pub agent_pool_id: String,
    pub status: RequestStatus,
    pub approval: Approval,
    /// The period asked for, in minutes.
    pub requested_minutes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_ref: Option<String>,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Instant,
    /// Set when approved: access runs on `[approvedAt, endsAt)`.
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
}

/// A delegation of reviewing from one user to another for a bounded period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DelegationWire {
    pub from: String,
    pub to: String,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: Instant,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ends_at: Instant,
}

/// Everything the core decides against: a company at one moment, filtered
/// to what the caller may see, but always with every active grant's name and
/// period (the grant checks need the count and the names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotWire {
    #[serde(default)]
    pub company_id: String,
    pub rbac_enabled: bool,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub users: Vec<UserWire>,
    #[serde(default)]
    pub agent_pools: Vec<AgentPoolWire>,
    #[serde(default)]
    pub groups: Vec<GroupWire>,
    #[serde(default)]
    pub grants: Vec<TempAccess>,
    #[serde(default)]
    pub requests: Vec<AccessRequestWire>,
    #[serde(default)]
    pub delegations: Vec<DelegationWire>,
}

/// An access request as the requester submits it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessRequestInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_pool_id: Option<String>,
    /// A preset (`1h`, `4h`, `8h`, `12h`, `1d`, `7d`) or `custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The duration of a custom period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<FormValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_ref: Option<String>,
}

/// A delegation as the delegating reviewer submits it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DelegationInput {
    #[serde(default)]
    pub to: String,
    /// Defaults to now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: String,
}

/// One user of a legacy import file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LegacyUserWire {
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub legacy_roles: Vec<String>,
    #[serde(default)]
    pub group_admin_of: Vec<String>,
}

impl From<RequestSettingsWire> for RequestSettings {
    fn from(w: RequestSettingsWire) -> Self {
        let mut periods = w.periods;
        crate::order::sort(&mut periods);
        periods.dedup();
        RequestSettings {
            enabled: w.enabled,
            periods,
            approval: w.approval,
            reason_required: w.reason_required,
        }
    }
}

impl RequestSettings {
    pub fn to_wire(&self) -> RequestSettingsWire {
        RequestSettingsWire {
            enabled: self.enabled,
            periods: self.periods.clone(),
            approval: self.approval,
            reason_required: self.reason_required,
        }
    }
}
