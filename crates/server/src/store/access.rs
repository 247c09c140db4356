//! Who is signed in: sessions (with their CSRF tokens) and API keys, both
//! stored by the hash of their secret.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreResult, WriteTx, json, ms, parse};

/// An API key, without its secret.
#[derive(Clone, Debug)]
pub struct ApiKeyRecord {
    pub id: String,
    pub label: String,
    pub owner: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub scopes: Vec<String>,
    pub last_used_ms: Option<i64>,
}

/// How stale a key's recorded last use may grow before a request writes it
/// again: a busy key writes once a minute, not once a request.
const LAST_USE_RESOLUTION_MS: i64 = 60_000;

/// A live API key, as a request presents it.
#[derive(Clone, Debug)]
pub struct LiveKey {
    pub owner: String,
    pub scopes: Vec<String>,
    pub expires_ms: i64,
}

/// A signed-in session.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub email_key: String,
    pub csrf: String,
    pub expires_ms: i64,
}

impl Store {
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

    /// The live (not revoked, not expired) API key with this hash: its
    /// owner (e-mail key), scopes and expiry.
    pub async fn api_key_owner(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<LiveKey>> {
        let row = sqlx::query(
            "SELECT email_key, scopes, expires_ms FROM api_keys WHERE token_hash = ? AND revoked_ms IS NULL AND expires_ms > ?",
        )
        .bind(token_hash)
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?;
        if row.is_some() {
            sqlx::query(
                "UPDATE api_keys SET last_used_ms = ?1 WHERE token_hash = ?2 AND coalesce(last_used_ms, 0) <= ?1 - ?3",
            )
            .bind(ms(now))
            .bind(token_hash)
            .bind(LAST_USE_RESOLUTION_MS)
            .execute(&self.pool)
            .await?;
        }
        row.map(|r| {
            Ok(LiveKey {
                owner: r.get(0),
                scopes: parse(&r.get::<String, _>(1), "api_keys.scopes")?,
                expires_ms: r.get(2),
            })
        })
        .transpose()
    }

    /// API keys not revoked, oldest first.
    pub async fn api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>> {
        let rows = sqlx::query(
            "SELECT id, label, email_key, created_ms, expires_ms, scopes, last_used_ms FROM api_keys WHERE revoked_ms IS NULL ORDER BY created_ms, id",
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
                    last_used_ms: r.get(6),
                })
            })
            .collect()
    }
}

impl WriteTx {
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
        .execute(self.c())
        .await?;
        Ok(())
    }

    /// Revokes a key; false when there was none.
    pub async fn revoke_api_key(&mut self, id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL")
                .bind(ms(now))
                .bind(id)
                .execute(self.c())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn relabel_api_key(&mut self, id: &str, label: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE api_keys SET label = ? WHERE id = ? AND revoked_ms IS NULL")
            .bind(label)
            .bind(id)
            .execute(self.c())
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
            .execute(self.c())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_ms <= ?")
            .bind(ms(now))
            .execute(self.c())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(self.c())
            .await?;
        Ok(())
    }
}
