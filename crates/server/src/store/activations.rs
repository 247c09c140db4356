//! One-time activation links (`activations`): the hash of each link's
//! token, whose account it activates and until when. A used link is
//! deleted, so it cannot be used twice.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{StoreResult, WriteTx, ms};

/// An activation link as stored.
#[derive(Clone, Debug)]
pub struct Activation {
    pub email_key: String,
    pub expires_ms: i64,
}

impl WriteTx {
    /// Stores a new link for the user, ending any earlier one.
    pub async fn insert_activation(
        &mut self,
        token_hash: &str,
        email_key: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.end_activations(email_key).await?;
        sqlx::query(
            "INSERT INTO activations (token_hash, email_key, created_ms, expires_ms) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(email_key)
        .bind(ms(now))
        .bind(ms(expires))
        .execute(self.c())
        .await?;
        Ok(())
    }

    /// Takes the link with this token hash out of the store (used once):
    /// what it activates, if it existed.
    pub async fn take_activation(&mut self, token_hash: &str) -> StoreResult<Option<Activation>> {
        let row = sqlx::query(
            "DELETE FROM activations WHERE token_hash = ? RETURNING email_key, expires_ms",
        )
        .bind(token_hash)
        .fetch_optional(self.c())
        .await?;
        row.map(|r| {
            Ok(Activation {
                email_key: r.try_get(0)?,
                expires_ms: r.try_get(1)?,
            })
        })
        .transpose()
    }

    /// Ends every link of the user (a password was set, or a new link made).
    pub async fn end_activations(&mut self, email_key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM activations WHERE email_key = ?")
            .bind(email_key)
            .execute(self.c())
            .await?;
        Ok(())
    }
}
