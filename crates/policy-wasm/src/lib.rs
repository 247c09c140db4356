//! # interim-policy-wasm
//!
//! A thin facade: JavaScript objects in, the policy's JSON interface
//! ([`interim_policy::api`]) run unchanged, JavaScript objects out. Every
//! rule lives in `interim-policy`; nothing here decides anything.
//!
//! Two ways in:
//! - one function per operation (`validateGrant`, `decide`, …) taking the
//!   interface's call without its `op`;
//! - a [`Company`] loaded once from a snapshot, whose methods take ids, for
//!   many decisions at little cost each.
//!
//! Domain refusals come back as `{type: "failure", errors}`; only input that
//! does not have the documented shape throws, with a message naming it.

use interim_policy::api::{self, Call, Malformed};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::{Check, allowed_pools_idx, decide_found};
use interim_policy::email::email_key;
use interim_policy::parse::{from_value, parse_json};
use interim_policy::role::PoolLevel;
use interim_policy::snapshot::{PoolIdx, Snapshot, UserIdx};
use interim_policy::time::Instant;
use interim_policy::violation::{Code, Violation};
use interim_policy::wire::SnapshotWire;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../types.d.ts");

/// A JavaScript `Error` whose `errors` lists every problem with its field.
fn malformed(m: &Malformed) -> JsValue {
    let error = js_sys::Error::new(&m.message);
    error.set_name("MalformedInput");
    let errors = serde_json::to_string(&m.errors)
        .ok()
        .and_then(|t| js_sys::JSON::parse(&t).ok())
        .unwrap_or(JsValue::NULL);
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("errors"), &errors);
    error.into()
}

/// Malformed input at `field` (empty for the argument as a whole).
fn bad(field: &str, message: impl Into<String>) -> JsValue {
    malformed_one(Violation::new(field, Code::BodyInvalidType, message))
}

fn malformed_one(v: Violation) -> JsValue {
    malformed(&Malformed::one(v))
}

/// A JavaScript value as JSON (`undefined` as `{}`).
fn to_json(value: &JsValue) -> Result<Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let text = if let Some(s) = value.as_string() {
        s
    } else {
        js_sys::JSON::stringify(value)
            .map_err(|_| bad("", "the argument cannot be written as JSON"))?
            .as_string()
            .unwrap_or_default()
    };
    // The policy's own reading of JSON text: the same message as every surface.
    parse_json(&text).map_err(malformed_one)
}

fn to_js(value: &impl serde::Serialize) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|t| js_sys::JSON::parse(&t).ok())
        .unwrap_or(JsValue::NULL)
}

/// Runs `op` with `request` (a call without its `op`) against `company`.
fn run(
    op: Option<&str>,
    request: &JsValue,
    company: Option<&Snapshot>,
) -> Result<JsValue, JsValue> {
    let mut value = to_json(request)?;
    if let (Some(op), Value::Object(map)) = (op, &mut value) {
        if map
            .get("op")
            .is_some_and(|given| !given.is_null() && given != op)
        {
            return Err(bad(
                "op",
                format!("this function is `{op}`: leave `op` out"),
            ));
        }
        map.insert("op".into(), Value::from(op));
    }
    let call = Call::read(value).map_err(malformed_one)?;
    if company.is_some() && call.snapshot.is_some() {
        return Err(bad(
            "snapshot",
            "a loaded company answers for its own snapshot: leave `snapshot` out",
        ));
    }
    match api::call_with(&call, company) {
        Ok(answer) => Ok(js_sys::JSON::parse(&answer.to_json_text()).unwrap_or(JsValue::NULL)),
        Err(m) => Err(malformed(&m)),
    }
}

/// Any operation of the interface: `{op, now?, snapshot?, actor?, replacing?, input}`.
#[wasm_bindgen(js_name = call, unchecked_return_type = "Answer")]
pub fn call(
    #[wasm_bindgen(unchecked_param_type = "Call")] request: JsValue,
) -> Result<JsValue, JsValue> {
    run(None, &request, None)
}

