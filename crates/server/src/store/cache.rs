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
//! takes the others from it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use interim_policy::snapshot::Snapshot;
use interim_policy::wire::SnapshotWire;
use sqlx::SqliteConnection;
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
    pub wire: Arc<SnapshotWire>,
    pub snapshot: Arc<Snapshot>,
}

#[derive(Debug)]
pub struct SnapshotCache {
    /// The newest company generation this process knows to be committed.
    latest: AtomicU64,
    slot: RwLock<Option<Arc<Read>>>,
}

impl SnapshotCache {
    /// An empty cache of a store whose generation is `g`.
    pub fn starting_at(g: u64) -> SnapshotCache {
        SnapshotCache {
            latest: AtomicU64::new(g),
            slot: RwLock::new(None),
        }
    }

    /// The newest generation this process knows to be committed.
    pub fn latest(&self) -> u64 {
        self.latest.load(Ordering::SeqCst)
    }

    /// The cached snapshot, if it is of the newest known generation.
    pub async fn current(&self) -> Option<Arc<Snapshot>> {
        self.of_generation(self.latest()).await
    }

    /// The cached snapshot, if it is of generation `g`.
    pub async fn of_generation(&self, g: u64) -> Option<Arc<Snapshot>> {
        match self.slot.read().await.as_ref() {
            Some(r) if r.generations.company == g => Some(Arc::clone(&r.snapshot)),
            _ => None,
        }
    }

    /// The last read, current or not: what a reader need not read again.
    pub async fn last(&self) -> Option<Arc<Read>> {
        self.slot.read().await.clone()
    }

    /// Installs a read, unless a newer one is known.
    pub async fn offer(&self, read: Read) {
        let g = read.generations.company;
        let mut slot = self.slot.write().await;
        let latest = self.latest.fetch_max(g, Ordering::SeqCst).max(g);
        let newer_held = slot.as_ref().is_some_and(|r| r.generations.company > g);
        if g == latest && !newer_held {
            *slot = Some(Arc::new(read));
        }
    }

    /// A commit reached generation `g`: every snapshot before it is stale
    /// (kept only as the base of the next read).
    pub async fn committed(&self, g: u64) {
        let _slot = self.slot.write().await;
        self.latest.fetch_max(g, Ordering::SeqCst);
    }
}
