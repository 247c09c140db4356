//! The whole company as the policy's snapshot: read from every aggregate
//! in one transaction, and written whole when a database is seeded.

use chrono::{DateTime, Utc};
use interim_policy::wire::SnapshotWire;
use sqlx::SqliteConnection;

use super::cache::{Generations, Read};
use super::{StoreResult, WriteTx, grants, groups, ms, pools, requests, settings, users};

/// How far back expired grants and ended requests stay in the snapshot (for
/// explanations).
const EXPIRED_KEPT_DAYS: i64 = 7;

/// The company as of `now`, read through `conn` (one transaction), and the
/// stored generations it is of. What `base` (an earlier read) holds of an
/// aggregate whose generation has not moved is taken from it, not read
/// again: after a grant is written, only the settings row and the grants
/// are read. (Grants, requests and delegations taken over keep the window
/// of the read that loaded them: at most a few more expired ones.)
pub(super) async fn load(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    base: Option<&Read>,
) -> StoreResult<(Generations, SnapshotWire)> {
    let (now_at, settings) = settings::load_with_generation(conn).await?;
    let keep_from = ms(now) - EXPIRED_KEPT_DAYS * 24 * 3_600_000;
    let kept = |part: fn(&Generations) -> u64| {
        base.filter(|b| part(&b.generations) == part(&now_at))
            .map(|b| &b.wire)
    };
    let wire = SnapshotWire {
        company_id: settings.company_id,
        rbac_enabled: settings.rbac_enabled,
        limits: settings.limits,
        users: match kept(|g| g.users) {
            Some(w) => w.users.clone(),
            None => users::load_all(conn)
                .await?
                .into_iter()
                .map(|u| u.wire)
                .collect(),
        },
        agent_pools: match kept(|g| g.pools) {
            Some(w) => w.agent_pools.clone(),
            None => pools::load_all(conn)
                .await?
                .into_iter()
                .map(|p| p.wire)
                .collect(),
        },
        groups: match kept(|g| g.groups) {
            Some(w) => w.groups.clone(),
            None => groups::load_all(conn)
                .await?
                .into_iter()
                .map(|g| g.wire)
                .collect(),
        },
        grants: match kept(|g| g.grants) {
            Some(w) => w.grants.clone(),
            None => grants::load_recent(conn, keep_from).await?,
        },
        requests: match kept(|g| g.requests) {
            Some(w) => w.requests.clone(),
            None => requests::load_recent(conn, keep_from).await?,
        },
        delegations: match kept(|g| g.delegations) {
            Some(w) => w.delegations.clone(),
            None => requests::load_delegations(conn, keep_from)
                .await?
                .into_iter()
                .map(|(_, d)| d)
                .collect(),
        },
    };
    Ok((now_at, wire))
}

impl WriteTx {
    /// Writes a whole company (seeding a new database).
    pub async fn import(
        &mut self,
        wire: &SnapshotWire,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.put_settings(&settings::Settings {
            company_id: wire.company_id.clone(),
            rbac_enabled: wire.rbac_enabled,
            limits: wire.limits,
        })
        .await?;
        for (i, u) in wire.users.iter().enumerate() {
            self.insert_user(
                &format!("user-{i}-{}", ms(now)),
                u,
                password_hash,
                now,
                None,
            )
            .await?;
        }
        for p in &wire.agent_pools {
            self.put_pool(p, now, None).await?;
        }
        for g in &wire.groups {
            self.put_group(g, now, None).await?;
        }
        for g in &wire.grants {
            self.insert_grant(g).await?;
        }
        for r in &wire.requests {
            self.insert_request(r).await?;
        }
        for (i, d) in wire.delegations.iter().enumerate() {
            self.insert_delegation(&format!("imported-{i}"), d, now)
                .await?;
        }
        Ok(())
    }
}
