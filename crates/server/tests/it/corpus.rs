//! The conformance corpus's grant cases through the API: a fresh company per
//! case, the case's actor signed in, the case's instant on the clock; the
//! answer's status and field errors must equal the core's.
//!
//! Cases without an actor are context-free (the API always has one), and
//! cases whose actor may not manage grants at all are answered by the
//! server's authorization before validation (403 with the policy's reason),
//! so neither kind is sent here.

use interim_conformance::{Loaded, compare, load};
use interim_policy::snapshot::Snapshot;
use interim_policy::wire::SnapshotWire;
use serde_json::{Value, json};

use crate::support::{Server, t};

#[tokio::test]
async fn grant_cases_answer_as_the_core() {
    let cases: Vec<Loaded> = load()
        .unwrap()
        .into_iter()
        .filter(|c| c.case.op == "validateGrant")
        .collect();
    let mut ran = 0;
    let mut failures = Vec::new();
    for loaded in &cases {
        let case = &loaded.case;
        let (Some(actor), Some(Value::String(name)), Some(now)) =
            (&case.actor, &case.snapshot, &case.now)
        else {
            continue;
        };
        let wire: SnapshotWire =
            serde_json::from_value(interim_conformance::snapshot(name).unwrap()).unwrap();
        let now = t(now);
        let snapshot = Snapshot::build(wire.clone()).unwrap();
        if !interim_policy::grant::manages_grants(&snapshot, actor, now) {
            continue;
        }
        let server = Server::start(&wire, now).await;
        let client = server.sign_in(actor).await;
        let path = match &case.replacing {
            Some(id) => format!("/api/v1/temp-access/{id}/replace"),
            None => "/api/v1/temp-access".to_owned(),
        };
        let (status, body) = client.post(&path, &case.input).await;
        // The API's answer in the corpus's terms.
        let answer = if status.is_success() {
            json!({"type": "success", "status": status.as_u16(), "grant": body})
        } else {
            json!({"type": "failure", "status": status.as_u16(), "errors": body["fieldErrors"]})
        };
        let mut expect = case.expect.clone();
        if expect["type"] == "success" {
            // 201 for a created grant; `defaultName` is the core's own field.
            expect["status"] = json!(201);
            if let Some(g) = expect.get_mut("grant").and_then(Value::as_object_mut) {
                g.remove("defaultName");
            }
        }
        if let Err(why) = compare(&expect, &answer) {
            failures.push(format!("{}\n    {why}", loaded.id()));
        }
        ran += 1;
    }
    assert!(ran >= 20, "only {ran} grant cases ran through the API");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases differ from the core:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{ran} grant cases answered as the core");
}

