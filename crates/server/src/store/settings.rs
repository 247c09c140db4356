//! The company's settings: its id, whether roles are enforced, its limits.

use interim_policy::limits::Limits;
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, json, parse};

/// The company's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub company_id: String,
    pub rbac_enabled: bool,
    pub limits: Limits,
}

pub(super) async fn load(conn: &mut SqliteConnection) -> StoreResult<Settings> {
    let row = sqlx::query("SELECT company_id, rbac_enabled, limits FROM settings WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Settings {
            company_id: r.try_get(0)?,
            rbac_enabled: r.try_get(1)?,
            limits: parse(&r.try_get::<String, _>(2)?, "settings.limits")?,
        }),
        None => Ok(Settings {
            company_id: "company".to_owned(),
            rbac_enabled: true,
            limits: Limits::SEED,
        }),
    }
}

impl Store {
    /// Whether the company has been set up (settings exist).
    pub async fn is_initialized(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    pub async fn settings(&self) -> StoreResult<Settings> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn).await
    }
}

impl WriteTx {
    pub async fn settings(&mut self) -> StoreResult<Settings> {
        load(&mut self.tx).await
    }

    pub async fn put_settings(&mut self, s: &Settings) -> StoreResult<()> {
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
}
