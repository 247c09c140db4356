//! Access requests and reviewers' delegations. The requester and both ends
//! of a delegation are stored with their e-mail keys, which reference the
//! user: deleting the user deletes them.

use chrono::{DateTime, Utc};
use interim_policy::request::TransitionOutcome;
use interim_policy::wire::{AccessRequestWire, DelegationWire};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, from_ms, from_name, key, ms, name_of};

/// A request's columns as [`request_row`] reads them.
macro_rules! request_fields {
    () => {
        "id, requester, agent_pool_id, status, approval, requested_minutes, reason, ticket_ref, created_ms, approved_ms, ends_ms, decided_by, comment"
    };
}
const REQUEST_FIELDS: &str = request_fields!();
const REQUEST_COLUMNS: &str = concat!("SELECT ", request_fields!(), " FROM access_requests");
const DELEGATION_COLUMNS: &str =
    "SELECT id, from_email, to_email, starts_ms, ends_ms FROM delegations";

fn request_row(r: &SqliteRow) -> StoreResult<(AccessRequestWire, Option<String>)> {
    Ok((
        AccessRequestWire {
            id: r.try_get(0)?,
            requester: r.try_get(1)?,
            agent_pool_id: r.try_get(2)?,
            status: from_name(r.try_get(3)?, "access_requests.status")?,
            approval: from_name(r.try_get(4)?, "access_requests.approval")?,
            requested_minutes: r.try_get(5)?,
            reason: r.try_get(6)?,
            ticket_ref: r.try_get(7)?,
            created_at: from_ms(r.try_get(8)?),
            approved_at: r.try_get::<Option<i64>, _>(9)?.map(from_ms),
            ends_at: r.try_get::<Option<i64>, _>(10)?.map(from_ms),
            decided_by: r.try_get(11)?,
        },
        r.try_get(12)?,
    ))
}

fn delegation_row(r: &SqliteRow) -> StoreResult<(String, DelegationWire)> {
    Ok((
        r.try_get(0)?,
        DelegationWire {
            from: r.try_get(1)?,
            to: r.try_get(2)?,
            starts_at: from_ms(r.try_get(3)?),
            ends_at: from_ms(r.try_get(4)?),
        },
    ))
}

/// The requests the snapshot holds: every open one, and those created or
/// ending after the bound (given twice), so that an ended request can still
/// explain itself.
const HELD: &str = "(status IN ('pending', 'approved') OR created_ms > ? OR ends_ms > ?)";

/// Every request the snapshot holds ([`HELD`]), oldest first.
pub(super) async fn load_recent(
    conn: &mut SqliteConnection,
    keep_from: i64,
) -> StoreResult<Vec<AccessRequestWire>> {
    sqlx::query(&format!(
        "{REQUEST_COLUMNS} WHERE {HELD} ORDER BY created_ms, id"
    ))
    .bind(keep_from)
    .bind(keep_from)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| request_row(r).map(|(w, _)| w))
    .collect()
}

/// The snapshot's part of the requests changed after row `since` of
/// `changes`: each as it now is, or `None` when no longer held (as
/// [`load_recent`] would choose).
pub(super) async fn load_changed(
    conn: &mut SqliteConnection,
    since: u64,
    keep_from: i64,
) -> StoreResult<Vec<(String, Option<AccessRequestWire>)>> {
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let changed: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT id FROM changes WHERE seq > ? AND kind = 'request'")
            .bind(since)
            .fetch_all(&mut *conn)
            .await?;
    let held: Vec<AccessRequestWire> = sqlx::query(&format!(
        "{REQUEST_COLUMNS} WHERE id IN (SELECT id FROM changes WHERE seq > ? AND kind = 'request')
         AND {HELD} ORDER BY created_ms, id"
    ))
    .bind(since)
    .bind(keep_from)
    .bind(keep_from)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| request_row(r).map(|(w, _)| w))
    .collect::<StoreResult<_>>()?;
    Ok(super::company::as_changes(changed, held, |r| &r.id))
}

