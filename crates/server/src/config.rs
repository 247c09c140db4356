//! Configuration by flags and environment (`interim-server --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
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
    /// Seconds between the signed checkpoints sent to the webhooks (with
    /// the public key), so that someone outside holds a recent head of the
    /// log: the first soon after start, then one each period in which the
    /// log grew. 0: none.
    #[arg(long, env = "INTERIM_AUDIT_WEBHOOK_EVERY", default_value_t = 3600)]
    pub audit_webhook_every: u64,
    /// Writes a second one person (session or key) may keep up, three
    /// times as many at once; beyond, 429 with `Retry-After`. 0: off.
    #[arg(long, env = "INTERIM_WRITES_PER_SECOND", default_value_t = crate::throttle::WRITES_PER_SECOND)]
    pub writes_per_second: u32,
    /// The company id this deployment answers to: the `{company}` of the
    /// vendor's API key paths (`/api/v1/access/company/{company}/…`), so a
    /// vendor client configured with its company id works unchanged.
    /// Stored at start (audited) when it differs; default: as stored
    /// (`demo` for the demo company, else `company`).
    #[arg(long, env = "INTERIM_COMPANY_ID")]
    pub company_id: Option<String>,
    /// How the server's log lines are written: `text` (colour only at a
    /// terminal) or `json` (one object per line, for a log collector).
    #[arg(long, env = "INTERIM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Seconds that requests in flight get to finish after SIGTERM or
    /// Ctrl-C (and the notification worker its delivery) before exit.
    #[arg(long, env = "INTERIM_SHUTDOWN_TIMEOUT", default_value_t = 20)]
    pub shutdown_timeout: u64,
}
