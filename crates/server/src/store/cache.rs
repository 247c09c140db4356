//! The indexed company of the last committed state, keyed on the stored
//! generation it was read at.
//!
//! Triggers on every table the snapshot reads advance `generation.value`
//! in the transaction that changes them (migration 0005), so no write
//! method has to remember to invalidate anything: a commit that changed
//! the company reaches a new generation, and [`SnapshotCache::committed`]
//! makes every snapshot of an older one stale. A reader reads the
//! generation in the same read transaction as the tables, so what it
//! offers is exactly of that generation and never replaces a newer one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use interim_policy::snapshot::Snapshot;
use sqlx::SqliteConnection;
use tokio::sync::RwLock;

use super::StoreResult;

/// The generation as stored, read in the caller's transaction.
pub async fn stored_generation(conn: &mut SqliteConnection) -> StoreResult<u64> {
    let v: i64 = sqlx::query_scalar("SELECT value FROM generation WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(u64::try_from(v).unwrap_or_default())
}

#[derive(Debug)]
pub struct SnapshotCache {
    /// The newest generation this process knows to be committed.
    latest: AtomicU64,
    slot: RwLock<Option<(u64, Arc<Snapshot>)>>,
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
            Some((have, s)) if *have == g => Some(Arc::clone(s)),
            _ => None,
        }
    }

    /// Installs a snapshot read at generation `g`, unless a newer one is
    /// known.
    pub async fn offer(&self, g: u64, snapshot: &Arc<Snapshot>) {
        let mut slot = self.slot.write().await;
        let latest = self.latest.fetch_max(g, Ordering::SeqCst).max(g);
        let newer_held = slot.as_ref().is_some_and(|(have, _)| *have > g);
        if g == latest && !newer_held {
            *slot = Some((g, Arc::clone(snapshot)));
        }
    }

    /// A commit reached generation `g`: every snapshot before it is stale.
    pub async fn committed(&self, g: u64) {
        let mut slot = self.slot.write().await;
        self.latest.fetch_max(g, Ordering::SeqCst);
        if slot.as_ref().is_some_and(|(have, _)| *have < g) {
            *slot = None;
        }
    }
}
