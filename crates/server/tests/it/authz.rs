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

struct Endpoint {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    cat: Cat,
    change: bool,
    /// The right to create grants includes reading what the form needs: a
    /// Group Admin with an environment reads grants, users and pools.
    grant_form_read: bool,
}

fn endpoints() -> Vec<Endpoint> {
    let e = |method: Method,
             path: &'static str,
             body: Option<Value>,
             cat: Cat,
             change: bool,
             grant_form_read: bool| Endpoint {
        method,
        path,
        body,
        cat,
        change,
        grant_form_read,
    };
    vec![
        e(
            Method::GET,
            "/api/v1/temp-access",
            None,
            Cat::Company,
            false,
            true,
        ),
        e(
            Method::GET,
            "/api/v1/users",
            None,
            Cat::Company,
            false,
            true,
        ),
        e(
            Method::POST,
            "/api/v1/users",
            Some(json!({})),
            Cat::Company,
            true,
            false,
        ),
        e(
            Method::GET,
            "/api/v1/groups",
            None,
            Cat::Company,
            false,
            false,
        ),
        e(
            Method::POST,
            "/api/v1/groups",
            Some(json!({})),
            Cat::Company,
            true,
            false,
        ),
        e(
            Method::GET,
            "/api/v1/settings",
            None,
            Cat::Company,
            false,
            false,
        ),
        e(
            Method::PUT,
            "/api/v1/settings",
            Some(json!({})),
            Cat::Company,
            true,
            false,
        ),
        e(
            Method::GET,
            "/api/v1/agent-pools",
            None,
            Cat::Environment,
            false,
            true,
        ),
        e(
            Method::POST,
            "/api/v1/agent-pools",
            Some(json!({})),
            Cat::Environment,
            true,
            false,
        ),
        e(
            Method::GET,
            "/api/v1/audit",
            None,
            Cat::Security,
            false,
            false,
        ),
        e(
            Method::GET,
            "/api/v1/audit/verify",
            None,
            Cat::Security,
            false,
            false,
        ),
        e(
            Method::GET,
            "/api/v1/access/company/acme/system-api-key",
            None,
            Cat::Security,
            false,
            false,
        ),
        e(
            Method::POST,
            "/api/v1/access/company/acme/system-api-key",
            Some(json!({})),
            Cat::Security,
            true,
            false,
        ),
    ]
}

fn expected(role: &str, ep: &Endpoint, rbac: bool) -> bool {
    let rbac_only = !matches!(role, "DEVELOPER" | "SYSTEM_ADMIN");
    if rbac_only && !rbac {
        return false;
    }
    let l = level(role, ep.cat);
    let by_matrix = if ep.change { l == 2 } else { l == 1 || l == 2 };
    // gadmin-only@ administers g-payments, so it manages grants there.
    by_matrix || (role == "GROUP_ADMIN" && !ep.change && ep.grant_form_read)
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
            let allowed = status != StatusCode::FORBIDDEN;
            if allowed != expected(role, &ep, rbac) || status.is_server_error() {
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
