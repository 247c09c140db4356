//! The whole company as the policy's snapshot, read in one transaction:
//! whole, or as the changes since an earlier read applied to its snapshot.
//! Also written whole when a database is seeded.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use interim_policy::snapshot::{Changes, Snapshot};
use interim_policy::wire::SnapshotWire;
use sqlx::SqliteConnection;

use super::cache::{Generations, Read};
use super::{
    StoreError, StoreResult, WriteTx, grants, groups, ms, pools, requests, settings, users,
};

/// How far back expired grants and ended requests stay in the snapshot (for
/// explanations).
const EXPIRED_KEPT_DAYS: i64 = 7;

/// The instant (ms) before which expired grants and ended requests are no
/// longer held.
pub(super) fn keep_from(now: DateTime<Utc>) -> i64 {
    ms(now) - EXPIRED_KEPT_DAYS * 24 * 3_600_000
}

/// How long a snapshot is made from changes before the company is read and
/// indexed whole again (which also lets go of grants expired long ago).
const WHOLE_AGAIN_AFTER_MINUTES: i64 = 60;

/// The company as of `now`, read through `conn` (one transaction), and the
/// stored generations it is of.
///
/// When `base` (an earlier read) holds the same users, pools and groups,
/// only the grants and requests named in `changes` since it (and the
/// delegations or settings, if they moved) are read, and the snapshot is
/// `base`'s with them applied: the cost of a write's follower does not grow
/// with the company. Otherwise the company is read whole, taking from
/// `base` what of the directory has not moved.
pub(super) async fn read(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    base: Option<&Read>,
) -> StoreResult<Read> {
    let (at, settings) = settings::load_with_generation(conn).await?;
    if let Some(base) = base.filter(|b| follows(b, &at, now)) {
        let changes = changes_since(conn, base, &at, settings, now).await?;
        return Ok(Read {
            generations: at,
            directory: Arc::clone(&base.directory),
            snapshot: Arc::new(base.snapshot.apply(changes).map_err(corrupt)?),
            whole_at: base.whole_at,
            applied: true,
        });
    }
    let directory = directory(conn, &at, settings, base).await?;
    let wire = with_grants_and_requests(conn, directory.clone(), now).await?;
    Ok(Read {
        generations: at,
        directory: Arc::new(directory),
        snapshot: Arc::new(Snapshot::build(wire).map_err(corrupt)?),
        whole_at: now,
        applied: false,
    })
}

