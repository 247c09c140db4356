//! Agent pools and their access reviewers (`agent_pools`,
//! `pool_reviewers`).

use chrono::{DateTime, Utc};
use interim_policy::wire::AgentPoolWire;
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, json, key, lists, ms, parse};

/// A pool row beyond what the snapshot carries.
#[derive(Clone, Debug)]
pub struct PoolRecord {
    pub wire: AgentPoolWire,
    pub created_ms: i64,
    pub created_by: Option<String>,
    /// Whether the pool's agents may connect (`detach-agents`).
    pub agents_enabled: bool,
}

/// Every pool, by name, with its reviewers in one query (as a JSON array).
pub(super) async fn load_all(conn: &mut SqliteConnection) -> StoreResult<Vec<PoolRecord>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.description, p.request_settings, p.created_ms, p.created_by,
            (SELECT json_group_array(r.email ORDER BY r.position) FROM pool_reviewers r WHERE r.pool_id = p.id),
            p.agents_enabled
         FROM agent_pools p ORDER BY p.name, p.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let settings: Option<String> = r.try_get(3)?;
            Ok(PoolRecord {
                wire: AgentPoolWire {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    description: r.try_get(2)?,
                    request_settings: settings
                        .map(|s| parse(&s, "agent_pools.request_settings"))
                        .transpose()?,
                    access_reviewers: lists::parsed(r, 6, "pool_reviewers")?,
                },
                created_ms: r.try_get(4)?,
                created_by: r.try_get(5)?,
                agents_enabled: r.try_get(7)?,
            })
        })
        .collect()
}

/// Replaces a pool's access reviewers.
pub(super) async fn put_reviewers(
    conn: &mut SqliteConnection,
    pool: &str,
    reviewers: &[String],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM pool_reviewers WHERE pool_id = ?")
        .bind(pool)
        .execute(&mut *conn)
        .await?;
    for (i, email) in reviewers.iter().enumerate() {
        sqlx::query(
            "INSERT INTO pool_reviewers (pool_id, position, email, email_key) VALUES (?, ?, ?, ?)",
        )
        .bind(pool)
        .bind(lists::position(i))
        .bind(email)
        .bind(key(email))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    pub async fn pools(&self) -> StoreResult<Vec<PoolRecord>> {
        let mut conn = self.pool.acquire().await?;
        load_all(&mut conn).await
    }
}

impl WriteTx {
    /// Creates a pool or replaces what it says (its creation is kept).
    pub async fn put_pool(
        &mut self,
        p: &AgentPoolWire,
        now: DateTime<Utc>,
        by: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agent_pools (id, name, description, request_settings, created_ms, created_by) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
               request_settings = excluded.request_settings",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(&p.description)
        .bind(p.request_settings.as_ref().map(json))
        .bind(ms(now))
        .bind(by)
        .execute(self.c())
        .await?;
        put_reviewers(self.c(), &p.id, &p.access_reviewers).await
    }

    /// Lets a pool's agents connect, or detaches them; whether it changed.
    pub async fn set_agents_enabled(&mut self, id: &str, enabled: bool) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE agent_pools SET agents_enabled = ? WHERE id = ? AND agents_enabled IS NOT ?",
        )
        .bind(enabled)
        .bind(id)
        .bind(enabled)
        .execute(self.c())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a pool; its requests (and their notifications), reviewer
    /// assignments and group assignments go with it.
    pub async fn delete_pool(&mut self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM notifications WHERE request_id IN (SELECT id FROM access_requests WHERE agent_pool_id = ?)")
            .bind(id)
            .execute(self.c())
            .await?;
        sqlx::query("DELETE FROM access_requests WHERE agent_pool_id = ?")
            .bind(id)
            .execute(self.c())
            .await?;
        sqlx::query("DELETE FROM agent_pools WHERE id = ?")
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }
}