macro_rules! ops {
    ($( $rust:ident => $js:literal, $request:literal, $answer:literal; )*) => {
        $(
            #[doc = concat!("The `", $js, "` operation: the call without its `op`.")]
            #[wasm_bindgen(js_name = $js, unchecked_return_type = $answer)]
            pub fn $rust(#[wasm_bindgen(unchecked_param_type = $request)] request: JsValue) -> Result<JsValue, JsValue> {
                run(Some($js), &request, None)
            }
        )*

        #[wasm_bindgen]
        impl Company {
            $(
                #[doc = concat!("The `", $js, "` operation against this company (no `snapshot` in the call).")]
                #[wasm_bindgen(js_name = $js, unchecked_return_type = $answer)]
                pub fn $rust(&self, #[wasm_bindgen(unchecked_param_type = $request)] request: JsValue) -> Result<JsValue, JsValue> {
                    run(Some($js), &request, Some(&self.snapshot))
                }
            )*
        }
    };
}

ops! {
    validate_grant => "validateGrant", "ValidateGrantRequest", "ValidateGrantAnswer";
    validate_grant_form => "validateGrantForm", "ValidateGrantFormRequest", "ValidateGrantFormAnswer";
    decide_one => "decide", "DecideRequest", "DecideAnswer";
    decide_many => "decideMany", "DecideManyRequest", "DecideManyAnswer";
    explain_pool_access => "explainPoolAccess", "ExplainPoolAccessRequest", "ExplainPoolAccessAnswer";
    effective_permissions => "effectivePermissions", "EffectivePermissionsRequest", "EffectivePermissionsAnswer";
    who_can_approve => "whoCanApprove", "WhoCanApproveRequest", "WhoCanApproveAnswer";
    request_access => "requestAccess", "RequestAccessRequest", "RequestAccessAnswer";
    validate_request => "validateRequest", "ValidateRequestRequest", "ValidateRequestAnswer";
    request_transition => "requestTransition", "RequestTransitionRequest", "RequestTransitionAnswer";
    validate_delegation => "validateDelegation", "ValidateDelegationRequest", "ValidateDelegationAnswer";
    validate_request_settings => "validateRequestSettings", "ValidateRequestSettingsRequest", "ValidateRequestSettingsAnswer";
    migrate_legacy => "migrateLegacy", "MigrateLegacyRequest", "MigrateLegacyAnswer";
    validate_limits => "validateLimits", "ValidateLimitsRequest", "ValidateLimitsAnswer";
    validate_company_name => "validateCompanyName", "ValidateCompanyNameRequest", "ValidateCompanyNameAnswer";
    validate_user => "validateUser", "ValidateUserRequest", "ValidateUserAnswer";
    validate_pool => "validatePool", "ValidatePoolRequest", "ValidatePoolAnswer";
    validate_group => "validateGroup", "ValidateGroupRequest", "ValidateGroupAnswer";
    validate_member => "validateMember", "ValidateMemberRequest", "ValidateMemberAnswer";
    validate_api_key => "validateApiKey", "ValidateApiKeyRequest", "ValidateApiKeyAnswer";
    verify_audit_chain => "verifyAuditChain", "VerifyAuditChainRequest", "VerifyAuditChainAnswer";
    verify_audit_log => "verifyAuditLog", "VerifyAuditLogRequest", "VerifyAuditLogAnswer";
    access_report => "accessReport", "AccessReportRequest", "AccessReportAnswer";
}

/// The role matrix: every role's level on every category.
#[wasm_bindgen(js_name = matrix, unchecked_return_type = "Matrix")]
pub fn matrix() -> JsValue {
    to_js(&api::matrix_json())
}

/// The operation catalogue: every operation, its category and title.
#[wasm_bindgen(js_name = catalogue, unchecked_return_type = "Catalogue")]
pub fn catalogue() -> JsValue {
    to_js(&api::catalogue_json())
}

/// A company loaded once (parsed, checked and indexed): decisions against
/// it take ids, not objects.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Company {
    snapshot: Snapshot,
    /// The snapshot's user keys (e-mail in key form) and pool ids to their
    /// indices, as a JavaScript `Map`: a decision by string ids looks its
    /// strings up where they live, without copying them into wasm. A miss
    /// falls back to the policy's own lookup (another letter case, say).
    user_ids: IdMap,
    pool_ids: IdMap,
    /// The fixed words of `may` and `level`, to their index in
    /// `Operation::ALL`, `Access::ALL` and `PoolLevel::ALL`: a hit decides
    /// without copying the argument into wasm.
    operations: IdMap,
    accesses: IdMap,
    levels: IdMap,
}

