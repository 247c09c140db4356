//! Tampering with the audit log in the database, as someone with write
//! access to the file would: each is reported by `audit verify`, naming
//! what is missing or changed (issue 16: all of these verified as valid).

use std::sync::Arc;

use interim_policy::audit::AuditEvent;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Client, Server, corpus_company, default_now, temp_db};
use interim_server::checkpoints::Checkpoints;

/// A server whose log holds a few events, checkpointed.
async fn logged() -> (Server, Client, std::path::PathBuf) {
    let dir = temp_db().parent().unwrap().join("audit-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let cps = Checkpoints::open(None, &dir.join("key"), &dir.join("checkpoints")).unwrap();
    let s = Server::start_configured(&corpus_company("small"), default_now(), |state| {
        state.checkpoints = Some(Arc::new(cps));
    })
    .await;
    let admin = s.sign_in("admin@acme.io").await;
    for name in ["one", "two", "three", "four"] {
        let (status, body) = admin
            .post(
                "/api/v1/users",
                // With a password: no activation link, one event less.
                &json!({"email": format!("{name}@acme.io"), "firstName": name, "lastName": "X",
                        "password": "a long password 2026"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        interim_server::checkpoints::checkpoint(&s.state)
            .await
            .unwrap();
    }
    (s, admin, dir)
}

async fn sql(s: &Server, statement: &str) {
    let mut tx = s.state.store.begin().await.unwrap();
    sqlx::query(statement).execute(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Verified by a session opened before the tampering (signing in now
/// would append an event).
async fn verify(admin: &Client) -> Value {
    let (status, body) = admin.get("/api/v1/audit/verify").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn first_error(check: &Value) -> (String, String) {
    let e = &check["errors"][0];
    (
        e["code"].as_str().unwrap_or_default().to_owned(),
        e["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn an_intact_log_verifies_against_its_checkpoints() {
    let (_s, admin, _) = logged().await;
    let check = verify(&admin).await;
    assert_eq!(check["valid"], true, "{check}");
    assert!(check["checkpoints"].as_u64().unwrap() >= 4, "{check}");
    assert_eq!(check["forgedCheckpoints"], 0);
    assert_eq!(check["publicKey"].as_str().map(str::len), Some(64));
}

#[tokio::test]
async fn issue_16_deleting_the_newest_events_is_reported_as_truncation() {
    let (s, admin, _) = logged().await;
    let head = s.state.store.audit_head().await.unwrap().0;
    sql(
        &s,
        &format!("DELETE FROM audit_events WHERE seq > {}", head - 2),
    )
    .await;
    let check = verify(&admin).await;
    assert_eq!(check["valid"], false, "{check}");
    let (code, message) = first_error(&check);
    assert_eq!(code, "audit.chain.truncated");
    assert!(
        message.contains(&format!("events {} to {head} are missing", head - 1)),
        "{message}"
    );
    assert!(
        message.contains(&format!("the log holds {}", head - 2)),
        "{message}"
    );
}

#[tokio::test]
async fn issue_16_wiping_the_table_is_reported_as_truncation() {
    let (s, admin, _) = logged().await;
    sql(&s, "DELETE FROM audit_events").await;
    let check = verify(&admin).await;
    assert_eq!(check["valid"], false, "{check}");
    assert_eq!(first_error(&check).0, "audit.chain.truncated", "{check}");
}

#[tokio::test]
async fn issue_16_rewriting_with_recomputed_hashes_is_reported() {
    let (s, admin, _) = logged().await;
    let mut chain = s.state.store.audit_chain().await.unwrap();
    // Event 3 gets another actor; it and every later hash are recomputed,
    // so the chain itself links.
    let mut prev = chain[1].hash.clone();
    for e in chain.iter_mut().skip(2) {
        if e.seq == 3 {
            e.actor = "someone.else@acme.io".into();
        }
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        prev = e.hash.clone();
    }
    assert!(interim_policy::audit::verify_chain(&chain).is_ok());
    for e in &chain {
        let e: &AuditEvent = e;
        sql(
            &s,
            &format!(
                "UPDATE audit_events SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                e.actor, e.prev_hash, e.hash, e.seq
            ),
        )
        .await;
    }
    let check = verify(&admin).await;
    assert_eq!(check["valid"], false, "{check}");
    let (code, message) = first_error(&check);
    assert_eq!(code, "audit.chain.rewritten", "{check}");
    assert!(
        message.contains("event 3") || message.contains("from 3 "),
        "{message}"
    );
}

#[tokio::test]
async fn issue_16_a_checkpoint_not_signed_by_the_server_is_reported() {
    let (_s, admin, dir) = logged().await;
    let other = Checkpoints::open(None, &dir.join("other-key"), &dir.join("checkpoints")).unwrap();
    other
        .record(999, "f".repeat(64).as_str(), default_now())
        .unwrap();
    let check = verify(&admin).await;
    assert_eq!(check["valid"], false, "{check}");
    assert_eq!(check["forgedCheckpoints"], 1, "{check}");
}
