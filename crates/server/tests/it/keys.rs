//! API keys as vendor automation uses them: every operation × every scope
//! (the policy's `key_scope::OPERATIONS`), the vendor's levels, rotation by
//! a key, and what a key never does.

use interim_policy::key_scope::{KeyRule, KeyScope, OPERATIONS};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Client, Server, corpus_company, default_now};

const KEYS: &str = "/api/v1/access/company/acme/system-api-key";

/// A key of the signed-in person with exactly `scopes` and `days` of life.
async fn key(admin: &Client, scopes: &[&str], days: u32) -> String {
    let query = scopes
        .iter()
        .map(|s| format!("&scopes={s}"))
        .collect::<String>();
    let (status, body) = admin
        .post(
            &format!("{KEYS}?expirationDays={days}&label=scoped{query}"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["apiKey"].as_str().unwrap().to_owned()
}

async fn call(
    s: &Server,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, s.url(path))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn concrete(path: &str) -> String {
    path.replace("{company}", "acme")
        .replace("{email}", "nobody@acme.io")
        .replace("{pool}", "pool-none")
        .replace("{id}", "x-none")
}

/// Issue 16: scopes were checked by category (temporary access needed
/// `COMPANY`), and some operations by none (a `SECURITY` key approved
/// requests). Each operation now needs the scope the policy's table names;
/// a key with every other scope is refused with `auth.key.scope`, a key
/// with it is not refused for its scope (its owner, a Company Admin, may
/// do everything; the dummy ids then give 404s or 400s).
#[tokio::test]
async fn every_operation_by_a_key_of_every_scope() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let mut keys = Vec::new();
    for scope in KeyScope::ALL {
        keys.push((scope, key(&admin, &[scope.wire_name()], 30).await));
    }
    let mut cells = 0;
    for op in OPERATIONS {
        let method = Method::from_bytes(op.method.as_bytes()).unwrap();
        let body = matches!(op.method, "POST" | "PUT" | "PATCH").then(|| json!({}));
        for (scope, secret) in &keys {
            let (status, answer) =
                call(&s, secret, method.clone(), &concrete(op.path), body.clone()).await;
            let code = answer["code"].as_str().unwrap_or_default();
            let cell = format!(
                "{} {} with a {} key: {status} {answer}",
                op.method,
                op.path,
                scope.wire_name()
            );
            match op.rule {
                KeyRule::Needs(needed) if needed != *scope => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{cell}");
                    assert_eq!(code, "auth.key.scope", "{cell}");
                }
                KeyRule::SessionOnly => {
                    assert_eq!(
                        (status, code),
                        (StatusCode::FORBIDDEN, "auth.key.not_allowed"),
                        "{cell}"
                    );
                }
                KeyRule::Needs(_) | KeyRule::AnyKey | KeyRule::Public => {
                    assert!(!code.starts_with("auth.key"), "{cell}");
                    assert_ne!(status, StatusCode::UNAUTHORIZED, "{cell}");
                    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{cell}");
                }
            }
            cells += 1;
        }
    }
    println!("{cells} operation × scope cells");
    assert!(cells >= 4 * 60, "{cells}");
}

/// Every operation the OpenAPI document lists is in the policy's key
/// table, and every one in the table is documented: a route added without
/// a scope would be refused to every key, and this test names it.
#[tokio::test]
async fn the_key_table_names_every_documented_operation() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let doc = s.openapi().await;
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    for (method, path) in &documented {
        assert!(
            interim_policy::key_scope::operation(method, path).is_some(),
            "{method} {path} is documented but has no key scope"
        );
    }
    // The table is written into the document, with unique operationIds.
    let create = &doc["paths"]["/api/v1/temp-access"]["post"];
    assert_eq!(create["operationId"], "addTempAccess");
    assert_eq!(create["x-required-scope"], "DEV");
    assert!(
        create["description"]
            .as_str()
            .unwrap_or_default()
            .contains("**Required API permission level:** `DEV`"),
        "{create}"
    );
    assert_eq!(create["security"][0]["apiToken"], json!(["DEV"]));
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "operationIds are unique");
    assert_eq!(all, documented.len(), "every operation has one");
    for op in OPERATIONS {
        let listed = documented
            .iter()
            .any(|(m, p)| m == op.method && p == op.path);
        assert!(
            // The vendor's singular alias is documented as its plural; a
            // grant's PUT and PATCH answer 405, as undocumented methods do.
            listed
                || matches!(
                    op.path,
                    "/metrics" | "/api/openapi.json" | "/api/v1/agent-pool"
                )
                || (op.path == "/api/v1/temp-access/{id}" && matches!(op.method, "PUT" | "PATCH")),
            "{} {} has a key scope but is not documented",
            op.method,
            op.path
        );
    }
}

