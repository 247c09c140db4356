//! # interim-server
//!
//! The authority: an axum API over SQLite whose every rule comes from
//! `interim-policy`, checked inside the write transaction. [`app`] builds the
//! router (tested without a socket); [`serve`] runs it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use clap::Parser;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

pub mod app;
pub mod auth;
pub mod checkpoints;
pub mod clock;
pub mod error;
pub mod extract;
pub mod headers;
pub mod metrics;
pub mod notify;
pub mod routes;
pub mod seed;
pub mod store;
pub mod sweeper;
pub mod throttle;

use crate::clock::{Clock, SystemClock};
use crate::error::ApiError;
use crate::store::Store;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Everything a handler needs.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// Sign-in failures per (account, client) and per client.
    pub throttle: throttle::SignInThrottle,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    pub metrics: metrics::Metrics,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Where access-request notifications go (none by default).
    pub channels: Arc<notify::Channels>,
    /// Signed checkpoints of the audit log (none in tests that need none).
    pub checkpoints: checkpoints::Shared,
    /// The audit log as verified at start-up.
    pub audit_verified: Arc<std::sync::Mutex<Option<bool>>>,
    /// Wakes the notification worker after a commit that wrote to the outbox.
    pub outbox: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// The start-up verification of the audit log: `None` until done.
    pub fn audit_verified(&self) -> Option<bool> {
        self.audit_verified.lock().ok().and_then(|v| *v)
    }

    pub fn new(store: Store, clock: Arc<dyn Clock>) -> AppState {
        let throttle = throttle::SignInThrottle::new(Arc::clone(&clock));
        AppState {
            store,
            clock,
            throttle,
            checkpoints: None,
            audit_verified: Arc::default(),
            trusted_proxies: Arc::new(Vec::new()),
            metrics: metrics::Metrics::default(),
            secure_cookies: false,
            channels: Arc::new(notify::Channels::default()),
            outbox: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

/// The whole HTTP surface. `portal` is the folder of the portal's built
/// files, served with a single-page fallback when given.
pub fn app(state: AppState, portal: Option<PathBuf>) -> Router {
    let api = routes::router()
        .route("/metrics", get(metrics::render))
        .route("/api/openapi.json", get(routes::openapi::document))
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "route.method.not_allowed",
                "this path does not take that method",
            )
        });
    let portal = portal.filter(|p| p.join("index.html").is_file());
    let index_html = portal
        .as_ref()
        .and_then(|dir| std::fs::read_to_string(dir.join("index.html")).ok());
    let security = headers::SecurityHeaders::new(index_html.as_deref(), state.secure_cookies);
    let router = match portal {
        Some(dir) => {
            let index = dir.join("index.html");
            api.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => api.fallback(not_found),
    };
    router
        .layer(axum::middleware::from_fn_with_state(security, headers::add))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found("route.path.unknown", format!("nothing at `{}`", uri.path()))
}

/// Configuration by flags and environment.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "interim-server",
    version,
    about = "Interim: just-in-time access — the API server and portal host"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "INTERIM_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The SQLite database file (created if missing).
    #[arg(long, env = "INTERIM_DATABASE", default_value = "data/interim.db")]
    pub database: PathBuf,
    /// E-mail of the first Company Admin, created when the database is new.
    #[arg(long, env = "INTERIM_ADMIN_EMAIL", default_value = "admin@example.com")]
    pub admin_email: String,
    /// Password of the first Company Admin; without it a one-time password
    /// is printed once at first start.
    #[arg(long, env = "INTERIM_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Seed a demo company (pools, groups, users) when the database is new.
    #[arg(long, env = "INTERIM_DEMO")]
    pub demo: bool,
    /// The portal's built files, served with a single-page fallback.
    #[arg(long, env = "INTERIM_PORTAL", default_value = "web/dist")]
    pub portal: PathBuf,
    /// Mark cookies Secure (when served behind TLS).
    #[arg(long, env = "INTERIM_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Webhook URLs told of access requests (JSON with a Slack-compatible
    /// `text`); repeat the flag, or separate with commas.
    #[arg(
        long = "webhook-url",
        env = "INTERIM_WEBHOOK_URLS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub webhook_urls: Vec<String>,
    /// The SMTP server for e-mail notifications: `smtp://host:port` (plain),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://…` (TLS).
    #[arg(long, env = "INTERIM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of e-mail notifications.
    #[arg(
        long,
        env = "INTERIM_SMTP_FROM",
        default_value = "Interim <interim@localhost>"
    )]
    pub smtp_from: String,
    /// The portal's public address, for links in notifications (default:
    /// `http://` and the listen address).
    #[arg(long, env = "INTERIM_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Addresses of reverse proxies whose `X-Forwarded-For` header names
    /// the client (for sign-in throttling and the audit log); repeat the
    /// flag, or separate with commas. Without it the peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "INTERIM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The Ed25519 key that signs the audit log's checkpoints (64 hex
    /// digits), created with mode 0600 at first start. Keep it off the
    /// database's disk: whoever holds it can forge checkpoints. Default:
    /// the database's path with `.audit-key`.
    #[arg(long, env = "INTERIM_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,
    /// The key itself, as 64 hex digits, instead of a file.
    #[arg(long, env = "INTERIM_AUDIT_KEY", hide_env_values = true)]
    pub audit_key: Option<String>,
    /// Where the signed checkpoints are appended (one JSON per line).
    /// Default: the database's path with `.audit-checkpoints`.
    #[arg(long, env = "INTERIM_AUDIT_CHECKPOINTS")]
    pub audit_checkpoints: Option<PathBuf>,
    /// Seconds that requests in flight get to finish after SIGTERM or
    /// Ctrl-C (and the notification worker its delivery) before exit.
    #[arg(long, env = "INTERIM_SHUTDOWN_TIMEOUT", default_value_t = 20)]
    pub shutdown_timeout: u64,
}

