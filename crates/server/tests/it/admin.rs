use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Server, corpus_company, default_now};

#[tokio::test]
async fn groups_members_and_the_access_they_give() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (status, g) = c
        .post(
            "/api/v1/groups",
            &json!({"name": "Search", "agentPoolIds": ["pool-search"], "roles": ["STANDARD"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    assert_eq!(g["memberCount"], 0);
    assert_eq!(g["default"], false);
    let id = g["id"].as_str().unwrap().to_owned();
    let (status, bulk) = c
        .post(
            &format!("/api/v1/groups/{id}/members"),
            &json!([{"email": "sec@acme.io"}, {"email": "ghost@acme.io"}]),
        )
        .await;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{bulk}");
    assert_eq!(bulk["successes"][0]["email"], "sec@acme.io");
    assert_eq!(bulk["successes"][0]["effectiveRoles"], json!(["STANDARD"]));
    assert_eq!(bulk["failures"][0]["status"], 404);
    let (status, m) = c
        .call(
            Method::PUT,
            &format!("/api/v1/groups/{id}/members/sec@acme.io"),
            Some(&json!({"groupAdmin": true, "elevatedRoles": ["PRIVILEGED"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["effectiveRoles"], json!(["STANDARD", "PRIVILEGED"]));
    let (_, why) = c
        .get("/api/v1/explain/pool-access?user=sec@acme.io&pool=pool-search")
        .await;
    assert_eq!(why["decision"]["reason"], "allow.group", "{why}");
    assert_eq!(why["privileged"]["allowed"], true);
    let (status, g) = c.post("/api/v1/groups", &json!({"name": "search"})).await;
    assert_eq!(
        (status, g["code"].as_str()),
        (StatusCode::CONFLICT, Some("group.name.taken"))
    );
    let (status, bulk) = c
        .call(
            Method::DELETE,
            &format!("/api/v1/groups/{id}/members"),
            Some(&json!(["sec@acme.io"])),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{bulk}");
    let (_, why) = c
        .get("/api/v1/explain/pool-access?user=sec@acme.io&pool=pool-search")
        .await;
    assert_eq!(why["decision"]["allowed"], false);
    let (status, g) = c.call(Method::PUT, &format!("/api/v1/groups/{id}"), Some(&json!({"name": "Search & indexing", "agentPoolIds": ["pool-search", "pool-pay-staging"], "roles": ["PRIVILEGED"]}))).await;
    assert_eq!(status, StatusCode::OK, "{g}");
    assert_eq!(
        g["agentPoolIds"],
        json!(["pool-search", "pool-pay-staging"])
    );
    let (_, page) = c.get("/api/v1/groups?name=index").await;
    assert_eq!(page["total"], 1);
    assert_eq!(
        c.get(&format!("/api/v1/groups/{id}")).await.1["name"],
        "Search & indexing"
    );
    assert_eq!(
        c.delete(&format!("/api/v1/groups/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let dev = s.sign_in("dev@acme.io").await;
    assert_eq!(dev.get("/api/v1/groups").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_keys_carry_their_creators_rights_and_no_more() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, body) = admin
        .post(
            "/api/v1/access/company/acme/system-api-key?expirationDays=30&label=ci%20deploy",
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["apiKey"].as_str().unwrap().to_owned();
    let key_id = body["id"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let grant = json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"], "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"});
    let r = http
        .post(s.url("/api/v1/temp-access"))
        .bearer_auth(&secret)
        .json(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "a key needs no CSRF token");
    let (_, keys) = admin
        .get("/api/v1/access/company/acme/system-api-key")
        .await;
    assert_eq!(keys["items"][0]["label"], "ci deploy");
    assert!(
        keys["items"][0].get("apiKey").is_none(),
        "the secret is shown once"
    );
    let (status, _) = admin
        .get("/api/v1/access/company/other/system-api-key")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = admin
        .post(
            "/api/v1/access/company/acme/system-api-key?expirationDays=400",
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("apiKey.expirationDays.out_of_range")
        )
    );

    // A Security user's key manages keys but cannot grant access.
    let sec = s.sign_in("sec@acme.io").await;
    let (status, body) = sec
        .post(
            "/api/v1/access/company/acme/system-api-key?expirationDays=1",
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = http
        .post(s.url("/api/v1/temp-access"))
        .bearer_auth(body["apiKey"].as_str().unwrap())
        .json(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let dev = s.sign_in("dev@acme.io").await;
    assert_eq!(
        dev.post(
            "/api/v1/access/company/acme/system-api-key?expirationDays=1",
            &json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let (status, body) = admin
        .call(
            Method::PUT,
            &format!("/api/v1/access/company/acme/system-api-key/{key_id}"),
            Some(&json!({"label": "ci deploy 2"})),
        )
        .await;
    assert_eq!(
        (status, body["label"].as_str()),
        (StatusCode::OK, Some("ci deploy 2"))
    );
    assert_eq!(
        admin
            .delete(&format!(
                "/api/v1/access/company/acme/system-api-key/{key_id}"
            ))
            .await
            .0,
        StatusCode::OK
    );
    let r = http
        .get(s.url("/api/v1/temp-access"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a revoked key is refused at once"
    );
    let (_, audit) = admin.get("/api/v1/audit?action=apikey.created").await;
    assert_eq!(audit["total"], 2);
}

#[tokio::test]
async fn settings_tighten_limits_and_switch_rbac() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (_, settings) = c.get("/api/v1/settings").await;
    assert_eq!(settings["limits"]["maxActiveGrants"], 100);
    let (status, body) = c.call(Method::PUT, "/api/v1/settings", Some(&json!({"limits": {"maxUsersPerGrant": 50, "maxPoolsPerGrant": 20, "maxGrantDays": 31, "maxActiveGrants": 101}}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["fieldErrors"][0]["field"], "limits.maxActiveGrants");
    let (status, _) = c.call(Method::PUT, "/api/v1/settings", Some(&json!({"limits": {"maxUsersPerGrant": 1, "maxPoolsPerGrant": 20, "maxGrantDays": 31, "maxActiveGrants": 3}}))).await;
    assert_eq!(status, StatusCode::OK);
    let grant = json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io", "sec@acme.io"], "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"});
    let (status, body) = c.post("/api/v1/temp-access", &grant).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let codes: Vec<&str> = body["fieldErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["grant.userEmails.too_many", "grant.limit.reached"]
    );
    assert_eq!(
        c.call(
            Method::PUT,
            "/api/v1/settings",
            Some(&json!({"rbacEnabled": false}))
        )
        .await
        .0,
        StatusCode::OK
    );
    let (status, body) = c.post("/api/v1/temp-access", &json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"], "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["fieldErrors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "grant.rbac.disabled"),
        "{body}"
    );
    let (_, audit) = c.get("/api/v1/audit?action=settings.changed").await;
    assert_eq!(audit["total"], 2);
    let dev = s.sign_in("dev@acme.io").await;
    assert_eq!(
        dev.call(
            Method::PUT,
            "/api/v1/settings",
            Some(&json!({"rbacEnabled": true}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

/// Issue 17: Name & plan. An admin names the company (checked by the
/// policy's rule; a bad name changes nothing), the settings carry what the
/// company holds beside its limits, the change is audited in words, and
/// the audit lists newest first on request.
#[tokio::test]
async fn the_company_is_named_and_its_usage_counted() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (_, before) = c.get("/api/v1/settings").await;
    assert_eq!(before["companyName"], "");
    let usage = &before["usage"];
    let (_, users) = c.get("/api/v1/users?size=1000").await;
    assert_eq!(usage["users"], users["total"], "{before}");
    let (_, grants) = c.get("/api/v1/temp-access?size=1000").await;
    assert_eq!(usage["activeGrants"], grants["total"], "{before}");
    for bad in ["   ", "two\nlines"] {
        let (status, body) = c
            .call(
                Method::PUT,
                "/api/v1/settings",
                Some(&json!({ "companyName": bad })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["fieldErrors"][0]["field"], "companyName");
    }
    let (_, unchanged) = c.get("/api/v1/settings").await;
    assert_eq!(unchanged, before, "a refused name changes nothing");
    let (status, after) = c
        .call(
            Method::PUT,
            "/api/v1/settings",
            Some(&json!({ "companyName": "  Acme GmbH " })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["companyName"], "Acme GmbH");
    assert_eq!(after["usage"], before["usage"]);
    let (_, audit) = c
        .get("/api/v1/audit?action=settings.changed&order=newest")
        .await;
    assert_eq!(
        audit["items"][0]["details"]["after"]["companyName"],
        "Acme GmbH"
    );
    let (_, newest) = c.get("/api/v1/audit?order=newest&size=1").await;
    let (_, all) = c.get("/api/v1/audit?size=1000").await;
    let last = all["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(newest["items"][0], last, "newest first");
    let (status, body) = c.get("/api/v1/audit?order=sideways").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let viewer = s.sign_in("viewer@acme.io").await;
    let (status, _) = viewer
        .call(
            Method::PUT,
            "/api/v1/settings",
            Some(&json!({ "companyName": "Mine" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_snapshot_is_filtered_to_what_the_caller_may_see() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (_, full) = admin.get("/api/v1/snapshot").await;
    assert_eq!(full["users"].as_array().unwrap().len(), 18);
    assert_eq!(
        full["grants"].as_array().unwrap().len(),
        3,
        "the grants active now"
    );
    let dev = s.sign_in("dev@acme.io").await;
    let (status, mine) = dev.get("/api/v1/snapshot").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["users"].as_array().unwrap().len(), 1);
    let grants = mine["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 3, "every active grant's name and period stay");
    let names: Vec<&str> = grants.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Quota bypass"));
    let other = grants.iter().find(|g| g["name"] == "Quota bypass").unwrap();
    assert_eq!(
        other["userEmails"],
        json!([]),
        "whom another grant names is hidden"
    );
    let own = grants
        .iter()
        .find(|g| g["name"] == "Incident 4211")
        .unwrap();
    assert_eq!(own["userEmails"].as_array().unwrap().len(), 2);
    // What the core decides on the filtered snapshot is what it decides on the whole.
    let (_, me) = dev.get("/api/v1/explain/permissions").await;
    assert_eq!(me["email"], "dev@acme.io");
    assert_eq!(
        dev.get("/api/v1/explain/permissions?user=admin@acme.io")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn legacy_import_previews_then_applies() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let file = json!([
        {"email": "old.dev@acme.io", "firstName": "Old", "lastName": "Dev", "legacyRoles": ["default_user"]},
        {"email": "old.lead@acme.io", "firstName": "Old", "lastName": "Lead", "legacyRoles": ["default_user"], "groupAdminOf": ["g-payments"]},
        {"email": "old.root@acme.io", "firstName": "Old", "lastName": "Root", "legacyRoles": ["ROLE_ROOT"]}
    ]);
    let (status, preview) = c.post("/api/v1/users/import?preview=true", &file).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["errors"][0]["code"], "legacy.legacyRoles.unknown");
    let (status, body) = c.post("/api/v1/users/import", &file).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "nothing is applied while errors remain: {body}"
    );
    assert_eq!(
        c.get("/api/v1/users/old.dev@acme.io").await.0,
        StatusCode::NOT_FOUND
    );
    let file = json!([file[0], file[1]]);
    let (status, _) = c.post("/api/v1/users/import", &file).await;
    assert_eq!(status, StatusCode::OK);
    let (_, lead) = c.get("/api/v1/users/old.lead@acme.io").await;
    assert_eq!(lead["roles"], json!(["DEVELOPER", "GROUP_ADMIN"]));
    let (_, group) = c.get("/api/v1/groups/g-payments?includeMembers=true").await;
    assert!(
        group["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["email"] == "old.lead@acme.io" && m["groupAdmin"] == true)
    );
}

/// Everything stored that a refused write could touch.
async fn stored(c: &crate::support::Client) -> serde_json::Value {
    let mut v = json!({});
    for (k, path) in [
        ("grants", "/api/v1/temp-access?size=1000"),
        ("users", "/api/v1/users?size=1000"),
        ("pools", "/api/v1/agent-pools?size=1000"),
        ("groups", "/api/v1/groups?size=1000&includeMembers=true"),
        ("settings", "/api/v1/settings"),
        ("keys", "/api/v1/access/company/acme/system-api-key"),
        ("audit", "/api/v1/audit/verify"),
    ] {
        v[k] = c.get(path).await.1;
    }
    v
}

#[tokio::test]
async fn every_refused_write_leaves_everything_as_it_was() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let before = stored(&c).await;
    let refused: Vec<(Method, &str, serde_json::Value, StatusCode)> = vec![
        (
            Method::POST,
            "/api/v1/temp-access/g-active/replace",
            json!({"agentPoolIds": ["pool-ghost"], "userEmails": ["dev@acme.io"], "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"}),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/temp-access/g-active/replace",
            json!({"nope": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PUT,
            "/api/v1/users/dev@acme.io",
            json!({"firstName": "", "lastName": "X"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PUT,
            "/api/v1/users/admin@acme.io",
            json!({"firstName": "A", "lastName": "B", "roles": ["DEVELOPER"]}),
            StatusCode::CONFLICT,
        ),
        (
            Method::DELETE,
            "/api/v1/users/admin@acme.io",
            json!(null),
            StatusCode::CONFLICT,
        ),
        (
            Method::PUT,
            "/api/v1/users/ghost@acme.io/enable",
            json!(null),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/groups",
            json!({"name": "X", "agentPoolIds": ["pool-ghost"]}),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/groups",
            json!({"name": "X", "roles": ["ROOT"]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PUT,
            "/api/v1/groups/g-payments",
            json!({"name": "Ledger"}),
            StatusCode::CONFLICT,
        ),
        (
            Method::PUT,
            "/api/v1/groups/g-payments/members/ghost@acme.io",
            json!({"groupAdmin": true}),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/groups/g-payments/members",
            json!([{"email": "ghost@acme.io"}]),
            StatusCode::MULTI_STATUS,
        ),
        (
            Method::PUT,
            "/api/v1/settings",
            json!({"limits": {"maxUsersPerGrant": 0, "maxPoolsPerGrant": 20, "maxGrantDays": 31, "maxActiveGrants": 100}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PUT,
            "/api/v1/settings",
            json!({"rbacEnabled": "no"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/access/company/acme/system-api-key?expirationDays=0",
            json!(null),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/access/company/acme/system-api-key?expirationDays=5&label=-x",
            json!(null),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PUT,
            "/api/v1/access/company/acme/system-api-key/k-ghost",
            json!({"label": "abc"}),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/users/import",
            json!([{"email": "a@acme.io", "legacyRoles": ["ROOT"]}]),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PUT,
            "/api/v1/agent-pools/pool-pay",
            json!({"name": "x".repeat(101)}),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::DELETE,
            "/api/v1/agent-pools/pool-ghost",
            json!(null),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (method, path, body, status) in refused {
        let body = (!body.is_null()).then_some(body);
        let (got, answer) = c.call(method.clone(), path, body.as_ref()).await;
        assert_eq!(got, status, "{method} {path}: {answer}");
        if status != StatusCode::MULTI_STATUS {
            assert!(
                answer["code"].is_string() && answer["fieldErrors"].is_array(),
                "{method} {path}: {answer}"
            );
        }
    }
    assert_eq!(stored(&c).await, before);
}

#[tokio::test]
async fn review_findings_stay_fixed() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let http = reqwest::Client::new();

    // A key reaches only its scopes, and mints no key wider than itself.
    let (_, body) = admin
        .post(
            "/api/v1/access/company/acme/system-api-key?expirationDays=1&scopes=DEV",
            &json!({}),
        )
        .await;
    let dev_key = body["apiKey"].as_str().unwrap().to_owned();
    let r = http
        .get(s.url("/api/v1/users"))
        .bearer_auth(&dev_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "auth.key.scope"
    );
    assert_eq!(
        http.get(s.url("/api/v1/agent-pools"))
            .bearer_auth(&dev_key)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (_, body) = admin
        .post(
            "/api/v1/access/company/acme/system-api-key?expirationDays=1",
            &json!({}),
        )
        .await;
    let full_key = body["apiKey"].as_str().unwrap().to_owned();
    let r = http
        .post(s.url("/api/v1/access/company/acme/system-api-key?expirationDays=365"))
        .bearer_auth(&full_key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a key cannot make a key that outlives it"
    );
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["fieldErrors"][0]["code"],
        "apiKey.expirationDays.outlives_caller"
    );

    // The import cannot demote the last Company Admin.
    let (status, body) = admin
        .post(
            "/api/v1/users/import",
            &json!([{"email": "ADMIN@acme.io", "legacyRoles": ["default_user"]}]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        admin.get("/api/v1/users/admin@acme.io").await.1["roles"],
        json!(["SYSTEM_ADMIN"])
    );

    // A deleted user's grants do not pass to a new account with the address.
    assert_eq!(
        admin.delete("/api/v1/users/ana.lima@acme.io").await.0,
        StatusCode::NO_CONTENT
    );
    let (_, g) = admin.get("/api/v1/temp-access/g-active").await;
    assert_eq!(g["userEmails"], json!(["dev@acme.io"]));
    assert_eq!(
        admin.delete("/api/v1/users/ir@acme.io").await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin.get("/api/v1/temp-access/g-priv").await.0,
        StatusCode::NOT_FOUND,
        "a grant left with nobody is gone"
    );

    // A new password ends the user's sessions.
    let dev = s.sign_in("dev@acme.io").await;
    let (status, _) = admin.call(Method::PUT, "/api/v1/users/dev@acme.io", Some(&json!({"firstName": "Dev", "lastName": "Acme", "password": "a brand new password"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dev.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);

    // Bad paths and non-JSON bodies answer in the error shape.
    let (status, body) = admin.get("/api/v1/users/%FF").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("path.invalid"))
    );
    let r = http
        .post(s.url("/api/v1/auth/sign-in"))
        .header("content-type", "text/plain")
        .body(r#"{"email":"dev@acme.io","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Unknown pools are told apart from known ones only to those who may act on pools.
    let viewer = s.sign_in("viewer@acme.io").await;
    let (status, _) = viewer
        .call(
            Method::PUT,
            "/api/v1/agent-pools/pool-ghost",
            Some(&json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin
        .call(
            Method::PUT,
            "/api/v1/agent-pools/pool-ghost",
            Some(&json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A failed sign-in cannot plant a formula in the CSV export.
    let r = http
        .post(s.url("/api/v1/auth/sign-in"))
        .json(&json!({"email": "=HYPERLINK(\"x\")", "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let csv = http
        .get(s.url("/api/v1/audit/export?format=csv"))
        .header("cookie", &admin.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !csv.lines().any(|l| l
            .split(',')
            .any(|cell| cell.trim_start_matches('"').starts_with('='))),
        "{csv}"
    );
}

/// Issue 17: a Group Admin manages the members of the groups of his
/// environments — who is in, who administers, elevated roles — and sees
/// those groups; he does not create groups, change their pools, or touch
/// any other group.
#[tokio::test]
async fn a_group_admin_manages_his_own_group() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let g = s.sign_in("gadmin@acme.io").await;
    let (status, list) = g.get("/api/v1/groups").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["g-payments"], "only his group: {list}");
    let (status, _) = g.get("/api/v1/groups/g-ledger").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = g
        .post(
            "/api/v1/groups/g-payments/members",
            &json!([{ "email": "sec@acme.io" }]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = g
        .call(
            Method::PUT,
            "/api/v1/groups/g-payments/members/sec@acme.io",
            Some(&json!({ "groupAdmin": false, "elevatedRoles": ["Privileged"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = g
        .post(
            "/api/v1/groups/g-ledger/members",
            &json!([{ "email": "sec@acme.io" }]),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "deny.group_admin_out_of_scope");
    let (status, _) = g
        .post(
            "/api/v1/groups",
            &json!({ "name": "Mine", "agentPoolIds": ["pool-pay"] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "creating groups stays Company config"
    );
    let (_, audit) = s
        .sign_in("admin@acme.io")
        .await
        .get("/api/v1/audit?target=group:g-payments&order=newest")
        .await;
    assert_eq!(audit["items"][0]["actor"], "gadmin@acme.io", "{audit}");
}

/// Issue 17: the access summary of one pool, group or user (`id`), with
/// the configuration in every CSV row; a group's CSV lists its members'
/// access whatever gives it; an unknown one is a 404 naming it.
#[tokio::test]
async fn one_access_summary_per_pool_group_or_user() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (status, one) = c.get("/api/v1/reports/access?by=group&id=g-ledger").await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["groups"].as_array().unwrap().len(), 1);
    let rows = one["access"].as_array().unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r["groupId"] == "g-ledger"),
        "{one}"
    );
    assert!(
        rows.iter().any(|r| r["source"] == "request"),
        "access through a request counts: {one}"
    );
    let (_, csv) = c
        .get("/api/v1/reports/access?by=pool&id=pool-pay&format=csv")
        .await;
    let csv = csv.as_str().unwrap().to_owned();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("agentPoolId,poolName,accessRequests,groupIds,user,level,source,sourceId,until")
    );
    assert!(lines.all(|l| l.starts_with("pool-pay,")), "{csv}");
    let (status, body) = c
        .get("/api/v1/reports/access?by=user&id=ghost@acme.io")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "report.id.unknown");
}
