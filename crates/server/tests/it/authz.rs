//! The authorization matrix: every endpoint × the 7 roles × RBAC on and off,
//! each cell asserted against the spec's role matrix (written out here, not
//! asked of the policy crate, so a wrong table there fails here).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Server, corpus_company, default_now};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cat {
    Company,
    Security,
    Environment,
}

/// SPEC §1: (role, category) → 0 none, 1 R, 2 WR, 3 WR scoped to own environments.
fn level(role: &str, cat: Cat) -> u8 {
    match (role, cat) {
        ("SYSTEM_ADMIN", _) => 2,
        ("COMPANY_VIEWER", _) => 1,
        ("DEVELOPER", Cat::Security | Cat::Environment) => 1,
        ("GROUP_ADMIN", Cat::Environment) => 3,
        ("SECURITY", Cat::Security) => 2,
        ("INCIDENT_RESPONDER", Cat::Environment) => 1,
        _ => 0,
    }
}

const ROLES: [(&str, &str); 7] = [
    ("DEVELOPER", "dev@acme.io"),
    ("SYSTEM_ADMIN", "admin@acme.io"),
    ("COMPANY_VIEWER", "viewer@acme.io"),
    ("GROUP_ADMIN", "gadmin-only@acme.io"),
    ("SECURITY", "sec@acme.io"),
    ("APP_SEC", "appsec@acme.io"),
    ("INCIDENT_RESPONDER", "ir@acme.io"),
];

/// Who may call an endpoint, in the spec's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// R (view) or WR (change) on a category, company-wide.
    Needs(Cat, bool),
    /// As `Needs`, or a Group Admin with an environment reading what the grant
    /// form needs (grants, users, pools).
    GrantForm(Cat),
    /// WR on temporary access, or a Group Admin with an environment.
    ManageGrants,
    /// Environment WR, with the Group Admin's scope including pool-pay.
    PayPool(bool),
    /// Company config R (view) or WR (change), or a Group Admin for the
    /// group he administers (g-payments): he sees it and manages its
    /// members.
    OwnGroup(bool),
    /// Anyone signed in.
    Anyone,
}

struct Endpoint {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    rule: Rule,
}

fn endpoints() -> Vec<Endpoint> {
    use Rule::*;
    let e = |method: Method, path: &'static str, body: Option<Value>, rule: Rule| Endpoint {
        method,
        path,
        body,
        rule,
    };
    let (get, post, put, delete) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    vec![
        e(get.clone(), "/api/v1/auth/me", None, Anyone),
        e(get.clone(), "/api/v1/snapshot", None, Anyone),
        e(
            get.clone(),
            "/api/v1/temp-access",
            None,
            GrantForm(Cat::Company),
        ),
        e(
            get.clone(),
            "/api/v1/temp-access/g-active",
            None,
            GrantForm(Cat::Company),
        ),
        e(
            post.clone(),
            "/api/v1/temp-access",
            Some(json!({})),
            ManageGrants,
        ),
        e(
            post.clone(),
            "/api/v1/temp-access/g-ghost/replace",
            Some(json!({})),
            ManageGrants,
        ),
        e(
            delete.clone(),
            "/api/v1/temp-access/g-ghost",
            None,
            GrantForm(Cat::Company),
        ),
        e(
            put.clone(),
            "/api/v1/temp-access/g-active",
            Some(json!({})),
            Anyone,
        ),
        e(get.clone(), "/api/v1/users", None, GrantForm(Cat::Company)),
        e(
            get.clone(),
            "/api/v1/users/noroles@acme.io",
            None,
            GrantForm(Cat::Company),
        ),
        e(
            post.clone(),
            "/api/v1/users",
            Some(json!({})),
            Needs(Cat::Company, true),
        ),
        e(
            put.clone(),
            "/api/v1/users/noroles@acme.io",
            Some(json!({})),
            Needs(Cat::Company, true),
        ),
        e(
            delete.clone(),
            "/api/v1/users/ghost@acme.io",
            None,
            Needs(Cat::Company, true),
        ),
        e(
            put.clone(),
            "/api/v1/users/ghost@acme.io/disable",
            None,
            Needs(Cat::Company, true),
        ),
        e(
            put.clone(),
            "/api/v1/users/ghost@acme.io/enable",
            None,
            Needs(Cat::Company, true),
        ),
        e(
            post.clone(),
            "/api/v1/users/import",
            Some(json!([{"email": "x"}])),
            Needs(Cat::Company, true),
        ),
        e(get.clone(), "/api/v1/groups", None, OwnGroup(false)),
        e(
            get.clone(),
            "/api/v1/groups/g-payments",
            None,
            OwnGroup(false),
        ),
        e(
            get.clone(),
            "/api/v1/groups/g-ledger",
            None,
            Needs(Cat::Company, false),
        ),
        e(
            post.clone(),
            "/api/v1/groups/g-payments/members",
            Some(json!([])),
            OwnGroup(true),
        ),
        e(
            put.clone(),
            "/api/v1/groups/g-ledger/members/req@acme.io",
            Some(json!({})),
            Needs(Cat::Company, true),
        ),
        e(
            post.clone(),
            "/api/v1/groups",
            Some(json!({})),
            Needs(Cat::Company, true),
        ),
        e(
            put.clone(),
            "/api/v1/groups/g-payments",
            Some(json!({})),
            Needs(Cat::Company, true),
        ),
        e(
            delete.clone(),
            "/api/v1/groups/g-ghost",
            None,
            Needs(Cat::Company, true),
        ),
        e(
            post.clone(),
            "/api/v1/groups/g-ghost/members",
            Some(json!([])),
            Needs(Cat::Company, true),
        ),
        e(
            delete.clone(),
            "/api/v1/groups/g-ghost/members",
            Some(json!([])),
            Needs(Cat::Company, true),
        ),
        e(
            put.clone(),
            "/api/v1/groups/g-ghost/members/dev@acme.io",
            Some(json!({})),
            Needs(Cat::Company, true),
        ),
        e(
            get.clone(),
            "/api/v1/settings",
            None,
            Needs(Cat::Company, false),
        ),
        e(
            put.clone(),
            "/api/v1/settings",
            Some(json!({})),
            Needs(Cat::Company, true),
        ),
        e(
            get.clone(),
            "/api/v1/agent-pools",
            None,
            GrantForm(Cat::Environment),
        ),
        e(
            get.clone(),
            "/api/v1/agent-pool",
            None,
            GrantForm(Cat::Environment),
        ),
        e(
            get.clone(),
            "/api/v1/agent-pools/pool-pay",
            None,
            PayPool(false),
        ),
        e(
            post.clone(),
            "/api/v1/agent-pools",
            Some(json!({})),
            Needs(Cat::Environment, true),
        ),
        e(
            put.clone(),
            "/api/v1/agent-pools/pool-pay",
            Some(json!({})),
            PayPool(true),
        ),
        e(
            delete.clone(),
            "/api/v1/agent-pools/pool-pay",
            None,
            PayPool(true),
        ),
        e(
            get.clone(),
            "/api/v1/audit",
            None,
            Needs(Cat::Security, false),
        ),
        e(
            get.clone(),
            "/api/v1/audit/export?format=csv",
            None,
            Needs(Cat::Security, false),
        ),
        e(
            get.clone(),
            "/api/v1/audit/verify",
            None,
            Needs(Cat::Security, false),
        ),
        e(
            get.clone(),
            "/api/v1/access/company/acme/system-api-key",
            None,
            Needs(Cat::Security, false),
        ),
        e(
            post.clone(),
            "/api/v1/access/company/acme/system-api-key",
            Some(json!({})),
            Needs(Cat::Security, true),
        ),
        e(
            put.clone(),
            "/api/v1/access/company/acme/system-api-key/k-ghost",
            Some(json!({"label": "abc"})),
            Needs(Cat::Security, true),
        ),
        e(
            delete.clone(),
            "/api/v1/access/company/acme/system-api-key/k-ghost",
            None,
            Needs(Cat::Security, true),
        ),
        e(
            get.clone(),
            "/api/v1/explain/pool-access?user=noroles@acme.io&pool=pool-pay",
            None,
            GrantForm(Cat::Company),
        ),
        e(
            get.clone(),
            "/api/v1/explain/permissions?user=noroles@acme.io",
            None,
            GrantForm(Cat::Company),
        ),
        // Last: it ends the session.
        e(post, "/api/v1/auth/sign-out", Some(json!({})), Anyone),
    ]
}

