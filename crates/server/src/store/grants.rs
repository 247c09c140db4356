//! Temporary access grants with their pools, users and roles
//! (`grants`, `grant_pools`, `grant_users`, `grant_roles`). A grant is
//! never edited: it is inserted, and later marked deleted.

use chrono::{DateTime, Utc};
use interim_policy::wire::TempAccess;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, from_ms, json, key, lists, ms, name_of};

/// A grant's columns and lists in one query: pools, users and roles come
/// back as JSON arrays in their order.
const COLUMNS: &str = "SELECT g.id, g.name, g.incident_id, g.created_ms, g.created_by, g.expires_ms,
    (SELECT json_group_array(p.pool_id ORDER BY p.position) FROM grant_pools p WHERE p.grant_id = g.id),
    (SELECT json_group_array(u.email ORDER BY u.position) FROM grant_users u WHERE u.grant_id = g.id),
    (SELECT json_group_array(r.role ORDER BY r.position) FROM grant_roles r WHERE r.grant_id = g.id)
    FROM grants g";

/// Grants matching `filter` (a condition over `grants`, with `bound` bound
/// to its one parameter when given) in `order`, with their lists.
async fn load(
    conn: &mut SqliteConnection,
    filter: &str,
    order: &str,
    bound: Option<i64>,
) -> StoreResult<Vec<TempAccess>> {
    let sql = format!("{COLUMNS} WHERE {filter} ORDER BY {order}");
    let mut q = sqlx::query(&sql);
    if let Some(b) = bound {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(grant_row).collect()
}

/// A grant read by [`COLUMNS`].
fn grant_row(r: &SqliteRow) -> StoreResult<TempAccess> {
    Ok(TempAccess {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        incident_id: r.try_get(2)?,
        created_at: from_ms(r.try_get(3)?),
        created_by: r.try_get(4)?,
        expiration_date: from_ms(r.try_get(5)?),
        agent_pool_ids: lists::parsed(r, 6, "grant_pools")?,
        user_emails: lists::parsed(r, 7, "grant_users")?,
        roles: lists::parsed(r, 8, "grant_roles")?,
    })
}

/// The grants the snapshot holds: not deleted, and active at the bound or
/// later (recently expired ones stay, to explain them).
const HELD: &str = "g.deleted_ms IS NULL AND g.expires_ms > ?";

/// Every grant the snapshot holds ([`HELD`]), oldest first.
pub(super) async fn load_recent(
    conn: &mut SqliteConnection,
    keep_from: i64,
) -> StoreResult<Vec<TempAccess>> {
    load(conn, HELD, "g.created_ms, g.id", Some(keep_from)).await
}

/// The snapshot's part of the grants changed after row `since` of
/// `changes`: each as it now is, or `None` when no longer held (as
/// [`load_recent`] would choose).
pub(super) async fn load_changed(
    conn: &mut SqliteConnection,
    since: u64,
    keep_from: i64,
) -> StoreResult<Vec<(String, Option<TempAccess>)>> {
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let changed: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT id FROM changes WHERE seq > ? AND kind = 'grant'")
            .bind(since)
            .fetch_all(&mut *conn)
            .await?;
    let sql = format!(
        "{COLUMNS} WHERE g.id IN (SELECT id FROM changes WHERE seq > ? AND kind = 'grant')
         AND {HELD} ORDER BY g.created_ms, g.id"
    );
    let rows = sqlx::query(&sql)
        .bind(since)
        .bind(keep_from)
        .fetch_all(&mut *conn)
        .await?;
    let held = rows
        .iter()
        .map(grant_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(super::company::as_changes(changed, held, |g| &g.id))
}

/// Writes a new grant's lists: pools, users, roles.
pub(super) async fn put_lists(conn: &mut SqliteConnection, g: &TempAccess) -> StoreResult<()> {
    for (i, pool) in g.agent_pool_ids.iter().enumerate() {
        sqlx::query("INSERT INTO grant_pools (grant_id, position, pool_id) VALUES (?, ?, ?)")
            .bind(&g.id)
            .bind(lists::position(i))
            .bind(pool)
            .execute(&mut *conn)
            .await?;
    }
    for (i, email) in g.user_emails.iter().enumerate() {
        sqlx::query(
            "INSERT INTO grant_users (grant_id, position, email, email_key) VALUES (?, ?, ?, ?)",
        )
        .bind(&g.id)
        .bind(lists::position(i))
        .bind(email)
        .bind(key(email))
        .execute(&mut *conn)
        .await?;
    }
    for (i, role) in g.roles.iter().enumerate() {
        sqlx::query("INSERT INTO grant_roles (grant_id, position, role) VALUES (?, ?, ?)")
            .bind(&g.id)
            .bind(lists::position(i))
            .bind(name_of(role))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Grants not deleted (active or not), newest first.
    pub async fn live_grants(&self) -> StoreResult<Vec<TempAccess>> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, "g.deleted_ms IS NULL", "g.created_ms DESC", None).await
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
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }
}

impl WriteTx {
    /// Writes a new grant with its lists, in one statement (the
    /// `grant_writes` view's trigger fills the list tables).
    pub async fn insert_grant(&mut self, g: &TempAccess) -> StoreResult<()> {
        let users: Vec<[String; 2]> = g.user_emails.iter().map(|e| [e.clone(), key(e)]).collect();
        sqlx::query(
            "INSERT INTO grant_writes (id, name, incident_id, created_ms, created_by, expires_ms, pools, users, roles)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&g.id)
        .bind(&g.name)
        .bind(&g.incident_id)
        .bind(ms(g.created_at))
        .bind(&g.created_by)
        .bind(ms(g.expiration_date))
        .bind(json(&g.agent_pool_ids))
        .bind(json(&users))
        .bind(json(&g.roles))
        .execute(self.c())
        .await?;
        self.written.grant(&g.id, Some(g));
        Ok(())
    }

    /// Marks a grant deleted; false when there was none to delete.
    pub async fn delete_grant(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE grants SET deleted_ms = ?, deleted_by = ? WHERE id = ? AND deleted_ms IS NULL",
        )
        .bind(ms(now))
        .bind(by)
        .bind(id)
        .execute(self.c())
        .await?;
        let deleted = done.rows_affected() == 1;
        if deleted {
            self.written.grant(id, None);
        }
        Ok(deleted)
    }

    /// Marks a grant's expiry as written to the audit log; false if another
    /// sweep (or a delete) got there first.
    pub async fn mark_expiry_logged(&mut self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE grants SET expiry_logged = 1 WHERE id = ? AND expiry_logged = 0 AND deleted_ms IS NULL")
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
