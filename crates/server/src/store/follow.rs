//! What a write transaction knows it changed: the grants, requests and
//! settings as the store's methods wrote them. At commit, when the change
//! log names exactly those grants and requests and nothing else of the
//! company moved, the snapshot after the commit is the one the transaction
//! began from with them applied, made in memory with no read; otherwise the
//! next reader reads what changed ([`super::company::read`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use interim_policy::snapshot::Changes;
use interim_policy::vocab::RequestStatus;
use interim_policy::wire::{AccessRequestWire, TempAccess};
use sqlx::{Row, SqliteConnection};

use super::cache::{GENERATION_COLUMNS, Generations, Read};
use super::company::keep_from;
use super::settings::Settings;
use super::{StoreResult, ms};

/// Grants and requests named by a transaction's writes or by the change
/// log: `(kind, id)`, kind as in `changes.kind`.
type Named = BTreeSet<(String, String)>;

/// What a transaction's writes changed, as they wrote it.
#[derive(Debug, Default)]
pub(super) struct Written {
    changes: Changes,
    named: Named,
    /// A write this cannot follow (raw SQL through `WriteTx::conn`).
    unknown: bool,
}

impl Written {
    /// Grant `id` was written: as it now is, or `None` when deleted.
    pub(super) fn grant(&mut self, id: &str, written: Option<&TempAccess>) {
        self.named.insert(("grant".to_owned(), id.to_owned()));
        self.changes.grants.push((id.to_owned(), written.cloned()));
    }

    pub(super) fn request(&mut self, r: &AccessRequestWire) {
        self.named.insert(("request".to_owned(), r.id.clone()));
        self.changes.requests.push((r.id.clone(), Some(r.clone())));
    }

    pub(super) fn settings(&mut self, s: &Settings) {
        self.changes.settings = Some((s.company_id.clone(), s.rbac_enabled, s.limits));
    }

    pub(super) fn unknown(&mut self) {
        self.unknown = true;
    }
}

/// The generations a commit is about to reach, and the grants and
/// requests the change log names after row `since`: one query, in the
/// transaction, before it commits.
pub(super) async fn logged(
    conn: &mut SqliteConnection,
    since: u64,
) -> StoreResult<(Generations, Named)> {
    let r = sqlx::query(&format!(
        "SELECT {GENERATION_COLUMNS},
                (SELECT group_concat(kind || ' ' || id, char(10)) FROM changes WHERE seq > ?)
         FROM generation g WHERE g.id = 1"
    ))
    .bind(i64::try_from(since).unwrap_or(i64::MAX))
    .fetch_one(conn)
    .await?;
    let names: Option<String> = r.try_get(10)?;
    let named = names
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, id)| (k.to_owned(), id.to_owned()))
        .collect();
    Ok((Generations::of_row(&r)?, named))
}

/// The snapshot after the commit of `written`, made from `base` (the
/// committed state the transaction began from, read at `now`) when the
/// log agrees with what was written and nothing else moved; `None` when it
/// cannot be followed so.
pub(super) fn follow(
    base: &Read,
    now: DateTime<Utc>,
    at: Generations,
    logged: &Named,
    written: Written,
) -> Option<Read> {
    let settings_known =
        at.settings == base.generations.settings || written.changes.settings.is_some();
    if written.unknown
        || !at.only_written_since(&base.generations)
        || !settings_known
        || *logged != written.named
    {
        return None;
    }
    let keep = keep_from(now);
    let mut changes = written.changes;
    // What a whole read would hold: not deleted, not long over.
    for (_, g) in &mut changes.grants {
        if g.as_ref().is_some_and(|g| ms(g.expiration_date) <= keep) {
            *g = None;
        }
    }
    for (_, r) in &mut changes.requests {
        if r.as_ref().is_some_and(|r| !request_held(r, keep)) {
            *r = None;
        }
    }
    let snapshot = base.snapshot.apply(changes).ok()?;
    Some(Read {
        generations: at,
        directory: Arc::clone(&base.directory),
        snapshot: Arc::new(snapshot),
        whole_at: base.whole_at,
        applied: true,
    })
}

/// Whether a whole read holds this request: open, or created or ending
/// after `keep`. The same condition as `requests::HELD`, which SQL applies
/// when reading; a commit applies it here to what it wrote.
fn request_held(r: &AccessRequestWire, keep: i64) -> bool {
    matches!(r.status, RequestStatus::Pending | RequestStatus::Approved)
        || ms(r.created_at) > keep
        || r.ends_at.is_some_and(|e| ms(e) > keep)
}
