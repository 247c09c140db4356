//! Regression tests, each named after the issue whose defect it pins.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Server, corpus_company, default_now, t};

/// Issue 15: the store folded e-mail addresses with SQLite's `lower()`,
/// which knows ASCII only. Deleting a user whose address has a non-ASCII
/// capital letter left their requests and delegations behind, and a later
/// account with the same address inherited them.
#[tokio::test]
async fn issue_15_a_deleted_users_non_ascii_address_leaves_nothing_behind() {
    let address = "Örjan.Ünal@acme.io";
    let mut company = corpus_company("small");
    company.users.push(interim_policy::wire::UserWire {
        email: address.to_owned(),
        first_name: "Örjan".to_owned(),
        last_name: "Ünal".to_owned(),
        enabled: true,
        roles: vec![interim_policy::Role::Developer],
    });
    let mut request = company.requests[0].clone();
    request.id = "r-orjan".to_owned();
    request.requester = address.to_owned();
    company.requests.push(request);
    company
        .delegations
        .push(interim_policy::wire::DelegationWire {
            from: "reviewer@acme.io".to_owned(),
            to: address.to_owned(),
            starts_at: t("2026-11-22T00:00:00Z"),
            ends_at: t("2026-11-25T00:00:00Z"),
        });
    let s = Server::start(&company, default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let mine = |list: &serde_json::Value, field: &str| {
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| {
                r[field]
                    .as_str()
                    .is_some_and(|e| e.to_lowercase() == address.to_lowercase())
            })
            .count()
    };
    let (_, before) = admin.get("/api/v1/access-requests?scope=all").await;
    assert_eq!(mine(&before, "requester"), 1, "{before}");

    let (status, body) = admin
        .delete("/api/v1/users/%C3%B6rjan.%C3%BCnal@acme.io")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = admin
        .post(
            "/api/v1/users",
            &json!({"email": address, "firstName": "Örjan", "lastName": "Ünal", "roles": ["DEVELOPER"]}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");

    let (_, after) = admin.get("/api/v1/access-requests?scope=all").await;
    assert_eq!(
        mine(&after, "requester"),
        0,
        "a request was inherited: {after}"
    );
    let reviewer = s.sign_in("reviewer@acme.io").await;
    let (_, delegations) = reviewer.get("/api/v1/delegations").await;
    assert_eq!(
        mine(&delegations, "to"),
        0,
        "a delegation was inherited: {delegations}"
    );
}
