//! The audit log's event types and its hash chain. The hash is the same on
//! every surface: SHA-256 over the previous hash in lower-case hex, a newline,
//! then the event without its hash as canonical JSON (keys sorted, no
//! insignificant white space, UTC times in RFC 3339 with milliseconds). The
//! first event's previous hash is 64 zeros.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::time::{Instant, format_instant, rfc3339_millis};
use crate::violation::{Code, Violation};

/// The previous hash of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

macro_rules! actions {
    ($( $variant:ident = $name:literal; )*) => {
        /// What happened.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $( $variant, )*
        }

        crate::named::named_serde!(AuditAction, as_str);

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[ $( AuditAction::$variant, )* ];

            pub const fn as_str(self) -> &'static str {
                match self { $( AuditAction::$variant => $name, )* }
            }
        }
    };
}

actions! {
    GrantCreated = "grant.created";
    GrantDeleted = "grant.deleted";
    GrantExpired = "grant.expired";
    GrantReplaced = "grant.replaced";
    RequestCreated = "request.created";
    RequestApproved = "request.approved";
    RequestDenied = "request.denied";
    RequestCancelled = "request.cancelled";
    RequestExpired = "request.expired";
    RequestRevoked = "request.revoked";
    RequestEnded = "request.ended";
    DelegationCreated = "delegation.created";
    DelegationRevoked = "delegation.revoked";
    RoleAssigned = "role.assigned";
    RoleRemoved = "role.removed";
    UserCreated = "user.created";
    UserUpdated = "user.updated";
    UserEnabled = "user.enabled";
    UserDisabled = "user.disabled";
    UserDeleted = "user.deleted";
    UserActivationLinkMade = "user.activation_link";
    UserActivated = "user.activated";
    PasswordChanged = "user.password_changed";
    UsersImported = "users.imported";
    GroupCreated = "group.created";
    GroupUpdated = "group.updated";
    GroupDeleted = "group.deleted";
    PoolCreated = "pool.created";
    PoolUpdated = "pool.updated";
    PoolDeleted = "pool.deleted";
    SettingsChanged = "settings.changed";
    SignInSucceeded = "signin.succeeded";
    SignInFailed = "signin.failed";
    SignedOut = "signout";
    ApiKeyCreated = "apikey.created";
    ApiKeyRevoked = "apikey.revoked";
    ApiKeyUpdated = "apikey.updated";
}

/// An event before it is sealed into the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewEvent {
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub time: Instant,
    /// Who did it: a user's e-mail, or `system` for the sweeper.
    pub actor: String,
    pub action: AuditAction,
    /// What it was done to: `grant:<id>`, `user:<email>`, ….
    pub target: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: Value,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A sealed event of the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditEvent {
    pub seq: u64,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub time: Instant,
    pub actor: String,
    pub action: AuditAction,
    pub target: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: Value,
    #[serde(default)]
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The event without its hash, as canonical JSON.
    pub fn canonical_body(&self) -> String {
        let mut map = serde_json::Map::new();
        map.insert("seq".into(), Value::from(self.seq));
        map.insert("time".into(), Value::from(format_instant(self.time)));
        map.insert("actor".into(), Value::from(self.actor.clone()));
        map.insert("action".into(), Value::from(self.action.as_str()));
        map.insert("target".into(), Value::from(self.target.clone()));
        map.insert("details".into(), self.details.clone());
        map.insert(
            "reason".into(),
            self.reason.clone().map(Value::from).unwrap_or(Value::Null),
        );
        map.insert("prevHash".into(), Value::from(self.prev_hash.clone()));
        canonical_json(&Value::Object(map))
    }

    /// The hash this event should carry.
    pub fn compute_hash(&self) -> String {
        chain_hash(&self.prev_hash, &self.canonical_body())
    }
}

/// Seals an event as number `seq` after the event whose hash is `prev_hash`.
pub fn seal(event: NewEvent, seq: u64, prev_hash: &str) -> AuditEvent {
    let mut sealed = AuditEvent {
        seq,
        time: event.time,
        actor: event.actor,
        action: event.action,
        target: event.target,
        details: event.details,
        reason: event.reason,
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    };
    sealed.hash = sealed.compute_hash();
    sealed
}

