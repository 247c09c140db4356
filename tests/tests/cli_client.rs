//! The CLI's client commands against a real server: the `interim` and
//! `interim-server` binaries, the server started on port 0 with a
//! temporary SQLite database and the demo company. The CLI may not depend
//! on the server crate, so this cross-crate test lives here, where every
//! crate may be used. `cargo test --workspace` builds both binaries (each
//! package's binaries are built for its own integration tests) next to
//! this test's executable, where it finds them.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

struct Server {
    child: Child,
    url: String,
    /// The audit checkpoint key the server printed at start.
    public_key: String,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A binary of the workspace, built beside this test's executable.
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is not built: run `cargo test --workspace`, or `cargo build -p interim-cli -p interim-server` first",
        path.display()
    );
    path
}

fn start(name: &str) -> Server {
    let bin = binary("interim-server");
    let dir = std::env::temp_dir().join(format!("interim-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(bin)
        .args(["--listen", "127.0.0.1:0", "--demo", "--database"])
        .arg(dir.join("cli.db"))
        .arg("--portal")
        .arg(dir.join("no-portal"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Keep reading, so the server never writes to a closed pipe.
    std::thread::spawn(move || {
        let mut public_key = String::new();
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("audit checkpoint public key: ").nth(1) {
                public_key = rest.trim().to_owned();
            }
            if let Some(rest) = line.split("Interim listening on ").nth(1) {
                let url = rest.split_whitespace().next().unwrap_or_default();
                let _ = tx.send((url.to_owned(), public_key.clone()));
            }
        }
    });
    let (url, public_key) = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the server said where it listens");
    Server {
        child,
        url,
        public_key,
        dir,
    }
}

fn interim(server: &Server) -> Command {
    let mut c = Command::new(binary("interim"));
    c.env("INTERIM_CONFIG", server.dir.join("config.json"))
        .env_remove("INTERIM_URL")
        .env_remove("INTERIM_API_KEY")
        .current_dir(&server.dir);
    c
}

/// Runs a command and checks its exit code; answers what it printed.
fn exits(command: &mut Command, code: i32) -> Output {
    let out = command.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run(server: &Server, args: &[&str]) -> (i32, Value) {
    let out = interim(server)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (out.status.code().unwrap(), value)
}

fn grant_names(server: &Server) -> Vec<String> {
    let (code, v) = run(server, &["grant", "list"]);
    assert_eq!(code, 0, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_client_manages_grants_against_a_running_server() {
    let server = start("grants");
    let url = server.url.as_str();

    // Nothing works before signing in, and says how to.
    let out = exits(interim(&server).args(["grant", "list", "--url", url]), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("interim login"));
    let (code, _) = run(
        &server,
        &[
            "login",
            "--url",
            url,
            "--email",
            "admin@example.com",
            "--password",
            "wrong",
        ],
    );
    assert_eq!(code, 1, "a wrong password is refused");
    let (code, v) = run(
        &server,
        &[
            "login",
            "--url",
            url,
            "--email",
            "admin@example.com",
            "--password",
            "interim-demo-2026",
        ],
    );
    assert_eq!(code, 0, "{v}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(server.dir.join("config.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the saved session is private");
    }

    // Create: checked by the policy first (no request for a 40-day grant)...
    let (code, v) = run(
        &server,
        &[
            "grant",
            "create",
            "--pool",
            "pool-search-prod",
            "--user",
            "dana.dev@example.com",
            "--days",
            "40",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(v["errors"][0]["field"], "expiry");
    // ...then by the server, whose field errors are shown the same way.
    let (code, v) = run(
        &server,
        &[
            "grant",
            "create",
            "--pool",
            "pool-search-prod",
            "--user",
            "ghost@example.com",
            "--days",
            "2",
        ],
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["status"], 404);
    assert_eq!(v["errors"][0]["field"], "userEmails[0]");
    assert_eq!(v["errors"][0]["code"], "grant.userEmails.unknown");
    let (code, v) = run(
        &server,
        &[
            "grant",
            "create",
            "--pool",
            "pool-search-prod",
            "--user",
            "dana.dev@example.com",
            "--days",
            "2",
            "--name",
            "CLI grant",
        ],
    );
    assert_eq!(code, 0, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(grant_names(&server).contains(&"CLI grant".to_owned()));

    // Replace, then delete.
    let (code, v) = run(
        &server,
        &[
            "grant",
            "replace",
            &id,
            "--pool",
            "pool-search-prod",
            "--user",
            "dana.dev@example.com",
            "--user",
            "ines.oncall@example.com",
            "--hours",
            "8",
            "--name",
            "CLI grant",
        ],
    );
    assert_eq!(code, 0, "{v}");
    let new_id = v["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, id);
    assert_eq!(v["userEmails"].as_array().unwrap().len(), 2);
    let (code, _) = run(&server, &["grant", "delete", &id]);
    assert_eq!(code, 1, "the replaced grant is gone");
    let (code, _) = run(&server, &["grant", "delete", &new_id]);
    assert_eq!(code, 0);
    assert!(!grant_names(&server).contains(&"CLI grant".to_owned()));

    // A file, validated offline against the server's snapshot, gets the
    // answer the server gives.
    let (code, _) = run(&server, &["snapshot", "--output", "snapshot.json"]);
    assert_eq!(code, 0);
    std::fs::write(
        server.dir.join("ghost.json"),
        r#"{"role": "Standard", "agentPoolIds": ["pool-search-prod"], "userEmails": ["ghost@example.com"], "expiryKind": "days", "expiry": "2"}"#,
    )
    .unwrap();
    let (code, v) = run(
        &server,
        &[
            "validate",
            "ghost.json",
            "--context",
            "snapshot.json",
            "--actor",
            "admin@example.com",
        ],
    );
    assert_eq!(code, 1);
    let codes: Vec<&str> = v["results"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"grant.userEmails.unknown"), "{codes:?}");
    let (code, v) = run(&server, &["grant", "create", "--file", "ghost.json"]);
    assert_eq!(code, 1);
    let server_codes: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(
        server_codes.contains(&"grant.userEmails.unknown"),
        "{server_codes:?}"
    );

    // Users.
    let (code, v) = run(
        &server,
        &[
            "user",
            "create",
            "--email",
            "cli.user@example.com",
            "--first-name",
            "Cli",
            "--last-name",
            "User",
            "--role",
            "DEVELOPER",
        ],
    );
    assert_eq!(code, 0, "{v}");
    // Created without a password: the one-time link that sets it.
    assert!(
        v["activationLink"].as_str().unwrap().contains("/activate#"),
        "{v}"
    );
    let (code, v) = run(
        &server,
        &["user", "activation-link", "cli.user@example.com"],
    );
    assert_eq!(code, 0, "{v}");
    assert_ne!(v["activationLink"], Value::Null, "{v}");
    let (code, v) = run(
        &server,
        &[
            "user",
            "create",
            "--email",
            "not-an-address",
            "--first-name",
            "X",
            "--last-name",
            "Y",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(v["errors"][0]["field"], "email");
    let (code, _) = run(&server, &["user", "disable", "cli.user@example.com"]);
    assert_eq!(code, 0);
    let (code, v) = run(&server, &["user", "list"]);
    assert_eq!(code, 0);
    let cli_user = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "cli.user@example.com")
        .unwrap();
    assert_eq!(cli_user["enabled"], false);

    // The audit log: every step is there, and the chain holds.
    let (code, v) = run(&server, &["audit", "verify"]);
    assert_eq!((code, v["valid"].as_bool()), (0, Some(true)), "{v}");
    let out = exits(
        interim(&server).args(["audit", "export", "--as", "csv", "--output", "audit.csv"]),
        0,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote audit.csv"));
    let csv = std::fs::read_to_string(Path::new(&server.dir).join("audit.csv")).unwrap();
    for action in [
        "grant.created",
        "grant.replaced",
        "grant.deleted",
        "user.created",
        "user.disabled",
    ] {
        assert!(csv.contains(action), "{action} in the export");
    }

    // The access summary from the server, as CSV.
    let out = exits(
        interim(&server).args(["report", "--by", "user", "--as", "csv"]),
        0,
    );
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        csv.starts_with("user,roles,groupIds,agentPoolId,poolName,level,source,sourceId,until"),
        "{csv}"
    );
    assert!(csv.contains("dana.dev@example.com,"), "{csv}");
    // One group, by its id (issue 17): its members' access only.
    let out = exits(
        interim(&server).args([
            "report",
            "--by",
            "group",
            "--id",
            "group-payments",
            "--as",
            "csv",
        ]),
        0,
    );
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.starts_with("group-payments,Payments,")),
        "{csv}"
    );

    // An API key from the environment is used instead of the session.
    let out = exits(
        interim(&server)
            .env("INTERIM_API_KEY", "not-a-key")
            .args(["grant", "list"]),
        1,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));

    // Signing out forgets the session.
    let (code, _) = run(&server, &["logout"]);
    assert_eq!(code, 0);
    assert!(!server.dir.join("config.json").exists());
    let out = exits(interim(&server).args(["grant", "list"]), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no server"));
}

#[test]
fn an_unreachable_server_is_an_error_not_a_refusal() {
    let server = start("unreachable");
    let (code, v) = run(&server, &["grant", "list", "--url", "http://127.0.0.1:9"]);
    assert_eq!(code, 2, "{v}");
    assert!(v["error"].as_str().unwrap().contains("cannot reach"));
}

/// Issue 16: `interim login` echoed nothing only when the password came on
/// a flag; typed at a terminal it showed on screen, and the config file
/// was written first and narrowed to 0600 after. Here the CLI runs on a
/// real pseudo-terminal (util-linux `script`), over a config file an older
/// release left readable by everyone.
#[cfg(unix)]
#[test]
fn issue_16_login_asks_for_the_password_without_echo_and_keeps_the_file_private() {
    use std::io::{Read, Write};
    use std::os::unix::fs::PermissionsExt;

    let server = start("tty");
    let config = server.dir.join("config.json");
    std::fs::write(&config, "{}").unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let line = format!(
        "{} login --url {} --email admin@example.com",
        binary("interim").display(),
        server.url
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("INTERIM_CONFIG", &config)
        .env_remove("INTERIM_PASSWORD")
        .env_remove("INTERIM_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
        }
    });
    let mut shown = String::new();
    while !shown.contains("Password for admin@example.com:") {
        shown = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no prompt; the terminal showed {shown:?}"));
    }
    // The prompt is written before echo is turned off: give it a moment.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"interim-demo-2026\n")
        .unwrap();
    let status = child.wait().unwrap();
    while let Ok(more) = rx.recv_timeout(std::time::Duration::from_secs(2)) {
        shown = more;
    }
    assert!(status.success(), "the terminal showed {shown:?}");
    assert!(shown.contains("signed in"), "{shown:?}");
    assert!(
        !shown.contains("interim-demo-2026"),
        "the password was echoed: {shown:?}"
    );
    let mode = std::fs::metadata(&config).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the saved session is private");
}

/// Issue 16: an exported audit log is checked offline against the server's
/// checkpoint key, and a log cut short or rewritten (hashes recomputed) is
/// reported, naming what is missing or changed.
#[test]
fn issue_16_an_exported_audit_log_is_verified_offline() {
    let server = start("audit");
    let url = server.url.as_str();
    let (code, v) = run(
        &server,
        &[
            "login",
            "--url",
            url,
            "--email",
            "admin@example.com",
            "--password",
            "interim-demo-2026",
        ],
    );
    assert_eq!(code, 0, "{v}");
    // The server checkpoints its log every second.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let (code, online) = run(&server, &["audit", "verify"]);
    assert_eq!(code, 0, "{online}");
    let key = online["publicKey"].as_str().unwrap().to_owned();
    // The key the server printed at start is the one its checkpoints carry.
    assert_eq!(key, server.public_key, "{online}");
    let file = server.dir.join("audit.json");
    let (code, v) = run(
        &server,
        &["audit", "export", "--output", file.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{v}");
    let verify = |path: &Path| {
        run(
            &server,
            &[
                "audit",
                "verify",
                "--file",
                path.to_str().unwrap(),
                "--public-key",
                &key,
            ],
        )
    };
    let (code, v) = verify(&file);
    assert_eq!(code, 0, "{v}");
    assert!(v["checkpoints"].as_u64().unwrap() >= 1, "{v}");

    let log: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let vouched = log["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["count"].as_u64())
        .max()
        .unwrap();
    // Cut short: the events a checkpoint vouches for are gone.
    let mut cut = log.clone();
    cut["events"]
        .as_array_mut()
        .unwrap()
        .truncate(usize::try_from(vouched).unwrap() - 1);
    let cut_file = server.dir.join("cut.json");
    std::fs::write(&cut_file, cut.to_string()).unwrap();
    let (code, v) = verify(&cut_file);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["problems"][0].as_str().unwrap().contains("cut short"),
        "{v}"
    );
    // Rewritten: the first event's actor changed, every hash recomputed.
    let mut events: Vec<interim_policy::audit::AuditEvent> =
        serde_json::from_value(log["events"].clone()).unwrap();
    let mut prev = interim_policy::audit::GENESIS_HASH.to_owned();
    for e in &mut events {
        if e.seq == 1 {
            e.actor = "someone.else@example.com".into();
        }
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        prev = e.hash.clone();
    }
    let mut rewritten = log.clone();
    rewritten["events"] = serde_json::to_value(&events).unwrap();
    let rewritten_file = server.dir.join("rewritten.json");
    std::fs::write(&rewritten_file, rewritten.to_string()).unwrap();
    let (code, v) = verify(&rewritten_file);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["problems"][0].as_str().unwrap().contains("rewritten"),
        "{v}"
    );
    // A key that is not the server's vouches for nothing.
    let (code, v) = run(
        &server,
        &[
            "audit",
            "verify",
            "--file",
            file.to_str().unwrap(),
            "--public-key",
            &"ab".repeat(32),
        ],
    );
    assert_eq!(code, 1, "{v}");
}
