//! One JSON interface to the whole policy, defined and tested here; the wasm
//! package, the CLI and the conformance corpus speak it unchanged.
//!
//! A call is `{op, now?, snapshot?, actor?, replacing?, input}`. The answer
//! is `{"type": "success", ...}` or `{"type": "failure", "status", "errors"}`
//! for refusals of the domain; input that does not have the documented shape
//! is an [`Malformed`] error naming what is wrong.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::audit::AuditEvent;
use crate::catalogue::{Access, Operation};
use crate::checkpoint::{AuditLog, verify_log};
use crate::decision::{Check, decide, effective_permissions, explain_pool};
use crate::grant::{GrantContext, validate_grant, validate_grant_form};
use crate::key_scope::{CallingKey, KeyScope, plan_new_key};
use crate::legacy::preview_migration;
use crate::limits::Limits;
use crate::parse::{from_value, read_value};
use crate::report::{ReportBy, access_report};
use crate::request::{
    RequestAccess, RequestAction, apply_action, request_access, validate_delegation,
    validate_request, validate_request_settings, who_can_approve,
};
use crate::role::{Category, MATRIX, PoolLevel};
use crate::snapshot::{PoolIdx, Snapshot, UserIdx};
use crate::time::{Instant, not_an_instant, parse_instant};
use crate::user::{
    GroupInput, PoolInput, UserInput, validate_group, validate_member, validate_new_user,
    validate_pool, validate_user_update,
};
use crate::violation::{Code, Violation, status_of};
use crate::wire::{
    AccessRequestInput, CreateTempAccess, DelegationInput, FormValue, GrantForm, LegacyUserWire,
    RequestSettingsWire, SnapshotWire,
};

/// A call of the JSON interface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Call {
    pub op: String,
    /// The instant to decide at (RFC 3339); required by every time-dependent op.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotWire>,
    /// Who acts: the grant's creator, the requester, the reviewer, the delegator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// For `validateGrant`: the id of the grant being replaced; for
    /// `validateUser` and `validatePool`: the user or pool being updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacing: Option<String>,
    #[serde(default)]
    pub input: Value,
}

impl Call {
    /// Reads a call from parsed JSON, moving its `input` rather than
    /// copying it (an input may hold a whole grant form).
    pub fn read(mut value: Value) -> Result<Call, Violation> {
        let input = match &mut value {
            Value::Object(map) => map.get_mut("input").map(Value::take),
            _ => None,
        };
        let mut call: Call = from_value(value)?;
        call.input = input.unwrap_or_default();
        Ok(call)
    }
}

/// Every operation of the interface.
pub const OPS: &[&str] = &[
    "validateGrant",
    "validateGrantForm",
    "decide",
    "decideMany",
    "explainPoolAccess",
    "effectivePermissions",
    "whoCanApprove",
    "requestAccess",
    "validateRequest",
    "requestTransition",
    "validateDelegation",
    "validateRequestSettings",
    "migrateLegacy",
    "validateLimits",
    "validateCompanyName",
    "validateUser",
    "validatePool",
    "validateGroup",
    "validateMember",
    "validateApiKey",
    "verifyAuditChain",
    "verifyAuditLog",
    "accessReport",
    "matrix",
    "catalogue",
];

/// A refusal or an answer of the domain.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The fields of the success object (besides `type`).
    Success(Fields),
    Failure(Vec<Violation>),
}

/// A success's fields as the JSON text of one object, written once from
/// the typed answer: a surface that hands the answer on as JSON (the npm
/// package) copies the text instead of building and walking values.
#[derive(Clone, Debug, PartialEq)]
pub struct Fields(String);

impl Fields {
    /// The fields as JSON values.
    pub fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

/// The fields of one key: `{key: value}`, written without building a map.
struct Keyed<'a, T>(&'a str, &'a T);

impl<T: Serialize> Serialize for Keyed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

impl Answer {
    fn success(value: Value) -> Answer {
        match value {
            Value::Object(_) => Answer::success_of(&value),
            other => Answer::success_of(&Keyed("value", &other)),
        }
    }

    /// A success whose fields are `fields`' (a type written as an object).
    fn success_of<T: Serialize>(fields: &T) -> Answer {
        let text = serde_json::to_string(fields).unwrap_or_default();
        Answer::Success(Fields(if text.starts_with('{') {
            text
        } else {
            "{}".to_owned()
        }))
    }

