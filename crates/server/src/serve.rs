//! Running the server: first start, the audit log verified, the workers,
//! serving, and the drain after SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::store::Store;
use crate::{AppState, Config, app, checkpoints, notify, seed, sweeper};

/// Opens the database, sets up a new company, starts the sweeper and the
/// notification worker, and serves until Ctrl-C or SIGTERM; then drains
/// (see [`drain`]).
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(&config.database).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    first_start(&store, &config, clock.now()).await?;
    if let Some(id) = config.company_id.as_deref() {
        let state = AppState::new(store.clone(), Arc::clone(&clock));
        crate::app::settings::set_company_id(&state, id)
            .await
            .map_err(|e| format!("--company-id: {}", e.message))?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let mut state = AppState::new(store, clock);
    state.secure_cookies = config.secure_cookies;
    state.trusted_proxies = Arc::new(config.trusted_proxies.clone());
    state.writes = crate::throttle::WriteThrottle::new(config.writes_per_second);
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
    checkpoints::Checkpoints::open(config.audit_key.as_deref(), &key_file, &file).map(|c| {
        c.sent_to_webhooks_every((config.audit_webhook_every > 0).then(|| {
            chrono::Duration::seconds(config.audit_webhook_every.min(i64::MAX as u64) as i64)
        }))
    })
}

/// Verifies the audit log against its signed checkpoints before serving,
/// says so, and records the outcome for `/healthz`, `/readyz`, `/metrics`.
async fn verify_at_start(state: &AppState) {
    if let Some(signer) = &state.checkpoints {
        // What `interim audit verify --public-key` checks an export with.
        println!("audit checkpoint public key: {}", signer.public_key());
    }
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
            "created the demo company: sign in as {} with password “{}” (other demo users share it)",
            config.admin_email,
            config
                .admin_password
                .as_deref()
                .unwrap_or(seed::DEMO_PASSWORD)
        ),
    }
    Ok(())
}
