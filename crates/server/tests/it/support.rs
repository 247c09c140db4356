use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use interim_policy::wire::SnapshotWire;
use interim_server::clock::ManualClock;
use interim_server::store::Store;
use interim_server::{AppState, app};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Removes the folders that earlier runs of these tests left behind (a
/// run that was killed, or a test that panicked): those of processes that
/// no longer exist.
fn sweep_leftovers() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("interim-it-")
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if pid != std::process::id().to_string() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A fresh database file under the system's temporary folder, in a folder
/// of its own that [`Server`] removes when dropped.
pub fn temp_db() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    if n == 0 {
        sweep_leftovers();
    }
    let dir = std::env::temp_dir().join(format!("interim-it-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("interim.db")
}

/// A running server on port 0 with its own database and clock.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    pub clock: ManualClock,
    /// The database file, for tests that reopen it.
    #[allow(dead_code, reason = "used by some tests only")]
    pub db: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(dir) = self.db.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Server {
    /// A server over `company` (every user's password is [`PASSWORD`]).
    pub async fn start(company: &SnapshotWire, now: DateTime<Utc>) -> Server {
        Server::start_with(company, now, interim_server::notify::Channels::default()).await
    }

    /// A server whose notifications go to `channels` (no worker runs: tests
    /// call `notify::deliver_due`).
    pub async fn start_with(
        company: &SnapshotWire,
        now: DateTime<Utc>,
        channels: interim_server::notify::Channels,
    ) -> Server {
        let channels = Arc::new(channels);
        Server::start_configured(company, now, move |state| state.channels = channels).await
    }

    /// A server whose state `configure` changes before it serves.
    pub async fn start_configured(
        company: &SnapshotWire,
        now: DateTime<Utc>,
        configure: impl FnOnce(&mut AppState),
    ) -> Server {
        let db = temp_db();
        let store = Store::open(&db).await.unwrap();
        let hash = interim_server::auth::hash_password(PASSWORD).unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.import(company, Some(&hash), now).await.unwrap();
        tx.commit().await.unwrap();
        let clock = ManualClock::new(now);
        let mut state = AppState::new(store, Arc::new(clock.clone()));
        configure(&mut state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = app(state.clone(), None);
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Server {
            addr,
            state,
            clock,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The server's OpenAPI document.
    pub async fn openapi(&self) -> serde_json::Value {
        reqwest::get(self.url("/api/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Signs in and returns a client that sends the session and CSRF token.
    pub async fn sign_in(&self, email: &str) -> Client {
        let http = reqwest::Client::new();
        let r = http
            .post(self.url("/api/v1/auth/sign-in"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "sign-in of {email}");
        let cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect();
        let body: Value = r.json().await.unwrap();
        Client {
            http,
            base: format!("http://{}", self.addr),
            cookie: cookies.join("; "),
            csrf: body["csrfToken"].as_str().unwrap().to_owned(),
        }
    }
}

/// A signed-in client.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

impl Client {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Posts raw text as JSON.
    pub async fn post_raw(&self, path: &str, text: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "application/json")
            .body(text.to_owned())
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// The corpus's named snapshot.
pub fn corpus_company(name: &str) -> SnapshotWire {
    serde_json::from_value(interim_conformance::snapshot(name).unwrap()).unwrap()
}
