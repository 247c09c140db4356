use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{default_now, temp_db};
use interim_server::clock::ManualClock;
use interim_server::seed::{FirstStart, first_start};
use interim_server::store::Store;
use interim_server::{AppState, app};

#[tokio::test]
async fn the_portal_is_served_with_a_single_page_fallback() {
    let dir = temp_db().parent().unwrap().join("portal");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Interim</title>",
    )
    .unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    let store = Store::open(&temp_db()).await.unwrap();
    let state = AppState::new(store, Arc::new(ManualClock::new(default_now())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state, Some(dir));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let get = |path: &str| reqwest::get(format!("http://{addr}{path}"));
    let r = get("/").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("<title>Interim</title>"));
    let r = get("/temporary-access/new").await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "client-side routes get the page"
    );
    assert!(r.text().await.unwrap().contains("Interim"));
    assert_eq!(
        get("/app.js").await.unwrap().text().await.unwrap(),
        "console.log(1)"
    );
    let r = get("/healthz").await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
    let r = get("/metrics").await.unwrap();
    assert!(r.text().await.unwrap().contains("interim_active_grants 0"));
}

#[tokio::test]
async fn first_start_bootstraps_one_admin_once() {
    let store = Store::open(&temp_db()).await.unwrap();
    let now = default_now();
    let outcome = first_start(&store, "root@corp.example", None, false, now)
        .await
        .unwrap();
    let FirstStart::OneTimePassword(password) = outcome else {
        panic!("expected a one-time password, got {outcome:?}")
    };
    assert_eq!(password.len(), 20);
    assert_eq!(
        first_start(&store, "root@corp.example", None, false, now)
            .await
            .unwrap(),
        FirstStart::Existing
    );
    let hash = store
        .password_hash("root@corp.example")
        .await
        .unwrap()
        .unwrap();
    assert!(interim_server::auth::verify_password(&password, &hash));
    assert!(hash.starts_with("$argon2id$"), "argon2id: {hash}");
    let store = Store::open(&temp_db()).await.unwrap();
    assert_eq!(
        first_start(
            &store,
            "root@corp.example",
            Some("configured password"),
            false,
            now
        )
        .await
        .unwrap(),
        FirstStart::Bootstrapped
    );
    let user = store.user("root@corp.example").await.unwrap().unwrap();
    assert_eq!(user.wire.roles, vec![interim_policy::Role::CompanyAdmin]);
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let s = crate::support::Server::start(&crate::support::corpus_company("small"), default_now())
        .await;
    let doc = s.openapi().await;
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    let paths = doc["paths"].as_object().unwrap();
    for vendor in [
        "/api/v1/temp-access",
        "/api/v1/temp-access/{id}",
        "/api/v1/agent-pools",
        "/api/v1/users/{email}/disable",
        "/api/v1/groups/{id}/members",
        "/api/v1/access/company/{company}/system-api-key",
    ] {
        assert!(paths.contains_key(vendor), "{vendor} is documented");
    }
    assert!(
        doc["components"]["schemas"]["CreateTempAccess"]["properties"]["agentPoolIds"].is_object(),
        "schemas come from the wire types"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    // Every documented path and method is served (no `route.path.unknown`).
    let c = s.sign_in("admin@acme.io").await;
    let mut checked = 0;
    for (path, item) in paths {
        let concrete = path
            .replace("{id}", "x")
            .replace("{email}", "dev@acme.io")
            .replace("{company}", "acme");
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = c.call(m, &concrete, None).await;
            assert!(
                !(status == StatusCode::NOT_FOUND && body["code"] == "route.path.unknown")
                    && status != StatusCode::METHOD_NOT_ALLOWED
                    || path == "/api/v1/temp-access/{id}" && (method == "put" || method == "patch"),
                "{method} {path} is documented but not served: {status} {body}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 43, "{checked} operations");
}

/// Every answer with a body is documented with a schema: a named type
/// (`$ref` to a component that exists) or a list or page of one — never a
/// bare `object` (issue 15: typed answers, one definition).
#[tokio::test]
async fn every_answer_in_the_openapi_document_has_a_schema() {
    let s = crate::support::Server::start(&crate::support::corpus_company("small"), default_now())
        .await;
    let doc = s.openapi().await;
    let components = doc["components"]["schemas"].as_object().unwrap();
    let resolves = |schema: &Value| -> bool {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix("#/components/schemas/")
                .is_some_and(|name| components.contains_key(name)),
            None => {
                schema.get("properties").is_some_and(Value::is_object)
                    || schema.get("items").is_some_and(|i| i.get("$ref").is_some())
                    || schema.get("type").and_then(Value::as_str) == Some("string")
            }
        }
    };
    let mut answers = 0;
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if status == "204" {
                    continue;
                }
                let Some(content) = response["content"].as_object() else {
                    missing.push(format!("{method} {path} {status}: no body documented"));
                    continue;
                };
                for (kind, media) in content {
                    answers += 1;
                    if !resolves(&media["schema"]) {
                        missing.push(format!(
                            "{method} {path} {status} {kind}: {}",
                            media["schema"]
                        ));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "answers without a schema:\n{}",
        missing.join("\n")
    );
    assert!(answers > 100, "{answers} answers checked");
}