/// SHA-256 of `prev_hash + "\n" + body`, lower-case hex.
pub fn chain_hash(prev_hash: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON with object keys sorted (by their UTF-8 bytes) and no white space.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            crate::order::sort(&mut keys);
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(&Value::String(k.clone()), out);
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        // Strings, numbers, booleans and null have one compact form.
        other => out.push_str(&other.to_string()),
    }
}

/// A verified chain: how many events and the last hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainStatus {
    pub checked: u64,
    pub head: String,
}

/// Verifies a whole chain from its first event. Every broken link is
/// reported; a tampered event is reported once, at itself.
pub fn verify_chain(events: &[AuditEvent]) -> Result<ChainStatus, Vec<Violation>> {
    let mut errors = Vec::new();
    let mut prev = GENESIS_HASH.to_owned();
    let mut expected_seq = 1u64;
    for (i, e) in events.iter().enumerate() {
        if e.seq != expected_seq {
            errors.push(Violation::new(
                format!("[{i}].seq"),
                Code::AuditSequenceGap,
                format!(
                    "event {} follows {}: events are missing or reordered",
                    e.seq,
                    expected_seq.saturating_sub(1)
                ),
            ));
        }
        if e.prev_hash != prev {
            errors.push(Violation::new(
                format!("[{i}].prevHash"),
                Code::AuditPrevMismatch,
                format!("event {} does not link to the event before it", e.seq),
            ));
        }
        if e.compute_hash() != e.hash {
            errors.push(Violation::new(
                format!("[{i}].hash"),
                Code::AuditHashMismatch,
                format!("event {} was altered after it was written", e.seq),
            ));
        }
        prev = e.hash.clone();
        expected_seq = e.seq.saturating_add(1);
    }
    if errors.is_empty() {
        Ok(ChainStatus {
            checked: u64::try_from(events.len()).unwrap_or(u64::MAX),
            head: prev,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn chain(n: u64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = seal(
                    NewEvent {
                        time: parse_instant("2026-11-22T10:00:00Z").unwrap(),
                        actor: "admin@acme.io".into(),
                        action: AuditAction::GrantCreated,
                        target: format!("grant:g{seq}"),
                        details: serde_json::json!({"z": 1, "a": [true, null, "x"]}),
                        reason: None,
                    },
                    seq,
                    &prev,
                );
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_space() {
        let v = serde_json::json!({"b": {"d": 1, "c": "é\n"}, "a": [1, 2.5]});
        assert_eq!(canonical_json(&v), r#"{"a":[1,2.5],"b":{"c":"é\n","d":1}}"#);
    }

    #[test]
    fn a_known_event_has_a_known_hash() {
        let e = &chain(1)[0];
        assert_eq!(
            e.canonical_body(),
            r#"{"action":"grant.created","actor":"admin@acme.io","details":{"a":[true,null,"x"],"z":1},"prevHash":"0000000000000000000000000000000000000000000000000000000000000000","reason":null,"seq":1,"target":"grant:g1","time":"2026-11-22T10:00:00.000Z"}"#
        );
        assert_eq!(e.hash.len(), 64);
        assert_eq!(e.hash, chain_hash(GENESIS_HASH, &e.canonical_body()));
    }

    #[test]
    fn tampering_is_found_where_it_happened() {
        let mut events = chain(4);
        assert_eq!(verify_chain(&events).unwrap().checked, 4);
        events[2].actor = "mallory@acme.io".into();
        let errs = verify_chain(&events).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            (errs[0].field.as_str(), errs[0].code),
            ("[2].hash", Code::AuditHashMismatch)
        );
        let mut gap = chain(3);
        gap.remove(1);
        let codes: Vec<Code> = verify_chain(&gap)
            .unwrap_err()
            .iter()
            .map(|v| v.code)
            .collect();
        assert_eq!(codes, vec![Code::AuditSequenceGap, Code::AuditPrevMismatch]);
    }
}
