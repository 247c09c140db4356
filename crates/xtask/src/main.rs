//! `cargo xtask …`: install the pinned tools, test, benchmark.
//!
//! Every command installs what is missing (and only that) before it runs,
//! so a new machine needs nothing but Rust to start.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

mod contract;
mod fuzz;
mod instructions;
mod npm;

/// Pinned versions (see ../shared/TOOLCHAIN.md): the wasm-bindgen CLI must
/// equal the `wasm-bindgen` crate in Cargo.lock.
const WASM_BINDGEN: &str = "0.2.130";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const TRUNK: &str = "0.21.14";
/// npm packages for the portal's build and browser tests, in a tools folder
/// outside the clone. binaryen's wasm-opt 132 goes first on PATH: Debian's
/// older wasm-opt silently breaks the app (TOOLCHAIN.md).
/// TypeScript checks the npm package's declarations.
const NPM_TOOLS: &[&str] = &[
    "binaryen@132.0.0",
    "playwright-core@1.65",
    "axe-core@4",
    "typescript@5",
];

/// Seconds per fuzz target in `cargo xtask test`.
const FUZZ_SECONDS: u64 = 60;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup   install what is missing: rustfmt, clippy, the wasm32 target,
          wasm-bindgen-cli, trunk and gungraun-runner (pinned), Node.js and
          npm, binaryen, playwright-core and axe-core (npm), Chromium and
          valgrind (Debian), schemathesis and openapi-spec-validator
          (PyPI, in a virtualenv)
  portal  build the portal (release, wasm-opt) into web/dist
  e2e     build the portal, then run only its end-to-end tests in Chromium
  npm     build the npm package of the policy (wasm; nodejs, web and bundler
          flavours) into target/npm/interim-policy
  npm-test  build it, then run only its tests (Node and Chromium)
  test    setup, then: cargo fmt --check, clippy -D warnings, native tests,
          the conformance corpus on wasm32 under Node, compile the
          benchmarks, the instruction-count guard, fuzzing (60 s per
          target), the portal's build and e2e tests, the API contract
          (the OpenAPI document validated, schemathesis with every check
          by key and by session, the vendor replay), the npm package's
          build and tests
  contract
          only the API contract step
  run     start the server on http://127.0.0.1:8080 with ./data/interim.db,
          seeding the demo company when the database is new (extra
          arguments go to interim-server; see `cargo xtask run --help`)
  bench   run the criterion benchmarks of the policy crate (prints figures,
          then the engine's beside the hand-written floor's, as ratios)
  fuzz [SECONDS]
          run each cargo fuzz target of fuzz/ (the JSON interface, the wire
          reader, snapshot indexing) for SECONDS (default 300; 60 in test)
  instructions [--save]
          count the instructions of the guarded benchmarks (callgrind) and
          compare them with crates/xtask/instructions.baseline (part of
          test); --save writes the counts as the new baseline
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("test") => setup().and_then(|()| test()),
        Some("bench") => bench(args.get(1..).unwrap_or_default()),
        Some("instructions") => instructions::guard(args.get(1).is_some_and(|a| a == "--save")),
        Some("run") => setup()
            .and_then(|()| portal())
            .and_then(|()| run_server(args.get(1..).unwrap_or_default())),
        Some("portal") => setup().and_then(|()| portal()),
        Some("e2e") => setup().and_then(|()| portal()).and_then(|()| e2e()),
        Some("npm") => setup().and_then(|()| npm::build()),
        Some("contract") => contract::setup().and_then(|()| contract::test()),
        Some("fuzz") => fuzz::run(
            args.get(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(FUZZ_SECONDS * 5),
        ),
        Some("npm-test") => setup()
            .and_then(|()| npm::build())
            .and_then(|()| npm::test()),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn home() -> PathBuf {
    env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// npm tools live here, outside the clone.
fn tools_dir() -> PathBuf {
    home().join(".cache/interim/tools")
}

/// Where cargo builds: `CARGO_TARGET_DIR`, else a folder that outlives clones.
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache/interim/target"))
}

fn cargo_bin() -> PathBuf {
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

/// A command in the workspace root, with `~/.cargo/bin` on PATH and a
/// target directory that outlives the clone (CI clones afresh each time).
fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root());
    let path = env::var_os("PATH").unwrap_or_default();
    let mut paths: Vec<PathBuf> = vec![tools_dir().join("node_modules/.bin"), cargo_bin()];
    paths.extend(env::split_paths(&path));
    if let Ok(joined) = env::join_paths(paths) {
        c.env("PATH", joined);
    }
    c.env("CARGO_TARGET_DIR", target_dir());
    c.env("TRUNK_SKIP_VERSION_CHECK", "true");
    c
}

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    println!("\n==> {program} {}", args.join(" "));
    let status = cmd(program, args)
        .status()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// The first line a tool prints for `--version`, if it runs.
