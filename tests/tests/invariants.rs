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
        "csv",
        "ed25519-dalek",
        "hex",
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
    for (path, text) in sources(&src) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for f in forbidden {
                assert!(
                    !code.contains(f),
                    "{path}:{}: `{f}` in the policy crate: {line}",
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

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A file's code without comments and without its unit tests.
fn code_of(text: &str) -> String {
    text.lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a source file belongs to (`store/users.rs` is
/// `store`); `lib.rs` and `main.rs` are the crate's root.
fn top_module(rel: &str) -> String {
    rel.split(['/', '.']).next().unwrap_or_default().to_owned()
}

/// Which top-level modules each module names through `crate::…`.
fn module_graph(
    dir: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (rel, text) in sources(dir) {
        let from = top_module(&rel);
        if from == "lib" || from == "main" {
            continue;
        }
        let code = code_of(&text);
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::{a, b}` names several.
            let names: Vec<String> = if rest.starts_with('{') {
                let inner = &rest[1..rest.find('}').unwrap_or(rest.len())];
                inner
                    .split(',')
                    .map(|p| p.trim().split("::").next().unwrap_or_default().to_owned())
                    .collect()
            } else {
                vec![name]
            };
            for n in names {
                let is_module = dir.join(format!("{n}.rs")).is_file() || dir.join(&n).is_dir();
                if is_module && n != from {
                    graph.entry(from.clone()).or_default().insert(n);
                }
            }
        }
    }
    graph
}

/// A cycle in the graph, as the path around it, if there is one.
fn cycle(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut around = path[i..].to_vec();
            around.push(node.to_owned());
            return Some(around);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_policy_and_server_modules_import_each_other_in_no_circle() {
    for krate in ["crates/policy/src", "crates/server/src"] {
        let graph = module_graph(&root().join(krate));
        assert!(graph.len() > 5, "{krate}: {graph:?}");
        if let Some(c) = cycle(&graph) {
            panic!(
                "{krate}: modules import each other in a circle: {}",
                c.join(" -> ")
            );
        }
    }
}

#[test]
fn nothing_in_the_server_imports_from_its_routes() {
    let dir = root().join("crates/server/src");
    for (rel, text) in sources(&dir) {
        if rel.starts_with("routes") || rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let code = code_of(&text);
        assert!(
            !code.contains("crate::routes") && !code.contains("routes::"),
            "{rel} imports from routes/: use cases live in app/"
        );
    }
}

#[test]
fn server_files_and_handlers_stay_small() {
    let dir = root().join("crates/server/src");
    for (rel, text) in sources(&dir) {
        let lines = text.lines().count();
        assert!(lines <= 500, "{rel} has {lines} lines: split it by job");
        if !rel.starts_with("routes") {
            continue;
        }
        // A handler: a function of routes/, from its line to its closing
        // brace at the same indentation.
        let all: Vec<&str> = text.lines().collect();
        for (i, line) in all.iter().enumerate() {
            if !line.starts_with("pub(crate) async fn ") && !line.starts_with("async fn ") {
                continue;
            }
            let end = all[i..].iter().position(|l| *l == "}").unwrap_or(0);
            assert!(end <= 60, "{rel}:{}: a handler of {end} lines", i + 1);
        }
    }
}

#[test]
fn the_store_folds_no_letter_case_of_its_own() {
    // People are keyed by the policy's `email_key`, computed once and
    // stored; SQL's `lower()` knows ASCII only, and a second folding in
    // Rust would be a second rule (issue 15).
    let dir = root().join("crates/server/src/store");
    for (rel, text) in sources(&dir) {
        let code = code_of(&text);
        for needle in [
            "lower(",
            "upper(",
            "to_lowercase",
            "to_uppercase",
            "COLLATE NOCASE",
        ] {
            assert!(
                !code.contains(needle),
                "store/{rel} folds letter case itself (`{needle}`): use store::key"
            );
        }
    }
}

#[test]
fn store_modules_reach_the_write_connection_only_through_c() {
    // WriteTx::c marks the transaction as possibly written, so that its
    // snapshot and commit read the stored generation; a module that took
    // `self.tx` directly could write unseen by the cache's bookkeeping.
    let dir = root().join("crates/server/src/store");
    for (rel, text) in sources(&dir) {
        if rel == "mod.rs" {
            continue;
        }
        assert!(
            !code_of(&text).contains("self.tx"),
            "store/{rel} uses self.tx: write through self.c()"
        );
    }
}

#[test]
fn the_portal_declares_no_answer_type_of_its_own() {
    // Every answer the portal reads is one of interim_policy::answer's
    // types (issue 15): a struct of its own deriving Deserialize would be a
    // second definition of a server answer, free to drift from it.
    let dir = root().join("web/src");
    for (rel, text) in sources(&dir) {
        let derives = code_of(&text)
            .lines()
            .filter(|l| l.trim_start().starts_with("#[derive(") && l.contains("Deserialize"))
            .count();
        assert_eq!(
            derives, 0,
            "web/src/{rel} derives Deserialize: read interim_policy::answer"
        );
    }
}