/// A `Map` from each word to its position.
fn word_map<'a>(words: impl Iterator<Item = &'a str>) -> IdMap {
    let map = IdMap::new();
    for (i, w) in words.enumerate() {
        map.set(w, f64::from(idx(i)));
    }
    map
}

/// An index as stored (a snapshot holds far fewer than 2^32 of anything).
fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// An id argument that must be a string.
fn id_text(value: &JsValue, field: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| bad(field, format!("`{field}` must be a string")))
}

#[wasm_bindgen]
extern "C" {
    /// A JavaScript `Map` from id strings to indices.
    #[wasm_bindgen(js_name = Map)]
    #[derive(Debug)]
    type IdMap;

    #[wasm_bindgen(constructor, js_class = "Map")]
    fn new() -> IdMap;

    #[wasm_bindgen(method, js_class = "Map")]
    fn set(this: &IdMap, key: &str, value: f64);

    /// `get` read as a number: `NaN` for a missing key, so a lookup is one
    /// call with nothing to convert or release.
    #[wasm_bindgen(method, js_class = "Map", js_name = get)]
    fn get_number(this: &IdMap, key: &JsValue) -> f64;
}

/// A `Map` hit: the index stored for the key.
fn cached(map: &IdMap, key: &JsValue) -> Option<u32> {
    let i = map.get_number(key);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the map holds only indices this module stored, all u32"
    )]
    (!i.is_nan()).then_some(i as u32)
}

fn instant(now_ms: f64) -> Result<Instant, JsValue> {
    if !now_ms.is_finite() {
        return Err(bad(
            "nowMs",
            "`nowMs` must be a number of milliseconds since 1970",
        ));
    }
    // Whole milliseconds; the range check below rejects what chrono cannot hold.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "checked finite, range-checked by chrono"
    )]
    let ms = now_ms as i64;
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| bad("nowMs", "`nowMs` is out of the range of dates"))
}