/// The directory cases (users, pools, groups) through the API, as the
/// company's admin: create with POST, update (the case's `replacing`) with
/// PUT. Context-free cases are skipped (the API always has a company).
#[tokio::test]
async fn directory_cases_answer_as_the_core() {
    let cases: Vec<Loaded> = load()
        .unwrap()
        .into_iter()
        .filter(|c| {
            matches!(
                c.case.op.as_str(),
                "validateUser" | "validatePool" | "validateGroup"
            )
        })
        .collect();
    let mut ran = 0;
    let mut failures = Vec::new();
    for loaded in &cases {
        let case = &loaded.case;
        let Some(Value::String(name)) = &case.snapshot else {
            continue;
        };
        let expect = &case.expect;
        if expect["type"] == "malformed" {
            continue;
        }
        let wire: SnapshotWire =
            serde_json::from_value(interim_conformance::snapshot(name).unwrap()).unwrap();
        let server = Server::start(&wire, crate::support::default_now()).await;
        let client = server.sign_in("admin@acme.io").await;
        let base = match case.op.as_str() {
            "validateUser" => "/api/v1/users",
            "validatePool" => "/api/v1/agent-pools",
            _ => "/api/v1/groups",
        };
        let (status, body) = match &case.replacing {
            Some(id) => {
                client
                    .call(
                        reqwest::Method::PUT,
                        &format!("{base}/{id}"),
                        Some(&case.input),
                    )
                    .await
            }
            None => client.post(base, &case.input).await,
        };
        let ok = if expect["type"] == "success" {
            status.is_success()
        } else {
            let want = pairs(&expect["errors"]);
            let got = pairs(&body["fieldErrors"]);
            // A lookup that fails before any field is read answers its code alone.
            let codes_only =
                got.is_empty() && want.len() == 1 && body["code"] == want[0].1.as_str();
            expect["status"].as_u64() == Some(u64::from(status.as_u16()))
                && (got == want || codes_only)
        };
        if !ok {
            failures.push(format!(
                "{}\n    expected {expect}\n    got {status} {body}",
                loaded.id()
            ));
        }
        ran += 1;
    }
    assert!(ran >= 12, "only {ran} directory cases ran through the API");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases differ from the core:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `(field, code)` pairs of an answer's errors, sorted.
fn pairs(errors: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = errors
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The request and transition cases through the API: the case's company
/// (its stored requests and delegations included), its actor signed in,
/// its instant on the clock. `expire` and `end` are the sweeper's, with no
/// endpoint; an actor who cannot sign in (unknown, disabled) is refused
/// before the policy is asked.
#[tokio::test]
async fn request_cases_answer_as_the_core() {
    let cases: Vec<Loaded> = load()
        .unwrap()
        .into_iter()
        .filter(|c| matches!(c.case.op.as_str(), "validateRequest" | "requestTransition"))
        .collect();
    let mut ran = 0;
    let mut failures = Vec::new();
    for loaded in &cases {
        let case = &loaded.case;
        let (Some(actor), Some(Value::String(name)), Some(now)) =
            (&case.actor, &case.snapshot, &case.now)
        else {
            continue;
        };
        if case.expect["type"] == "malformed" {
            continue;
        }
        let action = case.input["action"].as_str().unwrap_or_default();
        if case.op == "requestTransition"
            && !matches!(action, "approve" | "deny" | "cancel" | "revoke")
        {
            continue;
        }
        let wire: SnapshotWire =
            serde_json::from_value(interim_conformance::snapshot(name).unwrap()).unwrap();
        let snapshot = Snapshot::build(wire.clone()).unwrap();
        let signs_in = snapshot
            .user_idx(actor)
            .and_then(|u| snapshot.user_flags(u))
            .is_some_and(|(enabled, _)| enabled);
        if !signs_in {
            continue;
        }
        let server = Server::start(&wire, t(now)).await;
        let client = server.sign_in(actor).await;
        let (status, body) = if case.op == "validateRequest" {
            client.post("/api/v1/access-requests", &case.input).await
        } else {
            let id = case.input["requestId"].as_str().unwrap_or_default();
            let mut b = serde_json::Map::new();
            for k in ["durationMinutes", "comment"] {
                if let Some(v) = case.input.get(k) {
                    b.insert(k.to_owned(), v.clone());
                }
            }
            client
                .post(
                    &format!("/api/v1/access-requests/{id}/{action}"),
                    &Value::Object(b),
                )
                .await
        };
        let expect = &case.expect;
        let ok = if expect["type"] == "success" {
            let same = if case.op == "validateRequest" {
                let want = &expect["request"];
                [
                    "requester",
                    "agentPoolId",
                    "status",
                    "approval",
                    "requestedMinutes",
                    "endsAt",
                    "approvedAt",
                ]
                .iter()
                .all(|k| want.get(k).is_none_or(|w| body.get(k) == Some(w)))
            } else {
                let want = &expect["transition"];
                want.get("to")
                    .is_none_or(|to| body.get("status") == Some(to))
                    && ["endsAt", "comment"]
                        .iter()
                        .all(|k| want.get(k).is_none_or(|w| body.get(k) == Some(w)))
            };
            status.is_success() && same
        } else {
            let want = pairs(&expect["errors"]);
            let got = pairs(&body["fieldErrors"]);
            let codes_only =
                got.is_empty() && want.len() == 1 && body["code"] == want[0].1.as_str();
            expect["status"].as_u64() == Some(u64::from(status.as_u16()))
                && (got == want || codes_only)
        };
        if !ok {
            failures.push(format!(
                "{}\n    expected {expect}\n    got {status} {body}",
                loaded.id()
            ));
        }
        ran += 1;
    }
    assert!(ran >= 40, "only {ran} request cases ran through the API");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases differ from the core:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{ran} request cases answered as the core");
}

/// The request-settings cases through both places settings are saved: a
/// pool's default and one group assignment's override, as a Company Admin.
#[tokio::test]
async fn request_settings_cases_answer_as_the_core() {
    let cases: Vec<Loaded> = load()
        .unwrap()
        .into_iter()
        .filter(|c| c.case.op == "validateRequestSettings")
        .collect();
    assert!(cases.len() >= 4, "only {} settings cases", cases.len());
    let wire: SnapshotWire =
        serde_json::from_value(interim_conformance::snapshot("small").unwrap()).unwrap();
    let server = Server::start(&wire, t("2026-11-22T10:00:00Z")).await;
    let client = server.sign_in("admin@acme.io").await;
    let group = wire
        .groups
        .iter()
        .find(|g| !g.agent_pool_ids.is_empty())
        .unwrap();
    let paths = [
        "/api/v1/agent-pools/pool-pay/request-settings".to_owned(),
        format!(
            "/api/v1/groups/{}/request-settings/{}",
            group.id, group.agent_pool_ids[0]
        ),
    ];
    let mut failures = Vec::new();
    for loaded in &cases {
        let expect = &loaded.case.expect;
        for path in &paths {
            let (status, body) = client
                .call(reqwest::Method::PUT, path, Some(&loaded.case.input))
                .await;
            let ok = if expect["type"] == "success" {
                status.is_success() && body["requestSettings"] == expect["settings"]
            } else {
                expect["status"].as_u64() == Some(u64::from(status.as_u16()))
                    && pairs(&body["fieldErrors"]) == pairs(&expect["errors"])
            };
            if !ok {
                failures.push(format!("{} at {path}: got {status} {body}", loaded.id()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
