//! `interim audit verify --file`: an exported audit log checked offline,
//! as the server checks its own — the signatures of its checkpoints
//! against the server's public key, then the chain and every checkpoint's
//! event (`policy::checkpoint`).

use std::path::Path;

use interim_policy::checkpoint::{AuditLog, signed_by, verify_log};
use serde_json::json;

use crate::output::{self, Format, GREEN, RED, paint};
use crate::{INVALID, OK};

/// Exit 0 when the log holds, 1 when it was altered, 2 when the file cannot
/// be read as an export.
pub fn verify_audit_file(file: &Path, public_key: Option<&str>, format: Format) -> u8 {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return output::error(format, &format!("cannot read {}: {e}", file.display())),
    };
    let log: AuditLog = match interim_policy::parse::from_json_str(&text) {
        Ok(l) => l,
        Err(v) => {
            return output::error(
                format,
                &format!(
                    "{} is not an audit export (“interim audit export --as json”): {} at “{}”",
                    file.display(),
                    v.message,
                    v.field
                ),
            );
        }
    };
    let key = public_key
        .map(str::trim)
        .map(str::to_lowercase)
        .or_else(|| log.public_key.clone());
    let trusted_key = public_key.is_some();
    let (authentic, forged): (Vec<_>, Vec<_>) = log
        .checkpoints
        .iter()
        .cloned()
        .partition(|c| key.as_deref().is_some_and(|k| signed_by(k, c)));
    let checked = verify_log(&log.events, &authentic);
    let valid = checked.is_ok() && forged.is_empty();
    let problems: Vec<String> = checked
        .as_ref()
        .err()
        .into_iter()
        .flatten()
        .map(|v| v.message.clone())
        .chain((!forged.is_empty()).then(|| {
            format!(
                "{} checkpoints are not signed by the key {}",
                forged.len(),
                key.clone().unwrap_or_default()
            )
        }))
        .collect();
    match format {
        Format::Json => output::json(&json!({
            "valid": valid,
            "events": log.events.len(),
            "checkpoints": authentic.len(),
            "forgedCheckpoints": forged.len(),
            "publicKey": key,
            "keyGiven": trusted_key,
            "problems": problems,
        })),
        Format::Human => {
            if valid {
                output::line(&format!(
                    "{} {} events, {} signed checkpoints",
                    paint(GREEN, "audit log verified:"),
                    log.events.len(),
                    authentic.len()
                ));
            } else {
                output::line(&paint(RED, "audit log altered:"));
                for p in &problems {
                    output::line(&format!("  {p}"));
                }
            }
            if !trusted_key {
                output::line(
                    "note: checked against the key inside the file; give --public-key to check against the server's",
                );
            }
        }
    }
    if valid { OK } else { INVALID }
}
