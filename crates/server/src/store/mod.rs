//! Storage, one module per aggregate. Handlers and use cases see [`Store`]
//! (reads, and the cached indexed company) and [`WriteTx`] (the one write
//! transaction); each aggregate's module adds its own methods to both.
//!
//! - Lists are join tables with foreign keys (`ON DELETE CASCADE`), so
//!   deleting a user, pool or group takes its rows in every list with it.
//! - A person is found by the e-mail key the policy computes
//!   ([`interim_policy::email::email_key`]), stored in its own column; no
//!   SQL folds letter case.
//! - Every committed change to what the company snapshot holds advances a
//!   generation stored in the same transaction, by triggers on those
//!   tables: the cache is keyed on it, whatever method wrote
//!   ([`cache`]).
//!
//! The SQL is SQLite's; writes are serialized by one lock held for the
//! whole transaction, so every check-then-insert of the policy (the
//! active-grant limit, name uniqueness) runs against the state it changes.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use interim_policy::snapshot::Snapshot;
use interim_policy::wire::SnapshotWire;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

mod access;
mod activations;
mod audit;
pub mod cache;
mod checkpoint;
mod company;
mod follow;
mod grants;
mod groups;
mod lists;
mod outbox;
mod pools;
mod requests;
mod settings;
mod upgrade;
mod users;

pub use access::{ApiKeyRecord, LiveKey, SessionRecord};
pub use audit::{AUDIT_ORDERS, AuditFilter};
pub use groups::GroupRecord;
pub use outbox::{ACTIVATION_EVENT, Notification};
pub use pools::PoolRecord;
pub use settings::Settings;
pub use users::UserRecord;

use cache::SnapshotCache;
use follow::Written;