/// Opens the database, sets up a new company, starts the sweeper and the
/// notification worker, and serves until Ctrl-C or SIGTERM; then drains
/// (see [`drain`]).
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(&config.database).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    first_start(&store, &config, clock.now()).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let mut state = AppState::new(store, clock);
    state.secure_cookies = config.secure_cookies;
    state.trusted_proxies = Arc::new(config.trusted_proxies.clone());
    state.channels = Arc::new(notify::Channels::new(
        config.webhook_urls.clone(),
        config.smtp_url.clone(),
        config.smtp_from.clone(),
        config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}")),
    )?);
    if state.channels.any() {
        println!("notifications: {}", state.channels.summary());
    }
    state.checkpoints = Some(Arc::new(open_checkpoints(&config)?));
    verify_at_start(&state).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    sweeper::spawn(state.clone());
    let notifier = notify::spawn(state.clone(), stopped.clone());
    let sealer = checkpoints::spawn(state.clone(), stopped.clone());
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    println!("Interim listening on http://{address}");
    let server = axum::serve(
        listener,
        app(state, Some(config.portal)).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signalled(stopped.clone()));
    let workers = [notifier, sealer];
    drain(
        server.into_future(),
        workers,
        stopped,
        config.shutdown_timeout,
    )
    .await
}

/// The checkpoint key and file, beside the database unless configured.
fn open_checkpoints(config: &Config) -> Result<checkpoints::Checkpoints, String> {
    let beside = |ext: &str| {
        let mut name = config.database.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    let key_file = config
        .audit_key_file
        .clone()
        .unwrap_or_else(|| beside(".audit-key"));
    let file = config
        .audit_checkpoints
        .clone()
        .unwrap_or_else(|| beside(".audit-checkpoints"));
    checkpoints::Checkpoints::open(config.audit_key.as_deref(), &key_file, &file)
}

/// Verifies the audit log against its signed checkpoints before serving,
/// says so, and records the outcome for `/healthz`, `/readyz`, `/metrics`.
async fn verify_at_start(state: &AppState) {
    let valid = match app::audit::check(state).await {
        Ok(check) if check.valid => {
            println!(
                "audit log verified: {} events, {} signed checkpoints",
                check.checked, check.checkpoints
            );
            true
        }
        Ok(check) => {
            eprintln!(
                "AUDIT LOG BROKEN: the log or its checkpoints were altered; /readyz answers 503 until it is looked into"
            );
            for e in &check.errors {
                eprintln!("  {}", e.message);
            }
            if check.forged_checkpoints > 0 {
                eprintln!(
                    "  {} checkpoints are not signed by this server's key",
                    check.forged_checkpoints
                );
            }
            false
        }
        Err(e) => {
            eprintln!("the audit log could not be verified: {}", e.message);
            false
        }
    };
    if let Ok(mut v) = state.audit_verified.lock() {
        *v = Some(valid);
    }
}

/// After the signal the listener is closed at once; requests in flight get
/// `deadline` seconds to finish, then the notification worker finishes the
/// delivery it is in (its outcome is stored) and the audit log's head is
/// checkpointed a last time. What is left in the outbox
/// stays stored for the next start. Every write is a transaction, so
/// anything cut at the deadline is rolled back, never half done.
async fn drain(
    server: impl std::future::Future<Output = std::io::Result<()>>,
    workers: [tokio::task::JoinHandle<()>; 2],
    stopped: tokio::sync::watch::Receiver<bool>,
    deadline: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let deadline = std::time::Duration::from_secs(deadline);
    let late = async {
        signalled(stopped).await;
        tracing::info!("shutting down: no new connections; finishing requests in flight");
        tokio::time::sleep(deadline).await;
    };
    tokio::select! {
        served = server => served?,
        () = late => tracing::warn!(?deadline, "requests still in flight at the deadline were cut"),
    }
    for worker in workers {
        if tokio::time::timeout(deadline, worker).await.is_err() {
            tracing::warn!(
                "a worker (notifications, audit checkpoints) did not stop by the deadline"
            );
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves once `stopped` turns true.
async fn signalled(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// Ctrl-C, or SIGTERM (what `docker stop`, systemd and Kubernetes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Sets up a new company (or says it found one) and tells the operator.
async fn first_start(
    store: &Store,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    let outcome = seed::first_start(
        store,
        &config.admin_email,
        config.admin_password.as_deref(),
        config.demo,
        now,
    )
    .await
    .map_err(|e| format!("first start failed: {}", e.body.message))?;
    match outcome {
        seed::FirstStart::Existing => {}
        seed::FirstStart::Bootstrapped => {
            println!("created company with Company Admin {}", config.admin_email)
        }
        seed::FirstStart::OneTimePassword(p) => {
            println!(
                "created company with Company Admin {}; one-time password (shown once): {p}",
                config.admin_email
            )
        }
        seed::FirstStart::Demo => println!(
            "created the demo company: sign in as {} with password `{}` (other demo users share it)",
            config.admin_email,
            config
                .admin_password
                .as_deref()
                .unwrap_or(seed::DEMO_PASSWORD)
        ),
    }
    Ok(())
}
