//! Moves a database of an earlier release onto the normalised schema of
//! migration 0005, once, at start-up, in one transaction.
//!
//! Earlier releases kept lists as JSON text and keyed people by a
//! lower-cased address (SQLite's `lower()` folds ASCII only). Here every
//! list is read into its join table with keys computed by the policy, and
//! the JSON columns are dropped. Rows that name a user who no longer
//! exists — what deleting a user with a non-ASCII capital letter left
//! behind — are dropped with a warning: the snapshot could not index them,
//! and they must not pass to a later account with the same address.

use std::collections::HashSet;

use interim_policy::role::{PoolLevel, Role};
use interim_policy::wire::{AssignmentOverrideWire, GroupMemberWire, GroupWire, TempAccess};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::{StoreResult, from_ms, grants, groups, key, parse, pools, users};

/// Columns dropped once their lists are in join tables.
const LEGACY_COLUMNS: &[(&str, &str)] = &[
    ("users", "roles"),
    ("agent_pools", "access_reviewers"),
    ("groups", "agent_pool_ids"),
    ("groups", "roles"),
    ("groups", "members"),
    ("groups", "request_overrides"),
    ("grants", "agent_pool_ids"),
    ("grants", "user_emails"),
    ("grants", "roles"),
];

async fn has_column(conn: &mut SqliteConnection, table: &str, column: &str) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?")
        .bind(table)
        .bind(column)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Normalises the database if it still has the JSON list columns.
