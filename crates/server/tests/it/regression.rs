//! Regression tests, each named after the issue whose defect it pins.

use reqwest::StatusCode;
use serde_json::{Value, json};

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

/// Issue 16: a leap second (`23:59:60`) was accepted as an expiry and read
/// back two different ways. It is refused with a field error, and nothing
/// is stored.
#[tokio::test]
async fn issue_16_a_leap_second_is_refused_with_a_field_error() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (_, before) = admin.get("/api/v1/temp-access").await;
    let (status, body) = admin
        .post(
            "/api/v1/temp-access",
            &json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"],
                    "roles": ["Standard"], "expirationDate": "2026-12-31T23:59:60Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fieldErrors"][0]["field"], "expirationDate", "{body}");
    assert!(
        body["fieldErrors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("leap second")),
        "{body}"
    );
    let (_, after) = admin.get("/api/v1/temp-access").await;
    assert_eq!(before["total"], after["total"]);

    let (status, body) = admin.get("/api/v1/audit?from=2026-12-31T23:59:60Z").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fieldErrors"][0]["field"], "from", "{body}");
}

/// Issue 16: the access report's CSV wrote a pool named `=HYPERLINK(…)`
/// as it was, which a spreadsheet runs as a formula (the audit export
/// guarded its cells; the report had its own writer, which did not).
#[tokio::test]
async fn issue_16_the_access_reports_csv_writes_formulas_as_text() {
    let mut company = corpus_company("small");
    for pool in &mut company.agent_pools {
        pool.name = format!("=HYPERLINK(\"http://evil.example\",\"{}\")", pool.name);
    }
    let s = Server::start(&company, default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, body) = admin.get("/api/v1/reports/access?by=pool&format=csv").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = body.as_str().unwrap_or_default();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{text}");
    for row in rows {
        assert!(row.contains(",\"'=HYPERLINK("), "{row}");
        assert!(
            !row.contains(",\"=HYPERLINK(") && !row.contains(",=HYPERLINK("),
            "{row}"
        );
    }
}

/// Issue 16: answers carried no security headers. Every answer now has a
/// Content Security Policy that allows the portal's own inline start-up
/// script by its hash and nothing else inline, no sniffing, no referrer,
/// no framing; API answers are never cached; HSTS comes with TLS.
#[tokio::test]
async fn issue_16_every_answer_carries_the_security_headers() {
    use base64::Engine;
    use sha2::Digest;
    let dir = crate::support::temp_db().parent().unwrap().join("portal");
    std::fs::create_dir_all(&dir).unwrap();
    let script = "\nimport init from '/app.js';\nawait init();\n";
    std::fs::write(
        dir.join("index.html"),
        format!("<!doctype html><script type=\"module\">{script}</script><script src=\"/app.js\"></script>"),
    )
    .unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    for tls in [false, true] {
        let store = interim_server::store::Store::open(&crate::support::temp_db())
            .await
            .unwrap();
        let clock = interim_server::clock::ManualClock::new(default_now());
        let mut state = interim_server::AppState::new(store, std::sync::Arc::new(clock));
        state.secure_cookies = tls;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = interim_server::app(state, Some(dir.clone()));
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        for path in [
            "/",
            "/app.js",
            "/healthz",
            "/api/v1/auth/me",
            "/api/v1/nothing",
        ] {
            let r = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
            let h = r.headers();
            let header = |name: &str| {
                h.get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let csp = header("content-security-policy");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(csp.contains(&format!("'sha256-{hash}'")), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
            assert_eq!(header("x-frame-options"), "DENY", "{path}");
            assert_eq!(
                header("strict-transport-security").is_empty(),
                !tls,
                "{path}: HSTS only behind TLS"
            );
            if path.starts_with("/api/") {
                assert_eq!(header("cache-control"), "no-store", "{path}");
            }
        }
    }
}

/// Issue 16: a 405 did not say which methods the path takes (RFC 9110
/// §15.5.6 requires `Allow`): the router's 405s did, the vendor path's
/// "an active grant is never edited" did not.
#[tokio::test]
async fn issue_16_a_405_names_the_allowed_methods() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let http = reqwest::Client::new();
    for (method, path, code, needs) in [
        (
            reqwest::Method::PATCH,
            "/api/v1/temp-access",
            "route.method.not_allowed",
            ["GET", "POST"],
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/temp-access/g-active",
            "grant.update.not_allowed",
            ["GET", "DELETE"],
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/temp-access/g-active",
            "grant.update.not_allowed",
            ["GET", "DELETE"],
        ),
    ] {
        let r = http
            .request(method.clone(), s.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let allow = r
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            needs.iter().all(|m| allow.contains(m)),
            "{method} {path}: Allow: {allow:?}"
        );
        // A grant is never edited: `Allow` does not offer PUT or PATCH.
        assert!(
            !allow.contains("PUT") && !allow.contains("PATCH"),
            "{method} {path}: Allow: {allow:?}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], code);
    }
}

/// Issue 16: an auditor needed a second lookup to read an event (an
/// approval named neither the requester nor the pool nor the period; a
/// grant's creation named its pools by id only and not its incident).
#[tokio::test]
async fn issue_16_audit_events_read_alone() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, body) = admin
        .post(
            "/api/v1/access-requests/r-pending/approve",
            &json!({"durationMinutes": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = admin.get("/api/v1/audit?action=request.approved").await;
    let details = &page["items"][0]["details"];
    assert_eq!(details["requester"], "req@acme.io", "{page}");
    assert_eq!(details["poolName"], "Ledger production", "{page}");
    assert_eq!(details["period"], "1 hour (asked 4 hours)", "{page}");
    assert!(
        details["startsAt"].is_string() && details["endsAt"].is_string(),
        "{page}"
    );

    let (status, body) = admin
        .post(
            "/api/v1/temp-access",
            &json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"], "roles": ["Standard"],
                    "expirationDate": "2026-11-23T10:00:00Z", "name": "Night shift", "incidentId": "INC-77"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, page) = admin.get("/api/v1/audit?action=grant.created").await;
    let event = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["details"]["name"] == "Night shift")
        .unwrap();
    assert_eq!(event["reason"], "INC-77", "{event}");
    assert_eq!(
        event["details"]["poolNames"],
        json!(["Payments production"]),
        "{event}"
    );
    assert_eq!(event["details"]["period"], "1 day", "{event}");
}

/// Issue 16: the `{company}` of the vendor's key paths could not be set to
/// the company id a vendor client is configured with.
#[tokio::test]
async fn issue_16_the_company_of_the_key_paths_is_configurable() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    interim_server::app::settings::set_company_id(&s.state, "acme-prod")
        .await
        .unwrap();
    let admin = s.sign_in("admin@acme.io").await;
    let (status, body) = admin
        .get("/api/v1/access/company/acme-prod/system-api-key")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = admin
        .get("/api/v1/access/company/acme/system-api-key")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        interim_server::app::settings::set_company_id(&s.state, "a/b")
            .await
            .is_err()
    );
}

