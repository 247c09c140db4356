//! The storage layer's invariants: the snapshot cache follows the stored
//! generation whatever wrote, and a database made by the previous release
//! is normalised in place.

use std::path::Path;

use interim_policy::wire::SnapshotWire;
use interim_server::store::Store;
use reqwest::StatusCode;

use crate::support::{Server, corpus_company, default_now, temp_db};

/// A write through a path no store module names (raw SQL on the write
/// transaction's connection) still reaches every later decision: the
/// generation advances by trigger, not because a method said so.
#[tokio::test]
async fn a_write_path_the_cache_was_never_told_of_still_gives_fresh_decisions() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let ask = "/api/v1/explain/pool-access?user=dev@acme.io&pool=pool-search";
    let (status, before) = admin.get(ask).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["decision"]["allowed"], true, "{before}");
    // Twice: the second answer comes from the cached snapshot.
    assert_eq!(admin.get(ask).await.1["decision"]["allowed"], true);

    let mut tx = s.state.store.begin().await.unwrap();
    sqlx::query("DELETE FROM grant_users WHERE email_key = 'dev@acme.io'")
        .execute(tx.conn())
        .await
        .unwrap();
    sqlx::query("DELETE FROM group_members WHERE email_key = 'dev@acme.io'")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (_, after) = admin.get(ask).await;
    assert_eq!(
        after["decision"]["allowed"], false,
        "a stale snapshot answered: {after}"
    );

    // A write that does not change the company (a sign-in's bookkeeping)
    // keeps the cached snapshot.
    let cached = s.state.store.snapshot(default_now()).await.unwrap();
    s.sign_in("viewer@acme.io").await;
    let again = s.state.store.snapshot(default_now()).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&cached, &again));
}