/// The indices of a batch: a `Uint32Array` (copied at once), an
/// `Int32Array` or an array of whole numbers. One that is negative or too
/// large names nobody (u32::MAX, which no company reaches): it is refused
/// like an unknown id, as `userIndex`'s -1 should be.
fn indices(value: &JsValue, field: &str) -> Result<Vec<u32>, JsValue> {
    if let Some(typed) = value.dyn_ref::<js_sys::Uint32Array>() {
        return Ok(typed.to_vec());
    }
    let nobody = |i: f64| {
        if (0.0..=f64::from(u32::MAX)).contains(&i) {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a whole number in the range of u32"
            )]
            return i as u32;
        }
        u32::MAX
    };
    if let Some(typed) = value.dyn_ref::<js_sys::Int32Array>() {
        return Ok(typed
            .to_vec()
            .into_iter()
            .map(|i| nobody(f64::from(i)))
            .collect());
    }
    if !js_sys::Array::is_array(value) {
        return Err(bad(
            field,
            format!("`{field}` must be a Uint32Array, an Int32Array or an array of indices"),
        ));
    }
    let array: &js_sys::Array = value.unchecked_ref();
    // Not sized by `length`: a sparse `new Array(2 ** 32 - 1)` is thrown at
    // its first hole, not allocated first.
    let mut out = Vec::new();
    for (i, item) in array.iter().enumerate() {
        match item.as_f64() {
            Some(n) if n.fract() == 0.0 => out.push(nobody(n)),
            _ => {
                return Err(bad(
                    &format!("{field}[{i}]"),
                    format!(
                        "`{field}[{i}]` must be a whole number: an index from userIndex or poolIndex"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// An optional text argument: absent (`undefined`, `null`) or a string;
/// anything else is thrown naming `field` (wasm-bindgen's own string
/// conversion would fail on it with a bare `TypeError`, or worse).
fn optional_text(value: Option<js_sys::JsString>, field: &str) -> Result<Option<String>, JsValue> {
    match value {
        None => Ok(None),
        Some(v) => id_text(&v, field).map(Some),
    }
}

/// The pool level argument: STANDARD when absent; its exact name is found
/// in `levels` without a copy, any other spelling read by the policy.
fn level(levels: &IdMap, name: Option<js_sys::JsString>) -> Result<PoolLevel, JsValue> {
    if let Some(level) = name
        .as_ref()
        .and_then(|n| cached(levels, n))
        .and_then(|i| PoolLevel::ALL.get(usize::try_from(i).ok()?).copied())
    {
        return Ok(level);
    }
    let Some(name) = optional_text(name, "level")? else {
        return Ok(PoolLevel::Standard);
    };
    PoolLevel::parse(&name).ok_or_else(|| {
        bad(
            "level",
            format!(
                "`level` must be {}, got `{name}`",
                PoolLevel::ALL.map(PoolLevel::wire_name).join(" or ")
            ),
        )
    })
}

#[wasm_bindgen]
impl Company {
    /// Loads a company snapshot (an object or its JSON text); every problem
    /// of the snapshot is thrown at once, with its field.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Snapshot | string")] snapshot: JsValue,
    ) -> Result<Company, JsValue> {
        let wire: SnapshotWire = from_value(to_json(&snapshot)?).map_err(malformed_one)?;
        // The argument is the snapshot: its problems' fields are relative to it.
        let snapshot =
            Snapshot::build(wire).map_err(|errors| malformed(&Malformed::many(errors)))?;
        let user_ids = IdMap::new();
        for (i, u) in snapshot.users().iter().enumerate() {
            user_ids.set(&email_key(&u.email), f64::from(idx(i)));
        }
        let pool_ids = IdMap::new();
        for (i, p) in snapshot.pools().iter().enumerate() {
            pool_ids.set(&p.id, f64::from(idx(i)));
        }
        Ok(Company {
            snapshot,
            user_ids,
            pool_ids,
            operations: word_map(Operation::ALL.iter().map(|o| o.id())),
            accesses: word_map(Access::NAMES.iter().copied()),
            levels: word_map(PoolLevel::ALL.iter().map(|l| l.wire_name())),
        })
    }

    /// The user an id argument names, if the company has one.
    fn user_of(&self, user: &JsValue) -> Result<Option<UserIdx>, JsValue> {
        match cached(&self.user_ids, user) {
            Some(i) => Ok(Some(UserIdx(i))),
            None => Ok(self.snapshot.user_idx(&id_text(user, "user")?)),
        }
    }

    /// The pool an id argument names, if the company has one.
    fn pool_of(&self, pool: &JsValue) -> Result<Option<PoolIdx>, JsValue> {
        match cached(&self.pool_ids, pool) {
            Some(i) => Ok(Some(PoolIdx(i))),
            None => Ok(self.snapshot.pool_idx(&id_text(pool, "pool")?)),
        }
    }

    /// Any operation of the interface against this company: `{op, now?,
    /// actor?, replacing?, input}` (no `snapshot`).
    #[wasm_bindgen(js_name = call, unchecked_return_type = "Answer")]
    pub fn call(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Call")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        run(None, &request, Some(&self.snapshot))
    }

    /// May `user` use `pool` at `nowMs`, at `level` (`STANDARD`, the
    /// default, or `PRIVILEGED`)? Unknown users and pools are refused, not
    /// thrown.
    #[wasm_bindgen(js_name = canUsePool)]
    pub fn can_use_pool(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] pool: &JsValue,
        #[wasm_bindgen(js_name = "nowMs")] now_ms: f64,
        #[wasm_bindgen(js_name = "level", unchecked_optional_param_type = "PoolLevelName")]
        level_name: Option<js_sys::JsString>,
    ) -> Result<bool, JsValue> {
        let check = Check::Pool(level(&self.levels, level_name)?);
        let now = instant(now_ms)?;
        let (u, p) = (self.user_of(user)?, self.pool_of(pool)?);
        Ok(decide_found(&self.snapshot, u, check, Some(p), now).allowed)
    }

    /// May `user` view or change `operation` (an id of the catalogue, e.g.
    /// `company.temporary_access`)? `pool` scopes environment operations.
    pub fn may(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "OperationId")] operation: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Access")] access: &JsValue,
        #[wasm_bindgen(js_name = "nowMs")] now_ms: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] pool: Option<js_sys::JsString>,
    ) -> Result<bool, JsValue> {
        let op = match cached(&self.operations, operation)
            .and_then(|i| Operation::ALL.get(usize::try_from(i).ok()?))
        {
            Some(op) => *op,
            None => {
                let operation = id_text(operation, "operation")?;
                return Err(bad(
                    "operation",
                    format!("no operation `{operation}` in the catalogue"),
                ));
            }
        };
        let access = match cached(&self.accesses, access)
            .and_then(|i| Access::ALL.get(usize::try_from(i).ok()?))
        {
            Some(access) => *access,
            None => {
                let other = id_text(access, "access")?;
                return Err(bad(
                    "access",
                    format!(
                        "`access` must be {}, got `{other}`",
                        Access::NAMES.join(" or ")
                    ),
                ));
            }
        };
        let now = instant(now_ms)?;
        let pool = pool.map(|id| self.pool_of(&id)).transpose()?;
        let check = Check::Operation(op, access);
        Ok(decide_found(&self.snapshot, self.user_of(user)?, check, pool, now).allowed)
    }

    /// The index of a user by e-mail (any letter case), or -1.
    #[wasm_bindgen(js_name = userIndex)]
    pub fn user_index(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: &JsValue,
    ) -> Result<i32, JsValue> {
        Ok(self
            .user_of(user)?
            .and_then(|u| i32::try_from(u.0).ok())
            .unwrap_or(-1))
    }

    /// The index of a pool by id, or -1.
    #[wasm_bindgen(js_name = poolIndex)]
    pub fn pool_index(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] pool: &JsValue,
    ) -> Result<i32, JsValue> {
        Ok(self
            .pool_of(pool)?
            .and_then(|p| i32::try_from(p.0).ok())
            .unwrap_or(-1))
    }

    /// Many pool decisions at once: pair `i` is `users[i]` on `pools[i]`
    /// (indices from `userIndex` / `poolIndex`, as a `Uint32Array` for speed,
    /// an `Int32Array` or an array of whole numbers); 1 allowed, 0 refused.
    /// An index that names nobody (-1, say) is refused; anything but a whole
    /// number, or arrays of different lengths, is thrown.
    #[wasm_bindgen(js_name = canUsePools)]
    pub fn can_use_pools(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint32Array | Int32Array | readonly number[]")]
        users: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint32Array | Int32Array | readonly number[]")]
        pools: &JsValue,
        #[wasm_bindgen(js_name = "nowMs")] now_ms: f64,
        #[wasm_bindgen(js_name = "level", unchecked_optional_param_type = "PoolLevelName")]
        level_name: Option<js_sys::JsString>,
    ) -> Result<Vec<u8>, JsValue> {
        let level = level(&self.levels, level_name)?;
        let (users, pools) = (indices(users, "users")?, indices(pools, "pools")?);
        if users.len() != pools.len() {
            return Err(bad(
                "pools",
                format!(
                    "`users` and `pools` are pairs: {} users but {} pools",
                    users.len(),
                    pools.len()
                ),
            ));
        }
        let pairs = users
            .iter()
            .zip(&pools)
            .map(|(&u, &p)| (UserIdx(u), PoolIdx(p)));
        Ok(
            allowed_pools_idx(&self.snapshot, pairs, level, instant(now_ms)?)
                .map(u8::from)
                .collect(),
        )
    }

    /// How many users, pools, groups and active grants the company holds.
    #[wasm_bindgen(
        unchecked_return_type = "{ users: number; pools: number; groups: number; grants: number }"
    )]
    pub fn counts(&self) -> JsValue {
        to_js(&serde_json::json!({
            "users": self.snapshot.users().len(),
            "pools": self.snapshot.pools().len(),
            "groups": self.snapshot.groups().len(),
            "grants": self.snapshot.grants().count(),
        }))
    }
}
