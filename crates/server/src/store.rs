//! Storage. Handlers see [`Store`] (reads, and the cached indexed snapshot)
//! and [`WriteTx`] (one serialized write transaction); the SQL behind them is
//! written for SQLite here, so a PostgreSQL backend is a second
//! implementation of these two types, not a change to any handler.
//!
//! Writes are serialized by one lock held for the whole transaction: every
//! check-then-insert of the policy (the active-grant limit, name uniqueness)
//! runs against the state it then changes.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use interim_policy::audit::{AuditAction, AuditEvent, GENESIS_HASH, NewEvent, seal};
use interim_policy::limits::Limits;
use interim_policy::role::Role;
use interim_policy::snapshot::Snapshot;
use interim_policy::wire::{
    AccessRequestWire, AgentPoolWire, DelegationWire, GroupWire, SnapshotWire, TempAccess, UserWire,
};
use serde::de::DeserializeOwned;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, RwLock};

/// How far back expired grants stay in the snapshot (for explanations).
const EXPIRED_GRANTS_KEPT_DAYS: i64 = 7;

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

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

fn parse<T: DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// The company's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub company_id: String,
    pub rbac_enabled: bool,
    pub limits: Limits,
}

/// A user row beyond what the snapshot carries.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: String,
    pub wire: UserWire,
    pub created_ms: i64,
    pub created_by: Option<String>,
    pub modified_ms: i64,
    pub modified_by: Option<String>,
    pub last_login_ms: Option<i64>,
}

/// A pool row beyond what the snapshot carries.
#[derive(Clone, Debug)]
pub struct PoolRecord {
    pub wire: AgentPoolWire,
    pub created_ms: i64,
    pub created_by: Option<String>,
}

/// An API key, without its secret.
#[derive(Clone, Debug)]
pub struct ApiKeyRecord {
    pub id: String,
    pub label: String,
    pub owner: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub scopes: Vec<String>,
}

/// A group row beyond what the snapshot carries.
#[derive(Clone, Debug)]
pub struct GroupRecord {
    pub wire: GroupWire,
    pub created_ms: i64,
    pub created_by: Option<String>,
    pub modified_ms: i64,
    pub modified_by: Option<String>,
}

/// A signed-in session.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub email_key: String,
    pub csrf: String,
    pub expires_ms: i64,
}

/// Filters of the audit log.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    write: Arc<Mutex<()>>,
    cache: Arc<SnapshotCache>,
}

/// The indexed company of the last committed state, tagged with the
/// generation (commit count) it was read at. A reader that loaded while a
/// write committed never installs what it read: its generation is stale.
#[derive(Debug, Default)]
struct SnapshotCache {
    generation: AtomicU64,
    slot: RwLock<Option<(u64, Arc<Snapshot>)>>,
}

impl SnapshotCache {
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The cached snapshot, if it is of the current generation.
    async fn current(&self) -> Option<Arc<Snapshot>> {
        let now = self.generation();
        match self.slot.read().await.as_ref() {
            Some((g, s)) if *g == now => Some(Arc::clone(s)),
            _ => None,
        }
    }

    /// Installs a snapshot read at generation `g`, unless a commit came since.
    async fn offer(&self, g: u64, snapshot: &Arc<Snapshot>) {
        let mut slot = self.slot.write().await;
        if self.generation() == g {
            *slot = Some((g, Arc::clone(snapshot)));
        }
    }

    /// A write committed: every snapshot read before is stale.
    async fn bump(&self) {
        let mut slot = self.slot.write().await;
        self.generation.fetch_add(1, Ordering::SeqCst);
        *slot = None;
    }
}