    /// A success of one field.
    fn one<T: Serialize>(key: &str, value: &T) -> Answer {
        Answer::success_of(&Keyed(key, value))
    }

    fn from_result<T: Serialize>(key: &str, result: Result<T, Vec<Violation>>) -> Answer {
        match result {
            Ok(v) => Answer::one(key, &v),
            Err(errors) => Answer::Failure(errors),
        }
    }

    /// `{"type": "success", ...}` or `{"type": "failure", "status", "errors"}`.
    pub fn to_json(&self) -> Value {
        match self {
            Answer::Success(fields) => {
                let mut map = Map::new();
                map.insert("type".into(), Value::from("success"));
                map.extend(fields.to_map());
                Value::Object(map)
            }
            Answer::Failure(errors) => json!({
                "type": "failure",
                "status": failure_status(errors),
                "errors": to_value(errors),
            }),
        }
    }

    /// [`Answer::to_json`] as JSON text, `type` first; a success's fields
    /// are copied as written.
    pub fn to_json_text(&self) -> String {
        match self {
            Answer::Success(Fields(text)) => match text.strip_prefix('{') {
                Some(rest) if rest.trim_start() != "}" => format!("{{\"type\":\"success\",{rest}"),
                _ => "{\"type\":\"success\"}".to_owned(),
            },
            Answer::Failure(errors) => {
                let status = failure_status(errors);
                let list = serde_json::to_string(errors).unwrap_or_else(|_| "[]".to_owned());
                format!("{{\"type\":\"failure\",\"status\":{status},\"errors\":{list}}}")
            }
        }
    }
}

/// The HTTP status a failure answers with.
fn failure_status(errors: &[Violation]) -> u16 {
    status_of(errors).map(|s| s.http()).unwrap_or(400)
}

/// Input that does not have the documented shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Malformed {
    pub message: String,
    pub errors: Vec<Violation>,
}

impl Malformed {
    /// One problem; the message names its field.
    pub fn one(v: Violation) -> Malformed {
        Malformed {
            message: describe(std::slice::from_ref(&v)),
            errors: vec![v],
        }
    }

