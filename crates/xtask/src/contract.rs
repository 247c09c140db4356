//! The API contract step: the OpenAPI document validated, schemathesis
//! over it (key and session), the vendor replay — `tests/contract/run.py`
//! against the real server binary, with pinned tools from PyPI in a
//! virtualenv of the tools folder.

use std::path::PathBuf;

use crate::{cmd, root, run, server_binary, tools_dir, version};

/// Pinned PyPI packages (TOOLCHAIN.md).
const PACKAGES: &[&str] = &["schemathesis==4.32.5", "openapi-spec-validator==0.9.0"];

fn venv() -> PathBuf {
    tools_dir().join("py")
}

fn python() -> PathBuf {
    venv().join("bin/python")
}

/// Creates the virtualenv and installs the pinned packages when missing.
pub fn setup() -> Result<(), String> {
    let schemathesis = venv().join("bin/schemathesis");
    let have = version(&schemathesis.to_string_lossy(), &["--version"]);
    let validator = cmd(
        &python().to_string_lossy(),
        &[
            "-c",
            "import importlib.metadata as m; print(m.version('openapi-spec-validator'))",
        ],
    )
    .output()
    .ok()
    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if have.is_some_and(|v| v.contains("4.32.5")) && validator.as_deref() == Some("0.9.0") {
        return Ok(());
    }
    let dir = venv().to_string_lossy().into_owned();
    run("python3", &["-m", "venv", &dir])?;
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    args.extend(PACKAGES);
    run(&python().to_string_lossy(), &args)
}

pub fn test() -> Result<(), String> {
    let server = server_binary()?;
    println!("\n==> tests/contract/run.py (server {})", server.display());
    let status = cmd(&python().to_string_lossy(), &["tests/contract/run.py"])
        .env("INTERIM_SERVER", server)
        .env("INTERIM_CONTRACT_OUT", root().join("test-output/contract"))
        .status()
        .map_err(|e| format!("cannot start python: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the API contract failed ({status})"))
    }
}
