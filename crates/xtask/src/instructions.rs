//! The instruction-count guard: runs the `instructions` benchmarks of the
//! policy and the server under callgrind (gungraun) and compares each count
//! with the baseline committed in `crates/xtask/instructions.baseline`.
//! More than 10 % more instructions on any of them fails, printing the
//! table. Counts repeat on a loaded machine, so the guard works anywhere;
//! the baseline changes only in a commit of its own that says why
//! (`cargo xtask instructions --save` writes it).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::{cmd, root, tools_dir, version};

/// Must equal the `gungraun` crate in Cargo.lock.
const GUNGRAUN: &str = "0.19.1";
/// More instructions than the baseline by more than this fails.
const LIMIT_PCT: f64 = 10.0;

/// The benchmarks measured: (package, extra cargo arguments).
const BENCHES: &[(&str, &[&str])] = &[
    ("interim-policy", &["--features", "sample"]),
    ("interim-server", &[]),
];

fn baseline_path() -> PathBuf {
    root().join("crates/xtask/instructions.baseline")
}

fn runner() -> PathBuf {
    tools_dir().join("bin/gungraun-runner")
}

/// Installs gungraun's runner (pinned) into the tools folder, and checks
/// that valgrind is there (it is on the machine image).
pub fn setup() -> Result<(), String> {
    let want = format!("gungraun-runner {GUNGRAUN}");
    let have = version(&runner().to_string_lossy(), &["--version"]);
    if !have.is_some_and(|v| v.contains(&want)) {
        let root = tools_dir().to_string_lossy().into_owned();
        crate::run(
            "cargo",
            &[
                "install",
                "gungraun-runner",
                "--version",
                GUNGRAUN,
                "--locked",
                "--force",
                "--root",
                &root,
            ],
        )?;
    }
    if version("valgrind", &["--version"]).is_none() {
        crate::run(
            "apt-get",
            &["install", "-y", "--no-install-recommends", "valgrind"],
        )?;
    }
    Ok(())
}

/// Each benchmark's instruction count, by `package::function`.
fn measure() -> Result<BTreeMap<String, u64>, String> {
    let mut counts = BTreeMap::new();
    for (package, extra) in BENCHES {
        let mut args = vec!["bench", "-p", package];
        args.extend_from_slice(extra);
        args.extend(["--bench", "instructions", "--", "--output-format=json"]);
        println!("\n==> cargo {}", args.join(" "));
        let out = cmd("cargo", &args)
            .env("GUNGRAUN_RUNNER", runner())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot start cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!("the {package} instruction benchmarks failed"));
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(summary) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let name = summary
                .get("function_name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            let ir = instructions(&summary)
                .ok_or_else(|| format!("no instruction count for {name} in gungraun's output"))?;
            counts.insert(format!("{package}::{name}"), ir);
        }
    }
    Ok(counts)
}

/// The instructions (`Ir`) of this run in one line of gungraun's JSON.
fn instructions(summary: &serde_json::Value) -> Option<u64> {
    let metrics = summary.pointer("/profiles/0/summaries/total/summary/Callgrind/Ir/metrics")?;
    metrics
        .pointer("/Left/Int")
        .or_else(|| metrics.pointer("/Both/0/Int"))
        .and_then(serde_json::Value::as_u64)
}

fn read_baseline() -> Result<BTreeMap<String, u64>, String> {
    let path = baseline_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, count) = l
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("{}: bad line `{l}`", path.display()))?;
            let count = count
                .trim()
                .parse()
                .map_err(|e| format!("{}: bad count in `{l}`: {e}", path.display()))?;
            Ok((name.to_owned(), count))
        })
        .collect()
}

fn write_baseline(counts: &BTreeMap<String, u64>) -> Result<(), String> {
    let mut text = String::from(
        "# Instructions (callgrind Ir) per benchmark run, compared by `cargo xtask test`:\n\
         # more than 10 % more fails. Change only in a commit of its own that says why\n\
         # (`cargo xtask instructions --save`).\n",
    );
    for (name, count) in counts {
        text.push_str(&format!("{name} {count}\n"));
    }
    let path = baseline_path();
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Measures, prints the table against the baseline and fails on a
/// regression (or a benchmark the baseline lacks); with `save`, writes the
/// counts as the new baseline instead.
pub fn guard(save: bool) -> Result<(), String> {
    setup()?;
    let counts = measure()?;
    if save {
        write_baseline(&counts)?;
        println!("wrote {}", baseline_path().display());
        return Ok(());
    }
    let baseline = read_baseline()?;
    let mut failures = Vec::new();
    println!(
        "\n{:<62} {:>13} {:>13} {:>8}",
        "instructions", "baseline", "now", "change"
    );
    for (name, &now) in &counts {
        let Some(&base) = baseline.get(name) else {
            println!("{name:<62} {:>13} {now:>13} {:>8}", "-", "new");
            failures.push(format!("{name} is not in the baseline"));
            continue;
        };
        let pct = (now as f64 - base as f64) * 100.0 / (base.max(1) as f64);
        let verdict = if pct > LIMIT_PCT { "  SLOWER" } else { "" };
        println!("{name:<62} {base:>13} {now:>13} {pct:>+7.1}%{verdict}");
        if pct > LIMIT_PCT {
            failures.push(format!("{name}: {pct:+.1}% instructions"));
        }
    }
    for name in baseline.keys().filter(|n| !counts.contains_key(*n)) {
        failures.push(format!("{name} is in the baseline but was not measured"));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "instruction counts over the baseline by more than {LIMIT_PCT}%:\n  {}",
            failures.join("\n  ")
        ))
    }
}