pub(super) async fn normalise(pool: &SqlitePool) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    if !has_column(&mut tx, "grants", "user_emails").await? {
        return Ok(());
    }
    // Keys change in parents and children alike: check references at
    // commit, not statement by statement.
    sqlx::query("PRAGMA defer_foreign_keys = ON")
        .execute(&mut *tx)
        .await?;
    let people = rekey_users(&mut tx).await?;
    let known_pools: HashSet<String> = sqlx::query_scalar("SELECT id FROM agent_pools")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let mut dropped = 0;
    dropped += move_pools(&mut tx, &people).await?;
    dropped += move_groups(&mut tx, &people, &known_pools).await?;
    dropped += move_grants(&mut tx, &people).await?;
    dropped += key_requests(&mut tx, &people).await?;
    for (table, column) in LEGACY_COLUMNS {
        sqlx::query(&format!("ALTER TABLE {table} DROP COLUMN {column}"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if dropped > 0 {
        tracing::warn!(
            dropped,
            "normalising the database dropped references to users who no longer exist"
        );
    }
    Ok(())
}

/// Stores each user under the policy's key and moves their roles; answers
/// the keys of every user.
async fn rekey_users(conn: &mut SqliteConnection) -> StoreResult<HashSet<String>> {
    let rows = sqlx::query("SELECT email_key, email, roles FROM users")
        .fetch_all(&mut *conn)
        .await?;
    let mut keys = HashSet::new();
    for r in &rows {
        let old: String = r.try_get(0)?;
        let email: String = r.try_get(1)?;
        let roles: Vec<Role> = parse(&r.try_get::<String, _>(2)?, "users.roles")?;
        let k = key(&email);
        if k != old {
            for table in ["users", "sessions", "api_keys"] {
                sqlx::query(&format!(
                    "UPDATE {table} SET email_key = ? WHERE email_key = ?"
                ))
                .bind(&k)
                .bind(&old)
                .execute(&mut *conn)
                .await?;
            }
        }
        users::put_roles(conn, &k, &roles).await?;
        keys.insert(k);
    }
    Ok(keys)
}

fn known(people: &HashSet<String>, email: &str) -> bool {
    people.contains(&key(email))
}

async fn move_pools(conn: &mut SqliteConnection, people: &HashSet<String>) -> StoreResult<usize> {
    let rows = sqlx::query("SELECT id, access_reviewers FROM agent_pools")
        .fetch_all(&mut *conn)
        .await?;
    let mut dropped = 0;
    for r in &rows {
        let id: String = r.try_get(0)?;
        let all: Vec<String> = parse(&r.try_get::<String, _>(1)?, "agent_pools.access_reviewers")?;
        let kept: Vec<String> = all.iter().filter(|e| known(people, e)).cloned().collect();
        dropped += all.len() - kept.len();
        pools::put_reviewers(conn, &id, &kept).await?;
    }
    Ok(dropped)
}

async fn move_groups(
    conn: &mut SqliteConnection,
    people: &HashSet<String>,
    known_pools: &HashSet<String>,
) -> StoreResult<usize> {
    let rows = sqlx::query(
        "SELECT id, name, agent_pool_ids, roles, members, request_overrides FROM groups",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut dropped = 0;
    for r in &rows {
        let pool_ids: Vec<String> = parse(&r.try_get::<String, _>(2)?, "groups.agent_pool_ids")?;
        let roles: Vec<PoolLevel> = parse(&r.try_get::<String, _>(3)?, "groups.roles")?;
        let members: Vec<GroupMemberWire> = parse(&r.try_get::<String, _>(4)?, "groups.members")?;
        let overrides: Vec<AssignmentOverrideWire> =
            parse(&r.try_get::<String, _>(5)?, "groups.request_overrides")?;
        let before = pool_ids.len() + members.len() + overrides.len();
        let mut seen = HashSet::new();
        let mut seen_pools = HashSet::new();
        let g = GroupWire {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            agent_pool_ids: pool_ids
                .into_iter()
                .filter(|p| known_pools.contains(p))
                .collect(),
            roles,
            members: members
                .into_iter()
                .filter(|m| known(people, &m.email) && seen.insert(key(&m.email)))
                .collect(),
            request_overrides: overrides
                .into_iter()
                .filter(|o| {
                    known_pools.contains(&o.agent_pool_id)
                        && seen_pools.insert(o.agent_pool_id.clone())
                })
                .collect(),
        };
        dropped += before - g.agent_pool_ids.len() - g.members.len() - g.request_overrides.len();
        groups::put_lists(conn, &g).await?;
    }
    Ok(dropped)
}

async fn move_grants(conn: &mut SqliteConnection, people: &HashSet<String>) -> StoreResult<usize> {
    let rows = sqlx::query("SELECT id, agent_pool_ids, user_emails, roles FROM grants")
        .fetch_all(&mut *conn)
        .await?;
    let mut dropped = 0;
    for r in &rows {
        let emails: Vec<String> = parse(&r.try_get::<String, _>(2)?, "grants.user_emails")?;
        let g = TempAccess {
            id: r.try_get(0)?,
            name: String::new(),
            agent_pool_ids: parse(&r.try_get::<String, _>(1)?, "grants.agent_pool_ids")?,
            user_emails: emails
                .iter()
                .filter(|e| known(people, e))
                .cloned()
                .collect(),
            roles: parse(&r.try_get::<String, _>(3)?, "grants.roles")?,
            expiration_date: from_ms(0),
            created_at: from_ms(0),
            incident_id: None,
            created_by: None,
        };
        dropped += emails.len() - g.user_emails.len();
        grants::put_lists(conn, &g).await?;
    }
    Ok(dropped)
}

/// Keys requests, delegations and e-mail notifications; deletes those of
/// users who no longer exist.
async fn key_requests(conn: &mut SqliteConnection, people: &HashSet<String>) -> StoreResult<usize> {
    let mut dropped = 0;
    let requests = sqlx::query("SELECT id, requester FROM access_requests")
        .fetch_all(&mut *conn)
        .await?;
    for r in &requests {
        let id: String = r.try_get(0)?;
        let k = key(&r.try_get::<String, _>(1)?);
        if people.contains(&k) {
            sqlx::query("UPDATE access_requests SET requester_key = ? WHERE id = ?")
                .bind(&k)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
        } else {
            sqlx::query("DELETE FROM notifications WHERE request_id = ?")
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM access_requests WHERE id = ?")
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            dropped += 1;
        }
    }
    let delegations = sqlx::query("SELECT id, from_email, to_email FROM delegations")
        .fetch_all(&mut *conn)
        .await?;
    for r in &delegations {
        let id: String = r.try_get(0)?;
        let (from, to) = (
            key(&r.try_get::<String, _>(1)?),
            key(&r.try_get::<String, _>(2)?),
        );
        let q = if people.contains(&from) && people.contains(&to) {
            sqlx::query("UPDATE delegations SET from_key = ?, to_key = ? WHERE id = ?")
                .bind(from)
                .bind(to)
        } else {
            dropped += 1;
            sqlx::query("DELETE FROM delegations WHERE id = ?")
        };
        q.bind(&id).execute(&mut *conn).await?;
    }
    let mail = sqlx::query("SELECT id, recipient FROM notifications WHERE channel = 'email'")
        .fetch_all(&mut *conn)
        .await?;
    for r in &mail {
        sqlx::query("UPDATE notifications SET recipient_key = ? WHERE id = ?")
            .bind(key(&r.try_get::<String, _>(1)?))
            .bind(r.try_get::<String, _>(0)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(dropped)
}
