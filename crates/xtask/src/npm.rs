//! `cargo xtask npm`: the policy compiled to wasm as an npm package with
//! three flavours (`nodejs`, `web`, `bundler`), and its tests in Node and
//! Chromium.

use std::fs;
use std::path::{Path, PathBuf};

use crate::{WASM_TARGET, cmd, root, run, target_dir, tools_dir};

/// The package's name on npm.
pub const PACKAGE: &str = "interim-policy";
/// The module name wasm-bindgen writes (`interim_policy.js`, `_bg.wasm`, `.d.ts`).
const MODULE: &str = "interim_policy";
const FLAVOURS: &[&str] = &["nodejs", "web", "bundler"];

/// Where the package is assembled.
pub fn package_dir() -> PathBuf {
    root().join("target/npm").join(PACKAGE)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Builds the wasm (size profile), runs wasm-bindgen for every flavour and
/// wasm-opt on each, and writes the package manifest and README.
pub fn build() -> Result<(), String> {
    run(
        "cargo",
        &[
            "build",
            "-p",
            "interim-policy-wasm",
            "--target",
            WASM_TARGET,
            "--profile",
            "wasm-release",
        ],
    )?;
    let wasm = target_dir()
        .join(WASM_TARGET)
        .join("wasm-release/interim_policy_wasm.wasm");
    let out = package_dir();
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let wasm_opt = tools_dir().join("node_modules/.bin/wasm-opt");
    for flavour in FLAVOURS {
        let dir = out.join(flavour);
        let dir_text = dir.to_string_lossy().into_owned();
        run(
            "wasm-bindgen",
            &[
                "--target",
                flavour,
                "--out-dir",
                &dir_text,
                "--out-name",
                MODULE,
                &wasm.to_string_lossy(),
            ],
        )?;
        let bg = dir.join(format!("{MODULE}_bg.wasm"));
        let bg_text = bg.to_string_lossy().into_owned();
        run(
            &wasm_opt.to_string_lossy(),
            &[
                // Merging near-identical functions first (the exported
                // shims, the wire types' readers) saves a few KB more.
                "--merge-similar-functions",
                "-Oz",
                "--converge",
                "--strip-debug",
                "--strip-producers",
                &bg_text,
                "-o",
                &bg_text,
            ],
        )?;
        // The nodejs flavour is CommonJS; the others are ES modules.
        let kind = if *flavour == "nodejs" {
            "commonjs"
        } else {
            "module"
        };
        write(
            &dir.join("package.json"),
            &format!("{{ \"type\": \"{kind}\" }}\n"),
        )?;
    }
    write(&out.join("package.json"), &manifest())?;
    let readme = root().join("crates/policy-wasm/npm/README.md");
    fs::copy(&readme, out.join("README.md"))
        .map_err(|e| format!("cannot copy {}: {e}", readme.display()))?;
    let size = fs::metadata(out.join(format!("web/{MODULE}_bg.wasm")))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "npm package: {} ({} KB of wasm)",
        out.display(),
        size / 1024
    );
    Ok(())
}

/// `package.json`: the Node flavour for `require` and for `import` in
/// Node, the bundler flavour for bundlers, the web flavour by its path.
fn manifest() -> String {
    let version = env!("CARGO_PKG_VERSION");
    let flavour = |f: &str| {
        format!("{{ \"types\": \"./{f}/{MODULE}.d.ts\", \"default\": \"./{f}/{MODULE}.js\" }}")
    };
    format!(
        r#"{{
  "name": "{PACKAGE}",
  "version": "{version}",
  "description": "Interim's access policy compiled to WebAssembly: validate grants and access requests, decide and explain access, offline, with exactly the rules of the Interim server.",
  "license": "Apache-2.0",
  "main": "./nodejs/{MODULE}.js",
  "types": "./nodejs/{MODULE}.d.ts",
  "exports": {{
    ".": {{
      "node": {nodejs},
      "import": {bundler},
      "default": {nodejs}
    }},
    "./nodejs": {nodejs},
    "./web": {web},
    "./bundler": {bundler},
    "./web/{MODULE}_bg.wasm": "./web/{MODULE}_bg.wasm",
    "./package.json": "./package.json"
  }},
  "files": ["nodejs", "web", "bundler", "README.md"],
  "sideEffects": ["./bundler/{MODULE}.js", "./web/{MODULE}.js", "./nodejs/{MODULE}.js"],
  "keywords": ["access-control", "policy", "rbac", "just-in-time", "wasm"]
}}
"#,
        nodejs = flavour("nodejs"),
        web = flavour("web"),
        bundler = flavour("bundler"),
    )
}

/// The package's tests: the corpus through the Node flavour (against the
/// native core's answers), the example page in Chromium, `npm pack` into a
/// fresh project imported from CommonJS, ESM and TypeScript, size and speed.
pub fn test() -> Result<(), String> {
    let answers = root().join("target/npm/corpus-answers.json");
    println!("\n==> the native core's answers to the corpus");
    let out = cmd(
        "cargo",
        &[
            "run",
            "--quiet",
            "-p",
            "interim-conformance",
            "--bin",
            "corpus-answers",
        ],
    )
    .stderr(std::process::Stdio::inherit())
    .output()
    .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !out.status.success() {
        return Err("the native corpus answers could not be computed".to_owned());
    }
    fs::write(&answers, &out.stdout)
        .map_err(|e| format!("cannot write {}: {e}", answers.display()))?;
    println!("\n==> node --test crates/policy-wasm/js-tests/");
    let status = cmd(
        "node",
        &[
            "--test",
            "--test-concurrency=1",
            "crates/policy-wasm/js-tests/",
        ],
    )
    .env("INTERIM_TOOLS", tools_dir())
    .env("INTERIM_NPM_PACKAGE", package_dir())
    .env("INTERIM_CORPUS_ANSWERS", &answers)
    .env(
        "INTERIM_SCREENSHOTS",
        root().join("test-output/screenshots"),
    )
    .status()
    .map_err(|e| format!("cannot start node: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the npm package's tests failed ({status})"))
    }
}
