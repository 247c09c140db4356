//! Activation links (issue 16: the vendor's `activationLink` was never
//! answered, so a user created without a password could never sign in).

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, corpus_company, default_now};

const PASSWORD: &str = "a long new password 2026";

/// The token of a link: what follows `#`.
fn token(link: &Value) -> String {
    let link = link.as_str().unwrap();
    assert!(link.contains("/activate#"), "{link}");
    link.rsplit('#').next().unwrap().to_owned()
}

async fn activate(s: &Server, token: &str, password: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/auth/activate"))
        .json(&json!({"token": token, "password": password}))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn sign_in(s: &Server, email: &str, password: &str) -> StatusCode {
    reqwest::Client::new()
        .post(s.url("/api/v1/auth/sign-in"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_user_created_without_a_password_activates_once_through_the_link() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, user) = admin
        .post(
            "/api/v1/users",
            &json!({"email": "new.person@acme.io", "firstName": "New", "lastName": "Person"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let first = token(&user["activationLink"]);
    let (_, read) = admin.get("/api/v1/users/new.person@acme.io").await;
    assert_eq!(read.get("activationLink"), None, "shown once: {read}");
    assert_eq!(
        sign_in(&s, "new.person@acme.io", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    // A password the policy refuses leaves the link good.
    let (status, body) = activate(&s, &first, "short").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fieldErrors"][0]["field"], "password", "{body}");

    let (status, body) = activate(&s, &first, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "new.person@acme.io");
    assert_eq!(
        sign_in(&s, "new.person@acme.io", PASSWORD).await,
        StatusCode::OK
    );

    // Used once.
    let (status, body) = activate(&s, &first, "another long password").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fieldErrors"][0]["field"], "token", "{body}");
    assert_eq!(body["code"], "auth.activation.invalid", "{body}");

    // An admin's reset: a new link ends the one before it.
    let (status, older) = admin
        .post(
            "/api/v1/users/new.person@acme.io/activation-link",
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{older}");
    let (_, newer) = admin
        .post(
            "/api/v1/users/NEW.person@acme.io/activation-link",
            &json!({}),
        )
        .await;
    let (status, _) = activate(&s, &token(&older["activationLink"]), PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the older link ended");
    let (status, _) = activate(&s, &token(&newer["activationLink"]), "reset password 2026").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sign_in(&s, "new.person@acme.io", "reset password 2026").await,
        StatusCode::OK
    );

    let (_, log) = admin
        .get("/api/v1/audit?target=user:new.person@acme.io&size=100")
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "user.activation_link")
            .count(),
        3,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| **a == "user.activated").count(),
        2,
        "{actions:?}"
    );
    let text = log.to_string();
    assert!(!text.contains(&first), "no token in the audit log");
}

#[tokio::test]
async fn a_link_expires_after_seven_days_and_is_useless_for_a_disabled_user() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (_, user) = admin
        .post(
            "/api/v1/users",
            &json!({"email": "late@acme.io", "firstName": "Late", "lastName": "Comer"}),
        )
        .await;
    s.clock.advance(Duration::days(7) + Duration::seconds(1));
    let (status, body) = activate(&s, &token(&user["activationLink"]), PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "auth.activation.invalid");

    // The admin's session ended meanwhile (12 hours).
    let admin = s.sign_in("admin@acme.io").await;
    let (status, link) = admin
        .post("/api/v1/users/late@acme.io/activation-link", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let (status, _) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/users/late@acme.io/disable",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = activate(&s, &token(&link["activationLink"]), PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a disabled account is not activated"
    );
}

/// A key holder with a link could sign in as the person, beyond the key's
/// scopes: a key never receives one.
#[tokio::test]
async fn an_api_key_never_receives_an_activation_link() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, body) = admin
        .post(
            "/api/v1/access/company/acme/system-api-key?expirationDays=1&label=automation&scopes=COMPANY",
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let key = body["apiKey"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let r = http
        .post(s.url("/api/v1/users"))
        .bearer_auth(&key)
        .json(&json!({"email": "bot.made@acme.io", "firstName": "Bot", "lastName": "Made", "roles": ["SYSTEM_ADMIN"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let user: Value = r.json().await.unwrap();
    assert_eq!(user.get("activationLink"), None, "{user}");
    let r = http
        .post(s.url("/api/v1/users/bot.made@acme.io/activation-link"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "auth.key.not_allowed", "{body}");
}

/// Issue 17 (and 16's "a password change leaves … working"): a person
/// changes their own password with the current one; their other sessions
/// end, this one stays; a wrong current password changes nothing.
#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let here = s.sign_in("admin@acme.io").await;
    let elsewhere = s.sign_in("admin@acme.io").await;
    let change = |current: &str, new: &str| json!({"currentPassword": current, "newPassword": new});

    let (status, body) = here
        .post("/api/v1/auth/password", &change("not it at all", PASSWORD))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fieldErrors"][0]["field"], "currentPassword", "{body}");
    let (status, body) = here
        .post(
            "/api/v1/auth/password",
            &change(crate::support::PASSWORD, "short"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fieldErrors"][0]["field"], "newPassword", "{body}");
    let (status, _) = elsewhere.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "nothing changed yet");

    let (status, body) = here
        .post(
            "/api/v1/auth/password",
            &change(crate::support::PASSWORD, PASSWORD),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = here.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the session that changed it stays");
    let (status, _) = elsewhere.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the other session ended");
    assert_eq!(sign_in(&s, "admin@acme.io", PASSWORD).await, StatusCode::OK);
    assert_eq!(
        sign_in(&s, "admin@acme.io", crate::support::PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let (_, log) = here
        .get("/api/v1/audit?action=user.password_changed&size=10")
        .await;
    let events = log["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "the refusal and the change: {log}");
}

/// Issue 17: people created by the legacy import get links too (to a
/// signed-in admin; a person already there keeps their password and gets
/// none), and each link works.
#[tokio::test]
async fn the_legacy_import_gives_each_new_person_a_link() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let file = json!([
        {"email": "lee.legacy@acme.io", "firstName": "Lee", "lastName": "Legacy", "legacyRoles": ["default_user"]},
        {"email": "dev@acme.io", "firstName": "Dev", "lastName": "Eloper", "legacyRoles": ["default_user"]}
    ]);
    let (status, preview) = admin.post("/api/v1/users/import?preview=true", &file).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        preview["activationLinks"],
        json!([]),
        "a preview makes no link"
    );
    let (status, done) = admin.post("/api/v1/users/import", &file).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let links = done["activationLinks"].as_array().unwrap();
    assert_eq!(links.len(), 1, "only the new person: {done}");
    assert_eq!(links[0]["email"], "lee.legacy@acme.io");
    let (status, _) = activate(&s, &token(&links[0]["activationLink"]), PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sign_in(&s, "lee.legacy@acme.io", PASSWORD).await,
        StatusCode::OK
    );
}
