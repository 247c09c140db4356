//! WAL checkpoints off the write path. Left to SQLite, the writer whose
//! commit fills the WAL to its threshold copies it into the database file
//! (and syncs it) inside its commit, holding the one write lock for
//! milliseconds while every other write waits: at hundreds of writes a
//! second that is most of the slowest answers. Here a task of the store's
//! own runs a PASSIVE checkpoint a few times a second on a connection of
//! its own; writers go on appending to the WAL meanwhile. (The connections
//! keep a far higher automatic threshold as a backstop.)

use std::sync::Weak;
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::Mutex;

/// How often the WAL is copied into the database.
const EVERY: Duration = Duration::from_millis(200);

/// Checkpoints `pool`'s database every [`EVERY`] while the store whose
/// write lock is `alive` exists; it stops within one period of its drop.
pub(super) fn spawn(pool: SqlitePool, alive: Weak<Mutex<()>>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if alive.strong_count() == 0 {
                break;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
            }
        }
        pool.close().await;
    });
}
