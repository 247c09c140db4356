//! The indexed company of the last committed state, keyed on the stored
//! generation it was read at.
//!
//! Triggers on every table the snapshot reads advance `generation.value`
//! (and the column of that table's aggregate) in the transaction that
//! changes them (migration 0005), so no write method has to remember to
//! invalidate anything: a commit that changed the company reaches a new
//! generation, and [`SnapshotCache::committed`] makes every snapshot of an
//! older one stale. A reader reads the generations in the same read
//! transaction as the tables, so what it offers is exactly of that
//! generation and never replaces a newer one. A stale entry is kept: the
//! next reader re-reads only the aggregates whose generation moved and
//! takes the others from it; when only grants, requests, delegations or
//! settings moved, it reads just the grants and requests named in
//! `changes` since its base and makes the new snapshot from them
//! ([`Snapshot::apply`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use interim_policy::snapshot::Snapshot;
use interim_policy::wire::SnapshotWire;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use tokio::sync::RwLock;

use super::StoreResult;

/// The stored generations: of the whole company, and of each aggregate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generations {
    pub company: u64,
    pub settings: u64,
    pub users: u64,
    pub pools: u64,
    pub groups: u64,
    pub grants: u64,
    pub requests: u64,
    pub delegations: u64,
    /// The last row of `changes`: which grants and requests changed.
    pub changes: u64,
    /// Rows of `changes` up to this one have been removed.
    pub pruned_to: u64,
}

/// The columns [`Generations::of_row`] reads, first in a query over
/// `generation g`.
pub const GENERATION_COLUMNS: &str =
    "g.value, g.settings, g.users, g.pools, g.groups, g.grants, g.requests, g.delegations,
    (SELECT coalesce(max(seq), 0) FROM changes), g.pruned_to";

impl Generations {
    /// The generations in the first columns of `r` ([`GENERATION_COLUMNS`]).
    pub fn of_row(r: &SqliteRow) -> StoreResult<Generations> {
        let count = |i: usize| -> StoreResult<u64> {
            Ok(u64::try_from(r.try_get::<i64, _>(i)?).unwrap_or_default())
        };
        Ok(Generations {
            company: count(0)?,
            settings: count(1)?,
            users: count(2)?,
            pools: count(3)?,
            groups: count(4)?,
            grants: count(5)?,
            requests: count(6)?,
            delegations: count(7)?,
            changes: count(8)?,
            pruned_to: count(9)?,
        })
    }

    /// Whether, since `other`, nothing but grants, requests and settings
    /// moved (users, pools, groups and delegations are as they were).
    pub fn only_written_since(&self, other: &Generations) -> bool {
        (self.users, self.pools, self.groups, self.delegations)
            == (other.users, other.pools, other.groups, other.delegations)
    }
}

/// The company's generation as stored, read in the caller's transaction.
pub async fn stored_generation(conn: &mut SqliteConnection) -> StoreResult<u64> {
    let v: i64 = sqlx::query_scalar("SELECT value FROM generation WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(u64::try_from(v).unwrap_or_default())
}

/// What a reader read: the company as stored and indexed, and of which
/// generations.
#[derive(Debug)]
pub struct Read {
    pub generations: Generations,
    /// Users, pools and groups as stored (the grants, requests and
    /// delegations are in `snapshot`).
    pub directory: Arc<SnapshotWire>,
    pub snapshot: Arc<Snapshot>,
    /// When the whole company was last read and indexed: later reads only
    /// apply what changed to it.
    pub whole_at: DateTime<Utc>,
    /// Whether this read applied changes to an earlier one (else it read
    /// the company whole).
    pub applied: bool,
}

impl Read {
    /// The company as stored at this read: the directory as read, the
    /// grants, requests and delegations the snapshot holds (in the order
    /// it learned of them).
    pub fn wire(&self) -> SnapshotWire {
        let s = &self.snapshot;
        SnapshotWire {
            company_id: s.company_id.clone(),
            rbac_enabled: s.rbac_enabled,
            limits: s.limits,
            grants: s.grants().map(|g| g.wire.clone()).collect(),
            requests: s.requests().map(|r| r.wire.clone()).collect(),
            delegations: s.delegation_wires().to_vec(),
            ..SnapshotWire::clone(&self.directory)
        }
    }
}

/// How many snapshots were installed since start, by how they were made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// The company read and indexed whole.
    pub whole: u64,
    /// An earlier snapshot with the changes since applied.
    pub applied: u64,
}

#[derive(Debug)]
pub struct SnapshotCache {
    /// The newest company generation this process knows to be committed.
    latest: AtomicU64,
    slot: RwLock<Option<Arc<Read>>>,
    whole: AtomicU64,
    applied: AtomicU64,
}

impl SnapshotCache {
    /// An empty cache of a store whose generation is `g`.
    pub fn starting_at(g: u64) -> SnapshotCache {
        SnapshotCache {
            latest: AtomicU64::new(g),
            slot: RwLock::new(None),
            whole: AtomicU64::new(0),
            applied: AtomicU64::new(0),
        }
    }

    /// The newest generation this process knows to be committed.
    pub fn latest(&self) -> u64 {
        self.latest.load(Ordering::SeqCst)
    }

    /// The cached read, if it is of the newest known generation.
    pub async fn current(&self) -> Option<Arc<Read>> {
        self.of_generation(self.latest()).await
    }

    /// The cached read, if it is of generation `g`.
    pub async fn of_generation(&self, g: u64) -> Option<Arc<Read>> {
        match self.slot.read().await.as_ref() {
            Some(r) if r.generations.company == g => Some(Arc::clone(r)),
            _ => None,
        }
    }

    /// The last read, current or not: what a reader need not read again.
    pub async fn last(&self) -> Option<Arc<Read>> {
        self.slot.read().await.clone()
    }

    /// Installs a read, unless a newer one is known.
    pub async fn offer(&self, read: Arc<Read>) {
        let g = read.generations.company;
        let mut slot = self.slot.write().await;
        let latest = self.latest.fetch_max(g, Ordering::SeqCst).max(g);
        let newer_held = slot.as_ref().is_some_and(|r| r.generations.company > g);
        if g == latest && !newer_held {
            let count = if read.applied {
                &self.applied
            } else {
                &self.whole
            };
            count.fetch_add(1, Ordering::Relaxed);
            *slot = Some(read);
        }
    }

    /// Installs `by` in place of `read` if that is still the one held;
    /// answers whether it did.
    pub async fn replace(&self, read: &Arc<Read>, by: Arc<Read>) -> bool {
        let mut slot = self.slot.write().await;
        let held = slot.as_ref().is_some_and(|r| Arc::ptr_eq(r, read));
        if held {
            *slot = Some(by);
        }
        held
    }

    /// How the snapshots installed so far were made.
    pub fn counts(&self) -> ReadCounts {
        ReadCounts {
            whole: self.whole.load(Ordering::Relaxed),
            applied: self.applied.load(Ordering::Relaxed),
        }
    }

    /// A commit reached generation `g`: every snapshot before it is stale
    /// (kept only as the base of the next read).
    pub async fn committed(&self, g: u64) {
        let _slot = self.slot.write().await;
        self.latest.fetch_max(g, Ordering::SeqCst);
    }
}
