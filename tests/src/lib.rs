//! The conformance corpus: JSON cases under `tests/corpus/`, each a call of
//! the policy's JSON interface and the answer every surface must give.
//!
//! A case is `{name, op, now?, snapshot?, actor?, replacing?, input, expect}`
//! where `snapshot` names a file of `corpus/snapshots/` or is given inline,
//! and `expect` is compared with the answer by [`compare`]: every key given
//! must match, `errors` compare as multisets of `(field, code)`, messages are
//! free. Case files are compiled in, so the same run works on wasm32.

use serde::Deserialize;
use serde_json::{Map, Value};

/// Every case file, by name.
pub const CASE_FILES: &[(&str, &str)] = &[
    ("audit", include_str!("../corpus/cases/audit.json")),
    ("catalogue", include_str!("../corpus/cases/catalogue.json")),
    ("company", include_str!("../corpus/cases/company.json")),
    ("decision", include_str!("../corpus/cases/decision.json")),
    ("grant", include_str!("../corpus/cases/grant.json")),
    (
        "grant_form",
        include_str!("../corpus/cases/grant_form.json"),
    ),
    ("legacy", include_str!("../corpus/cases/legacy.json")),
    ("limits", include_str!("../corpus/cases/limits.json")),
    ("malformed", include_str!("../corpus/cases/malformed.json")),
    ("matrix", include_str!("../corpus/cases/matrix.json")),
    ("report", include_str!("../corpus/cases/report.json")),
    ("request", include_str!("../corpus/cases/request.json")),
    ("reviewers", include_str!("../corpus/cases/reviewers.json")),
    (
        "transition",
        include_str!("../corpus/cases/transition.json"),
    ),
    ("users", include_str!("../corpus/cases/users.json")),
];

/// Every named snapshot.
pub const SNAPSHOTS: &[(&str, &str)] = &[
    ("full", include_str!("../corpus/snapshots/full.json")),
    (
        "rbac-off",
        include_str!("../corpus/snapshots/rbac-off.json"),
    ),
    ("small", include_str!("../corpus/snapshots/small.json")),
    ("tight", include_str!("../corpus/snapshots/tight.json")),
];

/// One case of the corpus.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Case {
    pub name: String,
    pub op: String,
    #[serde(default)]
    pub now: Option<String>,
    /// A snapshot name or an inline snapshot.
    #[serde(default)]
    pub snapshot: Option<Value>,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub replacing: Option<String>,
    #[serde(default)]
    pub input: Value,
    /// The input as raw text instead, for bodies that are not JSON at all.
    #[serde(default)]
    pub raw_input: Option<String>,
    pub expect: Value,
}

/// A case with the file it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub file: &'static str,
    pub case: Case,
}

impl Loaded {
    pub fn id(&self) -> String {
        format!("{}: {}", self.file, self.case.name)
    }
}

/// Reads every case.
pub fn load() -> Result<Vec<Loaded>, String> {
    let mut out = Vec::new();
    for (file, text) in CASE_FILES {
        let cases: Vec<Case> =
            serde_json::from_str(text).map_err(|e| format!("{file}.json: {e}"))?;
        out.extend(cases.into_iter().map(|case| Loaded { file, case }));
    }
    Ok(out)
}

/// The named snapshot as JSON.
pub fn snapshot(name: &str) -> Option<Value> {
    SNAPSHOTS
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, text)| serde_json::from_str(text).ok())
}

/// The call of the policy's JSON interface a case makes, snapshot resolved.
/// A case with `rawInput` gives the call as JSON text with that input spliced
/// in verbatim (a JSON string value holding the text).
pub fn call_of(case: &Case) -> Result<Value, String> {
    if let Some(raw) = &case.raw_input {
        let mut without = case.clone();
        without.raw_input = None;
        without.input = Value::from("__RAW__");
        let text = call_of(&without)?.to_string().replace("\"__RAW__\"", raw);
        return Ok(Value::String(text));
    }
    let mut call = Map::new();
    call.insert("op".into(), Value::from(case.op.clone()));
    if let Some(now) = &case.now {
        call.insert("now".into(), Value::from(now.clone()));
    }
    match &case.snapshot {
        None => {}
        Some(Value::String(name)) => {
            let s = snapshot(name).ok_or_else(|| format!("no snapshot `{name}`"))?;
            call.insert("snapshot".into(), s);
        }
        Some(inline) => {
            call.insert("snapshot".into(), inline.clone());
        }
    }
    if let Some(actor) = &case.actor {
        call.insert("actor".into(), Value::from(actor.clone()));
    }
    if let Some(r) = &case.replacing {
        call.insert("replacing".into(), Value::from(r.clone()));
    }
    call.insert("input".into(), case.input.clone());
    Ok(Value::Object(call))
}

/// Runs a call through the native core: the answer as JSON, malformed
/// input as `{"type": "malformed", ...}`.
pub fn run_core(call: &Value) -> Value {
    let text = match call {
        Value::String(raw) => raw.clone(),
        other => other.to_string(),
    };
    match interim_policy::api::call_json(&text) {
        Ok(answer) => answer.to_json(),
        Err(malformed) => malformed.to_json(),
    }
}

/// Checks an answer against what a case expects.
pub fn compare(expect: &Value, actual: &Value) -> Result<(), String> {
    compare_at("", expect, actual)
}

fn compare_at(path: &str, expect: &Value, actual: &Value) -> Result<(), String> {
    match (expect, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let here = format!("{path}.{k}");
                let av = a
                    .get(k)
                    .ok_or_else(|| format!("{here}: missing in {actual}"))?;
                if k == "errors" {
                    compare_errors(&here, ev, av)?;
                } else {
                    compare_at(&here, ev, av)?;
                }
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}: {actual}",
                    e.len(),
                    a.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare_at(&format!("{path}[{i}]"), ev, av)?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {a}")),
    }
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let s = |k: &str| {
                        i.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    };
                    (s("field"), s("code"))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn compare_errors(path: &str, expect: &Value, actual: &Value) -> Result<(), String> {
    let (e, a) = (pairs(expect), pairs(actual));
    if e == a {
        Ok(())
    } else {
        Err(format!("{path}: expected {e:?}, got {a:?} ({actual})"))
    }
}

/// Runs every case through `surface` and returns the failures.
pub fn run_all(surface: impl Fn(&Loaded, &Value) -> Value) -> Result<(usize, Vec<String>), String> {
    let cases = load()?;
    let mut failures = Vec::new();
    for loaded in &cases {
        let call = call_of(&loaded.case)?;
        let answer = surface(loaded, &call);
        if let Err(why) = compare(&loaded.case.expect, &answer) {
            failures.push(format!("{}\n    {why}", loaded.id()));
        }
    }
    Ok((cases.len(), failures))
}