    /// Every problem; the message names each field.
    pub fn many(errors: Vec<Violation>) -> Malformed {
        Malformed {
            message: describe(&errors),
            errors,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"type": "malformed", "message": self.message, "errors": to_value(&self.errors)})
    }
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn describe(errors: &[Violation]) -> String {
    errors
        .iter()
        .map(|v| {
            if v.field.is_empty() {
                v.message.clone()
            } else {
                format!("“{}”: {}", v.field, v.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Runs a call given as JSON text.
pub fn call_json(text: &str) -> Result<Answer, Malformed> {
    let call = Call::read(crate::parse::parse_json(text).map_err(Malformed::one)?)
        .map_err(Malformed::one)?;
    call_with(&call, None)
}

/// Runs a call.
pub fn call(call: &Call) -> Result<Answer, Malformed> {
    call_with(call, None)
}

/// Runs a call against an already indexed snapshot (used instead of
/// `call.snapshot` when given): the way to load a company once and ask many times.
pub fn call_with(call: &Call, indexed: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let owned;
    let snapshot = match (indexed, &call.snapshot) {
        (Some(s), _) => Some(s),
        (None, Some(wire)) => {
            owned = index_snapshot(wire.clone())?;
            Some(&owned)
        }
        (None, None) => None,
    };
    dispatch(call, snapshot)
}

/// Indexes a company for the interface: every problem of the snapshot at
/// once, each field under `snapshot.` (the one way every surface loads a
/// company it was given).
pub fn index_snapshot(wire: SnapshotWire) -> Result<Snapshot, Malformed> {
    Snapshot::build(wire).map_err(|errors| {
        Malformed::many(
            errors
                .into_iter()
                .map(|mut v| {
                    v.field = format!("snapshot.{}", v.field);
                    v
                })
                .collect(),
        )
    })
}

fn need_now(call: &Call) -> Result<Instant, Malformed> {
    match call.now.as_deref() {
        None => Err(Malformed::one(Violation::new(
            "now",
            Code::BodyMissingField,
            "“now” is required for this op",
        ))),
        Some(text) => parse_instant(text).ok_or_else(|| {
            Malformed::one(Violation::new(
                "now",
                Code::BodyInvalidType,
                not_an_instant(text),
            ))
        }),
    }
}

fn need_snapshot(snapshot: Option<&Snapshot>) -> Result<&Snapshot, Malformed> {
    snapshot.ok_or_else(|| {
        Malformed::one(Violation::new(
            "snapshot",
            Code::BodyMissingField,
            "“snapshot” is required for this op",
        ))
    })
}

fn need_actor(call: &Call) -> Result<&str, Malformed> {
    call.actor.as_deref().ok_or_else(|| {
        Malformed::one(Violation::new(
            "actor",
            Code::BodyMissingField,
            "“actor” is required for this op",
        ))
    })
}

/// The call's input as `T`. A missing input is read as an empty object, so
/// that what it lacks is named field by field (``missing field `user` ``, at
/// `input.user`), and an input of optional fields only may be left out; an
/// input that cannot be an object (a list) is missing as a whole.
fn input<T: serde::de::DeserializeOwned>(call: &Call) -> Result<T, Malformed> {
    let missing = call.input.is_null();
    let read = if missing {
        from_value(Value::Object(Map::new()))
    } else {
        read_value(&call.input)
    };
    read.map_err(|mut v| {
        if missing && v.field.is_empty() {
            return Malformed::one(Violation::new(
                "input",
                Code::BodyMissingField,
                "“input” is required for this op",
            ));
        }
        v.field = if v.field.is_empty() {
            "input".to_owned()
        } else if v.field.starts_with('[') {
            format!("input{}", v.field)
        } else {
            format!("input.{}", v.field)
        };
        Malformed::one(v)
    })
}

/// A decision query: a user and either an operation with an access, or a
/// pool access level; `pool` scopes environment operations and names the pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionQuery {
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_access: Option<PoolLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}

impl DecisionQuery {
    /// What is checked, or what is wrong with the query.
    pub fn check(&self) -> Result<Check, Violation> {
        match (self.operation, self.access, self.pool_access) {
            (Some(op), Some(access), None) => Ok(Check::Operation(op, access)),
            (None, None, Some(level)) => {
                if self.pool.is_none() {
                    Err(Violation::new(
                        "pool",
                        Code::BodyMissingField,
                        "“poolAccess” needs a “pool”",
                    ))
                } else {
                    Ok(Check::Pool(level))
                }
            }
            (Some(_), None, None) => Err(Violation::new(
                "access",
                Code::BodyMissingField,
                "“operation” needs “access”: view or change",
            )),
            _ => Err(Violation::new(
                "operation",
                Code::BodyInvalidType,
                "give either “operation” with “access”, or “poolAccess”",
            )),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DecideMany {
    queries: Vec<DecisionQuery>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserPool {
    user: String,
    #[serde(alias = "agentPoolId")]
    pool: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CompanyName {
    company_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserOnly {
    user: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WhoCanApprove {
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    requester: Option<String>,
    #[serde(default)]
    agent_pool_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Transition {
    request_id: String,
    action: String,
    #[serde(default)]
    duration_minutes: Option<FormValue>,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReportInput {
    #[serde(default)]
    by: Option<String>,
    /// One pool, group or user (by `by`) instead of all.
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApiKeyInput {
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    expiration_days: Option<i64>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    calling_key: Option<CallingKeyInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CallingKeyInput {
    scopes: Vec<String>,
    #[serde(with = "crate::time::rfc3339_millis")]
    expires_at: Instant,
}

/// Hands the call to its op's handler; an unknown op is malformed.
fn dispatch(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    match call.op.as_str() {
        "validateGrant" => op_validate_grant(call, snapshot),
        "validateGrantForm" => op_validate_grant_form(call, snapshot),
        "decide" => op_decide(call, snapshot),
        "decideMany" => op_decide_many(call, snapshot),
        "explainPoolAccess" => op_explain_pool_access(call, snapshot),
        "effectivePermissions" => op_effective_permissions(call, snapshot),
        "whoCanApprove" => op_who_can_approve(call, snapshot),
        "requestAccess" => op_request_access(call, snapshot),
        "validateRequest" => op_validate_request(call, snapshot),
        "requestTransition" => op_request_transition(call, snapshot),
        "validateDelegation" => op_validate_delegation(call, snapshot),
        "validateRequestSettings" => op_validate_request_settings(call),
        "migrateLegacy" => op_migrate_legacy(call, snapshot),
        "validateLimits" => op_validate_limits(call),
        "validateCompanyName" => op_validate_company_name(call),
        "validateUser" => op_validate_user(call, snapshot),
        "validateGroup" => op_validate_group(call, snapshot),
        "validateMember" => op_validate_member(call, snapshot),
        "validateApiKey" => op_validate_api_key(call),
        "validatePool" => op_validate_pool(call, snapshot),
        "verifyAuditChain" => op_verify_audit_chain(call),
        "verifyAuditLog" => op_verify_audit_log(call),
        "accessReport" => op_access_report(call, snapshot),
        "matrix" => Ok(Answer::success(json!({ "roles": matrix_json() }))),
        "catalogue" => Ok(Answer::success(json!({ "operations": catalogue_json() }))),
        other => Err(Malformed::one(Violation::new(
            "op",
            Code::BodyInvalidType,
            format!("unknown op “{other}”: one of {}", OPS.join(", ")),
        ))),
    }
}

/// The company and who asks, for the grant ops; without a snapshot a grant
/// is checked on its own (offline validation of a file).
fn grant_context<'a>(call: &'a Call, snapshot: Option<&'a Snapshot>) -> Option<GrantContext<'a>> {
    snapshot.map(|s| GrantContext {
        snapshot: s,
        actor: call.actor.as_deref(),
        replacing: call.replacing.as_deref(),
    })
}

/// `validateGrant`: a grant in the vendor's wire shape, as stored.
fn op_validate_grant(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let grant: CreateTempAccess = input(call)?;
    let ctx = grant_context(call, snapshot);
    Ok(Answer::from_result(
        "grant",
        validate_grant(&grant, now, ctx.as_ref()),
    ))
}

/// `validateGrantForm`: the portal's form, answered with the grant and the
/// wire body to submit, side by side rather than under one key.
fn op_validate_grant_form(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let form: GrantForm = input(call)?;
    let ctx = grant_context(call, snapshot);
    Ok(match validate_grant_form(&form, now, ctx.as_ref()) {
        Ok(ok) => Answer::success_of(&ok),
        Err(errors) => Answer::Failure(errors),
    })
}

/// `decide`: one decision with its reason; a query that asks nothing
/// decidable is malformed, not refused.
fn op_decide(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let q: DecisionQuery = input(call)?;
    let check = q.check().map_err(|mut v| {
        v.field = format!("input.{}", v.field);
        Malformed::one(v)
    })?;
    let d = decide(s, &q.user, check, q.pool.as_deref(), now);
    Ok(Answer::one("decision", &d.to_wire(s)))
}

/// `decideMany`: decisions in the order asked; the first malformed query
/// makes the whole call malformed.
fn op_decide_many(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let many: DecideMany = input(call)?;
    let mut out = Vec::with_capacity(many.queries.len());
    for (i, q) in many.queries.iter().enumerate() {
        let check = q.check().map_err(|mut v| {
            v.field = format!("input.queries[{i}].{}", v.field);
            Malformed::one(v)
        })?;
        out.push(decide(s, &q.user, check, q.pool.as_deref(), now).to_wire(s));
    }
    Ok(Answer::one("decisions", &out))
}

/// `explainPoolAccess`: why a user has a pool or not, with every source.
fn op_explain_pool_access(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let q: UserPool = input(call)?;
    Ok(Answer::one(
        "explanation",
        &explain_pool(s, &q.user, &q.pool, now),
    ))
}

/// `effectivePermissions`: a user's standing roles and pool access at
/// `now`; an unknown user is refused.
fn op_effective_permissions(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let q: UserOnly = input(call)?;
    Ok(
        match s
            .user_idx(&q.user)
            .and_then(|u| effective_permissions(s, u, now))
        {
            Some(p) => Answer::one("permissions", &p),
            None => Answer::Failure(vec![unknown_user(&q.user)]),
        },
    )
}

/// `whoCanApprove`: the reviewers of a stored request, or of the request a
/// requester would make for a pool.
fn op_who_can_approve(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let q: WhoCanApprove = input(call)?;
    Ok(match approval_target(s, &q)? {
        Ok((u, p)) => Answer::one("reviewers", &who_can_approve(s, u, p, now)),
        Err(v) => Answer::Failure(vec![v]),
    })
}

/// The requester and pool `whoCanApprove` asks about: naming neither a
/// request nor a requester with a pool is malformed; naming what the company
/// does not hold is a refusal (the inner error).
fn approval_target(
    s: &Snapshot,
    q: &WhoCanApprove,
) -> Result<Result<(UserIdx, PoolIdx), Violation>, Malformed> {
    Ok(match (&q.request_id, &q.requester, &q.agent_pool_id) {
        (Some(id), None, None) => match s.request_idx(id).and_then(|r| s.request(r)) {
            Some(r) => Ok((r.requester, r.pool)),
            None => Err(Violation::new(
                "requestId",
                Code::RequestNotFound,
                format!("no request “{id}”"),
            )),
        },
        (None, Some(user), Some(pool)) => match (s.user_idx(user), s.pool_idx(pool)) {
            (Some(u), Some(p)) => Ok((u, p)),
            (None, _) => Err(Violation {
                field: "requester".into(),
                ..unknown_user(user)
            }),
            (_, None) => Err(Violation::new(
                "agentPoolId",
                Code::RequestPoolUnknown,
                format!("no agent pool “{pool}”"),
            )),
        },
        _ => {
            return Err(Malformed::one(Violation::new(
                "input",
                Code::BodyInvalidType,
                "give either “requestId”, or “requester” with “agentPoolId”",
            )));
        }
    })
}

/// `requestAccess`: whether a user has a pool, may request it (and on which
/// terms), or neither.
fn op_request_access(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let s = need_snapshot(snapshot)?;
    let q: UserPool = input(call)?;
    Ok(match (s.user_idx(&q.user), s.pool_idx(&q.pool)) {
        (Some(u), Some(p)) => {
            Answer::success(json!({ "access": access_json(s, request_access(s, u, p)) }))
        }
        (None, _) => Answer::Failure(vec![unknown_user(&q.user)]),
        (_, None) => Answer::Failure(vec![Violation::new(
            "agentPoolId",
            Code::RequestPoolUnknown,
            format!("no agent pool “{}”", q.pool),
        )]),
    })
}

/// `validateRequest`: an access request by the actor, as stored.
fn op_validate_request(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let actor = need_actor(call)?;
    let req: AccessRequestInput = input(call)?;
    Ok(Answer::from_result(
        "request",
        validate_request(s, actor, &req, now),
    ))
}

/// `requestTransition`: an action on a stored request, by the actor.
fn op_request_transition(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let Transition {
        request_id,
        action,
        duration_minutes,
        comment,
    } = input(call)?;
    let action = request_action(&action, duration_minutes, comment)?;
    // A person's action needs the person; the sweeper's do not.
    let actor = match action {
        RequestAction::Expire | RequestAction::End => call.actor.as_deref(),
        _ => Some(need_actor(call)?),
    };
    Ok(match s.request_idx(&request_id) {
        None => Answer::Failure(vec![Violation::new(
            "requestId",
            Code::RequestNotFound,
            format!("no request “{request_id}”"),
        )]),
        Some(ri) => Answer::from_result("transition", apply_action(s, ri, actor, &action, now)),
    })
}

/// The action a transition names, with what it carries; an unknown name is
/// malformed.
fn request_action(
    name: &str,
    duration_minutes: Option<FormValue>,
    comment: Option<String>,
) -> Result<RequestAction, Malformed> {
    Ok(match name {
        "approve" => RequestAction::Approve {
            duration_minutes,
            comment,
        },
        "deny" => RequestAction::Deny { comment },
        "cancel" => RequestAction::Cancel,
        "expire" => RequestAction::Expire,
        "revoke" => RequestAction::Revoke { comment },
        "end" => RequestAction::End,
        other => {
            return Err(Malformed::one(Violation::new(
                "input.action",
                Code::BodyInvalidType,
                format!("unknown action “{other}”: approve, deny, cancel, expire, revoke or end"),
            )));
        }
    })
}

/// `validateDelegation`: a delegation of reviewing by the actor, as stored.
fn op_validate_delegation(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let actor = need_actor(call)?;
    let d: DelegationInput = input(call)?;
    Ok(Answer::from_result(
        "delegation",
        validate_delegation(s, actor, &d, now),
    ))
}

/// `validateRequestSettings`: a pool's or an assignment's settings, alone.
fn op_validate_request_settings(call: &Call) -> Result<Answer, Malformed> {
    let w: RequestSettingsWire = input(call)?;
    Ok(Answer::from_result(
        "settings",
        validate_request_settings(&w),
    ))
}

/// `migrateLegacy`: what legacy roles become, refused as a whole when any
/// entry cannot migrate.
fn op_migrate_legacy(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let entries: Vec<LegacyUserWire> = input(call)?;
    let preview = preview_migration(&entries, snapshot);
    Ok(if preview.errors.is_empty() {
        Answer::one("users", &preview.users)
    } else {
        Answer::Failure(preview.errors)
    })
}

/// `validateLimits`: limits as a company would set them (tighten only).
fn op_validate_limits(call: &Call) -> Result<Answer, Malformed> {
    let limits: Limits = input(call)?;
    Ok(Answer::from_result("limits", limits.validate()))
}

/// `validateCompanyName`: the company's name as an admin types it.
fn op_validate_company_name(call: &Call) -> Result<Answer, Malformed> {
    let q: CompanyName = input(call)?;
    Ok(Answer::from_result(
        "companyName",
        crate::company::validate_company_name(&q.company_name),
    ))
}

/// `validateUser`: a new user, or an update of the user named by
/// `replacing` (which must exist).
fn op_validate_user(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let q: UserInput = input(call)?;
    Ok(match (&call.replacing, snapshot) {
        (Some(email), Some(s)) => match s.user_idx(email) {
            Some(u) => Answer::from_result("user", validate_user_update(s, u, &q)),
            None => Answer::Failure(vec![unknown_user(email)]),
        },
        _ => Answer::from_result("user", validate_new_user(snapshot, &q)),
    })
}

/// `validateGroup`: a new group, or an update of the one named by `replacing`.
fn op_validate_group(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let q: GroupInput = input(call)?;
    Ok(Answer::from_result(
        "group",
        validate_group(snapshot, call.replacing.as_deref(), &q),
    ))
}

/// `validateMember`: that a new member exists, answered with the address as
/// stored.
fn op_validate_member(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let s = need_snapshot(snapshot)?;
    let q: UserOnly = input(call)?;
    Ok(match validate_member(s, &q.user) {
        Ok(u) => Answer::one("member", &s.user(u).map(|u| &u.email)),
        Err(v) => Answer::Failure(vec![v]),
    })
}

/// `validateApiKey`: a new API key's label, lifetime and scopes; with a
/// `callingKey` (a key rotating itself, which needs `now`), nothing wider
/// than that key.
fn op_validate_api_key(call: &Call) -> Result<Answer, Malformed> {
    let q: ApiKeyInput = input(call)?;
    let calling = q.calling_key.map(|c| CallingKey {
        scopes: c.scopes.iter().filter_map(|s| KeyScope::parse(s)).collect(),
        expires_at: c.expires_at,
    });
    let now = match &calling {
        Some(_) => need_now(call)?,
        None => Instant::default(),
    };
    let scopes: Vec<&str> = q.scopes.iter().map(String::as_str).collect();
    Ok(Answer::from_result(
        "apiKey",
        plan_new_key(
            q.label.as_deref(),
            q.expiration_days,
            &scopes,
            calling.as_ref(),
            now,
        )
        .map(|_| json!({})),
    ))
}

/// `validatePool`: a new pool, or an update of the one named by `replacing`,
/// answered with its name and description as stored.
fn op_validate_pool(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let q: PoolInput = input(call)?;
    let result = validate_pool(snapshot, call.replacing.as_deref(), &q)
        .map(|(name, description)| json!({"name": name, "description": description}));
    Ok(Answer::from_result("pool", result))
}

/// `verifyAuditLog`: the chain of an exported log, and that no event a
/// checkpoint vouches for is missing or changed (signatures are checked by
/// whoever holds the public key, before).
fn op_verify_audit_log(call: &Call) -> Result<Answer, Malformed> {
    let log: AuditLog = input(call)?;
    Ok(Answer::from_result(
        "chain",
        verify_log(&log.events, &log.checkpoints),
    ))
}

/// `verifyAuditChain`: whether audit events form an unbroken hash chain
/// (`verifyAuditLog` without checkpoints).
fn op_verify_audit_chain(call: &Call) -> Result<Answer, Malformed> {
    let events: Vec<AuditEvent> = input(call)?;
    Ok(Answer::from_result("chain", verify_log(&events, &[])))
}

/// `accessReport`: the access summary, by pool unless `by` says otherwise.
fn op_access_report(call: &Call, snapshot: Option<&Snapshot>) -> Result<Answer, Malformed> {
    let now = need_now(call)?;
    let s = need_snapshot(snapshot)?;
    let q: ReportInput = input(call)?;
    let by = report_by(q.by.as_deref())?;
    let report = access_report(s, now, by);
    Ok(match q.id {
        None => Answer::one("report", &report),
        Some(id) => match report.only(&id) {
            Some(one) => Answer::one("report", &one),
            None => Answer::Failure(vec![Violation::new(
                "id",
                Code::ReportSubjectUnknown,
                format!("There is no {} “{id}” in the company.", by.noun()),
            )]),
        },
    })
}

/// How the report is grouped: by pool when `by` is absent; a `by` that is
/// not pool, group or user is malformed.
fn report_by(by: Option<&str>) -> Result<ReportBy, Malformed> {
    match by {
        None => Ok(ReportBy::Pool),
        Some(text) => ReportBy::parse(text).ok_or_else(|| {
            Malformed::one(Violation::new(
                "input.by",
                Code::BodyInvalidType,
                format!("“by” is pool, group or user, not “{text}”"),
            ))
        }),
    }
}

fn unknown_user(email: &str) -> Violation {
    Violation::new("user", Code::UserUnknown, format!("no user “{email}”"))
}

fn access_json(s: &Snapshot, access: RequestAccess) -> Value {
    let group_id =
        |g: crate::snapshot::GroupIdx| s.group(g).map(|g| g.id.clone()).unwrap_or_default();
    match access {
        RequestAccess::Standing(g, level) => {
            json!({"kind": "standing", "groupId": group_id(g), "poolLevel": level})
        }
        RequestAccess::Requestable { settings, groups } => json!({
            "kind": "requestable",
            "settings": to_value(&settings.to_wire()),
            "reasonRequired": settings.needs_reason(),
            "groupIds": groups.into_iter().map(group_id).collect::<Vec<_>>(),
        }),
        RequestAccess::NotRequestable => json!({"kind": "notRequestable"}),
    }
}

/// The role matrix as data: one object per role.
pub fn matrix_json() -> Value {
    Value::Array(
        MATRIX
            .iter()
            .map(|row| {
                let cells: Map<String, Value> = Category::ALL
                    .iter()
                    .map(|c| (c.wire_name().to_owned(), to_value(&row.cell(*c))))
                    .collect();
                json!({
                    "role": row.role,
                    "name": row.role.display_name(),
                    "rbacOnly": row.rbac_only,
                    "categories": cells,
                })
            })
            .collect(),
    )
}

/// The operation catalogue as data.
pub fn catalogue_json() -> Value {
    Value::Array(
        Operation::ALL
            .iter()
            .map(|op| {
                json!({
                    "id": op.id(),
                    "category": op.category(),
                    "title": op.title(),
                    "poolScoped": op.is_pool_scoped(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ops_and_bad_inputs_are_malformed_with_a_field() {
        let e = call_json(r#"{"op":"frobnicate"}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "op");
        let e = call_json(r#"{"op":"validateGrant","input":{}}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "now");
        let e = call_json(
            r#"{"op":"validateGrant","now":"2026-01-01T00:00:00Z","input":{"roles":"x"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.errors[0].field.as_str(), e.errors[0].code),
            ("input.roles", Code::BodyInvalidType)
        );
    }

    #[test]
    fn failures_carry_the_status() {
        let a =
            call_json(r#"{"op":"validateGrant","now":"2026-01-01T00:00:00Z","input":{}}"#).unwrap();
        let v = a.to_json();
        assert_eq!(v["type"], "failure");
        assert_eq!(v["status"], 400);
        assert_eq!(v["errors"].as_array().map(Vec::len), Some(4));
    }

    #[test]
    fn matrix_has_seven_roles() {
        let a = call_json(r#"{"op":"matrix"}"#).unwrap().to_json();
        assert_eq!(a["roles"].as_array().map(Vec::len), Some(7));
        assert_eq!(a["roles"][3]["categories"]["ENVIRONMENT"]["scoped"], true);
    }
}
