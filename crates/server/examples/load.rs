//! A small load client: starts the server in this process on a temporary
//! SQLite file holding the demo company or the large sample company
//! (10,000 users, 1,000 pools, 100 groups, 50 grants × 50 users × 20
//! pools), then, at each rate asked, sends that many access checks and
//! grant creates a second (open loop, so queueing shows in the latency;
//! each created grant is deleted again) and prints p50 / p99 / max of each
//! kind, and the highest rate whose grant-create p99 stayed under 10 ms.
//!
//! `cargo run --release -p interim-server --example load -- [demo|large] [RATES] [SECONDS]`
//! (RATES comma-separated, per second; default `demo 200 10`)
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
use interim_policy::sample::{self, Size};
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
    ) -> (reqwest::StatusCode, Value) {
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
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Prints one kind's figures; answers its p99.
fn report(name: &str, mut lat: Vec<Duration>, errors: usize, secs: f64) -> Duration {
    lat.sort_unstable();
    println!(
        "{name:<22} n={:<6} rate={:>7.1}/s  p50={:>8.2?}  p99={:>8.2?}  max={:>8.2?}  errors={errors}",
        lat.len(),
        lat.len() as f64 / secs,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or_default(),
    );
    percentile(&lat, 0.99)
}

/// Who signs in, who is checked and granted on which pools, per company.
struct Company {
    admin: &'static str,
    password: &'static str,
    user: &'static str,
    check_pool: &'static str,
    grant_pool: &'static str,
}

const DEMO: Company = Company {
    admin: "admin@example.com",
    password: "load-test-password",
    user: "dana.dev@example.com",
    check_pool: "pool-payments-prod",
    grant_pool: "pool-search-prod",
};

const LARGE: Company = Company {
    admin: "user00000@corp.example.com",
    password: "load-test-password",
    user: "user00120@corp.example.com",
    check_pool: "pool-0012-7f3c9a",
    grant_pool: "pool-0500-7f3c9a",
};

/// A new store holding the company asked for.
async fn seeded(dir: &std::path::Path, large: bool) -> Store {
    let store = Store::open(&dir.join("load.db")).await.unwrap();
    let now = Utc::now();
    if large {
        let mut wire = sample::company(
            Size {
                grants: 50,
                ..Size::LARGE
            },
            now,
        );
        wire.limits = interim_policy::Limits::SEED;
        let hash = app::actor::hash_password(LARGE.password).unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.import(&wire, Some(&hash), now).await.unwrap();
        tx.commit().await.unwrap();
    } else {
        seed::first_start(&store, DEMO.admin, Some(DEMO.password), true, now)
            .await
            .unwrap();
    }
    store
}

async fn sign_in(http: reqwest::Client, base: String, company: &Company) -> Session {
    let r = http
        .post(format!("{base}/api/v1/auth/sign-in"))
        .json(&json!({"email": company.admin, "password": company.password}))
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
    Session {
        http,
        base,
        cookie: cookie.join("; "),
        csrf: body["csrfToken"].as_str().unwrap().to_owned(),
    }
}

type Figures = Arc<std::sync::Mutex<(Vec<Duration>, usize)>>;

fn note(figures: &Figures, elapsed: Duration, ok: bool) {
    let mut g = figures.lock().unwrap();
    g.0.push(elapsed);
    if !ok {
        g.1 += 1;
    }
}

/// One round at `rate` checks and creates a second; answers the create p99.
async fn round(
    session: &Arc<Session>,
    company: &'static Company,
    rate: u64,
    secs: u64,
) -> Duration {
    let check: Figures = Arc::default();
    let create: Figures = Arc::default();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(secs) {
        tick.tick().await;
        n += 1;
        let (s, check) = (Arc::clone(session), Arc::clone(&check));
        tasks.push(tokio::spawn(async move {
            let path = format!(
                "/api/v1/explain/pool-access?user={}&pool={}",
                company.user, company.check_pool
            );
            let t = Instant::now();
            let (status, _) = s.send(reqwest::Method::GET, &path, None).await;
            note(&check, t.elapsed(), status.is_success());
        }));
        let (s, create) = (Arc::clone(session), Arc::clone(&create));
        tasks.push(tokio::spawn(async move {
            let body = json!({"agentPoolIds": [company.grant_pool], "userEmails": [company.user], "roles": ["Standard"],
                              "expirationDate": (Utc::now() + chrono::Duration::days(1)).to_rfc3339(), "name": format!("load {rate} {n}")});
            let t = Instant::now();
            let (status, grant) = s.send(reqwest::Method::POST, "/api/v1/temp-access", Some(&body)).await;
            note(&create, t.elapsed(), status == reqwest::StatusCode::CREATED);
            // Keep the company under its grant limit.
            if let Some(id) = grant["id"].as_str() {
                s.send(reqwest::Method::DELETE, &format!("/api/v1/temp-access/{id}"), None).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("-- {rate} requests/s of each kind for {secs} s");
    let (lat, err) = std::mem::take(&mut *check.lock().unwrap());
    report("access check (explain)", lat, err, elapsed);
    let (lat, err) = std::mem::take(&mut *create.lock().unwrap());
    report("grant create", lat, err, elapsed)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let large = args.first().is_some_and(|a| a == "large");
    let rates: Vec<u64> = args
        .get(1)
        .map(|a| a.split(',').filter_map(|r| r.parse().ok()).collect())
        .unwrap_or_else(|| vec![200]);
    let secs: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = std::env::temp_dir().join(format!("interim-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let seeding = Instant::now();
    let store = seeded(&dir, large).await;
    let company = if large { &LARGE } else { &DEMO };
    let mut state = AppState::new(store, Arc::new(SystemClock));
    // One admin writes hundreds a second here: this measures what a write
    // costs, so the per-person write throttle is off.
    state.writes = interim_server::throttle::WriteThrottle::new(0);
    let store = state.store.clone();
    // As the server runs: the sweeper prunes the change log and compacts
    // the snapshot.
    interim_server::sweeper::spawn(state.clone());
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
    let session = Arc::new(sign_in(http, format!("http://{addr}"), company).await);
    println!(
        "load: the {} company (seeded in {:.1?}) against {addr} (SQLite, WAL)",
        if large { "large" } else { "demo" },
        seeding.elapsed()
    );
    // Warm up: the first read indexes the company.
    round(&session, company, 50, 1).await;
    let mut best = None;
    for &rate in &rates {
        if round(&session, company, rate, secs).await < Duration::from_millis(10) {
            best = best.max(Some(rate));
        }
    }
    let reads = store.snapshot_reads();
    println!(
        "snapshots made: {} read whole, {} from the last one and what changed",
        reads.whole, reads.applied
    );
    match best {
        Some(rate) => println!("highest rate with grant-create p99 under 10 ms: {rate}/s"),
        None => println!("no rate tried kept grant-create p99 under 10 ms"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