/// Issue 16: `PUT /groups/{id}` with only a name wiped the group's pools
/// and roles; what the body leaves out now stays as it is.
#[tokio::test]
async fn issue_16_a_partial_group_update_keeps_what_it_leaves_out() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (_, groups) = admin.get("/api/v1/groups").await;
    let group = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| !g["agentPoolIds"].as_array().unwrap().is_empty())
        .unwrap()
        .clone();
    let id = group["id"].as_str().unwrap();
    let (status, after) = admin
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/groups/{id}"),
            Some(&json!({"name": "Renamed team"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["name"], "Renamed team");
    assert_eq!(after["agentPoolIds"], group["agentPoolIds"], "{after}");
    assert_eq!(after["roles"], group["roles"], "{after}");
}

/// Issue 16: a refused write waited for the write lock before it was
/// refused, so a Developer's flood of refused creates queued behind (and
/// in front of) everyone's writes. A refusal is now found on the cached
/// company, without the lock: here it answers while another write holds
/// the lock.
#[tokio::test]
async fn issue_16_a_refused_write_does_not_wait_for_the_write_lock() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let dev = s.sign_in("dev@acme.io").await;
    let held = s.state.store.begin().await.unwrap();
    let grant = json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"],
        "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"});
    let refused = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        dev.post("/api/v1/temp-access", &grant),
    )
    .await
    .expect("refused without waiting for the lock");
    assert_eq!(refused.0, StatusCode::FORBIDDEN, "{}", refused.1);
    let user = json!({"email": "x@acme.io", "firstName": "X", "lastName": "Y"});
    let refused = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        dev.post("/api/v1/users", &user),
    )
    .await
    .expect("refused without waiting for the lock");
    assert_eq!(refused.0, StatusCode::FORBIDDEN, "{}", refused.1);
    drop(held);
}

