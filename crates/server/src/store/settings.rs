//! The company's settings: its id and name, whether roles are enforced,
//! its limits.

use interim_policy::limits::Limits;
use sqlx::{Row, SqliteConnection};

use super::cache::{GENERATION_COLUMNS, Generations};
use super::{Store, StoreResult, WriteTx, json, parse};

/// The company's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub company_id: String,
    /// What people call the company; empty until an admin names it.
    pub company_name: String,
    pub rbac_enabled: bool,
    pub limits: Limits,
}

pub(super) async fn load(conn: &mut SqliteConnection) -> StoreResult<Settings> {
    Ok(load_with_generation(conn).await?.1)
}

/// The settings and the stored generations, in one query (the company's
/// read starts with it).
pub(super) async fn load_with_generation(
    conn: &mut SqliteConnection,
) -> StoreResult<(Generations, Settings)> {
    let r = sqlx::query(&format!(
        "SELECT {GENERATION_COLUMNS}, s.company_id, s.rbac_enabled, s.limits, s.company_name
         FROM generation g LEFT JOIN settings s ON s.id = 1 WHERE g.id = 1",
    ))
    .fetch_one(&mut *conn)
    .await?;
    let generations = Generations::of_row(&r)?;
    let settings = match r.try_get::<Option<String>, _>(10)? {
        Some(company_id) => Settings {
            company_id,
            rbac_enabled: r.try_get(11)?,
            limits: parse(&r.try_get::<String, _>(12)?, "settings.limits")?,
            company_name: r.try_get(13)?,
        },
        None => Settings {
            company_id: "company".to_owned(),
            company_name: String::new(),
            rbac_enabled: true,
            limits: Limits::SEED,
        },
    };
    Ok((generations, settings))
}

impl Store {
    /// Whether the company has been set up (settings exist).
    pub async fn is_initialized(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Whether every migration this release carries is applied.
    pub async fn schema_is_current(&self) -> StoreResult<bool> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
                .fetch_all(&self.pool)
                .await?;
        Ok(sqlx::migrate!("./migrations")
            .iter()
            .all(|m| applied.contains(&m.version)))
    }

    pub async fn settings(&self) -> StoreResult<Settings> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn).await
    }
}

impl WriteTx {
    pub async fn settings(&mut self) -> StoreResult<Settings> {
        load(self.c()).await
    }

    pub async fn put_settings(&mut self, s: &Settings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (id, company_id, rbac_enabled, limits, company_name) VALUES (1, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, rbac_enabled = excluded.rbac_enabled, limits = excluded.limits, company_name = excluded.company_name",
        )
        .bind(&s.company_id)
        .bind(s.rbac_enabled)
        .bind(json(&s.limits))
        .bind(&s.company_name)
        .execute(self.c())
        .await?;
        self.written.settings(s);
        Ok(())
    }
}
