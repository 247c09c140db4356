//! 300 concurrent creates with 95 grants already active end with exactly
//! 100 active and the rest refused with 403.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Server, corpus_company, default_now};

#[tokio::test]
async fn the_limit_holds_under_300_concurrent_creates() {
    let mut company = corpus_company("full");
    company.grants.truncate(95);
    // One admin's 300 writes at once: the per-person write throttle is off
    // here, this is about the limit under concurrency.
    let s = Server::start_configured(&company, default_now(), |state| {
        state.writes = interim_server::throttle::WriteThrottle::new(0);
    })
    .await;
    let c = std::sync::Arc::new(s.sign_in("admin@acme.io").await);
    let mut tasks = Vec::new();
    for i in 0..300 {
        let c = std::sync::Arc::clone(&c);
        tasks.push(tokio::spawn(async move {
            let body = json!({"agentPoolIds": ["p1"], "userEmails": ["dev@acme.io"], "roles": ["Standard"],
                              "expirationDate": "2026-11-23T10:00:00Z", "name": format!("Race {}", i % 150)});
            c.post("/api/v1/temp-access", &body).await
        }));
    }
    let (mut created, mut refused, mut taken) = (0, 0, 0);
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::FORBIDDEN => {
                assert_eq!(body["code"], "grant.limit.reached");
                refused += 1;
            }
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "grant.name.taken");
                taken += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 5);
    assert_eq!(created + refused + taken, 300);
    let (_, page) = c.get("/api/v1/temp-access?size=1").await;
    assert_eq!(page["total"], 100);
    // Names stayed unique too.
    let (_, all) = c.get("/api/v1/temp-access?size=1000").await;
    let mut names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n);
}