/// The company as stored, read whole (not indexed).
pub(super) async fn load_whole(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> StoreResult<SnapshotWire> {
    let (at, settings) = settings::load_with_generation(conn).await?;
    let directory = directory(conn, &at, settings, None).await?;
    with_grants_and_requests(conn, directory, now).await
}

/// What changed since `base` (at generations `at`): the grants and
/// requests named in the change log, each as it now is; the delegations
/// and settings when they moved.
async fn changes_since(
    conn: &mut SqliteConnection,
    base: &Read,
    at: &Generations,
    settings: settings::Settings,
    now: DateTime<Utc>,
) -> StoreResult<Changes> {
    let was = &base.generations;
    let keep_from = keep_from(now);
    Ok(Changes {
        grants: if at.grants == was.grants {
            Vec::new()
        } else {
            grants::load_changed(conn, was.changes, keep_from).await?
        },
        requests: if at.requests == was.requests {
            Vec::new()
        } else {
            requests::load_changed(conn, was.changes, keep_from).await?
        },
        delegations: if at.delegations == was.delegations {
            None
        } else {
            Some(delegations(conn, keep_from).await?)
        },
        settings: (at.settings != was.settings).then_some((
            settings.company_id,
            settings.rbac_enabled,
            settings.limits,
        )),
    })
}

/// The settings, users, pools and groups (no grants, requests or
/// delegations), taking from `base` each aggregate whose generation has not
/// moved since it.
async fn directory(
    conn: &mut SqliteConnection,
    at: &Generations,
    settings: settings::Settings,
    base: Option<&Read>,
) -> StoreResult<SnapshotWire> {
    let kept = |part: fn(&Generations) -> u64| {
        base.filter(|b| part(&b.generations) == part(at))
            .map(|b| &b.directory)
    };
    Ok(SnapshotWire {
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
        grants: Vec::new(),
        requests: Vec::new(),
        delegations: Vec::new(),
    })
}

/// `directory` with every grant, request and delegation the snapshot holds.
async fn with_grants_and_requests(
    conn: &mut SqliteConnection,
    directory: SnapshotWire,
    now: DateTime<Utc>,
) -> StoreResult<SnapshotWire> {
    let keep_from = keep_from(now);
    Ok(SnapshotWire {
        grants: grants::load_recent(conn, keep_from).await?,
        requests: requests::load_recent(conn, keep_from).await?,
        delegations: delegations(conn, keep_from).await?,
        ..directory
    })
}

/// Whether a snapshot of the company at `at` can be made from `base`'s
/// with the changes since: the same directory, every change since still
/// recorded, and `base`'s whole read recent.
fn follows(base: &Read, at: &Generations, now: DateTime<Utc>) -> bool {
    let b = &base.generations;
    b.users == at.users
        && b.pools == at.pools
        && b.groups == at.groups
        && b.changes >= at.pruned_to
        && now - base.whole_at < Duration::minutes(WHOLE_AGAIN_AFTER_MINUTES)
}

/// Every delegation the snapshot holds.
async fn delegations(
    conn: &mut SqliteConnection,
    keep_from: i64,
) -> StoreResult<Vec<interim_policy::wire::DelegationWire>> {
    Ok(requests::load_delegations(conn, keep_from)
        .await?
        .into_iter()
        .map(|(_, d)| d)
        .collect())
}

/// What changed of one kind: `held`, the changed items still held, each as
/// it is; every other id in `changed` as gone.
pub(super) fn as_changes<T>(
    changed: Vec<String>,
    held: Vec<T>,
    id: impl Fn(&T) -> &String,
) -> Vec<(String, Option<T>)> {
    let still: std::collections::HashSet<&String> = held.iter().map(&id).collect();
    let gone: Vec<String> = changed.into_iter().filter(|c| !still.contains(c)).collect();
    let mut out: Vec<(String, Option<T>)> = gone.into_iter().map(|c| (c, None)).collect();
    out.extend(held.into_iter().map(|h| (id(&h).clone(), Some(h))));
    out
}

/// A stored company the policy refuses to index.
fn corrupt(errors: Vec<interim_policy::Violation>) -> StoreError {
    StoreError::Corrupt(
        errors
            .iter()
            .map(|v| format!("{}: {}", v.field, v.message))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Rows of `changes` kept when pruning: far more than a reader falls
/// behind between two reads, few enough to read quickly.
const CHANGES_KEPT: u64 = 10_000;

impl super::Store {
    /// Removes old rows of `changes` once there are twice as many as kept,
    /// recording up to which row they are gone: a reader holding a snapshot
    /// from before then reads the company whole. Answers how many went.
    pub async fn prune_changes(&self) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await?;
        let (at, _) = settings::load_with_generation(&mut conn).await?;
        drop(conn);
        if at.changes.saturating_sub(at.pruned_to) <= 2 * CHANGES_KEPT {
            return Ok(0);
        }
        let to = i64::try_from(at.changes - CHANGES_KEPT).unwrap_or(i64::MAX);
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE generation SET pruned_to = max(pruned_to, ?) WHERE id = 1")
            .bind(to)
            .execute(tx.c())
            .await?;
        let gone = sqlx::query("DELETE FROM changes WHERE seq <= ?")
            .bind(to)
            .execute(tx.c())
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(gone)
    }
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
            company_name: String::new(),
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