fn expected(role: &str, ep: &Endpoint, rbac: bool) -> bool {
    let live = rbac || matches!(role, "DEVELOPER" | "SYSTEM_ADMIN");
    let l = |cat| if live { level(role, cat) } else { 0 };
    let view = |cat| matches!(l(cat), 1 | 2);
    let change = |cat| l(cat) == 2;
    // gadmin-only@ administers g-payments (pool-pay, pool-pay-staging).
    let group_admin = live && role == "GROUP_ADMIN";
    match ep.rule {
        Rule::Anyone => true,
        Rule::Needs(cat, false) => view(cat),
        Rule::Needs(cat, true) => change(cat),
        Rule::GrantForm(cat) => view(cat) || group_admin,
        Rule::OwnGroup(false) => view(Cat::Company) || group_admin,
        Rule::OwnGroup(true) => change(Cat::Company) || group_admin,
        Rule::ManageGrants => change(Cat::Company) || group_admin,
        Rule::PayPool(false) => view(Cat::Environment) || group_admin,
        Rule::PayPool(true) => change(Cat::Environment) || group_admin,
    }
}

async fn run(rbac: bool) -> usize {
    let mut company = corpus_company("small");
    company.rbac_enabled = rbac;
    let s = Server::start(&company, default_now()).await;
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (role, email) in ROLES {
        let c = s.sign_in(email).await;
        for ep in endpoints() {
            let (status, body) = c.call(ep.method.clone(), ep.path, ep.body.as_ref()).await;
            let allowed = status != StatusCode::FORBIDDEN
                || body["code"]
                    .as_str()
                    .is_some_and(|c| !c.starts_with("deny.") && !c.ends_with("not_allowed"));
            if allowed != expected(role, &ep, rbac)
                || status.is_server_error()
                || status == StatusCode::UNAUTHORIZED
            {
                wrong.push(format!(
                    "{role} {} {} (RBAC {}): got {status} {body}",
                    ep.method,
                    ep.path,
                    if rbac { "on" } else { "off" }
                ));
            }
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    checked
}

#[tokio::test]
async fn every_endpoint_by_every_role_with_rbac_on_and_off() {
    let n = run(true).await + run(false).await;
    assert_eq!(n, 2 * 7 * endpoints().len());
}