impl Store {
    /// Opens (creating if needed) the database file, in WAL mode, and runs
    /// the migrations.
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
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(Store {
            pool,
            write: Arc::new(Mutex::new(())),
            cache: Arc::new(SnapshotCache::default()),
        })
    }

    /// Whether the company has been set up (settings exist).
    pub async fn is_initialized(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// The indexed company, cached until the next write commits.
    pub async fn snapshot(&self, now: DateTime<Utc>) -> StoreResult<Arc<Snapshot>> {
        let generation = self.cache.generation();
        if let Some(s) = self.cache.current().await {
            return Ok(s);
        }
        // One read transaction: every table as of one commit.
        let mut read = self.pool.begin().await?;
        let wire = load_snapshot(&mut read, now).await?;
        read.commit().await?;
        let snapshot = Arc::new(build(wire)?);
        self.cache.offer(generation, &snapshot).await;
        Ok(snapshot)
    }

    /// The company as stored (not indexed).
    pub async fn snapshot_wire(&self, now: DateTime<Utc>) -> StoreResult<SnapshotWire> {
        let mut read = self.pool.begin().await?;
        let wire = load_snapshot(&mut read, now).await?;
        read.commit().await?;
        Ok(wire)
    }

    /// Starts the one write transaction that may run at a time.
    pub async fn begin(&self) -> StoreResult<WriteTx> {
        let guard = Arc::clone(&self.write).lock_owned().await;
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            _guard: guard,
            tx,
            cache: Arc::clone(&self.cache),
            wrote: false,
        })
    }

    pub async fn settings(&self) -> StoreResult<Settings> {
        let mut conn = self.pool.acquire().await?;
        load_settings(&mut conn).await
    }

    pub async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row =
            sqlx::query("SELECT email_key, csrf, expires_ms FROM sessions WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| SessionRecord {
            email_key: r.get(0),
            csrf: r.get(1),
            expires_ms: r.get(2),
        }))
    }

    /// The owner (e-mail key) and scopes of the live (not revoked, not
    /// expired) API key with this hash.
    pub async fn api_key_owner(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(String, Vec<String>)>> {
        let row = sqlx::query(
            "SELECT email_key, scopes FROM api_keys WHERE token_hash = ? AND revoked_ms IS NULL AND expires_ms > ?",
        )
        .bind(token_hash)
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.get(0), parse(&r.get::<String, _>(1), "api_keys.scopes")?)))
            .transpose()
    }

    /// API keys not revoked, oldest first.
    pub async fn api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>> {
        let rows = sqlx::query(
            "SELECT id, label, email_key, created_ms, expires_ms, scopes FROM api_keys WHERE revoked_ms IS NULL ORDER BY created_ms, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKeyRecord {
                    id: r.get(0),
                    label: r.get(1),
                    owner: r.get(2),
                    created_ms: r.get(3),
                    expires_ms: r.get(4),
                    scopes: parse(&r.get::<String, _>(5), "api_keys.scopes")?,
                })
            })
            .collect()
    }

    /// Groups with their bookkeeping.
    pub async fn groups(&self) -> StoreResult<Vec<GroupRecord>> {
        let rows = sqlx::query(
            "SELECT id, name, agent_pool_ids, roles, members, request_overrides, created_ms, created_by, modified_ms, modified_by FROM groups ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GroupRecord {
                    wire: group_wire(r)?,
                    created_ms: r.get(6),
                    created_by: r.get(7),
                    modified_ms: r.get(8),
                    modified_by: r.get(9),
                })
            })
            .collect()
    }

    pub async fn password_hash(&self, email_key: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT password_hash FROM users WHERE email_key = ?",
        )
        .bind(email_key)
        .fetch_optional(&self.pool)
        .await?
        .flatten())
    }

    pub async fn user(&self, email_key: &str) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query(USER_COLUMNS_WHERE)
            .bind(email_key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_record(&r)).transpose()
    }

    pub async fn users(&self) -> StoreResult<Vec<UserRecord>> {
        let rows = sqlx::query(USER_COLUMNS).fetch_all(&self.pool).await?;
        rows.iter().map(user_record).collect()
    }

    pub async fn pools(&self) -> StoreResult<Vec<PoolRecord>> {
        let rows = sqlx::query(POOL_COLUMNS).fetch_all(&self.pool).await?;
        rows.iter().map(pool_record).collect()
    }

    /// Grants not deleted (active or not), newest first.
    pub async fn live_grants(&self) -> StoreResult<Vec<TempAccess>> {
        let rows = sqlx::query(&format!(
            "{GRANT_COLUMNS} WHERE deleted_ms IS NULL ORDER BY created_ms DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(grant_row).collect()
    }

    /// Grants that have expired and whose expiry is not yet in the audit log.
    pub async fn expired_unlogged(
        &self,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT id, name, expires_ms FROM grants WHERE deleted_ms IS NULL AND expiry_logged = 0 AND expires_ms <= ? ORDER BY expires_ms",
        )
        .bind(ms(now))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// Audit events matching the filter, oldest first, with the total count.
    pub async fn audit(
        &self,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<AuditEvent>, i64)> {
        let (clause, binds) = audit_where(filter);
        let count_sql = format!("SELECT COUNT(*) FROM audit_events{clause}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = bind_audit(count, b);
        }
        let total = count.fetch_one(&self.pool).await?;
        let sql = format!("{AUDIT_COLUMNS}{clause} ORDER BY seq LIMIT ? OFFSET ?");
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = match b {
                AuditBind::Text(t) => q.bind(t.clone()),
                AuditBind::Int(i) => q.bind(*i),
            };
        }
        let rows = q.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        let events = rows
            .iter()
            .map(audit_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((events, total))
    }

    /// The whole chain, oldest first.
    /// Every access request, newest first, with its reviewer's comment.
    pub async fn requests(&self) -> StoreResult<Vec<(AccessRequestWire, Option<String>)>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(&format!("{REQUEST_COLUMNS} ORDER BY created_ms DESC, id"))
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(request_row)
            .collect()
    }

    /// One access request by id, with its reviewer's comment.
    pub async fn request(
        &self,
        id: &str,
    ) -> StoreResult<Option<(AccessRequestWire, Option<String>)>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(&format!("{REQUEST_COLUMNS} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .as_ref()
            .map(request_row)
            .transpose()
    }

    /// Live delegations (not deleted, not over), with their ids.
    pub async fn delegations(
        &self,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, DelegationWire)>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(&format!(
            "{DELEGATION_COLUMNS} WHERE deleted_ms IS NULL AND ends_ms > ? ORDER BY starts_ms, id"
        ))
        .bind(ms(now))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(delegation_row)
        .collect()
    }

    /// Requests the sweeper must close: pending past `pending_before`
    /// (created before it), approved whose period ended by `now`.
    pub async fn due_requests(
        &self,
        now: DateTime<Utc>,
        pending_before: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query("SELECT id FROM access_requests WHERE (status = 'pending' AND created_ms <= ?) OR (status = 'approved' AND ends_ms <= ?) ORDER BY created_ms, id")
            .bind(ms(pending_before))
            .bind(ms(now))
            .fetch_all(&mut *conn)
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Notifications due for a delivery attempt at `now`, oldest first.
    pub async fn due_notifications(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(&format!(
            "{NOTIFICATION_COLUMNS} WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, created_ms, id LIMIT ?"
        ))
        .bind(ms(now))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(notification_row)
        .collect()
    }

    /// A page of the outbox, newest first: every notification, or those in
    /// `status`; and how many there are in all.
    pub async fn notifications(
        &self,
        status: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Notification>, i64)> {
        let mut conn = self.pool.acquire().await?;
        let items = sqlx::query(&format!(
            "{NOTIFICATION_COLUMNS} WHERE (? IS NULL OR status = ?) ORDER BY created_ms DESC, id LIMIT ? OFFSET ?"
        ))
        .bind(status)
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(notification_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let total: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM notifications WHERE (? IS NULL OR status = ?)",
        )
        .bind(status)
        .bind(status)
        .fetch_one(&mut *conn)
        .await?;
        Ok((items, total))
    }

    pub async fn audit_chain(&self) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!("{AUDIT_COLUMNS} ORDER BY seq"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_row).collect()
    }
}

