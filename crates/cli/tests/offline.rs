//! The offline commands over sample files: exit codes and both output
//! formats, as a CI job would run them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00Z";

fn interim() -> Command {
    let mut c = Command::cargo_bin("interim").unwrap();
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));
    c
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut cmd = interim();
    cmd.args(args).args(["--format", "json"]);
    if args[0] == "validate" {
        cmd.args(["--now", NOW]);
    }
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap();
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn a_valid_file_exits_0() {
    let out = interim()
        .args(["validate", "valid-grant.json", "--now", NOW])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("valid    valid-grant.json"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour when not on a terminal: {text:?}"
    );
}

#[test]
fn every_problem_is_named_with_its_field_and_code() {
    let out = interim()
        .args(["validate", "invalid-grant.json", "--now", NOW])
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for expected in [
        "invalid  invalid-grant.json  (4 problems)",
        "roles[0]  grant.roles.unknown",
        "expirationDate  grant.expirationDate.not_future",
        "agentPoolIds  grant.agentPoolIds.empty",
        "userEmails[1]  grant.userEmails.invalid  “not-an-address” is not an e-mail address",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn the_json_output_is_stable() {
    let (code, v) = json(&[
        "validate",
        "valid-grant.json",
        "invalid-grant.json",
        "form.toml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["valid"], false);
    assert_eq!(v["now"], "2026-11-22T10:00:00.000Z");
    assert_eq!(
        v["counts"],
        serde_json::json!({"checked": 3, "valid": 2, "invalid": 1, "unreadable": 0})
    );
    let results = v["results"].as_array().unwrap();
    assert_eq!(
        results[0],
        serde_json::json!({"file": "valid-grant.json", "index": null, "kind": "grant", "valid": true, "status": null, "errors": []})
    );
    assert_eq!(results[1]["status"], 400);
    let codes: Vec<&str> = results[1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 4);
    assert!(codes.contains(&"grant.roles.unknown"));
    assert_eq!(
        results[2]["kind"], "grant-form",
        "a TOML file in the form's shape"
    );
    assert_eq!(results[2]["valid"], true);
}

#[test]
fn with_a_context_the_company_is_checked_too() {
    let (code, v) = json(&["validate", "mixed.json"]);
    assert_eq!(code, 0, "both are well formed without a company: {v}");
    let (code, v) = json(&[
        "validate",
        "mixed.json",
        "--context",
        "snapshot.json",
        "--actor",
        "admin@acme.io",
    ]);
    assert_eq!(code, 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(
        (results[0]["index"].as_u64(), results[0]["valid"].as_bool()),
        (Some(0), Some(true))
    );
    assert_eq!(results[1]["index"], 1);
    assert_eq!(results[1]["status"], 404);
    assert_eq!(results[1]["errors"][0]["field"], "userEmails[0]");
    assert_eq!(results[1]["errors"][0]["code"], "grant.userEmails.unknown");
}

#[test]
fn malformed_json_is_invalid_and_an_unreadable_file_is_an_error() {
    let (code, v) = json(&["validate", "malformed.json"]);
    assert_eq!(code, 1);
    assert_eq!(v["results"][0]["errors"][0]["code"], "body.json.malformed");
    let (code, v) = json(&["validate", "valid-grant.json", "no-such-file.json"]);
    assert_eq!(code, 2, "an unreadable file is an I/O error");
    assert_eq!(v["counts"]["unreadable"], 1);
    assert!(
        v["ioErrors"][0]
            .as_str()
            .unwrap()
            .starts_with("no-such-file.json: cannot read")
    );
    let (code, _) = json(&["validate", "*.nothing"]);
    assert_eq!(code, 2, "a pattern that matches nothing");
}

#[test]
fn globs_and_standard_input() {
    let (code, v) = json(&["validate", "*-grant.json"]);
    assert_eq!(code, 1);
    let files: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["invalid-grant.json", "valid-grant.json"]);
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/valid-grant.json"
    ))
    .unwrap();
    let out = interim()
        .args(["validate", "-", "--now", NOW])
        .write_stdin(body)
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("valid    <stdin>"));
}

#[test]
fn requests_are_checked_against_a_company() {
    let (code, v) = json(&["validate", "request.json"]);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["results"][0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--context")
    );
    let (code, v) = json(&[
        "validate",
        "request.json",
        "--context",
        "snapshot.json",
        "--actor",
        "req@acme.io",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["results"][0]["kind"], "request");
    let (code, v) = json(&[
        "validate",
        "request.json",
        "--context",
        "snapshot.json",
        "--actor",
        "dev@acme.io",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        v["results"][0]["errors"][0]["code"],
        "request.agentPoolId.not_requestable"
    );
}

#[test]
fn usage_errors_exit_2() {
    interim()
        .args(["validate", "valid-grant.json", "--now", "yesterday"])
        .assert()
        .code(2);
    interim()
        .args([
            "validate",
            "valid-grant.json",
            "--context",
            "no-such-snapshot.json",
        ])
        .assert()
        .code(2);
    interim().args(["validate"]).assert().code(2);
    interim().args(["frobnicate"]).assert().code(2);
}

#[test]
fn explain_says_why() {
    let (code, v) = json(&[
        "explain",
        "--context",
        "snapshot.json",
        "--user",
        "dev@acme.io",
        "--pool",
        "pool-pay",
        "--at",
        NOW,
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["explanation"]["decision"]["allowed"], true);
    assert_eq!(v["explanation"]["decision"]["reason"], "allow.group");
    assert_eq!(v["explanation"]["privileged"]["allowed"], false);
    let (code, v) = json(&[
        "explain",
        "--context",
        "snapshot.json",
        "--user",
        "dev@acme.io",
        "--operation",
        "company.users",
        "--access",
        "change",
        "--at",
        NOW,
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["decision"]["allowed"], false);
    assert_eq!(v["decision"]["reason"], "deny.level_too_low");
    let (code, v) = json(&[
        "explain",
        "--context",
        "snapshot.json",
        "--request",
        "r-pending",
        "--at",
        NOW,
    ]);
    assert_eq!(code, 0);
    let reviewers: Vec<&str> = v["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert!(reviewers.contains(&"admin@acme.io"), "{reviewers:?}");
    let (code, v) = json(&[
        "explain",
        "--context",
        "snapshot.json",
        "--requester",
        "req@acme.io",
        "--pool",
        "pool-mixed",
        "--at",
        NOW,
    ]);
    assert_eq!(code, 0, "{v}");
    assert!(!v["reviewers"].as_array().unwrap().is_empty(), "{v}");
    let (code, v) = json(&[
        "explain",
        "--context",
        "snapshot.json",
        "--user",
        "dev@acme.io",
        "--permissions",
        "--at",
        NOW,
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["permissions"]["email"], "dev@acme.io");
    let out = interim()
        .args([
            "explain",
            "--context",
            "snapshot.json",
            "--user",
            "dev@acme.io",
            "--pool",
            "pool-pay",
            "--at",
            NOW,
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("Standard:   allowed  allow.group"), "{text}");
}

#[test]
fn the_access_summary_offline_as_csv_and_json() {
    let out = interim()
        .args([
            "report",
            "--context",
            "snapshot.json",
            "--by",
            "user",
            "--as",
            "csv",
            "--at",
            NOW,
        ])
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        csv.starts_with("user,roles,groupIds,agentPoolId,poolName,level,source,sourceId,until\n"),
        "{csv}"
    );
    assert!(csv.contains("req2@acme.io,DEVELOPER,g-ledger g-batch,pool-locked,Ledger production,STANDARD,request,r-approved,2026-11-22T13:00:00.000Z"), "{csv}");
    assert!(
        csv.contains("\nsec@acme.io,SECURITY,,,,,,,\n"),
        "a user without access still has a row: {csv}"
    );
    let out = interim()
        .args([
            "report",
            "--context",
            "snapshot.json",
            "--by",
            "pool",
            "--at",
            NOW,
        ])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["by"], "pool");
    let locked = v["pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["agentPoolId"] == "pool-locked")
        .unwrap();
    assert_eq!(locked["usersWithAccess"], 2);
    interim()
        .args(["report", "--context", "snapshot.json", "--by", "team"])
        .assert()
        .code(2);
}

#[test]
fn roles_print_the_matrix_and_the_catalogue() {
    let (code, v) = json(&["roles"]);
    assert_eq!(code, 0);
    assert_eq!(v["roles"].as_array().unwrap().len(), 7);
    assert_eq!(v["operations"].as_array().unwrap().len(), 32);
    let out = interim().arg("roles").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("Company Admin          WR              WR        WR           WR       WR"),
        "{text}"
    );
    assert!(
        text.contains("Group Admin *          —               —         WR (own)"),
        "{text}"
    );
}

#[test]
fn migrate_roles_previews_and_refuses_unknown_roles() {
    let (code, v) = json(&["migrate-roles", "--preview", "legacy.json"]);
    assert_eq!(code, 1);
    assert_eq!(v["users"][0]["roles"], serde_json::json!(["SYSTEM_ADMIN"]));
    assert_eq!(v["errors"][0]["field"], "[1].legacyRoles[1]");
    assert_eq!(v["errors"][0]["code"], "legacy.legacyRoles.unknown");
}

#[test]
fn completions_and_help() {
    let out = interim().args(["completions", "bash"]).assert().success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("_interim"));
    // Every command that does something has an example in its help.
    for sub in [
        &["validate"][..],
        &["explain"],
        &["roles"],
        &["migrate-roles"],
        &["call"],
        &["login"],
        &["logout"],
        &["grant", "list"],
        &["grant", "create"],
        &["grant", "delete"],
        &["grant", "replace"],
        &["user", "list"],
        &["user", "create"],
        &["user", "disable"],
        &["user", "enable"],
        &["audit", "export"],
        &["audit", "verify"],
        &["snapshot"],
        &["completions"],
        &["report"],
    ] {
        let out = interim().args(sub).arg("--help").assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(text.contains("Usage: interim"), "{sub:?}: {text}");
        assert!(text.contains("Example"), "{sub:?} has an example: {text}");
    }
    let out = interim().args(["validate", "--help"]).assert().success();
    assert!(
        String::from_utf8_lossy(&out.get_output().stdout)
            .contains("Exit codes: 0 all valid, 1 some invalid, 2 usage or I/O error")
    );
}