/// Issue 16: one person's flood of writes slowed everyone's. Writes are
/// throttled per person: the flood gets 429 with Retry-After, another
/// person's write goes through.
#[tokio::test]
async fn issue_16_a_flood_of_writes_is_throttled_per_person() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let dev = s.sign_in("dev@acme.io").await;
    let admin = s.sign_in("admin@acme.io").await;
    let grant = json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"],
        "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z"});
    let mut limited = 0;
    // Three bursts' worth, faster than the allowance comes back.
    for _ in 0..3 * interim_server::throttle::WRITE_BURST {
        let (status, body) = dev.post("/api/v1/temp-access", &grant).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["code"], "auth.writes.rate_limited");
            limited += 1;
        }
    }
    assert!(limited >= 10, "{limited} writes throttled");
    let (status, body) = admin
        .post(
            "/api/v1/temp-access",
            &json!({"agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"],
            "roles": ["Standard"], "expirationDate": "2026-11-23T10:00:00Z", "name": "admin's"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Issue 16: `GET /groups` ignored the vendor's `agentPoolIds` and
/// `includeMembers`, and sorted by name only.
#[tokio::test]
async fn issue_16_groups_take_the_vendors_filters_and_sort_fields() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (_, all) = admin
        .get("/api/v1/groups?includeMembers=true&size=100")
        .await;
    let all = all["items"].as_array().unwrap().clone();
    let with_pay: Vec<&Value> = all
        .iter()
        .filter(|g| {
            g["agentPoolIds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == "pool-pay")
        })
        .collect();
    assert!(!with_pay.is_empty() && with_pay.len() < all.len());
    let (status, page) = admin
        .get("/api/v1/groups?agentPoolIds=pool-pay,pool-none&size=100")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], with_pay.len(), "{page}");
    for g in page["items"].as_array().unwrap() {
        assert_eq!(g["members"], json!([]), "members only when asked: {g}");
        assert!(g["memberCount"].as_u64().is_some());
    }
    let (_, by_count) = admin
        .get("/api/v1/groups?sort=memberCount,desc&sort=name&size=100")
        .await;
    let counts: Vec<u64> = by_count["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["memberCount"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let (status, body) = admin.get("/api/v1/groups?includeMembers=maybe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// Issue 16: a vendor client that sends back what it read (`"id": null`
/// on create, a pool's `createdDate`, a group's `memberCount`) got 400 for
/// fields the vendor's server ignores. They are accepted and ignored; a
/// field the vendor does not have is still refused.
#[tokio::test]
async fn issue_16_vendor_read_only_fields_are_accepted_on_writes() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, body) = admin
        .post(
            "/api/v1/temp-access",
            &json!({"id": null, "agentPoolIds": ["pool-pay"], "userEmails": ["dev@acme.io"],
                    "roles": ["Standard"], "expirationDate": "2026-11-25T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_ne!(body["id"], Value::Null, "the server names the grant");

    let (_, mut pool) = admin.get("/api/v1/agent-pools/pool-pay").await;
    pool["description"] = json!("Payments, read and written back");
    for (field, value) in [
        ("createdDate", json!("2020-01-01T00:00:00Z")),
        ("createdBy", json!("someone@acme.io")),
        ("agentsEnabled", json!(true)),
        ("liveAgentsCount", json!(3)),
    ] {
        pool[field] = value;
    }
    let body = json!({"id": pool["id"], "name": pool["name"], "description": pool["description"],
                      "createdDate": pool["createdDate"], "createdBy": pool["createdBy"],
                      "agentsEnabled": pool["agentsEnabled"], "liveAgentsCount": pool["liveAgentsCount"]});
    let (status, answer) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/agent-pools/pool-pay",
            Some(&body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["description"], "Payments, read and written back");

    let (status, group) = admin.get("/api/v1/groups/g-payments").await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert_eq!(
        group["members"],
        json!([]),
        "members only when asked: {group}"
    );
    assert!(group["memberCount"].as_u64().unwrap() > 0, "{group}");
    let (_, full) = admin
        .get("/api/v1/groups/g-payments?includeMembers=true")
        .await;
    assert_eq!(
        full["members"].as_array().unwrap().len() as u64,
        group["memberCount"].as_u64().unwrap()
    );
    let body = json!({"id": group["id"], "name": group["name"], "agentPoolIds": group["agentPoolIds"],
                      "roles": group["roles"], "memberCount": group["memberCount"], "members": full["members"]});
    let (status, answer) = admin
        .call(
            reqwest::Method::PUT,
            "/api/v1/groups/g-payments",
            Some(&body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (status, answer) = admin
        .post(
            "/api/v1/agent-pools",
            &json!({"name": "Colours", "colour": "red"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["fieldErrors"][0]["field"], "colour", "{answer}");
}

/// Issue 16: a query parameter the document declares as a boolean or a
/// `field,direction` pattern accepted other text (`preview=yes` ran the
/// import for real; `sort=name,asc,extra` was read as `name,asc`).
#[tokio::test]
async fn issue_16_query_parameters_are_exactly_what_the_document_says() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    for path in [
        "/api/v1/temp-access?sort=name,asc,extra",
        "/api/v1/temp-access?sort=%20name",
        "/api/v1/users?includeAccessAndPermissions=yes",
        "/api/v1/users/admin@acme.io?includeAccessAndPermissions=1",
        "/api/v1/groups/g-payments?includeMembers=yes",
    ] {
        let (status, body) = admin.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
    }
    let (status, body) = admin
        .post("/api/v1/users/import?preview=yes", &json!([]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = admin.get("/api/v1/temp-access?sort=name,DESC").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Issue 16 (schemathesis, `ignored_auth`): a request carrying a valid
/// session cookie and a broken `Authorization` header was served as the
/// session. A credential presented is the one used: 401, with the reason.
#[tokio::test]
async fn issue_16_a_broken_authorization_header_is_not_passed_over() {
    let s = Server::start(&corpus_company("small"), default_now()).await;
    let admin = s.sign_in("admin@acme.io").await;
    for value in ["Basic YWRtaW46YWRtaW4=", "Bearer", "Token abc", ""] {
        let r = admin
            .http
            .get(s.url("/api/v1/auth/me"))
            .header("cookie", &admin.cookie)
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{value:?}");
        assert!(r.headers().contains_key("www-authenticate"), "{value:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "auth.header.invalid", "{value:?}");
    }
    let (status, _) = admin.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the session itself still works");
}
