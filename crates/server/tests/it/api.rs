use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Client, Server, corpus_company, default_now};

fn grant_body(name: Option<&str>) -> Value {
    let mut b = json!({
        "agentPoolIds": ["pool-pay"],
        "userEmails": ["dev@acme.io", "Ana.Lima@acme.io"],
        "roles": ["Standard"],
        "expirationDate": "2026-11-23T11:00:00+01:00",
    });
    if let Some(n) = name {
        b["name"] = json!(n);
    }
    b
}

/// Everything a refused write must leave as it was.
async fn state_of(c: &Client) -> Value {
    let grants = c.get("/api/v1/temp-access?size=1000").await.1;
    let users = c.get("/api/v1/users?size=1000").await.1;
    let pools = c.get("/api/v1/agent-pools?size=1000").await.1;
    let audit = c.get("/api/v1/audit?size=1000").await.1;
    json!({ "grants": grants, "users": users, "pools": pools, "audit": audit })
}

fn assert_error_shape(v: &Value) {
    assert!(
        v["code"].is_string() && v["message"].is_string() && v["fieldErrors"].is_array(),
        "error shape: {v}"
    );
}

#[tokio::test]
async fn create_list_and_delete_as_the_vendor_documents() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (status, created) = c.post("/api/v1/temp-access", &grant_body(None)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // The corpus company already has an active grant with this instant's default name.
    assert_eq!(created["name"], "Temp-Access-22112026-100000-001");
    assert_eq!(
        created["expirationDate"], "2026-11-23T10:00:00.000Z",
        "stored and answered in UTC"
    );
    assert_eq!(created["roles"], json!(["Standard"]));
    assert_eq!(
        created["userEmails"],
        json!(["dev@acme.io", "Ana.Lima@acme.io"])
    );
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, page) = c
        .get("/api/v1/temp-access?size=2&page=0&sort=name,asc")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page["total"], 4,
        "g-active, g-priv, g-default and the new one: {page}"
    );
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 0);
    assert_eq!(page["hasMore"], true);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["name"], "Incident 4211");

    let (status, body) = c
        .call(
            Method::PUT,
            &format!("/api/v1/temp-access/{id}"),
            Some(&grant_body(None)),
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "grant.update.not_allowed");

    assert_eq!(
        c.delete(&format!("/api/v1/temp-access/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = c.delete(&format!("/api/v1/temp-access/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "grant.id.unknown");
    assert_eq!(c.get("/api/v1/temp-access").await.1["total"], 3);

    let (_, audit) = c.get("/api/v1/audit?action=grant.created").await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["target"], format!("grant:{id}"));
    let (_, verify) = c.get("/api/v1/audit/verify").await;
    assert_eq!(verify["valid"], true, "{verify}");
    assert_eq!(verify["checked"], 3, "sign-in, create, delete: {verify}");

    // Exports: CSV with a header and one row per event, JSON the same events.
    let r = c
        .http
        .get(format!("{}/api/v1/audit/export?format=csv", c.base))
        .header("cookie", &c.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("interim-audit.csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "seq,time,actor,action,target,details,reason,prevHash,hash"
    );
    assert_eq!(lines.len(), 4);
    assert!(
        lines[2].contains("grant.created") && lines[2].contains("\"{\"\"agentPoolIds\"\""),
        "details are quoted JSON: {}",
        lines[2]
    );
    let (status, json_export) = c
        .get("/api/v1/audit/export?format=json&action=grant.deleted")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_export["events"].as_array().unwrap().len(), 1);
    assert_eq!(
        c.get("/api/v1/audit/export?format=xml").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn refused_writes_change_nothing() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let before = state_of(&c).await;
    let mut too_big = grant_body(None);
    too_big["name"] = json!("x".repeat(300 * 1024));
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"agentPoolIds": ["pool-pay"], "colour": "red"}),
            StatusCode::BAD_REQUEST,
            "body.field.unknown",
        ),
        (
            json!({"agentPoolIds": "pool-pay"}),
            StatusCode::BAD_REQUEST,
            "body.field.invalid_type",
        ),
        (
            {
                let mut b = grant_body(None);
                b["expirationDate"] = json!("next tuesday");
                b
            },
            StatusCode::BAD_REQUEST,
            "grant.expirationDate.invalid",
        ),
        (
            {
                let mut b = grant_body(None);
                b["userEmails"] = json!(["ghost@acme.io"]);
                b
            },
            StatusCode::NOT_FOUND,
            "grant.userEmails.unknown",
        ),
        (
            grant_body(Some("incident 4211")),
            StatusCode::CONFLICT,
            "grant.name.taken",
        ),
        (
            too_big,
            StatusCode::PAYLOAD_TOO_LARGE,
            "body.size.too_large",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = c.post("/api/v1/temp-access", &body).await;
        assert_eq!(got, status, "{answer}");
        assert_eq!(answer["code"], code, "{answer}");
        assert_error_shape(&answer);
    }
    let (got, answer) = c.post_raw("/api/v1/temp-access", "{\"roles\": [").await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body.json.malformed"))
    );
    let (got, answer) = c.get("/api/v1/temp-access?page=-1").await;
    assert_eq!(
        (got, answer["fieldErrors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("page"))
    );
    let (got, _) = c.get("/api/v1/temp-access?sort=colour,asc").await;
    assert_eq!(got, StatusCode::BAD_REQUEST);
    let (got, answer) = c.delete("/api/v1/temp-access/no-such-grant").await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("grant.id.unknown"))
    );
    let (got, answer) = c
        .post(
            "/api/v1/users",
            &json!({"email": "dev@acme.io", "firstName": "D", "lastName": "A"}),
        )
        .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("user.email.taken"))
    );
    let (got, answer) = c.post("/api/v1/agent-pools", &json!({"name": "  "})).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("pool.name.required"))
    );
    let (got, answer) = c.get("/api/v1/nothing-here").await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("route.path.unknown"))
    );

    let dev = s.sign_in("dev@acme.io").await;
    let (got, answer) = dev.post("/api/v1/temp-access", &grant_body(None)).await;
    assert_eq!(got, StatusCode::FORBIDDEN);
    assert_eq!(answer["code"], "deny.level_too_low", "{answer}");
    let (got, _) = dev
        .post(
            "/api/v1/users",
            &json!({"email": "x@acme.io", "firstName": "X", "lastName": "Y"}),
        )
        .await;
    assert_eq!(got, StatusCode::FORBIDDEN);
    // Developer reads audit events (Security R) but not users (no Company config).
    assert_eq!(dev.get("/api/v1/audit").await.0, StatusCode::OK);
    assert_eq!(dev.get("/api/v1/users").await.0, StatusCode::FORBIDDEN);

    let after = state_of(&c).await;
    // The developer's sign-in is the only new audit event.
    let before_events = before["audit"]["items"].as_array().unwrap().len();
    let after_events = after["audit"]["items"].as_array().unwrap();
    assert_eq!(after_events.len(), before_events + 1);
    assert_eq!(after_events.last().unwrap()["action"], "signin.succeeded");
    assert_eq!(before["grants"], after["grants"]);
    assert_eq!(
        before["users"]["items"].as_array().unwrap().len(),
        after["users"]["items"].as_array().unwrap().len()
    );
    assert_eq!(before["pools"], after["pools"]);
}