#[derive(Debug)]
pub enum StoreError {
    Db(sqlx::Error),
    Migrate(sqlx::migrate::MigrateError),
    /// Stored data that does not read back (a bug or a hand-edited file).
    Corrupt(String),
    /// Something else a write needed failed (no randomness for an id).
    Internal(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Db(e) => write!(f, "database: {e}"),
            StoreError::Migrate(e) => write!(f, "migration: {e}"),
            StoreError::Corrupt(e) => write!(f, "stored data does not read back: {e}"),
            StoreError::Internal(e) => write!(f, "internal: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(v: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

/// A value as JSON text (settings objects, audit details).
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

fn parse<T: DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// An enum written by its wire name (a role, a status), as stored text.
fn name_of<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An enum read back from its stored wire name.
fn from_name<T: DeserializeOwned>(text: String, what: &str) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(text))
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A new random id for a stored row (a version 4 UUID).
pub fn new_id() -> StoreResult<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| StoreError::Internal(format!("no randomness for an id: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |a: usize, b: usize| h.get(a..b).unwrap_or_default();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    ))
}

/// The key a person is stored and found by: the policy's, nowhere else.
pub fn key(email: &str) -> String {
    interim_policy::email::email_key(email).into_owned()
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    write: Arc<Mutex<()>>,
    cache: Arc<SnapshotCache>,
}

impl Store {
    /// Opens (creating if needed) the database file, in WAL mode, runs the
    /// migrations, and moves a database of an earlier release onto the
    /// normalised schema.
    pub async fn open(path: &Path) -> StoreResult<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Corrupt(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Checkpoints run off the write path (`checkpoint`); a
            // committing writer checkpoints only if that falls far behind.
            .pragma("wal_autocheckpoint", "20000");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        upgrade::normalise(&pool).await?;
        let mut conn = pool.acquire().await?;
        let generation = cache::stored_generation(&mut conn).await?;
        drop(conn);
        let write = Arc::new(Mutex::new(()));
        checkpoint::spawn(pool.clone(), Arc::downgrade(&write));
        Ok(Store {
            pool,
            write,
            cache: Arc::new(SnapshotCache::starting_at(generation)),
        })
    }

    /// The indexed company, cached until a commit changes it.
    pub async fn snapshot(&self, now: DateTime<Utc>) -> StoreResult<Arc<Snapshot>> {
        Ok(Arc::clone(&self.read(now).await?.snapshot))
    }

    /// The cached read of the company: the indexed snapshot and, of the
    /// same commit, the company as stored ([`cache::Read::wire`]).
    pub async fn read(&self, now: DateTime<Utc>) -> StoreResult<Arc<cache::Read>> {
        if let Some(r) = self.cache.current().await {
            return Ok(r);
        }
        // One read transaction: every table, and the generation they are
        // of, as of one commit.
        let base = self.cache.last().await;
        let mut tx = self.pool.begin().await?;
        let read = Arc::new(company::read(&mut tx, now, base.as_deref()).await?);
        tx.commit().await?;
        self.cache.offer(Arc::clone(&read)).await;
        Ok(read)
    }

    /// Compacts the cached snapshot when enough places of removed grants and
    /// requests are kept ([`Snapshot::worth_compacting`]), on a blocking
    /// thread, holding the write lock so that no commit can make the work
    /// moot (a few milliseconds for the large company, once per thousands
    /// of removals). Answers whether a compacted snapshot was installed.
    pub async fn compact_snapshot(&self) -> StoreResult<bool> {
        let _writes = self.write.lock().await;
        let Some(read) = self.cache.current().await else {
            return Ok(false);
        };
        if !read.snapshot.worth_compacting() {
            return Ok(false);
        }
        let snapshot = Arc::clone(&read.snapshot);
        let compact = tokio::task::spawn_blocking(move || snapshot.compact())
            .await
            .map_err(|e| StoreError::Internal(format!("compacting the snapshot: {e}")))?;
        let compacted = cache::Read {
            generations: read.generations,
            directory: Arc::clone(&read.directory),
            snapshot: Arc::new(compact),
            whole_at: read.whole_at,
            applied: true,
        };
        Ok(self.cache.replace(&read, Arc::new(compacted)).await)
    }

    /// How the snapshots cached since start were made: read whole, or from
    /// an earlier one and what changed.
    pub fn snapshot_reads(&self) -> cache::ReadCounts {
        self.cache.counts()
    }

    /// The company as stored, read whole (not indexed, not cached): for
    /// tests that compare the cached read with it.
    pub async fn snapshot_wire(&self, now: DateTime<Utc>) -> StoreResult<SnapshotWire> {
        let mut tx = self.pool.begin().await?;
        let wire = company::load_whole(&mut tx, now).await?;
        tx.commit().await?;
        Ok(wire)
    }

    /// Starts the one write transaction that may run at a time.
    pub async fn begin(&self) -> StoreResult<WriteTx> {
        let guard = Arc::clone(&self.write).lock_owned().await;
        let tx = self.pool.begin().await?;
        // Under the write lock every commit of this process has told the
        // cache its generation: this is the stored one, without a query.
        let began_at = self.cache.latest();
        Ok(WriteTx {
            _guard: guard,
            tx,
            cache: Arc::clone(&self.cache),
            began_at,
            touched: false,
            base: None,
            written: Written::default(),
        })
    }
}

/// One write transaction; at most one runs at a time. Dropping it without
/// [`WriteTx::commit`] rolls everything back.
#[derive(Debug)]
pub struct WriteTx {
    _guard: OwnedMutexGuard<()>,
    tx: Transaction<'static, Sqlite>,
    cache: Arc<SnapshotCache>,
    /// The stored generation when this transaction began.
    began_at: u64,
    /// Whether a statement that may write has run: every store module
    /// reaches the connection through [`WriteTx::c`], which sets it.
    touched: bool,
    /// The committed state this transaction began from, and the instant it
    /// was asked for at: what [`follow`] makes the next snapshot from.
    base: Option<(Arc<cache::Read>, DateTime<Utc>)>,
    /// What the store's methods wrote of grants, requests and settings.
    written: Written,
}

impl WriteTx {
    /// The company as this transaction sees it: the cached index while
    /// nothing in it has changed the company, else read afresh.
    pub async fn snapshot(&mut self, now: DateTime<Utc>) -> StoreResult<Arc<Snapshot>> {
        let generation = self.generation().await?;
        let read = match self.cache.of_generation(generation).await {
            Some(read) => read,
            None => {
                let base = self.cache.last().await;
                let read = Arc::new(company::read(&mut self.tx, now, base.as_deref()).await?);
                if generation == self.began_at {
                    // Under the write lock nothing else commits: this is
                    // the committed state of that generation.
                    self.cache.offer(Arc::clone(&read)).await;
                }
                read
            }
        };
        if generation == self.began_at && self.base.is_none() {
            self.base = Some((Arc::clone(&read), now));
        }
        Ok(Arc::clone(&read.snapshot))
    }

    /// The connection, for a statement that may write: the one way the
    /// store's modules reach it.
    fn c(&mut self) -> &mut SqliteConnection {
        self.touched = true;
        &mut self.tx
    }

    /// The stored generation as this transaction sees it: where it began
    /// while nothing has run that may have changed it.
    async fn generation(&mut self) -> StoreResult<u64> {
        if self.touched {
            cache::stored_generation(&mut self.tx).await
        } else {
            Ok(self.began_at)
        }
    }

    /// The connection of this transaction, for a write no module names
    /// yet: the generation still advances if it changes the company, and
    /// the next reader reads what changed.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.written.unknown();
        self.c()
    }

    /// Commits, and tells the cache the generation this commit reached;
    /// when it can, it also gives the cache the snapshot after the commit,
    /// made from the one it began from and what it wrote ([`follow`]).
    pub async fn commit(self) -> StoreResult<()> {
        let WriteTx {
            _guard,
            mut tx,
            cache,
            began_at,
            touched,
            base,
            written,
        } = self;
        if !touched {
            tx.commit().await?;
            return Ok(());
        }
        let (generation, next) = match base {
            Some((base, now)) => {
                let (at, logged) = follow::logged(&mut tx, base.generations.changes).await?;
                let next = follow::follow(&base, now, at, &logged, written);
                (at.company, next)
            }
            None => (cache::stored_generation(&mut tx).await?, None),
        };
        tx.commit().await?;
        if generation != began_at {
            cache.committed(generation).await;
        }
        if let Some(next) = next {
            cache.offer(Arc::new(next)).await;
        }
        Ok(())
    }
}
