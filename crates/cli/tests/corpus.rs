//! The whole conformance corpus through the `interim` binary (`interim
//! call`): every answer identical to the native core's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use assert_cmd::Command;
use interim_conformance::{call_of, compare, load, run_core};
use serde_json::Value;

#[test]
fn the_corpus_through_the_cli_gives_the_cores_answers() {
    let cases = load().unwrap();
    let mut calls = Vec::new();
    let mut lines = String::new();
    for loaded in &cases {
        let call = call_of(&loaded.case).unwrap();
        let text = match &call {
            Value::String(raw) => raw.clone(),
            other => other.to_string(),
        };
        assert!(!text.contains('\n'), "{}: one call per line", loaded.id());
        lines.push_str(&text);
        lines.push('\n');
        calls.push(call);
    }
    let out = Command::cargo_bin("interim")
        .unwrap()
        .arg("call")
        .write_stdin(lines)
        .output()
        .unwrap();
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), cases.len(), "one answer per call");
    for ((loaded, call), answer) in cases.iter().zip(&calls).zip(&answers) {
        assert_eq!(
            answer,
            &run_core(call),
            "{}: identical to the core",
            loaded.id()
        );
        compare(&loaded.case.expect, answer).unwrap_or_else(|e| panic!("{}: {e}", loaded.id()));
    }
    assert_eq!(
        out.status.code(),
        Some(2),
        "malformed calls in the corpus make the exit code 2"
    );
}
