//! Prints the native core's answer to every corpus case, as JSON
//! (`[{id, call, answer}]`): the reference the npm package's tests compare
//! with, so every surface is held to the core's exact answers.

use std::io::Write;
use std::process::ExitCode;

use interim_conformance::{call_of, load, run_core};
use serde_json::{Value, json};

fn main() -> ExitCode {
    let cases = match load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("corpus-answers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = Vec::with_capacity(cases.len());
    for loaded in &cases {
        let call = match call_of(&loaded.case) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("corpus-answers: {}: {e}", loaded.id());
                return ExitCode::FAILURE;
            }
        };
        let answer = run_core(&call);
        // The exact text too: JavaScript numbers cannot hold every integer
        // of a call (i64 bounds), so those cases are sent as text.
        let text = match &call {
            Value::String(raw) => raw.clone(),
            other => other.to_string(),
        };
        out.push(json!({
            "id": loaded.id(),
            "op": loaded.case.op,
            "call": call,
            "callText": text,
            "expect": loaded.case.expect,
            "answer": answer,
        }));
    }
    let text = Value::Array(out).to_string();
    if std::io::stdout().write_all(text.as_bytes()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
