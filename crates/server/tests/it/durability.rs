//! The server process killed with SIGKILL during a stream of writes: after a
//! restart every acknowledged write is there and the audit chain verifies.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::temp_db;

const ADMIN: &str = "root@acme.io";
const PASSWORD: &str = "a long enough password";

/// Starts the real binary on a free port; returns it and its address.
fn start(db: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_interim-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin-email",
            ADMIN,
            "--admin-password",
            PASSWORD,
            "--portal",
            "/nonexistent",
        ])
        .arg("--database")
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("Interim listening on ") {
            break rest.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

async fn sign_in(http: &reqwest::Client, addr: &str) -> (String, String) {
    let r = http
        .post(format!("{addr}/api/v1/auth/sign-in"))
        .json(&json!({"email": ADMIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let body: Value = r.json().await.unwrap();
    (
        cookie.join("; "),
        body["csrfToken"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let db = temp_db();
    let (mut child, addr) = start(&db);
    let http = reqwest::Client::new();
    let (cookie, csrf) = sign_in(&http, &addr).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (http, addr, cookie, csrf, acknowledged) = (
            http.clone(),
            addr.clone(),
            cookie.clone(),
            csrf.clone(),
            Arc::clone(&acknowledged),
        );
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let email = format!("user-{w}-{i}@acme.io");
                let r = http
                    .post(format!("{addr}/api/v1/users"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .json(&json!({"email": email, "firstName": "W", "lastName": "R"}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        acknowledged.lock().unwrap().push(email)
                    }
                    _ => break,
                }
            }
        }));
    }
    // Let writes flow, then kill the process without warning.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "only {} writes were acknowledged before the kill",
        acked.len()
    );

    let (mut child, addr) = start(&db);
    let (cookie, _) = sign_in(&http, &addr).await;
    let get = |path: String| {
        let (http, cookie) = (http.clone(), cookie.clone());
        async move {
            http.get(path)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let users = get(format!("{addr}/api/v1/users?size=1000&page=0")).await;
    let mut stored: Vec<String> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    let mut page = 1;
    while stored.len() < users["total"].as_u64().unwrap() as usize {
        let more = get(format!("{addr}/api/v1/users?size=1000&page={page}")).await;
        stored.extend(
            more["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        page += 1;
    }
    let missing: Vec<&String> = acked.iter().filter(|e| !stored.contains(e)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged writes lost: {:?}",
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    let verify = get(format!("{addr}/api/v1/audit/verify")).await;
    assert_eq!(verify["valid"], true, "{verify}");
    println!(
        "{} acknowledged writes all present after SIGKILL; audit chain of {} events verifies",
        acked.len(),
        verify["checked"]
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Issue 16: SIGTERM (what `docker stop`, systemd and Kubernetes send)
/// killed the server at once. Now it stops accepting connections, lets a
/// request already in flight finish (here one whose body is still being
/// sent when the signal arrives), and exits 0; the write is stored.
#[cfg(unix)]
#[tokio::test]
async fn issue_16_sigterm_drains_requests_in_flight_and_exits_0() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let db = temp_db();
    let (mut child, addr) = start(&db);
    let http = reqwest::Client::new();
    let (cookie, csrf) = sign_in(&http, &addr).await;
    let host = addr.trim_start_matches("http://").to_owned();
    let body =
        json!({"email": "late@acme.io", "firstName": "Late", "lastName": "Comer"}).to_string();
    let (first, rest) = body.split_at(10);
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /api/v1/users HTTP/1.1\r\nhost: {host}\r\ncookie: {cookie}\r\nx-csrf-token: {csrf}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{first}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        tokio::net::TcpStream::connect(&host).await.is_err(),
        "no new connection is accepted after SIGTERM"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "it waits for the request in flight"
    );

    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0), "a drained server exits 0");

    let (mut child, addr) = start(&db);
    let (cookie, _) = sign_in(&http, &addr).await;
    let r = http
        .get(format!("{addr}/api/v1/users/late@acme.io"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the drained write is stored");
    child.kill().unwrap();
    child.wait().unwrap();
}