/// Delegations not deleted that end after `after`, by start.
pub(super) async fn load_delegations(
    conn: &mut SqliteConnection,
    after: i64,
) -> StoreResult<Vec<(String, DelegationWire)>> {
    sqlx::query(&format!(
        "{DELEGATION_COLUMNS} WHERE deleted_ms IS NULL AND ends_ms > ? ORDER BY starts_ms, id"
    ))
    .bind(after)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(delegation_row)
    .collect()
}

impl Store {
    /// Every access request, newest first, with its reviewer's comment.
    pub async fn requests(&self) -> StoreResult<Vec<(AccessRequestWire, Option<String>)>> {
        sqlx::query(&format!("{REQUEST_COLUMNS} ORDER BY created_ms DESC, id"))
            .fetch_all(&self.pool)
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
        sqlx::query(&format!("{REQUEST_COLUMNS} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
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
        load_delegations(&mut conn, ms(now)).await
    }

    /// Requests the sweeper must close: pending past `pending_before`
    /// (created before it), approved whose period ended by `now`.
    pub async fn due_requests(
        &self,
        now: DateTime<Utc>,
        pending_before: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM access_requests WHERE (status = 'pending' AND created_ms <= ?) OR (status = 'approved' AND ends_ms <= ?) ORDER BY created_ms, id")
            .bind(ms(pending_before))
            .bind(ms(now))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(Into::into))
            .collect()
    }
}

impl WriteTx {
    pub async fn insert_request(&mut self, r: &AccessRequestWire) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO access_requests (id, requester, requester_key, agent_pool_id, status, approval, requested_minutes, reason, ticket_ref, created_ms, approved_ms, ends_ms, decided_by, modified_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.id)
        .bind(&r.requester)
        .bind(key(&r.requester))
        .bind(&r.agent_pool_id)
        .bind(name_of(&r.status))
        .bind(name_of(&r.approval))
        .bind(r.requested_minutes)
        .bind(&r.reason)
        .bind(&r.ticket_ref)
        .bind(ms(r.created_at))
        .bind(r.approved_at.map(ms))
        .bind(r.ends_at.map(ms))
        .bind(&r.decided_by)
        .bind(ms(r.created_at))
        .execute(self.c())
        .await?;
        self.written.request(r);
        Ok(())
    }

    /// Moves a request from `from` to its new state; false when it was no
    /// longer in `from` (another writer got there first).
    pub async fn transition_request(
        &mut self,
        t: &TransitionOutcome,
        by: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(&format!(
            "UPDATE access_requests SET status = ?, approved_ms = COALESCE(?, approved_ms), ends_ms = COALESCE(?, ends_ms),
             decided_by = COALESCE(?, decided_by), comment = COALESCE(?, comment), modified_ms = ? WHERE id = ? AND status = ?
             RETURNING {REQUEST_FIELDS}",
        ))
        .bind(name_of(&t.to))
        .bind(t.approved_at.map(ms))
        .bind(t.ends_at.map(ms))
        .bind(by)
        .bind(&t.comment)
        .bind(ms(now))
        .bind(&t.request_id)
        .bind(name_of(&t.from))
        .fetch_optional(self.c())
        .await?;
        match done {
            Some(row) => {
                let (now_is, _) = request_row(&row)?;
                self.written.request(&now_is);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    pub async fn insert_delegation(
        &mut self,
        id: &str,
        d: &DelegationWire,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO delegations (id, from_email, from_key, to_email, to_key, starts_ms, ends_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(id)
            .bind(&d.from)
            .bind(key(&d.from))
            .bind(&d.to)
            .bind(key(&d.to))
            .bind(ms(d.starts_at))
            .bind(ms(d.ends_at))
            .bind(ms(now))
            .execute(self.c())
            .await?;
        Ok(())
    }

    /// Ends a delegation at once; false when there was none.
    pub async fn delete_delegation(&mut self, id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE delegations SET deleted_ms = ? WHERE id = ? AND deleted_ms IS NULL",
        )
        .bind(ms(now))
        .bind(id)
        .execute(self.c())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