#[derive(Clone, Debug)]
enum AuditBind {
    Text(String),
    Int(i64),
}

fn bind_audit<'q>(
    q: sqlx::query::QueryScalar<'q, Sqlite, i64, sqlx::sqlite::SqliteArguments<'q>>,
    b: &AuditBind,
) -> sqlx::query::QueryScalar<'q, Sqlite, i64, sqlx::sqlite::SqliteArguments<'q>> {
    match b {
        AuditBind::Text(t) => q.bind(t.clone()),
        AuditBind::Int(i) => q.bind(*i),
    }
}

fn audit_where(f: &AuditFilter) -> (String, Vec<AuditBind>) {
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    if let Some(a) = &f.actor {
        parts.push("actor = ?");
        binds.push(AuditBind::Text(a.clone()));
    }
    if let Some(a) = &f.action {
        parts.push("action = ?");
        binds.push(AuditBind::Text(a.clone()));
    }
    if let Some(t) = &f.target {
        parts.push("target = ?");
        binds.push(AuditBind::Text(t.clone()));
    }
    if let Some(t) = f.from_ms {
        parts.push("time_ms >= ?");
        binds.push(AuditBind::Int(t));
    }
    if let Some(t) = f.to_ms {
        parts.push("time_ms < ?");
        binds.push(AuditBind::Int(t));
    }
    if parts.is_empty() {
        (String::new(), binds)
    } else {
        (format!(" WHERE {}", parts.join(" AND ")), binds)
    }
}