/// The schema of the previous release: its migrations, as shipped.
async fn previous_release_database(db: &Path) -> sqlx::SqlitePool {
    let dir = db.with_file_name("migrations-0.1");
    std::fs::create_dir_all(&dir).unwrap();
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for name in [
        "0001_initial.sql",
        "0002_api_keys.sql",
        "0003_requests.sql",
        "0004_notifications.sql",
    ] {
        std::fs::copy(here.join(name), dir.join(name)).unwrap();
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(dir.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

/// Rows as the previous release wrote them: lists as JSON, people keyed by
/// `to_lowercase()`, and — left by its ASCII-only `lower()` — a request
/// and a delegation of a user deleted earlier.
const PREVIOUS_RELEASE_ROWS: &str = r#"
INSERT INTO settings VALUES (1, 'acme', 1, '{"maxUsersPerGrant":50,"maxPoolsPerGrant":20,"maxGrantDays":31,"maxActiveGrants":100}');
INSERT INTO users (email_key, id, email, first_name, last_name, enabled, roles, password_hash, created_ms, modified_ms)
  VALUES ('admin@acme.io', 'u1', 'admin@acme.io', 'Admin', 'Acme', 1, '["SYSTEM_ADMIN"]', NULL, 0, 0),
         ('dev@acme.io', 'u2', 'Dev@acme.io', 'Dev', 'Acme', 1, '["DEVELOPER","SECURITY"]', NULL, 0, 0),
         ('örjan.ünal@acme.io', 'u3', 'Örjan.Ünal@acme.io', 'Örjan', 'Ünal', 1, '["DEVELOPER"]', NULL, 0, 0);
INSERT INTO sessions VALUES ('hash-of-orjans-session', 'örjan.ünal@acme.io', 'csrf', 0, 99999999999999);
INSERT INTO agent_pools (id, name, description, request_settings, access_reviewers, created_ms)
  VALUES ('pool-a', 'Payments', '', '{"enabled":true,"periods":["1h"],"approval":"manual","reasonRequired":false}', '["Örjan.Ünal@acme.io","Gone.Äbel@acme.io"]', 0),
         ('pool-b', 'Search', '', NULL, '[]', 0);
INSERT INTO groups (id, name, agent_pool_ids, roles, members, request_overrides, created_ms, modified_ms)
  VALUES ('g1', 'Payments', '["pool-a","pool-b"]', '["STANDARD"]',
          '[{"email":"Dev@acme.io","groupAdmin":true},{"email":"Örjan.Ünal@acme.io","elevatedRoles":["PRIVILEGED"]}]',
          '[{"agentPoolId":"pool-b","requestSettings":{"enabled":true,"periods":["4h"],"approval":"auto","reasonRequired":true}}]', 0, 0);
INSERT INTO grants (id, name, agent_pool_ids, user_emails, roles, incident_id, created_ms, created_by, expires_ms)
  VALUES ('grant-1', 'Incident', '["pool-b","pool-a"]', '["Örjan.Ünal@acme.io","Dev@acme.io"]', '["Privileged"]', '42', 1795000000000, 'admin@acme.io', 1796000000000);
INSERT INTO access_requests (id, requester, agent_pool_id, status, approval, requested_minutes, reason, created_ms, modified_ms)
  VALUES ('r-1', 'Örjan.Ünal@acme.io', 'pool-a', 'pending', 'manual', 60, 'deploy', 1795300000000, 1795300000000),
         ('r-left', 'Gone.Äbel@acme.io', 'pool-a', 'pending', 'manual', 60, 'left behind', 1795300000000, 1795300000000);
INSERT INTO delegations (id, from_email, to_email, starts_ms, ends_ms, created_ms)
  VALUES ('d-1', 'admin@acme.io', 'Örjan.Ünal@acme.io', 1795300000000, 1799000000000, 0),
         ('d-left', 'admin@acme.io', 'Gone.Äbel@acme.io', 1795300000000, 1799000000000, 0);
INSERT INTO notifications (id, event, request_id, channel, recipient, subject, body, status, next_attempt_ms, created_ms)
  VALUES ('n-1', 'request.created', 'r-1', 'email', 'Örjan.Ünal@acme.io', 's', 'b', 'pending', 0, 0),
         ('n-left', 'request.created', 'r-left', 'webhook', 'http://127.0.0.1:9/hook', 's', '{}', 'pending', 0, 0);
"#;

#[tokio::test]
async fn a_database_of_the_previous_release_is_normalised_in_place() {
    let db = temp_db();
    let old = previous_release_database(&db).await;
    sqlx::raw_sql(PREVIOUS_RELEASE_ROWS)
        .execute(&old)
        .await
        .unwrap();
    old.close().await;

    let store = Store::open(&db).await.unwrap();
    let now = default_now();
    let wire = store.snapshot_wire(now).await.unwrap();
    let company = serde_json::to_value(&wire).unwrap();
    assert_eq!(
        company["users"][1]["roles"],
        serde_json::json!(["DEVELOPER", "SECURITY"])
    );
    assert_eq!(
        company["agentPools"][0]["accessReviewers"],
        serde_json::json!(["Örjan.Ünal@acme.io"]),
        "the reviewer who no longer exists is dropped"
    );
    let group = &company["groups"][0];
    assert_eq!(
        group["agentPoolIds"],
        serde_json::json!(["pool-a", "pool-b"])
    );
    assert_eq!(group["members"][0]["groupAdmin"], true);
    assert_eq!(
        group["members"][1]["elevatedRoles"],
        serde_json::json!(["PRIVILEGED"])
    );
    assert_eq!(group["requestOverrides"][0]["agentPoolId"], "pool-b");
    let grant = &company["grants"][0];
    assert_eq!(
        grant["agentPoolIds"],
        serde_json::json!(["pool-b", "pool-a"])
    );
    assert_eq!(
        grant["userEmails"],
        serde_json::json!(["Örjan.Ünal@acme.io", "Dev@acme.io"])
    );
    assert_eq!(grant["roles"], serde_json::json!(["Privileged"]));
    let requests: Vec<&str> = wire.requests.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(requests, ["r-1"], "the left-behind request is gone");
    let delegations: Vec<&str> = wire.delegations.iter().map(|d| d.to.as_str()).collect();
    assert_eq!(delegations, ["Örjan.Ünal@acme.io"]);
    // The company indexes, sessions still find their user, and the outbox
    // kept only what belongs to someone.
    store.snapshot(now).await.unwrap();
    let session = store
        .session("hash-of-orjans-session")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.email_key, "örjan.ünal@acme.io");
    let (outbox, total) = store.notifications(None, 0, 10).await.unwrap();
    assert_eq!((outbox[0].id.as_str(), total), ("n-1", 1));

    // Deleting the user now leaves nothing of theirs, and opening again
    // changes nothing.
    let mut tx = store.begin().await.unwrap();
    tx.delete_user("örjan.ünal@acme.io", now).await.unwrap();
    tx.commit().await.unwrap();
    drop(store);
    let store = Store::open(&db).await.unwrap();
    let wire = store.snapshot_wire(now).await.unwrap();
    assert!(wire.requests.is_empty() && wire.delegations.is_empty());
    assert_eq!(wire.grants[0].user_emails, ["Dev@acme.io"]);
    assert_eq!(store.notifications(None, 0, 10).await.unwrap().1, 0);
    drop(store);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// A company with its grants and requests in the order a whole read gives
/// them (by creation, then id). A snapshot made from changes holds them in
/// the order the server learned of them, which differs only when one is
/// created with an instant before one already held (a seeded grant that
/// starts later, a clock set back).
fn in_creation_order(mut w: SnapshotWire) -> SnapshotWire {
    w.grants
        .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    w.requests
        .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    w
}

/// After writes to each aggregate, the company the cache read again only
/// in part (what changed) equals a whole read.
#[tokio::test]
async fn reading_only_what_changed_gives_the_whole_company() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let now = default_now();
    let same = || async {
        let part = in_creation_order(s.state.store.read(now).await.unwrap().wire());
        let whole = s.state.store.snapshot_wire(now).await.unwrap();
        assert_eq!(
            serde_json::to_value(&part).unwrap(),
            serde_json::to_value(&whole).unwrap()
        );
    };
    same().await;
    // A change to one list table alone, through no store method, is seen.
    for sql in [
        "UPDATE user_roles SET position = -1 - position",
        "UPDATE user_roles SET role = 'SECURITY' WHERE role = 'DEVELOPER'",
        "UPDATE pool_reviewers SET email = upper(email)",
        "UPDATE group_pools SET position = -1 - position",
        "UPDATE group_roles SET role = 'PRIVILEGED'",
        "UPDATE group_members SET position = -1 - position",
        "UPDATE group_member_roles SET role = 'STANDARD'",
        "UPDATE group_overrides SET request_settings = json_set(request_settings, '$.reasonRequired', json('true'))",
        "UPDATE grant_pools SET position = -1 - position",
        "UPDATE grant_users SET position = -1 - position",
        "UPDATE grant_roles SET role = 'Privileged'",
        "UPDATE access_requests SET reason = 'changed'",
        "UPDATE delegations SET ends_ms = ends_ms + 60000",
    ] {
        let mut tx = s.state.store.begin().await.unwrap();
        let done = sqlx::query(sql).execute(tx.conn()).await.unwrap();
        assert!(done.rows_affected() > 0, "{sql} changed nothing");
        tx.commit().await.unwrap();
        same().await;
    }
    let before = s.state.store.snapshot_reads();
    let (status, grant) = admin
        .post(
            "/api/v1/temp-access",
            &serde_json::json!({"agentPoolIds": ["pool-search"], "userEmails": ["dev@acme.io"], "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z", "name": "partial read"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    let committed = s.state.store.snapshot_reads();
    assert_eq!(
        committed.applied,
        before.applied + 1,
        "the commit made the next snapshot itself, before anyone read"
    );
    same().await;
    let after = s.state.store.snapshot_reads();
    assert_eq!(
        (after.whole, after.applied),
        (before.whole, before.applied + 1),
        "a new grant is applied to the last snapshot once, not read whole"
    );
    let id = grant["id"].as_str().unwrap();
    let deleted = admin.delete(&format!("/api/v1/temp-access/{id}")).await.0;
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    same().await;
    let (status, _) = admin
        .post(
            "/api/v1/users",
            &serde_json::json!({"email": "new@acme.io", "firstName": "N", "lastName": "U", "roles": ["DEVELOPER"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    same().await;
    let (status, _) = admin
        .post(
            "/api/v1/groups/g-payments/members",
            &serde_json::json!([{"email": "new@acme.io"}]),
        )
        .await;
    assert!(status.is_success());
    same().await;
    // A deletion that cascades into groups, grants, requests, delegations.
    assert_eq!(
        admin.delete("/api/v1/users/dev@acme.io").await.0,
        StatusCode::NO_CONTENT
    );
    same().await;
    let (status, _) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/settings",
            Some(&serde_json::json!({"rbacEnabled": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    same().await;
}

/// Once the change log is pruned past what the cached snapshot saw, the
/// next read takes the whole company again, and it is still right.
#[tokio::test]
async fn a_snapshot_older_than_the_pruned_change_log_is_read_whole() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let now = default_now();
    let store = &s.state.store;
    store.snapshot(now).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20001)
         INSERT INTO changes (kind, id) SELECT 'grant', 'long-gone-' || i FROM n",
    )
    .execute(tx.conn())
    .await
    .unwrap();
    sqlx::query("UPDATE grant_roles SET role = 'Privileged'")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(store.prune_changes().await.unwrap() > 10_000);
    assert_eq!(store.prune_changes().await.unwrap(), 0, "pruned once");
    let before = store.snapshot_reads();
    let part = in_creation_order(store.read(now).await.unwrap().wire());
    let after = store.snapshot_reads();
    assert_eq!(
        (after.whole, after.applied),
        (before.whole + 1, before.applied)
    );
    let whole = store.snapshot_wire(now).await.unwrap();
    assert_eq!(
        serde_json::to_value(&part).unwrap(),
        serde_json::to_value(&whole).unwrap()
    );
    assert!(part.grants.iter().all(|g| {
        g.roles
            .iter()
            .all(|r| r.0 == interim_policy::PoolLevel::Privileged)
    }));
}

/// Removed grants leave places in the cached snapshot; once they pile up,
/// compacting it (the sweeper's job) gives the same company, read whole.
#[tokio::test]
async fn a_snapshot_full_of_removed_grants_is_compacted_to_the_same_company() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let now = default_now();
    let store = &s.state.store;
    assert!(
        !store.compact_snapshot().await.unwrap(),
        "nothing to compact"
    );
    let mut tx = store.begin().await.unwrap();
    let base = tx.snapshot(now).await.unwrap();
    let template = base.grants().next().unwrap().wire.clone();
    for i in 0..4100 {
        let g = interim_policy::wire::TempAccess {
            id: format!("churn-{i}"),
            name: format!("Churn {i}"),
            ..template.clone()
        };
        tx.insert_grant(&g).await.unwrap();
        assert!(tx.delete_grant(&g.id, now, "admin@acme.io").await.unwrap());
    }
    tx.commit().await.unwrap();
    let before = store.snapshot(now).await.unwrap();
    assert_eq!(before.removed(), 4100, "followed in memory, places kept");
    assert!(store.compact_snapshot().await.unwrap());
    let after = store.snapshot(now).await.unwrap();
    assert_eq!(after.removed(), 0);
    let part = in_creation_order(store.read(now).await.unwrap().wire());
    let whole = store.snapshot_wire(now).await.unwrap();
    assert_eq!(
        serde_json::to_value(&part).unwrap(),
        serde_json::to_value(&whole).unwrap()
    );
}
