//! Signed checkpoints of the audit log, kept outside the database.
//!
//! Every second in which the log grew (and at shutdown) the server signs
//! its head — how many events, the last hash, the instant — with an Ed25519
//! key that lives outside the database (`--audit-key-file`, generated at
//! first start with mode 0600, or `INTERIM_AUDIT_KEY` as 64 hex digits),
//! and appends the checkpoint to a file of its own (`--audit-checkpoints`).
//! Truncating, emptying or rewriting the log then contradicts a checkpoint
//! the database's owner cannot forge; `policy::checkpoint::verify_log`
//! names the first missing or changed event.
//!
//! The latest checkpoint also goes to the webhooks, with the public key,
//! once per `--audit-webhook-every` in which the log grew (through the
//! outbox: retried until delivered), so a copy of a recent head lives
//! outside the server's machine altogether.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use interim_policy::checkpoint::{AuditCheckpoint, checkpoint_message};

use crate::AppState;

/// How often the head is looked at.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The key and the file of checkpoints.
pub struct Checkpoints {
    key: SigningKey,
    file: PathBuf,
    last: Mutex<Option<AuditCheckpoint>>,
    /// How often a checkpoint goes to the webhooks (none: never).
    webhook_every: Option<chrono::Duration>,
    /// The count of the checkpoint last sent, and when.
    sent: Mutex<Option<(u64, DateTime<Utc>)>>,
}

impl std::fmt::Debug for Checkpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoints")
            .field("file", &self.file)
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// The signing key: from `INTERIM_AUDIT_KEY`-style hex, else from the file,
/// else a new one written to the file (owner-only).
fn load_key(hex_seed: Option<&str>, file: &Path) -> Result<SigningKey, String> {
    let parse = |text: &str, from: &str| -> Result<SigningKey, String> {
        let bytes = hex::decode(text.trim()).map_err(|e| format!("{from}: not hex: {e}"))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| format!("{from}: an Ed25519 seed is 32 bytes (64 hex digits)"))?;
        Ok(SigningKey::from_bytes(&seed))
    };
    if let Some(text) = hex_seed {
        return parse(text, "INTERIM_AUDIT_KEY");
    }
    if file.exists() {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        return parse(&text, &file.display().to_string());
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no randomness for the audit key: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options
        .open(file)
        .map_err(|e| format!("cannot create {}: {e}", file.display()))?;
    out.write_all(hex::encode(seed).as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(SigningKey::from_bytes(&seed))
}

impl Checkpoints {
    pub fn open(
        hex_seed: Option<&str>,
        key_file: &Path,
        file: &Path,
    ) -> Result<Checkpoints, String> {
        let key = load_key(hex_seed, key_file)?;
        let cps = Checkpoints {
            key,
            file: file.to_owned(),
            last: Mutex::new(None),
            webhook_every: None,
            sent: Mutex::new(None),
        };
        let latest = cps.all()?.into_iter().max_by_key(|c| c.count);
        if let Ok(mut last) = cps.last.lock() {
            *last = latest;
        }
        Ok(cps)
    }

    /// Sends a checkpoint to the webhooks at most once per `every`.
    pub fn sent_to_webhooks_every(mut self, every: Option<chrono::Duration>) -> Checkpoints {
        self.webhook_every = every;
        self
    }

    /// The latest checkpoint, if it is due at the webhooks at `now`: one
    /// has been signed, it is not the one sent last, and `webhook_every`
    /// has passed since then.
    fn due_at_webhooks(&self, now: DateTime<Utc>) -> Option<AuditCheckpoint> {
        let every = self.webhook_every?;
        let latest = self.last.lock().ok()?.clone()?;
        let sent = *self.sent.lock().ok()?;
        match sent {
            Some((count, _)) if count == latest.count => None,
            Some((_, at)) if now - at < every => None,
            _ => Some(latest),
        }
    }

    /// The public key, lower-case hex: what an auditor verifies against.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// Every checkpoint written, oldest first.
    pub fn all(&self) -> Result<Vec<AuditCheckpoint>, String> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("cannot read {}: {e}", self.file.display())),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .map_err(|e| format!("{} line {}: {e}", self.file.display(), i + 1))
            })
            .collect()
    }

    /// Signs the head and appends the checkpoint, unless it is the last one.
    pub fn record(&self, count: u64, head: &str, time: DateTime<Utc>) -> Result<(), String> {
        let Ok(mut last) = self.last.lock() else {
            return Err("the checkpoint lock is poisoned".into());
        };
        if last
            .as_ref()
            .is_some_and(|c| c.count == count && c.head == head)
        {
            return Ok(());
        }
        let signature = self
            .key
            .sign(checkpoint_message(count, head, time).as_bytes());
        let checkpoint = AuditCheckpoint {
            count,
            head: head.to_owned(),
            time,
            signature: hex::encode(signature.to_bytes()),
        };
        let line = serde_json::to_string(&checkpoint).map_err(|e| e.to_string())? + "\n";
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .map_err(|e| format!("cannot open {}: {e}", self.file.display()))?;
        out.write_all(line.as_bytes())
            .and_then(|()| out.sync_data())
            .map_err(|e| format!("cannot write {}: {e}", self.file.display()))?;
        *last = Some(checkpoint);
        Ok(())
    }
}

/// Checkpoints the head now (at a write's pace, and at shutdown).
pub async fn checkpoint(state: &AppState) -> Result<(), String> {
    let Some(cps) = state.checkpoints.as_ref() else {
        return Ok(());
    };
    let (count, head) = state.store.audit_head().await.map_err(|e| e.to_string())?;
    cps.record(count, &head, state.clock.now())
}

/// Puts the latest checkpoint in the outbox for every webhook, when due
/// (see [`Checkpoints::due_at_webhooks`]); whether it did.
pub async fn publish(state: &AppState) -> Result<bool, String> {
    let Some(cps) = state.checkpoints.as_ref() else {
        return Ok(false);
    };
    if state.channels.webhooks.is_empty() {
        return Ok(false);
    }
    let now = state.clock.now();
    let Some(checkpoint) = cps.due_at_webhooks(now) else {
        return Ok(false);
    };
    let mut tx = state.store.begin().await.map_err(|e| e.to_string())?;
    crate::notify::enqueue_checkpoint(
        &mut tx,
        &state.channels,
        &checkpoint,
        &cps.public_key(),
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    state.outbox.notify_one();
    if let Ok(mut sent) = cps.sent.lock() {
        *sent = Some((checkpoint.count, now));
    }
    Ok(true)
}

/// Checkpoints the head every [`EVERY`] until the server stops.
pub fn spawn(
    state: AppState,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                changed = stopped.changed() => if changed.is_err() || *stopped.borrow() { break },
            }
            if let Err(e) = checkpoint(&state).await {
                tracing::error!(error = %e, "the audit checkpoint failed; retrying");
            } else if let Err(e) = publish(&state).await {
                tracing::error!(error = %e, "the audit checkpoint was not sent to the webhooks; retrying");
            }
        }
        // The last word before exit.
        if let Err(e) = checkpoint(&state).await {
            tracing::error!(error = %e, "the final audit checkpoint failed");
        }
    })
}

/// Shared by the state.
pub type Shared = Option<Arc<Checkpoints>>;
