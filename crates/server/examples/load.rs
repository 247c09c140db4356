//! A small load client: starts the server in this process on a temporary
//! SQLite file, then sends requests at a fixed rate (open loop, so queueing
//! shows in the latency) and prints p50 / p99 / max of each kind.
//!
//! `cargo run --release -p interim-server --example load -- [RATE_PER_SEC] [SECONDS]`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark tool"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use interim_server::clock::SystemClock;
use interim_server::store::Store;
use interim_server::{AppState, app, seed};
use serde_json::{Value, json};

struct Session {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Session {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::StatusCode {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            r = r.json(b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let _ = resp.bytes().await;
        status
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut lat: Vec<Duration>, errors: usize, secs: f64) {
    lat.sort_unstable();
    println!(
        "{name:<22} n={:<6} rate={:>7.1}/s  p50={:>8.2?}  p99={:>8.2?}  max={:>8.2?}  errors={errors}",
        lat.len(),
        lat.len() as f64 / secs,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or_default(),
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rate: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let secs: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = std::env::temp_dir().join(format!("interim-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&dir.join("load.db")).await.unwrap();
    seed::first_start(
        &store,
        "admin@example.com",
        Some("load-test-password"),
        true,
        Utc::now(),
    )
    .await
    .unwrap();
    let state = AppState::new(store, Arc::new(SystemClock));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(state, None).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let r = http
        .post(format!("{base}/api/v1/auth/sign-in"))
        .json(&json!({"email": "admin@example.com", "password": "load-test-password"}))
        .send()
        .await
        .unwrap();
    let cookie: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let body: Value = r.json().await.unwrap();
    let session = Arc::new(Session {
        http,
        base,
        cookie: cookie.join("; "),
        csrf: body["csrfToken"].as_str().unwrap().to_owned(),
    });

    println!("load: {rate} requests/s of each kind for {secs} s against {addr} (SQLite, WAL)");
    let check = Arc::new(std::sync::Mutex::new((Vec::new(), 0usize)));
    let create = Arc::new(std::sync::Mutex::new((Vec::new(), 0usize)));
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(secs) {
        tick.tick().await;
        n += 1;
        let (s, check) = (Arc::clone(&session), Arc::clone(&check));
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let status = s
                .send(
                    reqwest::Method::GET,
                    "/api/v1/explain/pool-access?user=dana.dev@example.com&pool=pool-payments-prod",
                    None,
                )
                .await;
            let mut g = check.lock().unwrap();
            g.0.push(t.elapsed());
            if !status.is_success() {
                g.1 += 1;
            }
        }));
        let (s, create) = (Arc::clone(&session), Arc::clone(&create));
        tasks.push(tokio::spawn(async move {
            let body = json!({"agentPoolIds": ["pool-search-prod"], "userEmails": ["dana.dev@example.com"], "roles": ["Standard"],
                              "expirationDate": (Utc::now() + chrono::Duration::days(1)).to_rfc3339(), "name": format!("load {n}")});
            let t = Instant::now();
            let status = s.send(reqwest::Method::POST, "/api/v1/temp-access", Some(&body)).await;
            let elapsed = t.elapsed();
            {
                let mut g = create.lock().unwrap();
                g.0.push(elapsed);
                if status != reqwest::StatusCode::CREATED {
                    g.1 += 1;
                }
            }
            // Keep the company under its 100-grant limit.
            let r = s.http.get(format!("{}/api/v1/temp-access?size=1000", s.base)).header("cookie", &s.cookie).send().await.unwrap();
            let page: Value = r.json().await.unwrap();
            if let Some(g) = page["items"].as_array().unwrap().iter().find(|g| g["name"] == format!("load {n}")) {
                s.send(reqwest::Method::DELETE, &format!("/api/v1/temp-access/{}", g["id"].as_str().unwrap()), None).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (lat, err) = std::mem::take(&mut *check.lock().unwrap());
    report("access check (explain)", lat, err, elapsed);
    let (lat, err) = std::mem::take(&mut *create.lock().unwrap());
    report("grant create", lat, err, elapsed);
    let _ = std::fs::remove_dir_all(&dir);
}