fn version(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program, args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_owned())
}

fn setup() -> Result<(), String> {
    println!("==> checking tools");
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if version("cargo", &[probe, "--version"]).is_none() {
            run("rustup", &["component", "add", component])?;
        }
    }
    let targets = cmd("rustup", &["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !targets.lines().any(|t| t.trim() == WASM_TARGET) {
        run("rustup", &["target", "add", WASM_TARGET])?;
    }
    let want = format!("wasm-bindgen {WASM_BINDGEN}");
    let have = version("wasm-bindgen", &["--version"]);
    let runner = version("wasm-bindgen-test-runner", &["--version"]);
    if have.as_deref() != Some(want.as_str()) || runner.is_none() {
        // No --locked: the CLI's lock file has a registry gap (TOOLCHAIN.md).
        run(
            "cargo",
            &[
                "install",
                "wasm-bindgen-cli",
                "--version",
                WASM_BINDGEN,
                "--force",
            ],
        )?;
    }
    let mut debian = Vec::new();
    if version("node", &["--version"]).is_none() {
        debian.push("nodejs");
    }
    if version("npm", &["--version"]).is_none() {
        debian.push("npm");
    }
    if !Path::new("/usr/bin/chromium").exists() {
        debian.push("chromium");
    }
    if !debian.is_empty() {
        run("apt-get", &["update"])?;
        let mut args = vec!["install", "-y", "--no-install-recommends"];
        args.extend(debian);
        run("apt-get", &args)?;
    }
    if version("trunk", &["--version"]).as_deref() != Some(format!("trunk {TRUNK}").as_str()) {
        run(
            "cargo",
            &[
                "install",
                "trunk",
                "--version",
                TRUNK,
                "--locked",
                "--force",
            ],
        )?;
    }
    let tools = tools_dir();
    let wasm_opt = version(
        &tools.join("node_modules/.bin/wasm-opt").to_string_lossy(),
        &["--version"],
    );
    let have_npm_tools = wasm_opt.is_some_and(|v| v.contains("version 132"))
        && tools.join("node_modules/playwright-core").is_dir()
        && tools.join("node_modules/axe-core").is_dir()
        && tools.join("node_modules/typescript").is_dir();
    if !have_npm_tools {
        std::fs::create_dir_all(&tools)
            .map_err(|e| format!("cannot create {}: {e}", tools.display()))?;
        let manifest = tools.join("package.json");
        if !manifest.exists() {
            std::fs::write(
                &manifest,
                "{\"name\": \"interim-tools\", \"private\": true}\n",
            )
            .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
        }
        let prefix = tools.to_string_lossy().into_owned();
        let mut args = vec![
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            prefix.as_str(),
        ];
        args.extend(NPM_TOOLS);
        run("npm", &args)?;
    }
    instructions::setup()?;
    contract::setup()?;
    println!(
        "tools: {}, {}, {}, node {}, {}",
        version("rustc", &["--version"]).unwrap_or_default(),
        version("wasm-bindgen", &["--version"]).unwrap_or_default(),
        version("trunk", &["--version"]).unwrap_or_default(),
        version("node", &["--version"]).unwrap_or_default(),
        version("wasm-opt", &["--version"]).unwrap_or_default(),
    );
    Ok(())
}

