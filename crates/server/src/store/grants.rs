//! Temporary access grants with their pools, users and roles
//! (`grants`, `grant_pools`, `grant_users`, `grant_roles`). A grant is
//! never edited: it is inserted, and later marked deleted.

use chrono::{DateTime, Utc};
use interim_policy::wire::TempAccess;
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, from_ms, from_name, key, lists, ms, name_of};

const COLUMNS: &str =
    "SELECT id, name, incident_id, created_ms, created_by, expires_ms FROM grants";

/// Grants matching `filter` (a condition over `grants`, with `bound` bound
/// to its one parameter when given) in `order`, with their lists.
async fn load(
    conn: &mut SqliteConnection,
    filter: &str,
    order: &str,
    bound: Option<i64>,
) -> StoreResult<Vec<TempAccess>> {
    // From the grants the filter picks (by its index) to their rows by
    // key: never a scan of every list row of every grant ever made.
    let list = |table: &str, column: &str| {
        format!(
            "SELECT l.grant_id, l.{column} FROM grants JOIN {table} l ON l.grant_id = grants.id WHERE {filter} ORDER BY l.grant_id, l.position"
        )
    };
    let mut pools = lists::by_owner(conn, &list("grant_pools", "pool_id"), bound).await?;
    let mut users = lists::by_owner(conn, &list("grant_users", "email"), bound).await?;
    let mut roles = lists::by_owner(conn, &list("grant_roles", "role"), bound).await?;
    let sql = format!("{COLUMNS} WHERE {filter} ORDER BY {order}");
    let mut q = sqlx::query(&sql);
    if let Some(b) = bound {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get(0)?;
            Ok(TempAccess {
                agent_pool_ids: pools.remove(&id).unwrap_or_default(),
                user_emails: users.remove(&id).unwrap_or_default(),
                roles: roles
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| from_name(n, "grant_roles.role"))
                    .collect::<StoreResult<_>>()?,
                id,
                name: r.try_get(1)?,
                incident_id: r.try_get(2)?,
                created_at: from_ms(r.try_get(3)?),
                created_by: r.try_get(4)?,
                expiration_date: from_ms(r.try_get(5)?),
            })
        })
        .collect()
}

/// Grants not deleted that were active at `keep_from` or later, oldest
/// first (the snapshot keeps recently expired ones to explain them).
pub(super) async fn load_recent(
    conn: &mut SqliteConnection,
    keep_from: i64,
) -> StoreResult<Vec<TempAccess>> {
    load(
        conn,
        "deleted_ms IS NULL AND expires_ms > ?",
        "created_ms, id",
        Some(keep_from),
    )
    .await
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
        load(&mut conn, "deleted_ms IS NULL", "created_ms DESC", None).await
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
    pub async fn insert_grant(&mut self, g: &TempAccess) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO grants (id, name, incident_id, created_ms, created_by, expires_ms)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&g.id)
        .bind(&g.name)
        .bind(&g.incident_id)
        .bind(ms(g.created_at))
        .bind(&g.created_by)
        .bind(ms(g.expiration_date))
        .execute(&mut *self.tx)
        .await?;
        put_lists(&mut self.tx, g).await
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
}
