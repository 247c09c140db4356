//! The architecture's invariants, checked: the policy crate reads no clock,
//! does no I/O and depends on no workspace crate or framework; the leaves
//! never depend on each other.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Dependency names of a manifest section such as `[dependencies]`.
fn deps(manifest: &str, section: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
            continue;
        }
        if inside
            && !line.is_empty()
            && !line.starts_with('#')
            && let Some(name) = line.split(['=', '.']).next()
        {
            out.push(name.trim().to_owned());
        }
    }
    out
}

#[test]
fn the_policy_crate_depends_only_on_pure_libraries() {
    let manifest = std::fs::read_to_string(root().join("crates/policy/Cargo.toml")).unwrap();
    let allowed = [
        "chrono",
        "serde",
        "serde_json",
        "sha2",
        "rustc-hash",
        "hashbrown",
    ];
    for dep in deps(&manifest, "[dependencies]") {
        // utoipa derives the wire types' schemas for the server's OpenAPI
        // document, behind an optional feature the other surfaces leave off.
        let optional = manifest
            .lines()
            .any(|l| l.starts_with(&format!("{dep} ")) && l.contains("optional = true"));
        assert!(
            allowed.contains(&dep.as_str()) || (dep == "utoipa" && optional),
            "crates/policy depends on `{dep}`: the core takes no framework, I/O or workspace crate (allowed: {allowed:?})"
        );
    }
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let chrono = workspace.lines().find(|l| l.starts_with("chrono")).unwrap();
    assert!(
        chrono.contains("default-features = false") && !chrono.contains("clock"),
        "the core's chrono has no clock: {chrono}"
    );
}

#[test]
fn the_policy_crate_reads_no_clock_and_does_no_io() {
    let forbidden = [
        "Utc::now",
        "Local::now",
        "SystemTime",
        "Instant::now",
        "std::fs",
        "std::net",
        "std::io",
        "std::env",
        "std::process",
        "std::thread",
        "println!",
        "eprintln!",
        "print!(",
        "dbg!(",
        "tokio",
        "getrandom",
    ];
    let src = root().join("crates/policy/src");
    let mut checked = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for f in forbidden {
                assert!(
                    !code.contains(f),
                    "{}:{}: `{f}` in the policy crate: {line}",
                    path.display(),
                    n + 1
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "read {checked} source files");
}

#[test]
fn leaves_never_depend_on_each_other() {
    let leaves = [
        "interim-policy-wasm",
        "interim-server",
        "interim-cli",
        "interim-web",
    ];
    let mut manifests = vec![root().join("web/Cargo.toml")];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        manifests.push(entry.unwrap().path().join("Cargo.toml"));
    }
    for path in manifests.into_iter().filter(|p| p.exists()) {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = text
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("name = ")
                    .map(|n| n.trim_matches('"').to_owned())
            })
            .unwrap();
        for section in [
            "[dependencies]",
            "[dev-dependencies]",
            "[build-dependencies]",
        ] {
            for dep in deps(&text, section) {
                assert!(
                    !(leaves.contains(&dep.as_str()) && dep != name),
                    "{name} depends on the leaf {dep}: leaves depend only on interim-policy"
                );
                if name == "interim-policy" {
                    assert!(
                        !dep.starts_with("interim-"),
                        "the policy crate depends on {dep}"
                    );
                }
            }
        }
    }
}