fn test() -> Result<(), String> {
    let steps: &[(&str, &str, &[&str])] = &[
        ("format", "cargo", &["fmt", "--all", "--check"]),
        (
            "clippy",
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        ("native tests", "cargo", &["test", "--workspace"]),
        (
            "corpus on wasm32 (Node)",
            "cargo",
            &["test", "-p", "interim-conformance", "--target", WASM_TARGET],
        ),
        (
            "benchmarks compile",
            "cargo",
            &[
                "bench",
                "-p",
                "interim-policy",
                "--features",
                "sample",
                "--no-run",
            ],
        ),
    ];
    let mut failed = Vec::new();
    let mut report = Vec::new();
    for (name, program, args) in steps {
        let started = Instant::now();
        let result = run(program, args);
        let secs = started.elapsed().as_secs_f64();
        report.push(format!(
            "  {:<30} {:>7.1}s  {}",
            name,
            secs,
            if result.is_ok() { "ok" } else { "FAILED" }
        ));
        if let Err(e) = result {
            failed.push(format!("{name}: {e}"));
        }
    }
    for (name, step) in [
        (
            "instruction counts (callgrind)",
            (|| instructions::guard(false)) as fn() -> Result<(), String>,
        ),
        ("portal build (trunk, release)", portal),
        ("portal e2e (Chromium)", e2e),
        ("API contract (schemathesis)", contract::test),
        ("fuzzing (cargo fuzz)", || fuzz::run(FUZZ_SECONDS)),
        ("npm package build", npm::build),
        ("npm package tests", npm::test),
    ] {
        let started = Instant::now();
        let result = step();
        report.push(format!(
            "  {:<30} {:>7.1}s  {}",
            name,
            started.elapsed().as_secs_f64(),
            if result.is_ok() { "ok" } else { "FAILED" }
        ));
        if let Err(e) = result {
            failed.push(format!("{name}: {e}"));
        }
    }
    println!("\n==> summary");
    for line in &report {
        println!("{line}");
    }
    println!(
        "steps: {} passed, {} failed",
        report.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

fn run_server(extra: &[String]) -> Result<(), String> {
    let mut args = vec!["run", "-p", "interim-server", "--", "--demo"];
    args.extend(extra.iter().map(String::as_str));
    run("cargo", &args)
}

/// Builds the portal into `web/dist` (release, wasm-opt from binaryen 132).
fn portal() -> Result<(), String> {
    // Trunk runs cargo offline: fetch first.
    run("cargo", &["fetch"])?;
    // Trunk reads the uplifted `interim-web.wasm`, which another checkout
    // sharing the target directory could have overwritten: build the portal
    // in this checkout's own target directory.
    println!("\n==> trunk build --release");
    let status = cmd("trunk", &["build", "--release"])
        .env("CARGO_TARGET_DIR", root().join("target/portal"))
        .status()
        .map_err(|e| format!("cannot start trunk: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`trunk build --release` failed ({status})"))
    }
}

/// Builds the server and returns this checkout's binary (cargo's own path
/// for it, not the shared uplifted one).
fn server_binary() -> Result<PathBuf, String> {
    println!("\n==> cargo build -p interim-server");
    let out = cmd(
        "cargo",
        &[
            "build",
            "-p",
            "interim-server",
            "--bin",
            "interim-server",
            "--message-format=json-render-diagnostics",
        ],
    )
    .stderr(std::process::Stdio::inherit())
    .output()
    .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !out.status.success() {
        return Err("building the server failed".to_owned());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"compiler-artifact\"") && l.contains("\"executable\":\""))
        .filter_map(|l| {
            l.split("\"executable\":\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(PathBuf::from)
        })
        .next_back()
        .ok_or_else(|| "cargo named no server executable".to_owned())
}

/// The portal's end-to-end tests in Chromium, against the real server.
fn e2e() -> Result<(), String> {
    let server = server_binary()?;
    println!("\n==> node --test web/e2e/ (server {})", server.display());
    let status = cmd("node", &["--test", "--test-concurrency=1", "web/e2e/"])
        .env("INTERIM_TOOLS", tools_dir())
        .env("INTERIM_SERVER", server)
        .env("INTERIM_PORTAL", root().join("web/dist"))
        .env(
            "INTERIM_SCREENSHOTS",
            root().join("test-output/screenshots"),
        )
        .status()
        .map_err(|e| format!("cannot start node: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the portal's end-to-end tests failed ({status})"))
    }
}

fn bench(extra: &[String]) -> Result<(), String> {
    let mut args = vec![
        "bench",
        "-p",
        "interim-policy",
        "--features",
        "sample",
        "--bench",
        "policy",
    ];
    if !extra.is_empty() {
        args.push("--");
        args.extend(extra.iter().map(String::as_str));
    }
    run("cargo", &args)?;
    print_ratios();
    Ok(())
}

/// The engine's figures beside the hand-written floor's, measured in the
/// same run (criterion's medians, per decision for the batch): timings move
/// between machines and hours, their ratio much less.
fn print_ratios() {
    let dir = target_dir().join("criterion");
    let median = |bench: &str| -> Option<f64> {
        let read = |file: &str| {
            std::fs::read_to_string(dir.join(bench).join("new").join(file))
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        };
        let ns = read("estimates.json")?
            .pointer("/median/point_estimate")?
            .as_f64()?;
        let per = read("benchmark.json")
            .and_then(|b| b.pointer("/throughput/Elements")?.as_f64())
            .unwrap_or(1.0);
        Some(ns / per)
    };
    println!("\n==> the engine beside the floor (median, this run)");
    println!(
        "{:<32} {:>12} {:>12} {:>7}",
        "figure", "engine", "floor", "ratio"
    );
    for (figure, bench) in [
        ("pool decision by string ids", "pool/by_id"),
        ("pool decision, interned ids", "pool/interned"),
        ("pool decision, batched", "pool/batch"),
        ("indexing the large company", "index/large"),
    ] {
        let (Some(engine), Some(floor)) = (
            median(&format!("{bench}_engine")),
            median(&format!("{bench}_floor")),
        ) else {
            continue;
        };
        println!(
            "{figure:<32} {:>12} {:>12} {:>6.2}x",
            nanos(engine),
            nanos(floor),
            engine / floor
        );
    }
}

fn nanos(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}