fn build(wire: SnapshotWire) -> StoreResult<Snapshot> {
    Snapshot::build(wire).map_err(|errors| {
        StoreError::Corrupt(
            errors
                .iter()
                .map(|v| format!("{}: {}", v.field, v.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// One write transaction; at most one runs at a time. Dropping it without
/// [`WriteTx::commit`] rolls everything back.
#[derive(Debug)]
pub struct WriteTx {
    _guard: OwnedMutexGuard<()>,
    tx: Transaction<'static, Sqlite>,
    cache: Arc<SnapshotCache>,
    wrote: bool,
}

impl WriteTx {
    /// The company as this transaction sees it.
    pub async fn snapshot(&mut self, now: DateTime<Utc>) -> StoreResult<Arc<Snapshot>> {
        // Under the write lock no commit can happen, so a snapshot of the
        // current generation is exactly what this transaction reads.
        if !self.wrote
            && let Some(s) = self.cache.current().await
        {
            return Ok(s);
        }
        let wire = load_snapshot(&mut self.tx, now).await?;
        Ok(Arc::new(build(wire)?))
    }

    pub async fn settings(&mut self) -> StoreResult<Settings> {
        load_settings(&mut self.tx).await
    }

    pub async fn commit(self) -> StoreResult<()> {
        let WriteTx {
            _guard,
            tx,
            cache,
            wrote,
        } = self;
        tx.commit().await?;
        if wrote {
            cache.bump().await;
        }
        Ok(())
    }

    pub async fn put_settings(&mut self, s: &Settings) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query(
            "INSERT INTO settings (id, company_id, rbac_enabled, limits) VALUES (1, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, rbac_enabled = excluded.rbac_enabled, limits = excluded.limits",
        )
        .bind(&s.company_id)
        .bind(s.rbac_enabled)
        .bind(json(&s.limits))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn insert_user(
        &mut self,
        id: &str,
        u: &UserWire,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
        by: Option<&str>,
    ) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query(
            "INSERT INTO users (email_key, id, email, first_name, last_name, enabled, roles, password_hash, created_ms, created_by, modified_ms, modified_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(u.email.to_lowercase())
        .bind(id)
        .bind(&u.email)
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(u.enabled)
        .bind(json(&u.roles))
        .bind(password_hash)
        .bind(ms(now))
        .bind(by)
        .bind(ms(now))
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn update_user(
        &mut self,
        u: &UserWire,
        now: DateTime<Utc>,
        by: &str,
    ) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query(
            "UPDATE users SET first_name = ?, last_name = ?, enabled = ?, roles = ?, modified_ms = ?, modified_by = ? WHERE email_key = ?",
        )
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(u.enabled)
        .bind(json(&u.roles))
        .bind(ms(now))
        .bind(by)
        .bind(u.email.to_lowercase())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Sets a password and ends every session of the user.
    pub async fn set_password(&mut self, email_key: &str, hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE email_key = ?")
            .bind(email_key)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("UPDATE users SET password_hash = ? WHERE email_key = ?")
            .bind(hash)
            .bind(email_key)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Deletes a user, and their memberships and reviewer assignments.
    pub async fn delete_user(&mut self, email_key: &str, now: DateTime<Utc>) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query("DELETE FROM users WHERE email_key = ?")
            .bind(email_key)
            .execute(&mut *self.tx)
            .await?;
        let groups = sqlx::query("SELECT id, members FROM groups")
            .fetch_all(&mut *self.tx)
            .await?;
        for r in &groups {
            let mut members: Vec<interim_policy::wire::GroupMemberWire> =
                parse(&r.get::<String, _>(1), "groups.members")?;
            let before = members.len();
            members.retain(|m| m.email.to_lowercase() != email_key);
            if members.len() != before {
                sqlx::query("UPDATE groups SET members = ? WHERE id = ?")
                    .bind(json(&members))
                    .bind(r.get::<String, _>(0))
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        // Their requests and delegations go too (the audit log keeps their
        // history): nothing of theirs may pass to a later account. So do the
        // notifications of their requests, and mail not yet sent to them.
        sqlx::query("DELETE FROM notifications WHERE request_id IN (SELECT id FROM access_requests WHERE lower(requester) = ?) OR (channel = 'email' AND lower(recipient) = ? AND status <> 'delivered')")
            .bind(email_key)
            .bind(email_key)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM access_requests WHERE lower(requester) = ?")
            .bind(email_key)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM delegations WHERE lower(from_email) = ? OR lower(to_email) = ?")
            .bind(email_key)
            .bind(email_key)
            .execute(&mut *self.tx)
            .await?;
        // A deleted user's grants must not pass to a later account with the
        // same address: strip them, and delete grants left with nobody.
        let grants = sqlx::query("SELECT id, user_emails FROM grants WHERE deleted_ms IS NULL")
            .fetch_all(&mut *self.tx)
            .await?;
        for r in &grants {
            let mut emails: Vec<String> = parse(&r.get::<String, _>(1), "grants.user_emails")?;
            let before = emails.len();
            emails.retain(|e| e.to_lowercase() != email_key);
            if emails.len() == before {
                continue;
            }
            let id: String = r.get(0);
            if emails.is_empty() {
                sqlx::query("UPDATE grants SET deleted_ms = ?, deleted_by = 'system' WHERE id = ? AND deleted_ms IS NULL")
                    .bind(ms(now))
                    .bind(&id)
                    .execute(&mut *self.tx)
                    .await?;
            } else {
                sqlx::query("UPDATE grants SET user_emails = ? WHERE id = ?")
                    .bind(json(&emails))
                    .bind(&id)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        let pools = sqlx::query("SELECT id, access_reviewers FROM agent_pools")
            .fetch_all(&mut *self.tx)
            .await?;
        for r in &pools {
            let mut reviewers: Vec<String> =
                parse(&r.get::<String, _>(1), "agent_pools.access_reviewers")?;
            let before = reviewers.len();
            reviewers.retain(|m| m.to_lowercase() != email_key);
            if reviewers.len() != before {
                sqlx::query("UPDATE agent_pools SET access_reviewers = ? WHERE id = ?")
                    .bind(json(&reviewers))
                    .bind(r.get::<String, _>(0))
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn record_login(&mut self, email_key: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET last_login_ms = ? WHERE email_key = ?")
            .bind(ms(now))
            .bind(email_key)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn put_pool(
        &mut self,
        p: &AgentPoolWire,
        now: DateTime<Utc>,
        by: Option<&str>,
    ) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query(
            "INSERT INTO agent_pools (id, name, description, request_settings, access_reviewers, created_ms, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
               request_settings = excluded.request_settings, access_reviewers = excluded.access_reviewers",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(&p.description)
        .bind(p.request_settings.as_ref().map(json))
        .bind(json(&p.access_reviewers))
        .bind(ms(now))
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn delete_group(&mut self, id: &str) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query("DELETE FROM groups WHERE id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn insert_api_key(
        &mut self,
        key: &ApiKeyRecord,
        token_hash: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_keys (id, token_hash, label, email_key, created_ms, expires_ms, scopes) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&key.id)
        .bind(token_hash)
        .bind(&key.label)
        .bind(&key.owner)
        .bind(key.created_ms)
        .bind(key.expires_ms)
        .bind(json(&key.scopes))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Revokes a key; false when there was none.
    pub async fn revoke_api_key(&mut self, id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL")
                .bind(ms(now))
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn relabel_api_key(&mut self, id: &str, label: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE api_keys SET label = ? WHERE id = ? AND revoked_ms IS NULL")
            .bind(label)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_pool(&mut self, id: &str) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query("DELETE FROM agent_pools WHERE id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM notifications WHERE request_id IN (SELECT id FROM access_requests WHERE agent_pool_id = ?)")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM access_requests WHERE agent_pool_id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn put_group(
        &mut self,
        g: &GroupWire,
        now: DateTime<Utc>,
        by: Option<&str>,
    ) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query(
            "INSERT INTO groups (id, name, agent_pool_ids, roles, members, request_overrides, created_ms, created_by, modified_ms, modified_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, agent_pool_ids = excluded.agent_pool_ids, roles = excluded.roles,
               members = excluded.members, request_overrides = excluded.request_overrides,
               modified_ms = excluded.modified_ms, modified_by = excluded.modified_by",
        )
        .bind(&g.id)
        .bind(&g.name)
        .bind(json(&g.agent_pool_ids))
        .bind(json(&g.roles))
        .bind(json(&g.members))
        .bind(json(&g.request_overrides))
        .bind(ms(now))
        .bind(by)
        .bind(ms(now))
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn insert_grant(&mut self, g: &TempAccess) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query(
            "INSERT INTO grants (id, name, agent_pool_ids, user_emails, roles, incident_id, created_ms, created_by, expires_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&g.id)
        .bind(&g.name)
        .bind(json(&g.agent_pool_ids))
        .bind(json(&g.user_emails))
        .bind(json(&g.roles))
        .bind(&g.incident_id)
        .bind(ms(g.created_at))
        .bind(&g.created_by)
        .bind(ms(g.expiration_date))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Marks a grant deleted; false when there was none to delete.
    pub async fn delete_grant(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StoreResult<bool> {
        self.wrote = true;
        let done = sqlx::query(
            "UPDATE grants SET deleted_ms = ?, deleted_by = ? WHERE id = ? AND deleted_ms IS NULL",
        )
        .bind(ms(now))
        .bind(by)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_request(&mut self, r: &AccessRequestWire) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query(
            "INSERT INTO access_requests (id, requester, agent_pool_id, status, approval, requested_minutes, reason, ticket_ref, created_ms, approved_ms, ends_ms, decided_by, modified_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.id)
        .bind(&r.requester)
        .bind(&r.agent_pool_id)
        .bind(enum_text(&r.status))
        .bind(enum_text(&r.approval))
        .bind(r.requested_minutes)
        .bind(&r.reason)
        .bind(&r.ticket_ref)
        .bind(ms(r.created_at))
        .bind(r.approved_at.map(ms))
        .bind(r.ends_at.map(ms))
        .bind(&r.decided_by)
        .bind(ms(r.created_at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Moves a request from `from` to its new state; false when it was no
    /// longer in `from` (another writer got there first).
    pub async fn transition_request(
        &mut self,
        t: &interim_policy::request::TransitionOutcome,
        by: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.wrote = true;
        let done = sqlx::query(
            "UPDATE access_requests SET status = ?, approved_ms = COALESCE(?, approved_ms), ends_ms = COALESCE(?, ends_ms),
             decided_by = COALESCE(?, decided_by), comment = COALESCE(?, comment), modified_ms = ? WHERE id = ? AND status = ?",
        )
        .bind(enum_text(&t.to))
        .bind(t.approved_at.map(ms))
        .bind(t.ends_at.map(ms))
        .bind(by)
        .bind(&t.comment)
        .bind(ms(now))
        .bind(&t.request_id)
        .bind(enum_text(&t.from))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records one delivery attempt (through the one writer, like every
    /// write): delivered, or failed with the error and
    /// the next attempt (`None`: given up, the notification is `failed`).
    pub async fn record_attempt(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
        outcome: Result<(), (&str, Option<DateTime<Utc>>)>,
    ) -> StoreResult<()> {
        match outcome {
            Ok(()) => sqlx::query("UPDATE notifications SET status = 'delivered', attempts = attempts + 1, delivered_ms = ?, last_error = NULL WHERE id = ? AND status = 'pending'")
                .bind(ms(now))
                .bind(id),
            Err((error, next)) => sqlx::query("UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_ms = COALESCE(?, next_attempt_ms) WHERE id = ? AND status = 'pending'")
                .bind(if next.is_some() { "pending" } else { "failed" })
                .bind(error)
                .bind(next.map(ms))
                .bind(id),
        }
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Holds a pending notification until `next` without counting an
    /// attempt (its receiver is down: it waits with the one that failed).
    pub async fn defer_notification(&mut self, id: &str, next: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET next_attempt_ms = max(next_attempt_ms, ?) WHERE id = ? AND status = 'pending'")
            .bind(ms(next))
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Sends a pending or failed notification again at `now`, with a fresh
    /// allowance of attempts; false when there is none by that id or it was
    /// delivered.
    pub async fn retry_notification(&mut self, id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_ms = ? WHERE id = ? AND status <> 'delivered'")
            .bind(ms(now))
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a notification in the outbox, in this transaction: it is
    /// stored exactly when the change it tells of is.
    pub async fn enqueue_notification(&mut self, n: &Notification) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notifications (id, event, request_id, channel, recipient, subject, body, status, attempts, next_attempt_ms, created_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        )
        .bind(&n.id)
        .bind(&n.event)
        .bind(&n.request_id)
        .bind(&n.channel)
        .bind(&n.recipient)
        .bind(&n.subject)
        .bind(&n.body)
        .bind(ms(n.created_at))
        .bind(ms(n.created_at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn insert_delegation(
        &mut self,
        id: &str,
        d: &DelegationWire,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.wrote = true;
        sqlx::query("INSERT INTO delegations (id, from_email, to_email, starts_ms, ends_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(id)
            .bind(&d.from)
            .bind(&d.to)
            .bind(ms(d.starts_at))
            .bind(ms(d.ends_at))
            .bind(ms(now))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Ends a delegation at once; false when there was none.
    pub async fn delete_delegation(&mut self, id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        self.wrote = true;
        let done = sqlx::query(
            "UPDATE delegations SET deleted_ms = ? WHERE id = ? AND deleted_ms IS NULL",
        )
        .bind(ms(now))
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a grant's expiry as written to the audit log; false if another
    /// sweep (or a delete) got there first.
    pub async fn mark_expiry_logged(&mut self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE grants SET expiry_logged = 1 WHERE id = ? AND expiry_logged = 0 AND deleted_ms IS NULL")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        email_key: &str,
        csrf: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, email_key, csrf, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)")
            .bind(token_hash)
            .bind(email_key)
            .bind(csrf)
            .bind(ms(now))
            .bind(ms(expires))
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_ms <= ?")
            .bind(ms(now))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Appends an event to the hash chain.
    pub async fn audit(&mut self, event: NewEvent) -> StoreResult<AuditEvent> {
        let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *self.tx)
            .await?;
        let (seq, prev): (i64, String) = match last {
            Some(r) => (r.get::<i64, _>(0) + 1, r.get(1)),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let sealed = seal(event, u64::try_from(seq).unwrap_or_default(), &prev);
        sqlx::query(
            "INSERT INTO audit_events (seq, time_ms, actor, action, target, details, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(ms(sealed.time))
        .bind(&sealed.actor)
        .bind(sealed.action.as_str())
        .bind(&sealed.target)
        .bind(json(&sealed.details))
        .bind(&sealed.reason)
        .bind(&sealed.prev_hash)
        .bind(&sealed.hash)
        .execute(&mut *self.tx)
        .await?;
        Ok(sealed)
    }

    /// Writes a whole company (seeding a new database).
    pub async fn import(
        &mut self,
        wire: &SnapshotWire,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.put_settings(&Settings {
            company_id: wire.company_id.clone(),
            rbac_enabled: wire.rbac_enabled,
            limits: wire.limits,
        })
        .await?;
        for (i, u) in wire.users.iter().enumerate() {
            self.insert_user(
                &format!("user-{i}-{}", ms(now)),
                u,
                password_hash,
                now,
                None,
            )
            .await?;
        }
        for p in &wire.agent_pools {
            self.put_pool(p, now, None).await?;
        }
        for g in &wire.groups {
            self.put_group(g, now, None).await?;
        }
        for g in &wire.grants {
            self.insert_grant(g).await?;
        }
        for r in &wire.requests {
            self.insert_request(r).await?;
        }
        for (i, d) in wire.delegations.iter().enumerate() {
            self.insert_delegation(&format!("imported-{i}"), d, now)
                .await?;
        }
        Ok(())
    }
}

const USER_COLUMNS: &str = "SELECT id, email, first_name, last_name, enabled, roles, created_ms, created_by, modified_ms, modified_by, last_login_ms FROM users ORDER BY email_key";
const USER_COLUMNS_WHERE: &str = "SELECT id, email, first_name, last_name, enabled, roles, created_ms, created_by, modified_ms, modified_by, last_login_ms FROM users WHERE email_key = ?";
const POOL_COLUMNS: &str = "SELECT id, name, description, request_settings, access_reviewers, created_ms, created_by FROM agent_pools ORDER BY name, id";
const GRANT_COLUMNS: &str = "SELECT id, name, agent_pool_ids, user_emails, roles, incident_id, created_ms, created_by, expires_ms FROM grants";
const AUDIT_COLUMNS: &str = "SELECT seq, time_ms, actor, action, target, details, reason, prev_hash, hash FROM audit_events";

fn user_record(r: &SqliteRow) -> StoreResult<UserRecord> {
    let roles: Vec<Role> = parse(&r.get::<String, _>(5), "users.roles")?;
    Ok(UserRecord {
        id: r.get(0),
        wire: UserWire {
            email: r.get(1),
            first_name: r.get(2),
            last_name: r.get(3),
            enabled: r.get(4),
            roles,
        },
        created_ms: r.get(6),
        created_by: r.get(7),
        modified_ms: r.get(8),
        modified_by: r.get(9),
        last_login_ms: r.get(10),
    })
}

fn pool_record(r: &SqliteRow) -> StoreResult<PoolRecord> {
    let settings: Option<String> = r.get(3);
    Ok(PoolRecord {
        wire: AgentPoolWire {
            id: r.get(0),
            name: r.get(1),
            description: r.get(2),
            request_settings: settings
                .map(|s| parse(&s, "agent_pools.request_settings"))
                .transpose()?,
            access_reviewers: parse(&r.get::<String, _>(4), "agent_pools.access_reviewers")?,
        },
        created_ms: r.get(5),
        created_by: r.get(6),
    })
}

fn grant_row(r: &SqliteRow) -> StoreResult<TempAccess> {
    Ok(TempAccess {
        id: r.get(0),
        name: r.get(1),
        agent_pool_ids: parse(&r.get::<String, _>(2), "grants.agent_pool_ids")?,
        user_emails: parse(&r.get::<String, _>(3), "grants.user_emails")?,
        roles: parse(&r.get::<String, _>(4), "grants.roles")?,
        incident_id: r.get(5),
        created_at: from_ms(r.get(6)),
        created_by: r.get(7),
        expiration_date: from_ms(r.get(8)),
    })
}

fn audit_row(r: &SqliteRow) -> StoreResult<AuditEvent> {
    let action: String = r.get(3);
    Ok(AuditEvent {
        seq: u64::try_from(r.get::<i64, _>(0)).unwrap_or_default(),
        time: from_ms(r.get(1)),
        actor: r.get(2),
        action: parse::<AuditAction>(&json(&action), "audit_events.action")?,
        target: r.get(4),
        details: parse(&r.get::<String, _>(5), "audit_events.details")?,
        reason: r.get(6),
        prev_hash: r.get(7),
        hash: r.get(8),
    })
}

fn group_wire(r: &SqliteRow) -> StoreResult<GroupWire> {
    Ok(GroupWire {
        id: r.get(0),
        name: r.get(1),
        agent_pool_ids: parse(&r.get::<String, _>(2), "groups.agent_pool_ids")?,
        roles: parse(&r.get::<String, _>(3), "groups.roles")?,
        members: parse(&r.get::<String, _>(4), "groups.members")?,
        request_overrides: parse(&r.get::<String, _>(5), "groups.request_overrides")?,
    })
}

async fn load_settings(conn: &mut sqlx::SqliteConnection) -> StoreResult<Settings> {
    let row = sqlx::query("SELECT company_id, rbac_enabled, limits FROM settings WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Settings {
            company_id: r.get(0),
            rbac_enabled: r.get(1),
            limits: parse(&r.get::<String, _>(2), "settings.limits")?,
        }),
        None => Ok(Settings {
            company_id: "company".to_owned(),
            rbac_enabled: true,
            limits: Limits::SEED,
        }),
    }
}

async fn load_snapshot(
    conn: &mut sqlx::SqliteConnection,
    now: DateTime<Utc>,
) -> StoreResult<SnapshotWire> {
    let settings = load_settings(conn).await?;
    let users = sqlx::query(USER_COLUMNS)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(user_record)
        .collect::<StoreResult<Vec<_>>>()?;
    let pools = sqlx::query(POOL_COLUMNS)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(pool_record)
        .collect::<StoreResult<Vec<_>>>()?;
    let group_rows = sqlx::query("SELECT id, name, agent_pool_ids, roles, members, request_overrides FROM groups ORDER BY name, id")
        .fetch_all(&mut *conn)
        .await?;
    let groups = group_rows
        .iter()
        .map(group_wire)
        .collect::<StoreResult<Vec<_>>>()?;
    let keep_from = ms(now) - EXPIRED_GRANTS_KEPT_DAYS * 24 * 3_600_000;
    let grants = sqlx::query(&format!(
        "{GRANT_COLUMNS} WHERE deleted_ms IS NULL AND expires_ms > ? ORDER BY created_ms, id"
    ))
    .bind(keep_from)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(grant_row)
    .collect::<StoreResult<Vec<_>>>()?;
    Ok(SnapshotWire {
        company_id: settings.company_id,
        rbac_enabled: settings.rbac_enabled,
        limits: settings.limits,
        users: users.into_iter().map(|u| u.wire).collect(),
        agent_pools: pools.into_iter().map(|p| p.wire).collect(),
        groups,
        grants,
        requests: load_requests(conn, Some(keep_from)).await?,
        delegations: sqlx::query(&format!(
            "{DELEGATION_COLUMNS} WHERE deleted_ms IS NULL AND ends_ms > ? ORDER BY starts_ms, id"
        ))
        .bind(keep_from)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| delegation_row(r).map(|(_, d)| d))
        .collect::<StoreResult<Vec<_>>>()?,
    })
}

const REQUEST_COLUMNS: &str = "SELECT id, requester, agent_pool_id, status, approval, requested_minutes, reason, ticket_ref, created_ms, approved_ms, ends_ms, decided_by, comment FROM access_requests";
const DELEGATION_COLUMNS: &str =
    "SELECT id, from_email, to_email, starts_ms, ends_ms FROM delegations";

/// Requests: every open one, and those of the last days when `keep_from`
/// is given (so an ended request can still explain itself); all otherwise.
async fn load_requests(
    conn: &mut sqlx::SqliteConnection,
    keep_from: Option<i64>,
) -> StoreResult<Vec<AccessRequestWire>> {
    let rows = match keep_from {
        Some(from) => {
            sqlx::query(&format!("{REQUEST_COLUMNS} WHERE status IN ('pending', 'approved') OR created_ms > ? OR ends_ms > ? ORDER BY created_ms, id"))
                .bind(from)
                .bind(from)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            sqlx::query(&format!("{REQUEST_COLUMNS} ORDER BY created_ms DESC, id"))
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.iter()
        .map(|r| request_row(r).map(|(w, _)| w))
        .collect()
}

/// A notification of the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    /// `request.created`, `request.approved`, …
    pub event: String,
    pub request_id: String,
    /// `webhook` or `email`.
    pub channel: String,
    /// The webhook's URL or the e-mail address.
    pub recipient: String,
    pub subject: String,
    /// The webhook's JSON, or the mail's text.
    pub body: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

const NOTIFICATION_COLUMNS: &str = "SELECT id, event, request_id, channel, recipient, subject, body, status, attempts, next_attempt_ms, last_error, created_ms, delivered_ms FROM notifications";

fn notification_row(r: &SqliteRow) -> StoreResult<Notification> {
    Ok(Notification {
        id: r.try_get(0)?,
        event: r.try_get(1)?,
        request_id: r.try_get(2)?,
        channel: r.try_get(3)?,
        recipient: r.try_get(4)?,
        subject: r.try_get(5)?,
        body: r.try_get(6)?,
        status: r.try_get(7)?,
        attempts: r.try_get(8)?,
        next_attempt_at: from_ms(r.try_get(9)?),
        last_error: r.try_get(10)?,
        created_at: from_ms(r.try_get(11)?),
        delivered_at: r.try_get::<Option<i64>, _>(12)?.map(from_ms),
    })
}

fn enum_text<T: serde::Serialize>(v: &T) -> String {
    json(v).trim_matches('"').to_owned()
}

fn request_row(r: &SqliteRow) -> StoreResult<(AccessRequestWire, Option<String>)> {
    Ok((
        AccessRequestWire {
            id: r.get(0),
            requester: r.get(1),
            agent_pool_id: r.get(2),
            status: parse(&json(&r.get::<String, _>(3)), "access_requests.status")?,
            approval: parse(&json(&r.get::<String, _>(4)), "access_requests.approval")?,
            requested_minutes: r.get(5),
            reason: r.get(6),
            ticket_ref: r.get(7),
            created_at: from_ms(r.get(8)),
            approved_at: r.get::<Option<i64>, _>(9).map(from_ms),
            ends_at: r.get::<Option<i64>, _>(10).map(from_ms),
            decided_by: r.get(11),
        },
        r.get(12),
    ))
}

fn delegation_row(r: &SqliteRow) -> StoreResult<(String, DelegationWire)> {
    Ok((
        r.get(0),
        DelegationWire {
            from: r.get(1),
            to: r.get(2),
            starts_at: from_ms(r.get(3)),
            ends_at: from_ms(r.get(4)),
        },
    ))
}