#[tokio::test]
async fn the_101st_active_grant_is_refused() {
    let s = Server::start(&corpus_company("full"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let body = json!({"agentPoolIds": ["p1"], "userEmails": ["dev@acme.io"], "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"});
    let (status, answer) = c.post("/api/v1/temp-access", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["code"], "grant.limit.reached");
    assert_eq!(
        c.delete("/api/v1/temp-access/g050").await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        c.post("/api/v1/temp-access", &body).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        c.post("/api/v1/temp-access", &body).await.0,
        StatusCode::FORBIDDEN
    );
    // A replace does not count the grant it replaces: it always fits.
    let (status, replaced) = c.post("/api/v1/temp-access/g001/replace", &json!({"agentPoolIds": ["p1"], "userEmails": ["dev@acme.io", "admin@acme.io"], "roles": ["Privileged"], "expirationDate": "2026-11-24T10:00:00Z", "name": "Grant 001"})).await;
    assert_eq!(status, StatusCode::CREATED, "{replaced}");
    assert_eq!(
        c.get("/api/v1/temp-access/g001").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.get("/api/v1/temp-access?size=1").await.1["total"], 100);
}

#[tokio::test]
async fn expiry_is_exact_and_the_sweeper_audits_it() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    // The imported company has two grants that expired before now.
    assert_eq!(interim_server::sweeper::sweep(&s.state).await.unwrap(), 2);
    let c = s.sign_in("admin@acme.io").await;
    let mut body = grant_body(Some("One hour"));
    body["expirationDate"] = json!("2026-11-22T11:00:00Z");
    let (_, created) = c.post("/api/v1/temp-access", &body).await;
    let path = format!("/api/v1/temp-access/{}", created["id"].as_str().unwrap());
    s.clock
        .set(default_now() + Duration::hours(1) - Duration::milliseconds(1));
    assert_eq!(c.get(&path).await.0, StatusCode::OK);
    assert_eq!(interim_server::sweeper::sweep(&s.state).await.unwrap(), 0);
    s.clock.set(default_now() + Duration::hours(1));
    assert_eq!(
        c.get(&path).await.0,
        StatusCode::NOT_FOUND,
        "gone at the instant, before any sweep"
    );
    // g-active, g-priv, g-default and g-later are still active; the new grant is not.
    assert_eq!(c.get("/api/v1/temp-access").await.1["total"], 4);
    assert_eq!(interim_server::sweeper::sweep(&s.state).await.unwrap(), 1);
    assert_eq!(
        interim_server::sweeper::sweep(&s.state).await.unwrap(),
        0,
        "each expiry is written once"
    );
    let (_, audit) = c
        .get(&format!(
            "/api/v1/audit?action=grant.expired&target=grant:{}",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["details"]["lagMs"], 0);
    assert_eq!(
        audit["items"][0]["details"]["expiredAt"],
        "2026-11-22T11:00:00.000Z"
    );
    assert_eq!(audit["items"][0]["actor"], "system");
    assert_eq!(c.get("/api/v1/audit/verify").await.1["valid"], true);
}

#[tokio::test]
async fn sign_in_is_required_and_cookie_writes_need_the_csrf_token() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let http = reqwest::Client::new();
    let r = http.get(s.url("/api/v1/temp-access")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http
        .get(s.url("/api/v1/temp-access"))
        .bearer_auth("not-a-key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let c = s.sign_in("admin@acme.io").await;
    let r = http
        .post(s.url("/api/v1/temp-access"))
        .header("cookie", &c.cookie)
        .json(&grant_body(None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "auth.csrf.invalid"
    );
    let r = http
        .post(s.url("/api/v1/temp-access"))
        .header("cookie", &c.cookie)
        .header("x-csrf-token", &c.csrf)
        .header("origin", "https://evil.example")
        .json(&grant_body(None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, me) = c.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "admin@acme.io");
    assert_eq!(
        c.post("/api/v1/auth/sign-out", &json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(c.get("/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
}

/// Issue 16: ten wrong passwords locked the account for everyone, its
/// owner included. Failures now count per (account, client): the client
/// that failed waits (doubling), the owner from elsewhere signs in at once,
/// and every refusal is audited. Clients are told apart through a trusted
/// proxy's `X-Forwarded-For`, as behind a load balancer.
#[tokio::test]
async fn failed_sign_ins_are_audited_and_throttled_per_client() {
    use interim_server::throttle::FREE_FAILURES;
    let s = Server::start_configured(&corpus_company("small"), default_now(), |state| {
        state.trusted_proxies = std::sync::Arc::new(vec!["127.0.0.1".parse().unwrap()]);
    })
    .await;
    let http = reqwest::Client::new();
    let attempt = |client: &'static str, email: &'static str, password: &'static str| {
        let http = http.clone();
        let url = s.url("/api/v1/auth/sign-in");
        async move {
            let r = http
                .post(url)
                .header("x-forwarded-for", client)
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .unwrap();
            (r.status(), r.headers().get("retry-after").is_some())
        }
    };
    let stranger = "203.0.113.9";
    for _ in 0..FREE_FAILURES {
        assert_eq!(
            attempt(stranger, "admin@acme.io", "wrong password!")
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, retry) = attempt(stranger, "admin@acme.io", crate::support::PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits, from the client that failed"
    );
    assert!(retry, "429 carries Retry-After");
    let owner = "192.0.2.1";
    assert_eq!(
        attempt(owner, "admin@acme.io", crate::support::PASSWORD)
            .await
            .0,
        StatusCode::OK,
        "the stranger cannot lock the owner out"
    );
    s.clock.advance(Duration::seconds(2));
    assert_eq!(
        attempt(stranger, "admin@acme.io", "wrong again!!").await.0,
        StatusCode::UNAUTHORIZED,
        "the first wait is a second"
    );
    assert_eq!(
        attempt(stranger, "admin@acme.io", "wrong again!!").await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "the next is two"
    );
    let admin = s.sign_in("admin@acme.io").await;
    let (_, audit) = admin.get("/api/v1/audit?action=signin.failed").await;
    assert_eq!(
        audit["total"],
        FREE_FAILURES + 3,
        "every failure and refusal: {audit}"
    );
    // What was typed is kept to an address's length.
    let long = Box::leak(format!("{}@acme.io", "x".repeat(5000)).into_boxed_str());
    assert_eq!(
        attempt(owner, long, "whatever pass").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, audit) = admin.get("/api/v1/audit?action=signin.failed").await;
    let longest = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap().chars().count())
        .max();
    assert_eq!(longest, Some(254));
    // A disabled account cannot sign in.
    assert_eq!(
        admin
            .call(Method::PUT, "/api/v1/users/dev@acme.io/disable", None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        attempt(owner, "dev@acme.io", crate::support::PASSWORD)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn users_are_addressed_by_email_and_keep_an_admin() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (status, u) = c.post("/api/v1/users", &json!({"email": "Nia@acme.io", "firstName": "Nia", "lastName": "Okafor", "roles": ["SECURITY"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{u}");
    assert_eq!(u["roles"], json!(["SECURITY"]));
    assert_eq!(u["enabled"], true);
    let (status, u) = c
        .get("/api/v1/users/nia@acme.io?includeAccessAndPermissions=true")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(u["email"], "Nia@acme.io");
    assert!(u["groupMemberships"].is_array());
    let (status, u) = c
        .call(
            Method::PUT,
            "/api/v1/users/nia@acme.io",
            Some(&json!({"firstName": "Nia", "lastName": "O.", "roles": ["SECURITY", "APP_SEC"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(u["roles"], json!(["SECURITY", "APP_SEC"]));
    let (_, audit) = c.get("/api/v1/audit?target=user:Nia@acme.io").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "user.created",
            "role.assigned",
            "user.activation_link",
            "user.updated",
            "role.assigned"
        ]
    );
    let (status, body) = c
        .call(Method::PUT, "/api/v1/users/admin@acme.io/disable", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("user.roles.last_admin"))
    );
    let (status, page) = c.get("/api/v1/users?role=SECURITY&size=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 2, "sec@ and Nia: {page}");
    assert_eq!(
        c.call(Method::DELETE, "/api/v1/users/nia@acme.io", None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        c.get("/api/v1/users/nia@acme.io").await.0,
        StatusCode::NOT_FOUND
    );
    // Deleting a group member keeps the company consistent.
    assert_eq!(
        c.call(Method::DELETE, "/api/v1/users/req@acme.io", None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(c.get("/api/v1/temp-access").await.0, StatusCode::OK);
}

#[tokio::test]
async fn rbac_off_allows_only_developer_and_company_admin() {
    let s = Server::start(&corpus_company("rbac-off"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (status, body) = c.post("/api/v1/users", &json!({"email": "n@acme.io", "firstName": "N", "lastName": "O", "roles": ["SECURITY"]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["fieldErrors"][0]["code"], "user.roles.rbac_only");
    let (_, sec) = c.get("/api/v1/users/sec@acme.io").await;
    assert_eq!(sec["inertRoles"], json!(["SECURITY"]));
    let (status, body) = c.post("/api/v1/temp-access", &json!({"agentPoolIds": ["p1"], "userEmails": ["dev@acme.io"], "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("grant.rbac.disabled"))
    );
}

#[tokio::test]
async fn pools_follow_the_vendor_shape() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let c = s.sign_in("admin@acme.io").await;
    let (status, p) = c
        .post(
            "/api/v1/agent-pools",
            &json!({"name": "Billing", "description": "Billing services"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["agentsEnabled"], true);
    let id = p["id"].as_str().unwrap().to_owned();
    let (_, page) = c.get("/api/v1/agent-pool?name=bill").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], id.as_str());
    let (status, _) = c
        .post("/api/v1/agent-pools", &json!({"name": "billing"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = c.delete("/api/v1/agent-pools/pool-pay").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("agentPool.id.in_use"))
    );
    assert_eq!(
        c.delete(&format!("/api/v1/agent-pools/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    // A Group Admin changes the pools of the environments they administer, not others.
    let ga = s.sign_in("gadmin@acme.io").await;
    assert_eq!(
        ga.call(
            Method::PUT,
            "/api/v1/agent-pools/pool-pay",
            Some(&json!({"name": "Payments prod"}))
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        ga.call(
            Method::PUT,
            "/api/v1/agent-pools/pool-search",
            Some(&json!({"name": "Search prod"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}
