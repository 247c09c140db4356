//! `cargo xtask fuzz [SECONDS]`: the cargo fuzz targets of `fuzz/` (the
//! JSON interface, the wire reader, snapshot indexing), each for SECONDS
//! (60 in `cargo xtask test`), seeded with the conformance corpus.
//!
//! cargo fuzz needs `-Z sanitizer`, which the one stable toolchain here
//! accepts only with `RUSTC_BOOTSTRAP=1`: set on the fuzz command alone,
//! never on the workspace's builds (TOOLCHAIN.md). A crash leaves its
//! input in `fuzz/artifacts/<target>/`; it becomes a regression test.

use std::path::Path;

use crate::{cmd, root, version};

/// cargo-fuzz, pinned.
const CARGO_FUZZ: &str = "0.13.2";
const TARGETS: [&str; 3] = ["api_call", "wire_reader", "snapshot_index"];

pub fn setup() -> Result<(), String> {
    let have = version("cargo", &["fuzz", "--version"]);
    if have.is_none_or(|v| !v.contains(CARGO_FUZZ)) {
        crate::run(
            "cargo",
            &["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--locked"],
        )?;
    }
    Ok(())
}

/// Every target for `seconds`; fails on the first crash, naming its input.
pub fn run(seconds: u64) -> Result<(), String> {
    setup()?;
    let corpus_root = crate::target_dir().join("fuzz-corpus");
    for target in TARGETS {
        let corpus = corpus_root.join(target);
        seed(target, &corpus)?;
        let time = format!("-max_total_time={seconds}");
        let corpus_arg = corpus.to_string_lossy().into_owned();
        let args = [
            "fuzz",
            "run",
            "--fuzz-dir",
            "fuzz",
            target,
            corpus_arg.as_str(),
            "--",
            time.as_str(),
            "-max_len=65536",
            "-print_final_stats=1",
            "-print_funcs=0",
        ];
        println!("\n==> RUSTC_BOOTSTRAP=1 cargo {}", args.join(" "));
        let status = cmd("cargo", &args)
            .env("RUSTC_BOOTSTRAP", "1")
            .status()
            .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz target `{target}` failed ({status}): its input is in fuzz/artifacts/{target}/"
            ));
        }
    }
    Ok(())
}

/// Seeds a target's corpus with the conformance corpus: each case as a call
/// (for the JSON interface and the reader), each snapshot as a company.
fn seed(target: &str, corpus: &Path) -> Result<(), String> {
    std::fs::create_dir_all(corpus)
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let dir = if target == "snapshot_index" {
        "tests/corpus/snapshots"
    } else {
        "tests/corpus/cases"
    };
    let entries =
        std::fs::read_dir(root().join(dir)).map_err(|e| format!("cannot read {dir}: {e}"))?;
    let mut n = 0;
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let items = match value {
            serde_json::Value::Array(cases) => cases,
            company => vec![company],
        };
        for mut item in items {
            // A case as the call it makes: its name, its expectation and a
            // snapshot named rather than given are not part of a call.
            if let Some(case) = item.as_object_mut().filter(|_| target != "snapshot_index") {
                case.remove("name");
                case.remove("expect");
                if case
                    .get("snapshot")
                    .is_some_and(serde_json::Value::is_string)
                {
                    case.remove("snapshot");
                }
            }
            let seed = corpus.join(format!("seed-{n}.json"));
            std::fs::write(&seed, item.to_string())
                .map_err(|e| format!("cannot write {}: {e}", seed.display()))?;
            n += 1;
        }
    }
    Ok(())
}