/// Issue 16: a vendor temporary-access client with a `DEV` key got 403 on
/// every call. It lists, creates and deletes grants unchanged; a key with
/// every scope but `DEV` is refused.
#[tokio::test]
async fn issue_16_a_dev_key_manages_temporary_access() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let dev = key(&admin, &["DEV"], 30).await;
    let grant = json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"],
        "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z", "name": "vendor client"});
    let (status, created) = call(
        &s,
        &dev,
        Method::POST,
        "/api/v1/temp-access",
        Some(grant.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, page) = call(&s, &dev, Method::GET, "/api/v1/temp-access", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let id = created["id"].as_str().unwrap();
    let (status, body) = call(
        &s,
        &dev,
        Method::DELETE,
        &format!("/api/v1/temp-access/{id}"),
        None,
    )
    .await;
    assert!(status.is_success(), "{status} {body}");

    let others = key(&admin, &["COMPANY", "SECURITY", "CROSS_COMPANY"], 30).await;
    let (status, body) = call(
        &s,
        &others,
        Method::POST,
        "/api/v1/temp-access",
        Some(grant),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("auth.key.scope")),
        "{body}"
    );
    // The scheme's case does not matter; a 401 names how to authenticate.
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/temp-access"))
        .header("authorization", format!("BEARER {dev}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = reqwest::get(s.url("/api/v1/temp-access")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("www-authenticate").is_some());
}

/// Issue 16: a key could set its owner's password, then sign in and mint
/// keys. A key never sets a password; the password is unchanged.
#[tokio::test]
async fn issue_16_a_key_cannot_set_a_password() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let company = key(&admin, &["COMPANY"], 30).await;
    for (method, path, body) in [
        (
            Method::PUT,
            "/api/v1/users/admin@acme.io",
            json!({"firstName": "A", "lastName": "B", "password": "a brand new password"}),
        ),
        (
            Method::POST,
            "/api/v1/users",
            json!({"email": "new@acme.io", "firstName": "N", "lastName": "U", "password": "a brand new password"}),
        ),
    ] {
        let (status, body) = call(&s, &company, method, path, Some(body)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("auth.key.not_allowed")),
            "{path}: {body}"
        );
    }
    s.sign_in("admin@acme.io").await; // the old password still works
    let (_, users) = admin.get("/api/v1/users/new@acme.io").await;
    assert_eq!(
        users["code"], "user.email.unknown",
        "nothing was created: {users}"
    );
}

/// Issue 16: vendor automation rotates keys with a key. A `COMPANY` key
/// makes its successor, no wider and no longer lived, for the same user;
/// the successor revokes it.
#[tokio::test]
async fn issue_16_a_key_rotates_itself_but_never_widens() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let old = key(&admin, &["COMPANY", "DEV"], 30).await;
    let (status, body) = call(
        &s,
        &old,
        Method::POST,
        &format!("{KEYS}?expirationDays=60&scopes=SECURITY"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let codes: Vec<&str> = body["fieldErrors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "apiKey.scopes.wider_than_caller",
            "apiKey.expirationDays.outlives_caller"
        ],
        "{body}"
    );

    let (status, body) = call(
        &s,
        &old,
        Method::POST,
        &format!("{KEYS}?expirationDays=20&label=rotated"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = body["apiKey"].as_str().unwrap().to_owned();
    let new_id = body["id"].as_str().unwrap().to_owned();
    let (_, list) = call(&s, &new, Method::GET, KEYS, None).await;
    let made = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == new_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        made["scopes"],
        json!(["COMPANY", "DEV"]),
        "none named: the calling key's"
    );
    assert_eq!(made["createdBy"], "admin@acme.io", "the same user");
    let old_id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] != new_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = call(&s, &new, Method::DELETE, &format!("{KEYS}/{old_id}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = call(&s, &old, Method::GET, "/api/v1/temp-access", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old key is revoked");
}

/// Issue 17: the API keys page shows when each key was last used. A
/// request with the key records it (at most once a minute); the list says
/// so, and a key never used has no date.
#[tokio::test]
async fn a_keys_last_use_is_listed() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let used = key(&admin, &["DEV"], 30).await;
    key(&admin, &["DEV"], 30).await;
    let (_, list) = admin.get(KEYS).await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("lastUsedDate").is_none()),
        "no key used yet: {list}"
    );
    let (status, _) = call(&s, &used, Method::GET, "/api/v1/temp-access", None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = admin.get(KEYS).await;
    let dates: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k.get("lastUsedDate"))
        .collect();
    assert_eq!(dates.len(), 1, "exactly the key used has a date: {list}");
    assert!(
        interim_policy::time::parse_instant(dates[0].as_str().unwrap()).is_some(),
        "an instant: {list}"
    );
}
