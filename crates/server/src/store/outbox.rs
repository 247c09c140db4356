//! The notification outbox: written in the same transaction as the change
//! it tells of, delivered afterwards with retries.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, StoreResult, WriteTx, from_ms, key, ms};

/// The event of an e-mailed activation link. Its body holds the link's
/// secret: the outbox erases it once delivered and never shows it.
pub const ACTIVATION_EVENT: &str = "user.activation_link";

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

impl Store {
    /// Notifications due for a delivery attempt at `now`, oldest first.
    pub async fn due_notifications(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        sqlx::query(&format!(
            "{NOTIFICATION_COLUMNS} WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, created_ms, id LIMIT ?"
        ))
        .bind(ms(now))
        .bind(limit)
        .fetch_all(&self.pool)
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
        let items = sqlx::query(&format!(
            "{NOTIFICATION_COLUMNS} WHERE (? IS NULL OR status = ?) ORDER BY created_ms DESC, id LIMIT ? OFFSET ?"
        ))
        .bind(status)
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(notification_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let total: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM notifications WHERE (? IS NULL OR status = ?)",
        )
        .bind(status)
        .bind(status)
        .fetch_one(&self.pool)
        .await?;
        Ok((items, total))
    }
}

impl WriteTx {
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
            // A delivered activation link's body (the link's secret) is
            // erased: the person has it, and the outbox keeps no secret.
            Ok(()) => sqlx::query("UPDATE notifications SET status = 'delivered', attempts = attempts + 1, delivered_ms = ?, last_error = NULL, body = CASE WHEN event = ? THEN '' ELSE body END WHERE id = ? AND status = 'pending'")
                .bind(ms(now))
                .bind(ACTIVATION_EVENT)
                .bind(id),
            Err((error, next)) => sqlx::query("UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_ms = COALESCE(?, next_attempt_ms) WHERE id = ? AND status = 'pending'")
                .bind(if next.is_some() { "pending" } else { "failed" })
                .bind(error)
                .bind(next.map(ms))
                .bind(id),
        }
        .execute(self.c())
        .await?;
        Ok(())
    }

    /// Holds a pending notification until `next` without counting an
    /// attempt (its receiver is down: it waits with the one that failed).
    pub async fn defer_notification(&mut self, id: &str, next: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET next_attempt_ms = max(next_attempt_ms, ?) WHERE id = ? AND status = 'pending'")
            .bind(ms(next))
            .bind(id)
            .execute(self.c())
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
            .execute(self.c())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a notification in the outbox, in this transaction: it is
    /// stored exactly when the change it tells of is.
    pub async fn enqueue_notification(&mut self, n: &Notification) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notifications (id, event, request_id, channel, recipient, recipient_key, subject, body, status, attempts, next_attempt_ms, created_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        )
        .bind(&n.id)
        .bind(&n.event)
        .bind(&n.request_id)
        .bind(&n.channel)
        .bind(&n.recipient)
        .bind((n.channel == "email").then(|| key(&n.recipient)))
        .bind(&n.subject)
        .bind(&n.body)
        .bind(ms(n.created_at))
        .bind(ms(n.created_at))
        .execute(self.c())
        .await?;
        Ok(())
    }
}
