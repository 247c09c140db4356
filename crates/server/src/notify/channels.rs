//! Where notifications go (webhooks, SMTP), checked at start-up, and how
//! one notification reaches its receiver.

use super::*;

/// How long one webhook call or SMTP session may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Where notifications go, from the server's configuration. Its `Debug`
/// hides the SMTP password and webhook paths (which often hold a secret,
/// as Slack's do).
#[derive(Clone)]
pub struct Channels {
    /// Webhook URLs; each gets every notification.
    pub webhooks: Vec<String>,
    /// The SMTP server (`smtp://host:port`, `smtps://user:pass@host`, …).
    pub smtp_url: Option<String>,
    /// The sender of e-mails.
    pub smtp_from: String,
    /// The portal's address, for links in messages.
    pub public_url: String,
    http: reqwest::Client,
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            webhooks: Vec::new(),
            smtp_url: None,
            smtp_from: "Interim <interim@localhost>".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            http: reqwest::Client::new(),
        }
    }
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field(
                "webhooks",
                &self
                    .webhooks
                    .iter()
                    .map(|u| redacted(u))
                    .collect::<Vec<_>>(),
            )
            .field("smtp_url", &self.smtp_url.as_deref().map(redacted))
            .field("smtp_from", &self.smtp_from)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// A URL without its secrets: no password, no path or query (`…` where
/// they were), as the outbox shows a webhook to admins.
pub fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}{}{}",
            u.scheme(),
            if u.username().is_empty() { "" } else { "…@" },
            u.host_str().unwrap_or(""),
            u.port().map(|p| format!(":{p}")).unwrap_or_default(),
            if matches!(u.path(), "" | "/") && u.query().is_none() {
                ""
            } else {
                "/…"
            }
        ),
        Err(_) => "(unreadable URL)".to_owned(),
    }
}

/// An error with its causes, each once: `reqwest` and `lettre` keep the
/// useful part (connection refused, timed out) in the source chain.
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        source = cause.source();
    }
    text
}

impl Channels {
    /// Checks the configuration: every webhook an http(s) URL, the SMTP
    /// URL one lettre reads, the sender an address.
    pub fn new(
        webhooks: Vec<String>,
        smtp_url: Option<String>,
        smtp_from: String,
        public_url: String,
    ) -> Result<Channels, String> {
        for url in &webhooks {
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => return Err(format!("the webhook URL “{url}” is not an http(s) URL")),
            }
        }
        if let Some(url) = &smtp_url {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("the SMTP URL cannot be used: {e}"))?;
        }
        smtp_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("the sender “{smtp_from}” is not an address: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .build()
            .map_err(|e| format!("the HTTP client cannot start: {e}"))?;
        Ok(Channels {
            webhooks,
            smtp_url,
            smtp_from,
            public_url: public_url.trim_end_matches('/').to_owned(),
            http,
        })
    }

    /// The channels in words, without their secrets, for the start-up log.
    pub fn summary(&self) -> String {
        let hooks = self
            .webhooks
            .iter()
            .map(|u| redacted(u))
            .collect::<Vec<_>>();
        let mail = self.smtp_url.as_deref().map_or_else(
            || "no e-mail".to_owned(),
            |u| format!("e-mail via {}", redacted(u)),
        );
        format!("webhooks [{}], {mail}", hooks.join(", "))
    }

    /// Whether any channel is configured.
    pub fn any(&self) -> bool {
        !self.webhooks.is_empty() || self.smtp_url.is_some()
    }
}

/// Why a send failed.
#[derive(Debug)]
pub(super) struct Failure {
    /// What went wrong, without the webhook's URL (it may hold a secret).
    pub(super) text: String,
    /// The receiver is unreachable or busy (no connection, timeout, 5xx,
    /// 429, an SMTP 4xx), not refusing this one message: what is queued
    /// behind it for the same receiver waits with it, so messages arrive
    /// in order and a down receiver costs one attempt per pass.
    pub(super) receiver_down: bool,
}

impl Failure {
    fn down(text: String) -> Failure {
        Failure {
            text,
            receiver_down: true,
        }
    }

    fn refused(text: String) -> Failure {
        Failure {
            text,
            receiver_down: false,
        }
    }
}

/// Sends one notification.
pub(super) async fn send(channels: &Channels, n: &Notification) -> Result<(), Failure> {
    match n.channel.as_str() {
        "webhook" => {
            let answer = channels
                .http
                .post(&n.recipient)
                .header("content-type", "application/json")
                .header("idempotency-key", &n.id)
                .body(n.body.clone())
                .send()
                .await
                .map_err(|e| Failure::down(format!("webhook: {}", causes(&e.without_url()))))?;
            let status = answer.status();
            if status.is_success() {
                Ok(())
            } else {
                let text = format!("webhook answered {status}");
                Err(
                    if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408
                    {
                        Failure::down(text)
                    } else {
                        Failure::refused(text)
                    },
                )
            }
        }
        "email" => {
            let url = channels.smtp_url.as_deref().ok_or_else(|| {
                Failure::down("e-mail is no longer configured (no SMTP URL)".to_owned())
            })?;
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| Failure::down(format!("smtp: {e}")))?
                .timeout(Some(SEND_TIMEOUT))
                .build();
            let message = Message::builder()
                .from(
                    channels
                        .smtp_from
                        .parse()
                        .map_err(|e| Failure::down(format!("from: {e}")))?,
                )
                .to(n
                    .recipient
                    .parse()
                    .map_err(|e| Failure::refused(format!("to: {e}")))?)
                .subject(n.subject.clone())
                .message_id(Some(format!("<{}@interim>", n.id)))
                .header(ContentType::TEXT_PLAIN)
                .body(n.body.clone())
                .map_err(|e| Failure::refused(format!("message: {e}")))?;
            transport.send(message).await.map(|_| ()).map_err(|e| {
                let text = format!("smtp: {}", causes(&e));
                if e.is_permanent() {
                    Failure::refused(text)
                } else {
                    Failure::down(text)
                }
            })
        }
        other => Err(Failure::refused(format!("unknown channel “{other}”"))),
    }
}
