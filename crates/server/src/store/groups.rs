//! Access groups: their pools, roles, members (with each member's elevated
//! roles) and request-setting overrides, each list its own table.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use interim_policy::role::PoolLevel;
use interim_policy::wire::{AssignmentOverrideWire, GroupMemberWire, GroupWire};
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, from_name, json, key, lists, ms, name_of, parse};

/// A group row beyond what the snapshot carries.
#[derive(Clone, Debug)]
pub struct GroupRecord {
    pub wire: GroupWire,
    pub created_ms: i64,
    pub created_by: Option<String>,
    pub modified_ms: i64,
    pub modified_by: Option<String>,
}

fn levels(names: Vec<String>, what: &str) -> StoreResult<Vec<PoolLevel>> {
    names.into_iter().map(|n| from_name(n, what)).collect()
}

/// Each group's members, in their order, with their elevated roles.
async fn members(
    conn: &mut SqliteConnection,
) -> StoreResult<HashMap<String, Vec<GroupMemberWire>>> {
    let mut elevated = lists::by_owner(
        conn,
        "SELECT group_id || ' ' || email_key, role FROM group_member_roles ORDER BY group_id, email_key, position",
        None,
    )
    .await?;
    let rows = sqlx::query(
        "SELECT group_id, email_key, email, group_admin FROM group_members ORDER BY group_id, position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out: HashMap<String, Vec<GroupMemberWire>> = HashMap::new();
    for r in &rows {
        let group: String = r.try_get(0)?;
        let k: String = r.try_get(1)?;
        let roles = elevated.remove(&format!("{group} {k}")).unwrap_or_default();
        out.entry(group).or_default().push(GroupMemberWire {
            email: r.try_get(2)?,
            group_admin: r.try_get(3)?,
            elevated_roles: levels(roles, "group_member_roles.role")?,
        });
    }
    Ok(out)
}

async fn overrides(
    conn: &mut SqliteConnection,
) -> StoreResult<HashMap<String, Vec<AssignmentOverrideWire>>> {
    let rows = sqlx::query(
        "SELECT group_id, pool_id, request_settings FROM group_overrides ORDER BY group_id, position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out: HashMap<String, Vec<AssignmentOverrideWire>> = HashMap::new();
    for r in &rows {
        out.entry(r.try_get(0)?)
            .or_default()
            .push(AssignmentOverrideWire {
                agent_pool_id: r.try_get(1)?,
                request_settings: parse(
                    &r.try_get::<String, _>(2)?,
                    "group_overrides.request_settings",
                )?,
            });
    }
    Ok(out)
}

/// Every group, by name.
pub(super) async fn load_all(conn: &mut SqliteConnection) -> StoreResult<Vec<GroupRecord>> {
    let mut pools = lists::by_owner(
        conn,
        "SELECT group_id, pool_id FROM group_pools ORDER BY group_id, position",
        None,
    )
    .await?;
    let mut roles = lists::by_owner(
        conn,
        "SELECT group_id, role FROM group_roles ORDER BY group_id, position",
        None,
    )
    .await?;
    let mut members = members(conn).await?;
    let mut overrides = overrides(conn).await?;
    let rows = sqlx::query(
        "SELECT id, name, created_ms, created_by, modified_ms, modified_by FROM groups ORDER BY name, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get(0)?;
            Ok(GroupRecord {
                wire: GroupWire {
                    agent_pool_ids: pools.remove(&id).unwrap_or_default(),
                    roles: levels(roles.remove(&id).unwrap_or_default(), "group_roles.role")?,
                    members: members.remove(&id).unwrap_or_default(),
                    request_overrides: overrides.remove(&id).unwrap_or_default(),
                    id,
                    name: r.try_get(1)?,
                },
                created_ms: r.try_get(2)?,
                created_by: r.try_get(3)?,
                modified_ms: r.try_get(4)?,
                modified_by: r.try_get(5)?,
            })
        })
        .collect()
}

/// Replaces a group's lists: pools, roles, members and overrides.
pub(super) async fn put_lists(conn: &mut SqliteConnection, g: &GroupWire) -> StoreResult<()> {
    for table in [
        "group_pools",
        "group_roles",
        "group_members",
        "group_overrides",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE group_id = ?"))
            .bind(&g.id)
            .execute(&mut *conn)
            .await?;
    }
    for (i, pool) in g.agent_pool_ids.iter().enumerate() {
        sqlx::query("INSERT INTO group_pools (group_id, position, pool_id) VALUES (?, ?, ?)")
            .bind(&g.id)
            .bind(lists::position(i))
            .bind(pool)
            .execute(&mut *conn)
            .await?;
    }
    for (i, role) in g.roles.iter().enumerate() {
        sqlx::query("INSERT INTO group_roles (group_id, position, role) VALUES (?, ?, ?)")
            .bind(&g.id)
            .bind(lists::position(i))
            .bind(name_of(role))
            .execute(&mut *conn)
            .await?;
    }
    for (i, m) in g.members.iter().enumerate() {
        insert_member(conn, &g.id, i, m).await?;
    }
    for (i, o) in g.request_overrides.iter().enumerate() {
        sqlx::query(
            "INSERT INTO group_overrides (group_id, pool_id, position, request_settings) VALUES (?, ?, ?, ?)",
        )
        .bind(&g.id)
        .bind(&o.agent_pool_id)
        .bind(lists::position(i))
        .bind(json(&o.request_settings))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn insert_member(
    conn: &mut SqliteConnection,
    group: &str,
    i: usize,
    m: &GroupMemberWire,
) -> StoreResult<()> {
    let k = key(&m.email);
    sqlx::query(
        "INSERT INTO group_members (group_id, email_key, position, email, group_admin) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(group)
    .bind(&k)
    .bind(lists::position(i))
    .bind(&m.email)
    .bind(m.group_admin)
    .execute(&mut *conn)
    .await?;
    for (j, role) in m.elevated_roles.iter().enumerate() {
        sqlx::query(
            "INSERT INTO group_member_roles (group_id, email_key, position, role) VALUES (?, ?, ?, ?)",
        )
        .bind(group)
        .bind(&k)
        .bind(lists::position(j))
        .bind(name_of(role))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Groups with their bookkeeping.
    pub async fn groups(&self) -> StoreResult<Vec<GroupRecord>> {
        let mut conn = self.pool.acquire().await?;
        load_all(&mut conn).await
    }
}

impl WriteTx {
    /// Creates a group or replaces what it says (its creation is kept).
    pub async fn put_group(
        &mut self,
        g: &GroupWire,
        now: DateTime<Utc>,
        by: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO groups (id, name, created_ms, created_by, modified_ms, modified_by)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name,
               modified_ms = excluded.modified_ms, modified_by = excluded.modified_by",
        )
        .bind(&g.id)
        .bind(&g.name)
        .bind(ms(now))
        .bind(by)
        .bind(ms(now))
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        put_lists(&mut self.tx, g).await
    }

    pub async fn delete_group(&mut self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM groups WHERE id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
