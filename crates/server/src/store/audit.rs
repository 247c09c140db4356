//! The audit log: an append-only hash chain (`audit_events`).

use interim_policy::audit::{AuditAction, AuditEvent, GENESIS_HASH, NewEvent, seal};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite};

use super::{Store, StoreResult, WriteTx, from_ms, from_name, json, ms, parse};

/// Filters of the audit log.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Newest first (the console's order); else oldest first.
    pub newest_first: bool,
}

/// The orders of a listing of events, by the word that asks for them.
pub const AUDIT_ORDERS: [&str; 2] = ["oldest", "newest"];

const AUDIT_COLUMNS: &str = "SELECT seq, time_ms, actor, action, target, details, reason, prev_hash, hash FROM audit_events";

impl Store {
    /// Audit events matching the filter, in its order, with the total count.
    pub async fn audit(
        &self,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<AuditEvent>, i64)> {
        let (clause, binds) = audit_where(filter);
        let count_sql = format!("SELECT COUNT(*) FROM audit_events{clause}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = bind_audit(count, b);
        }
        let total = count.fetch_one(&self.pool).await?;
        let order = if filter.newest_first { "DESC" } else { "ASC" };
        let sql = format!("{AUDIT_COLUMNS}{clause} ORDER BY seq {order} LIMIT ? OFFSET ?");
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = match b {
                AuditBind::Text(t) => q.bind(t.clone()),
                AuditBind::Int(i) => q.bind(*i),
            };
        }
        let rows = q.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        let events = rows
            .iter()
            .map(audit_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((events, total))
    }

    pub async fn audit_chain(&self) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!("{AUDIT_COLUMNS} ORDER BY seq"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_row).collect()
    }
}

#[derive(Clone, Debug)]
enum AuditBind {
    Text(String),
    Int(i64),
}

fn bind_audit<'q>(
    q: sqlx::query::QueryScalar<'q, Sqlite, i64, sqlx::sqlite::SqliteArguments<'q>>,
    b: &AuditBind,
) -> sqlx::query::QueryScalar<'q, Sqlite, i64, sqlx::sqlite::SqliteArguments<'q>> {
    match b {
        AuditBind::Text(t) => q.bind(t.clone()),
        AuditBind::Int(i) => q.bind(*i),
    }
}

fn audit_where(f: &AuditFilter) -> (String, Vec<AuditBind>) {
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    if let Some(a) = &f.actor {
        parts.push("actor = ?");
        binds.push(AuditBind::Text(a.clone()));
    }
    if let Some(a) = &f.action {
        parts.push("action = ?");
        binds.push(AuditBind::Text(a.clone()));
    }
    if let Some(t) = &f.target {
        parts.push("target = ?");
        binds.push(AuditBind::Text(t.clone()));
    }
    if let Some(t) = f.from_ms {
        parts.push("time_ms >= ?");
        binds.push(AuditBind::Int(t));
    }
    if let Some(t) = f.to_ms {
        parts.push("time_ms < ?");
        binds.push(AuditBind::Int(t));
    }
    if parts.is_empty() {
        (String::new(), binds)
    } else {
        (format!(" WHERE {}", parts.join(" AND ")), binds)
    }
}

fn audit_row(r: &SqliteRow) -> StoreResult<AuditEvent> {
    let action: String = r.get(3);
    Ok(AuditEvent {
        seq: u64::try_from(r.try_get::<i64, _>(0)?).unwrap_or_default(),
        time: from_ms(r.get(1)),
        actor: r.get(2),
        action: from_name::<AuditAction>(action, "audit_events.action")?,
        target: r.get(4),
        details: parse(&r.get::<String, _>(5), "audit_events.details")?,
        reason: r.get(6),
        prev_hash: r.get(7),
        hash: r.get(8),
    })
}

impl Store {
    /// How many events the log holds, and the last one's hash.
    pub async fn audit_head(&self) -> StoreResult<(u64, String)> {
        let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(match last {
            Some(r) => (
                u64::try_from(r.get::<i64, _>(0)).unwrap_or_default(),
                r.get(1),
            ),
            None => (0, GENESIS_HASH.to_owned()),
        })
    }
}

impl WriteTx {
    /// Appends an event to the hash chain.
    pub async fn audit(&mut self, event: NewEvent) -> StoreResult<AuditEvent> {
        let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.c())
            .await?;
        let (seq, prev): (i64, String) = match last {
            Some(r) => (r.get::<i64, _>(0) + 1, r.get(1)),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let sealed = seal(event, u64::try_from(seq).unwrap_or_default(), &prev);
        sqlx::query(
            "INSERT INTO audit_events (seq, time_ms, actor, action, target, details, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(ms(sealed.time))
        .bind(&sealed.actor)
        .bind(sealed.action.as_str())
        .bind(&sealed.target)
        .bind(json(&sealed.details))
        .bind(&sealed.reason)
        .bind(&sealed.prev_hash)
        .bind(&sealed.hash)
        .execute(self.c())
        .await?;
        Ok(sealed)
    }
}
