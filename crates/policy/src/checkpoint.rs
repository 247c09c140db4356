//! Checkpoints of the audit log: what makes truncation and rewriting
//! visible, which the hash chain alone cannot (a chain cut short, emptied,
//! or edited with every hash recomputed still links).
//!
//! The server signs the chain's head — how many events, and the last hash —
//! with a key kept outside the database, at each write, and keeps the
//! checkpoints outside the audit table. Whoever verifies checks the
//! signatures first (the server and the CLI, with the public key; the
//! message is [`checkpoint_message`]), then hands the authentic checkpoints
//! here with the events: every checkpoint's event must still be there with
//! the hash it had.

use serde::{Deserialize, Serialize};

use crate::audit::{AuditEvent, ChainStatus, verify_chain};
use crate::time::{Instant, format_instant, rfc3339_millis};
use crate::violation::{Code, Violation};

/// The chain's head at an instant, signed (Ed25519, hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditCheckpoint {
    /// How many events the log held (the last one's `seq`).
    pub count: u64,
    /// The hash of event `count` (64 zeros for an empty log).
    pub head: String,
    #[serde(with = "rfc3339_millis")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub time: Instant,
    /// Ed25519 over [`checkpoint_message`], lower-case hex.
    pub signature: String,
}

/// The audit log as exported: its events and the checkpoints that vouch for
/// them, with the public key that signed them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditLog {
    pub events: Vec<AuditEvent>,
    #[serde(default)]
    pub checkpoints: Vec<AuditCheckpoint>,
    /// The Ed25519 public key of the checkpoints, lower-case hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

/// The bytes a checkpoint signs.
pub fn checkpoint_message(count: u64, head: &str, time: Instant) -> String {
    format!(
        "interim audit checkpoint v1\n{count}\n{head}\n{}",
        format_instant(time)
    )
}

/// Whether `checkpoint` was signed by the Ed25519 key `public_key` (hex).
/// The server and the CLI's offline check both ask this; the npm package
/// does not carry it (the wasm stays within its size budget), so its
/// `verifyAuditLog` takes checkpoints already checked.
pub fn signed_by(public_key: &str, checkpoint: &AuditCheckpoint) -> bool {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let key = hex::decode(public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let signature = hex::decode(&checkpoint.signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    let message = checkpoint_message(checkpoint.count, &checkpoint.head, checkpoint.time);
    matches!((key, signature), (Some(k), Some(s)) if k.verify(message.as_bytes(), &s).is_ok())
}

/// Verifies the chain, then that no checkpoint's event is missing or
/// changed, naming the first event that is. The checkpoints are taken as
/// authentic: check their signatures first.
pub fn verify_log(
    events: &[AuditEvent],
    checkpoints: &[AuditCheckpoint],
) -> Result<ChainStatus, Vec<Violation>> {
    let chained = verify_chain(events);
    let mut errors = chained.as_ref().err().cloned().unwrap_or_default();
    let mut sorted: Vec<&AuditCheckpoint> = checkpoints.iter().collect();
    crate::order::sort_by_key(&mut sorted, |c| c.count);
    let held = events.last().map_or(0, |e| e.seq);
    // The last checkpoint that still matches: what lies before it is sound.
    let mut sound = 0u64;
    for (i, c) in sorted.iter().enumerate() {
        let at = usize::try_from(c.count).ok().and_then(|n| n.checked_sub(1));
        let found = at.and_then(|i| events.get(i)).filter(|e| e.seq == c.count);
        let hash = found.map_or(crate::audit::GENESIS_HASH, |e| e.hash.as_str());
        if c.count > held {
            let from = held.saturating_add(1);
            let missing = if from == c.count {
                format!("event {from} is missing")
            } else {
                format!("events {from} to {} are missing", c.count)
            };
            errors.push(Violation::new(
                format!("checkpoints[{i}]"),
                Code::AuditTruncated,
                format!(
                    "the log was cut short: the checkpoint of {} vouches for {} events, the log holds {held}; {missing}",
                    format_instant(c.time),
                    c.count,
                ),
            ));
            break;
        }
        if hash != c.head || (c.count > 0 && found.is_none()) {
            let first = sound.saturating_add(1);
            let which = if first == c.count {
                format!("event {first} was changed")
            } else {
                format!("an event from {first} to {} was changed", c.count)
            };
            errors.push(Violation::new(
                format!("checkpoints[{i}]"),
                Code::AuditRewritten,
                format!(
                    "the log was rewritten: {which} (event {}'s hash is not the one the checkpoint of {} vouches for)",
                    c.count,
                    format_instant(c.time)
                ),
            ));
            break;
        }
        sound = c.count;
    }
    match chained {
        Ok(status) if errors.is_empty() => Ok(status),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditAction, GENESIS_HASH, NewEvent, seal};
    use crate::time::parse_instant;

    fn chain(n: u64) -> Vec<AuditEvent> {
        let t = parse_instant("2026-12-07T10:00:00Z").unwrap_or_default();
        let mut out: Vec<AuditEvent> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
            let event = NewEvent {
                time: t,
                actor: "admin@acme.io".into(),
                action: AuditAction::SignInSucceeded,
                target: format!("user:{seq}"),
                details: serde_json::json!({}),
                reason: None,
            };
            out.push(seal(event, seq, &prev));
        }
        out
    }

    fn at(events: &[AuditEvent], count: u64) -> AuditCheckpoint {
        AuditCheckpoint {
            count,
            head: usize::try_from(count)
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| events.get(i))
                .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone()),
            time: parse_instant("2026-12-07T11:00:00Z").unwrap_or_default(),
            signature: String::new(),
        }
    }

    #[test]
    fn truncation_and_rewriting_are_named() {
        let events = chain(6);
        let marks = [
            at(&events, 0),
            at(&events, 2),
            at(&events, 4),
            at(&events, 6),
        ];
        assert!(verify_log(&events, &marks).is_ok());
        let cut = verify_log(&events[..4], &marks).unwrap_err();
        assert_eq!(cut[0].code, Code::AuditTruncated);
        assert!(
            cut[0].message.contains("events 5 to 6 are missing"),
            "{}",
            cut[0].message
        );
        assert_eq!(
            verify_log(&[], &marks).unwrap_err()[0].code,
            Code::AuditTruncated
        );
        // Event 3 edited and every hash after it recomputed: the chain links.
        let mut rewritten = events[..2].to_vec();
        for e in &events[2..] {
            let prev = rewritten
                .last()
                .map_or(String::new(), |p: &AuditEvent| p.hash.clone());
            let mut body = e.clone();
            if e.seq == 3 {
                body.actor = "someone.else@acme.io".into();
            }
            body.prev_hash = prev;
            body.hash = body.compute_hash();
            rewritten.push(body);
        }
        assert!(
            verify_chain(&rewritten).is_ok(),
            "the chain alone cannot see it"
        );
        let found = verify_log(&rewritten, &marks).unwrap_err();
        assert_eq!(found[0].code, Code::AuditRewritten);
        assert!(
            found[0]
                .message
                .contains("an event from 3 to 4 was changed"),
            "{}",
            found[0].message
        );
    }
}
