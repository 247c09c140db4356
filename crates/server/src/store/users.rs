//! Users and their roles (`users`, `user_roles`), found by the policy's
//! e-mail key.

use chrono::{DateTime, Utc};
use interim_policy::role::Role;
use interim_policy::wire::UserWire;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, key, lists, ms, name_of};

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

/// A user's columns and roles, in one query: the roles come back as one
/// JSON array in their order (a query costs more here than its rows).
const COLUMNS: &str = "SELECT u.email_key, u.id, u.email, u.first_name, u.last_name, u.enabled, u.created_ms, u.created_by, u.modified_ms, u.modified_by, u.last_login_ms,
    (SELECT json_group_array(r.role ORDER BY r.position) FROM user_roles r WHERE r.email_key = u.email_key)
    FROM users u";

fn record(r: &SqliteRow) -> StoreResult<UserRecord> {
    let roles: Vec<Role> = lists::parsed(r, 11, "user_roles")?;
    Ok(UserRecord {
        id: r.try_get(1)?,
        wire: UserWire {
            email: r.try_get(2)?,
            first_name: r.try_get(3)?,
            last_name: r.try_get(4)?,
            enabled: r.try_get(5)?,
            roles,
        },
        created_ms: r.try_get(6)?,
        created_by: r.try_get(7)?,
        modified_ms: r.try_get(8)?,
        modified_by: r.try_get(9)?,
        last_login_ms: r.try_get(10)?,
    })
}

/// Every user, by e-mail key.
pub(super) async fn load_all(conn: &mut SqliteConnection) -> StoreResult<Vec<UserRecord>> {
    let rows = sqlx::query(&format!("{COLUMNS} ORDER BY u.email_key"))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(record).collect()
}

/// Replaces a user's roles.
pub(super) async fn put_roles(
    conn: &mut SqliteConnection,
    email_key: &str,
    roles: &[Role],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_roles WHERE email_key = ?")
        .bind(email_key)
        .execute(&mut *conn)
        .await?;
    for (i, r) in roles.iter().enumerate() {
        sqlx::query("INSERT INTO user_roles (email_key, position, role) VALUES (?, ?, ?)")
            .bind(email_key)
            .bind(lists::position(i))
            .bind(name_of(r))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    pub async fn password_hash(&self, email_key: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT password_hash FROM users WHERE email_key = ?",
        )
        .bind(email_key)
        .fetch_optional(&self.pool)
        .await?
        .flatten())
    }

    /// One user by e-mail key.
    pub async fn user(&self, email_key: &str) -> StoreResult<Option<UserRecord>> {
        sqlx::query(&format!("{COLUMNS} WHERE u.email_key = ?"))
            .bind(email_key)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(record)
            .transpose()
    }

    pub async fn users(&self) -> StoreResult<Vec<UserRecord>> {
        let mut conn = self.pool.acquire().await?;
        load_all(&mut conn).await
    }
}

impl WriteTx {
    pub async fn insert_user(
        &mut self,
        id: &str,
        u: &UserWire,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
        by: Option<&str>,
    ) -> StoreResult<()> {
        let k = key(&u.email);
        sqlx::query(
            "INSERT INTO users (email_key, id, email, first_name, last_name, enabled, password_hash, created_ms, created_by, modified_ms, modified_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&k)
        .bind(id)
        .bind(&u.email)
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(u.enabled)
        .bind(password_hash)
        .bind(ms(now))
        .bind(by)
        .bind(ms(now))
        .bind(by)
        .execute(self.c())
        .await?;
        put_roles(self.c(), &k, &u.roles).await
    }

    pub async fn update_user(
        &mut self,
        u: &UserWire,
        now: DateTime<Utc>,
        by: &str,
    ) -> StoreResult<()> {
        let k = key(&u.email);
        sqlx::query(
            "UPDATE users SET first_name = ?, last_name = ?, enabled = ?, modified_ms = ?, modified_by = ? WHERE email_key = ?",
        )
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(u.enabled)
        .bind(ms(now))
        .bind(by)
        .bind(&k)
        .execute(self.c())
        .await?;
        put_roles(self.c(), &k, &u.roles).await
    }

    /// Sets a password and ends every session and activation link of the
    /// user.
    pub async fn set_password(&mut self, email_key: &str, hash: &str) -> StoreResult<()> {
        self.replace_password(email_key, hash, None).await
    }

    /// Sets a new password the person chose: ends their activation links
    /// and every session but `keep` (the one that made the change).
    pub async fn change_password(
        &mut self,
        email_key: &str,
        hash: &str,
        keep: &str,
    ) -> StoreResult<()> {
        self.replace_password(email_key, hash, Some(keep)).await
    }

    async fn replace_password(
        &mut self,
        email_key: &str,
        hash: &str,
        keep: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE email_key = ? AND token_hash IS NOT ?")
            .bind(email_key)
            .bind(keep)
            .execute(self.c())
            .await?;
        self.end_activations(email_key).await?;
        sqlx::query("UPDATE users SET password_hash = ? WHERE email_key = ?")
            .bind(hash)
            .bind(email_key)
            .execute(self.c())
            .await?;
        Ok(())
    }

    /// Deletes a user. The foreign keys take their roles, memberships,
    /// reviewer assignments, places in grants, requests, delegations,
    /// sessions and API keys with them: nothing of theirs may pass to a
    /// later account with the same address (the audit log keeps their
    /// history). A live grant left with nobody is deleted by the system.
    pub async fn delete_user(&mut self, email_key: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE grants SET deleted_ms = ?, deleted_by = 'system'
             WHERE deleted_ms IS NULL
               AND id IN (SELECT grant_id FROM grant_users WHERE email_key = ?)
               AND NOT EXISTS (SELECT 1 FROM grant_users o WHERE o.grant_id = grants.id AND o.email_key <> ?)",
        )
        .bind(ms(now))
        .bind(email_key)
        .bind(email_key)
        .execute(self.c())
        .await?;
        // The notifications of their requests, and mail not yet sent to them.
        sqlx::query(
            "DELETE FROM notifications
             WHERE request_id IN (SELECT id FROM access_requests WHERE requester_key = ?)
                OR (channel = 'email' AND recipient_key = ? AND status <> 'delivered')",
        )
        .bind(email_key)
        .bind(email_key)
        .execute(self.c())
        .await?;
        sqlx::query("DELETE FROM users WHERE email_key = ?")
            .bind(email_key)
            .execute(self.c())
            .await?;
        Ok(())
    }

    pub async fn record_login(&mut self, email_key: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET last_login_ms = ? WHERE email_key = ?")
            .bind(ms(now))
            .bind(email_key)
            .execute(self.c())
            .await?;
        Ok(())
    }
}
