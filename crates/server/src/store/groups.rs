//! Access groups: their pools, roles, members (with each member's elevated
//! roles) and request-setting overrides, each list its own table.

use chrono::{DateTime, Utc};
use interim_policy::wire::{GroupMemberWire, GroupWire};
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, WriteTx, json, key, lists, ms, name_of};

/// A group row beyond what the snapshot carries.
#[derive(Clone, Debug)]
pub struct GroupRecord {
    pub wire: GroupWire,
    pub created_ms: i64,
    pub created_by: Option<String>,
    pub modified_ms: i64,
    pub modified_by: Option<String>,
}

/// Every group, by name, with its lists in one query: pools, roles,
/// members (each with its elevated roles) and overrides come back as JSON
/// arrays in their order.
pub(super) async fn load_all(conn: &mut SqliteConnection) -> StoreResult<Vec<GroupRecord>> {
    let rows = sqlx::query(
        "SELECT g.id, g.name, g.created_ms, g.created_by, g.modified_ms, g.modified_by,
            (SELECT json_group_array(p.pool_id ORDER BY p.position) FROM group_pools p WHERE p.group_id = g.id),
            (SELECT json_group_array(r.role ORDER BY r.position) FROM group_roles r WHERE r.group_id = g.id),
            (SELECT json_group_array(json_object(
                'email', m.email,
                'groupAdmin', json(CASE WHEN m.group_admin THEN 'true' ELSE 'false' END),
                'elevatedRoles', json((SELECT json_group_array(e.role ORDER BY e.position) FROM group_member_roles e
                                       WHERE e.group_id = m.group_id AND e.email_key = m.email_key)))
                ORDER BY m.position) FROM group_members m WHERE m.group_id = g.id),
            (SELECT json_group_array(json_object('agentPoolId', o.pool_id, 'requestSettings', json(o.request_settings))
                ORDER BY o.position) FROM group_overrides o WHERE o.group_id = g.id)
         FROM groups g ORDER BY g.name, g.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GroupRecord {
                wire: GroupWire {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    agent_pool_ids: lists::parsed(r, 6, "group_pools")?,
                    roles: lists::parsed(r, 7, "group_roles")?,
                    members: lists::parsed(r, 8, "group_members")?,
                    request_overrides: lists::parsed(r, 9, "group_overrides")?,
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
        .execute(self.c())
        .await?;
        put_lists(self.c(), g).await
    }

    pub async fn delete_group(&mut self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM groups WHERE id = ?")
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }
}
