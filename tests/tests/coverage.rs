//! The corpus covers every violation code, every decision reason, every
//! operation of the JSON interface and every cell of the role matrix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use interim_conformance::{load, snapshot};
use interim_policy::api::OPS;
use interim_policy::decision::REASON_CODES;
use interim_policy::{Category, Code, Operation, Role};
use serde_json::Value;

fn walk<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == key {
                    out.push(child);
                }
                walk(child, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, key, out)),
        _ => {}
    }
}

#[test]
fn every_violation_code_is_expected_somewhere() {
    let cases = load().unwrap();
    let mut seen = BTreeSet::new();
    for c in &cases {
        let mut codes = Vec::new();
        walk(&c.case.expect, "code", &mut codes);
        seen.extend(
            codes
                .into_iter()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a corpus case: {missing:?}"
    );
}

#[test]
fn every_reason_and_op_is_exercised() {
    let cases = load().unwrap();
    let mut reasons = BTreeSet::new();
    for c in &cases {
        let mut found = Vec::new();
        walk(&c.case.expect, "reason", &mut found);
        reasons.extend(
            found
                .into_iter()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }
    let missing: Vec<&&str> = REASON_CODES
        .iter()
        .filter(|r| !reasons.contains(**r))
        .collect();
    assert!(
        missing.is_empty(),
        "reasons without a corpus case: {missing:?}"
    );
    let ops: BTreeSet<&str> = cases.iter().map(|c| c.case.op.as_str()).collect();
    let missing: Vec<&&str> = OPS
        .iter()
        .filter(|op| !ops.contains(**op) && **op != "catalogue")
        .collect();
    assert!(missing.is_empty(), "ops without a corpus case: {missing:?}");
}

#[test]
fn every_matrix_cell_is_decided_both_ways() {
    let cases = load().unwrap();
    let small = snapshot("small").unwrap();
    let role_of = |email: &str| -> Option<Role> {
        let user = small["users"]
            .as_array()?
            .iter()
            .find(|u| u["email"] == email)?;
        let roles: Vec<Role> = serde_json::from_value(user["roles"].clone()).ok()?;
        (roles.len() == 1).then(|| roles[0])
    };
    let mut cells = BTreeSet::new();
    for c in cases.iter().filter(|c| c.file == "matrix") {
        let input = &c.case.input;
        let role =
            role_of(input["user"].as_str().unwrap()).expect("matrix cases use single-role users");
        let op = Operation::from_id(input["operation"].as_str().unwrap()).unwrap();
        cells.insert((
            role,
            op.category(),
            input["access"].as_str().unwrap().to_owned(),
        ));
    }
    for role in Role::ALL {
        for category in Category::ALL {
            for access in ["view", "change"] {
                assert!(
                    cells.contains(&(role, category, access.to_owned())),
                    "no case for {role:?} {category:?} {access}"
                );
            }
        }
    }
    let ops: BTreeSet<&str> = cases
        .iter()
        .filter(|c| c.file == "catalogue")
        .filter_map(|c| c.case.input["operation"].as_str())
        .collect();
    assert_eq!(
        ops.len(),
        Operation::ALL.len(),
        "every operation of the catalogue has a case"
    );
}

#[test]
fn every_case_file_is_compiled_in() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/cases");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_owned()
        })
        .collect();
    on_disk.sort();
    let listed: Vec<String> = interim_conformance::CASE_FILES
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    assert_eq!(
        on_disk, listed,
        "tests/src/lib.rs must list every case file"
    );
    let names: BTreeSet<String> = load().unwrap().iter().map(|c| c.id()).collect();
    assert_eq!(
        names.len(),
        load().unwrap().len(),
        "case names are unique within a file"
    );
}
