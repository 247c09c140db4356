//! Access requests through HTTP with a controlled clock: the lifecycle
//! (pending → approved → ended; pending → expired; denied; cancelled;
//! revoked), self-review refused, auto-approval with a reason, delegation
//! honoured and ending on time, settings inherited and overridden.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Client, Server, corpus_company, default_now};

/// The corpus's small company without its stored requests and delegations.
async fn start() -> Server {
    let mut company = corpus_company("small");
    company.requests.clear();
    company.delegations.clear();
    Server::start(&company, default_now()).await
}

async fn can_use(admin: &Client, user: &str, pool: &str) -> (bool, String) {
    let (status, v) = admin
        .get(&format!(
            "/api/v1/explain/pool-access?user={user}&pool={pool}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    (
        v["decision"]["allowed"].as_bool().unwrap(),
        v["decision"]["reason"].as_str().unwrap().to_owned(),
    )
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or_default()
}

async fn actions(admin: &Client, target: &str) -> Vec<String> {
    let (_, v) = admin
        .get(&format!("/api/v1/audit?target=request:{target}&size=100"))
        .await;
    let mut list: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    list.sort();
    list
}

#[tokio::test]
async fn a_manual_request_is_approved_for_a_shorter_period_and_ends_on_time() {
    let s = start().await;
    let req = s.sign_in("req@acme.io").await;
    let reviewer = s.sign_in("reviewer@acme.io").await;
    let admin = s.sign_in("admin@acme.io").await;
    assert!(!can_use(&admin, "req@acme.io", "pool-locked").await.0);

    let (status, r) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "4h", "reason": "INC-4211 replay"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "pending");
    assert_eq!(r["requestedMinutes"], 240);
    assert_eq!(r["pendingUntil"], "2026-11-23T10:00:00.000Z");
    let rid = id(&r);

    // A second request for the same pool waits behind the first.
    let (status, v) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "1h"}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::CONFLICT, "request.agentPoolId.duplicate")
    );

    // The requester never reviews their own manual request.
    let (status, v) = req
        .post(
            &format!("/api/v1/access-requests/{rid}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "request.actor.self_review")
    );

    // The reviewer sees it in their queue and approves for one hour.
    let (_, queue) = reviewer
        .get("/api/v1/access-requests?scope=review&status=pending")
        .await;
    assert_eq!(queue["total"], 1, "{queue}");
    assert_eq!(queue["items"][0]["id"], rid.as_str());
    let (_, who) = req
        .get(&format!("/api/v1/access-requests/{rid}/reviewers"))
        .await;
    let emails: Vec<&str> = who["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert!(
        emails.contains(&"reviewer@acme.io") && emails.contains(&"admin@acme.io"),
        "{emails:?}"
    );
    let (status, v) = reviewer
        .post(
            &format!("/api/v1/access-requests/{rid}/approve"),
            &json!({"durationMinutes": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "approved");
    assert_eq!(
        v["endsAt"], "2026-11-22T11:00:00.000Z",
        "narrowed to one hour from approval"
    );
    assert_eq!(v["decidedBy"], "reviewer@acme.io");
    assert_eq!(
        can_use(&admin, "req@acme.io", "pool-locked").await,
        (true, "allow.request".to_owned())
    );

    // The access ends at the instant, before any sweep.
    s.clock
        .set(default_now() + Duration::hours(1) - Duration::milliseconds(1));
    assert!(can_use(&admin, "req@acme.io", "pool-locked").await.0);
    s.clock.set(default_now() + Duration::hours(1));
    assert!(!can_use(&admin, "req@acme.io", "pool-locked").await.0);
    let (_, v) = req.get(&format!("/api/v1/access-requests/{rid}")).await;
    assert_eq!(
        (v["status"].as_str(), v["effectiveStatus"].as_str()),
        (Some("approved"), Some("ended"))
    );
    assert_eq!(
        interim_server::sweeper::sweep_requests(&s.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        interim_server::sweeper::sweep_requests(&s.state)
            .await
            .unwrap(),
        0,
        "each end is written once"
    );
    let (_, v) = req.get(&format!("/api/v1/access-requests/{rid}")).await;
    assert_eq!(v["status"], "ended");

    // No transition out of `ended`.
    let (status, v) = admin
        .post(&format!("/api/v1/access-requests/{rid}/revoke"), &json!({}))
        .await;
    assert!(
        matches!(status, StatusCode::CONFLICT | StatusCode::NOT_FOUND),
        "{status} {v}"
    );
    assert_eq!(
        actions(&admin, &rid).await,
        ["request.approved", "request.created", "request.ended"]
    );
    assert_eq!(admin.get("/api/v1/audit/verify").await.1["valid"], true);
}

#[tokio::test]
async fn pending_requests_expire_and_the_other_endings_are_audited() {
    let s = start().await;
    let req = s.sign_in("req@acme.io").await;
    let body = json!({"agentPoolId": "pool-locked", "period": "1h"});

    // Unanswered for 24 hours: expired at the instant, then written once.
    let (_, r) = req.post("/api/v1/access-requests", &body).await;
    let expired = id(&r);
    s.clock.set(default_now() + Duration::hours(24));
    // Sessions do not last a day: sign in again.
    let req = s.sign_in("req@acme.io").await;
    let admin = s.sign_in("admin@acme.io").await;
    let (_, v) = req.get(&format!("/api/v1/access-requests/{expired}")).await;
    assert_eq!(v["effectiveStatus"], "expired");
    let (status, v) = admin
        .post(
            &format!("/api/v1/access-requests/{expired}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::CONFLICT, "request.status.illegal_transition"),
        "{v}"
    );
    assert_eq!(
        v["message"], "a request that is expired cannot be approved",
        "the refusal reads as English"
    );
    assert_eq!(
        interim_server::sweeper::sweep_requests(&s.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        actions(&admin, &expired).await,
        ["request.created", "request.expired"]
    );

    // Denied: a comment is required, and given to the requester.
    let (status, r) = req.post("/api/v1/access-requests", &body).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "an expired request does not block a new one: {r}"
    );
    let denied = id(&r);
    let (status, v) = admin
        .post(
            &format!("/api/v1/access-requests/{denied}/deny"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::BAD_REQUEST, "request.comment.required")
    );
    let (status, v) = admin
        .post(
            &format!("/api/v1/access-requests/{denied}/deny"),
            &json!({"comment": "use the staging pool"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["comment"].as_str()),
        (Some("denied"), Some("use the staging pool"))
    );

    // Cancelled by the requester, and only by them.
    let (_, r) = req.post("/api/v1/access-requests", &body).await;
    let cancelled = id(&r);
    let (status, _) = admin
        .post(
            &format!("/api/v1/access-requests/{cancelled}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = req
        .post_raw(&format!("/api/v1/access-requests/{cancelled}/cancel"), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");

    // Revoked by a reviewer: access ends at once.
    let (_, r) = req.post("/api/v1/access-requests", &body).await;
    let revoked = id(&r);
    admin
        .post(
            &format!("/api/v1/access-requests/{revoked}/approve"),
            &json!({}),
        )
        .await;
    assert!(can_use(&admin, "req@acme.io", "pool-locked").await.0);
    let (status, v) = req
        .post(
            &format!("/api/v1/access-requests/{revoked}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the requester does not revoke: {v}"
    );
    let (status, v) = admin
        .post(
            &format!("/api/v1/access-requests/{revoked}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("revoked"))
    );
    assert!(!can_use(&admin, "req@acme.io", "pool-locked").await.0);

    // The requester sees only their own; the admin sees all.
    let (_, mine) = req.get("/api/v1/access-requests").await;
    assert_eq!(mine["total"], 4);
    let (status, _) = req.get("/api/v1/access-requests?scope=all").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, all) = admin
        .get("/api/v1/access-requests?scope=all&status=revoked")
        .await;
    assert_eq!(all["total"], 1);
    let (status, v) = admin.get("/api/v1/access-requests?scope=everything").await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::BAD_REQUEST, "body.field.invalid_type")
    );
    assert_eq!(admin.get("/api/v1/audit/verify").await.1["valid"], true);
}

#[tokio::test]
async fn auto_approval_needs_a_reason_and_grants_at_once() {
    let s = start().await;
    let req2 = s.sign_in("req2@acme.io").await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, v) = req2
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-auto", "period": "1d"}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::BAD_REQUEST, "request.reason.required"),
        "{v}"
    );
    let (status, v) = req2
        .post("/api/v1/access-requests", &json!({"agentPoolId": "pool-auto", "period": "custom", "durationMinutes": 90, "reason": "rerun the batch", "ticketRef": "OPS-12"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["approval"].as_str()),
        (Some("approved"), Some("auto"))
    );
    assert_eq!(v["endsAt"], "2026-11-22T11:30:00.000Z");
    assert!(can_use(&admin, "req2@acme.io", "pool-auto").await.0);
    assert_eq!(
        actions(&admin, &id(&v)).await,
        ["request.approved", "request.created"]
    );
}

#[tokio::test]
async fn a_delegate_reviews_until_the_delegation_ends() {
    let s = start().await;
    let req = s.sign_in("req@acme.io").await;
    let reviewer = s.sign_in("reviewer@acme.io").await;
    let delegate = s.sign_in("delegate@acme.io").await;
    // Only someone who reviews can delegate.
    let (status, v) = req
        .post(
            "/api/v1/delegations",
            &json!({"to": "delegate@acme.io", "endsAt": "2026-11-22T12:00:00Z"}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "delegation.from.not_reviewer"),
        "{v}"
    );
    let (status, d) = reviewer
        .post(
            "/api/v1/delegations",
            &json!({"to": "delegate@acme.io", "endsAt": "2026-11-22T12:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let (_, listed) = delegate.get("/api/v1/delegations").await;
    assert_eq!(listed["total"], 1);
    // The portal offers the queue to the delegate, and delegating only to
    // the direct reviewer.
    let (_, me) = delegate.get("/api/v1/auth/me").await;
    assert_eq!(
        (&me["reviewer"], &me["mayDelegate"]),
        (&json!(true), &json!(false))
    );
    let (_, me) = reviewer.get("/api/v1/auth/me").await;
    assert_eq!(
        (&me["reviewer"], &me["mayDelegate"]),
        (&json!(true), &json!(true))
    );
    let (_, me) = req.get("/api/v1/auth/me").await;
    assert_eq!(
        (&me["reviewer"], &me["mayDelegate"]),
        (&json!(false), &json!(false))
    );

    let (_, r) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "1h"}),
        )
        .await;
    let (_, queue) = delegate.get("/api/v1/access-requests?scope=review").await;
    assert_eq!(
        queue["total"], 1,
        "the delegate reviews what the reviewer reviews"
    );
    // After the delegation ends, the delegate reviews nothing.
    s.clock.set(default_now() + Duration::hours(2));
    let (status, v) = delegate
        .post(
            &format!("/api/v1/access-requests/{}/approve", id(&r)),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "request.actor.not_reviewer"),
        "{v}"
    );
    assert_eq!(delegate.get("/api/v1/auth/me").await.1["reviewer"], false);
    s.clock.set(default_now() + Duration::minutes(30));
    let (status, v) = delegate
        .post(
            &format!("/api/v1/access-requests/{}/approve", id(&r)),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // The giver ends it early.
    let (status, _) = reviewer
        .delete(&format!("/api/v1/delegations/{}", id(&d)))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(delegate.get("/api/v1/delegations").await.1["total"], 0);
}

#[tokio::test]
async fn settings_are_inherited_from_the_pool_and_overridden_per_assignment() {
    let s = start().await;
    let admin = s.sign_in("admin@acme.io").await;
    let req = s.sign_in("req@acme.io").await;
    // pool-locked offers 1h and 4h by default; g-ledger's assignment is not overridden.
    let (status, _) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "8h"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "8h is not offered");
    let settings =
        json!({"enabled": true, "periods": ["8h"], "approval": "manual", "reasonRequired": true});
    let (status, v) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/groups/g-ledger/request-settings/pool-locked",
            Some(&settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "8h"}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::BAD_REQUEST, "request.reason.required"),
        "the override applies: {v}"
    );
    let (status, v) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "8h", "reason": "audit"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, _) = req
        .post(
            &format!("/api/v1/access-requests/{}/cancel", id(&v)),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Removing the override restores the pool's settings.
    let (status, _) = admin
        .delete("/api/v1/groups/g-ledger/request-settings/pool-locked")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "8h", "reason": "audit"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The pool's default, changed: requests off unlocks the pool, so its
    // groups' members use it directly and have nothing to request.
    assert!(!can_use(&admin, "req@acme.io", "pool-locked").await.0);
    let (status, _) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/agent-pools/pool-locked/request-settings",
            Some(&Value::Null),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        can_use(&admin, "req@acme.io", "pool-locked").await,
        (true, "allow.group".to_owned())
    );
    let (status, v) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "1h"}),
        )
        .await;
    assert_eq!(
        (status, code(&v)),
        (
            StatusCode::CONFLICT,
            "request.agentPoolId.already_accessible"
        )
    );
    // A developer may not change settings; a bad body names its field.
    let (status, _) = req
        .call(
            reqwest::Method::PUT,
            "/api/v1/agent-pools/pool-locked/request-settings",
            Some(&settings),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/agent-pools/pool-locked/request-settings",
            Some(&json!({"enabled": true, "periods": ["2h"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["fieldErrors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("periods"),
        "{v}"
    );
}

#[tokio::test]
async fn the_access_summary_downloads_as_json_and_csv() {
    let s = start().await;
    let admin = s.sign_in("admin@acme.io").await;
    let req2 = s.sign_in("req2@acme.io").await;
    let (_, r) = req2
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-auto", "period": "1d", "reason": "nightly batch"}),
        )
        .await;
    let rid = id(&r);
    let (status, v) = admin.get("/api/v1/reports/access?by=user").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["by"], "user");
    let row = v["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agentPoolId"] == "pool-auto" && a["user"] == "req2@acme.io")
        .expect("the approved request's access is in the report");
    assert_eq!(
        (row["source"].as_str(), row["sourceId"].as_str()),
        (Some("request"), Some(rid.as_str()))
    );
    assert_eq!(row["until"], "2026-11-23T10:00:00.000Z");
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/reports/access?by=pool&format=csv"))
        .header("cookie", admin.cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with(
            "agentPoolId,poolName,accessRequests,groupIds,user,level,source,sourceId,until\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            ",req2@acme.io,STANDARD,request,{rid},2026-11-23T10:00:00.000Z\n"
        )),
        "{csv}"
    );
    // When the period is over, the access leaves the summary.
    s.clock.set(default_now() + Duration::days(1));
    let admin = s.sign_in("admin@acme.io").await;
    let req2 = s.sign_in("req2@acme.io").await;
    let (_, v) = admin.get("/api/v1/reports/access?by=pool").await;
    assert!(
        !v["access"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["sourceId"] == rid.as_str())
    );
    // Only those who read users get it; a bad parameter names itself.
    assert_eq!(
        req2.get("/api/v1/reports/access").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, v) = admin.get("/api/v1/reports/access?by=team").await;
    assert_eq!(
        (status, v["fieldErrors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("by"))
    );
}

#[tokio::test]
async fn a_reviewer_sees_whom_they_may_delegate_to_and_no_more() {
    let s = start().await;
    let emails = |v: &Value| -> Vec<String> {
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_owned())
            .collect()
    };
    // A Developer who reviews a pool: the enabled users, without roles.
    let reviewer = s.sign_in("reviewer@acme.io").await;
    let (status, v) = reviewer.get("/api/v1/snapshot").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let seen = emails(&v);
    assert!(seen.iter().any(|e| e == "delegate@acme.io"), "{seen:?}");
    assert!(
        !seen.iter().any(|e| e == "off@acme.io"),
        "a disabled account is nobody's delegate: {seen:?}"
    );
    for u in v["users"].as_array().unwrap() {
        if u["email"] != "reviewer@acme.io" {
            assert_eq!(u["roles"], json!([]), "no one else's roles: {u}");
        }
    }
    // A Developer who reviews nothing: only themself.
    let req = s.sign_in("req@acme.io").await;
    let (_, v) = req.get("/api/v1/snapshot").await;
    assert_eq!(emails(&v), ["req@acme.io"]);
}
