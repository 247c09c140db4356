//! Notifications of access requests (SPEC §4): reviewers hear of a new
//! request, the requester of its outcome, by webhook (JSON with a
//! Slack-compatible `text`) and by e-mail over SMTP.
//!
//! Delivery goes through an outbox. [`enqueue`] writes the notifications in
//! the same transaction as the change they tell of, so a committed change
//! always has them and a refused one never does, and the request never
//! waits for a receiver. One worker ([`spawn`], or [`deliver_due`] called
//! directly) sends what is due and records each attempt: delivered, or
//! failed and tried again after a backoff (2 s, doubling, at most 15
//! minutes) until [`MAX_ATTEMPTS`], after which it is `failed` until an
//! admin retries it. One worker means one send per notification; if the
//! server dies between a send and its record the send repeats once, so
//! webhook receivers may drop duplicates by the notification's `id` (also
//! sent as `Idempotency-Key`) and mail readers by its `Message-ID`.
//!
//! Who is told: a new pending request goes to every reviewer the policy
//! names at that instant (delegates included, never the requester) and to
//! the webhooks; approved (by a reviewer or self-approved), denied, revoked
//! and expired go to the requester and the webhooks. A cancellation is the
//! requester's own act and an ended period is shown by the portal's
//! countdown, so neither is notified.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use interim_policy::limits::PENDING_REQUEST_TTL_HOURS;
use interim_policy::request::{RequestStatus, who_can_approve};
use interim_policy::snapshot::Snapshot;
use interim_policy::time::{duration_text, format_instant, granted_text};
use interim_policy::wire::AccessRequestWire;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::json;

use crate::AppState;
use crate::store::{Notification, StoreResult, WriteTx};

/// Failed attempts after which a notification waits for an admin's retry.
pub const MAX_ATTEMPTS: i64 = 20;
/// The first retry's delay; each further one doubles, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: chrono::Duration = chrono::Duration::seconds(2);
pub const MAX_BACKOFF: chrono::Duration = chrono::Duration::minutes(15);
/// How long one webhook call or SMTP session may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the worker looks for due notifications when not woken.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Where notifications go, from the server's configuration.
#[derive(Clone, Debug)]
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
                _ => return Err(format!("the webhook URL `{url}` is not an http(s) URL")),
            }
        }
        if let Some(url) = &smtp_url {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("the SMTP URL cannot be used: {e}"))?;
        }
        smtp_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("the sender `{smtp_from}` is not an address: {e}"))?;
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

    /// Whether any channel is configured.
    pub fn any(&self) -> bool {
        !self.webhooks.is_empty() || self.smtp_url.is_some()
    }
}

/// What happened to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A manual request waits for review.
    Created,
    Approved,
    Denied,
    Revoked,
    Expired,
}

impl Event {
    pub const fn name(self) -> &'static str {
        match self {
            Event::Created => "request.created",
            Event::Approved => "request.approved",
            Event::Denied => "request.denied",
            Event::Revoked => "request.revoked",
            Event::Expired => "request.expired",
        }
    }

    /// The event a request's new status tells of, if it is notified.
    pub fn of(status: RequestStatus) -> Option<Event> {
        match status {
            RequestStatus::Pending => Some(Event::Created),
            RequestStatus::Approved => Some(Event::Approved),
            RequestStatus::Denied => Some(Event::Denied),
            RequestStatus::Revoked => Some(Event::Revoked),
            RequestStatus::Expired => Some(Event::Expired),
            RequestStatus::Cancelled | RequestStatus::Ended => None,
        }
    }
}

/// The words of one notification.
struct Words {
    subject: String,
    /// For the team's channel (third person).
    text: String,
    /// For the person mailed.
    mail: String,
}

fn words(channels: &Channels, s: &Snapshot, event: Event, r: &AccessRequestWire) -> Words {
    let pool = s
        .pool_idx(&r.agent_pool_id)
        .and_then(|p| s.pool(p))
        .map_or_else(
            || format!("`{}`", r.agent_pool_id),
            |p| format!("{} (`{}`)", p.name, p.id),
        );
    let who = &r.requester;
    let by = r.decided_by.as_deref().unwrap_or("a reviewer");
    let asked = duration_text(r.requested_minutes);
    let granted = granted_text(r.requested_minutes, r.approved_at, r.ends_at);
    let until = r.ends_at.map(format_instant).unwrap_or_default();
    let details = [
        r.reason.as_ref().map(|x| format!("Reason: {x}.")),
        r.ticket_ref.as_ref().map(|x| format!("Ticket: {x}.")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let mine = format!("{}/requests", channels.public_url);
    match event {
        Event::Created => Words {
            subject: format!("Access request: {who} asks for {pool}"),
            text: format!("*{who}* requests access to *{pool}* for {asked}. {details}"),
            mail: format!(
                "{who} requests access to {pool} for {asked}. {details}\n\nApprove or deny it in your review queue: {}/reviews\nUnanswered, it expires in {PENDING_REQUEST_TTL_HOURS} hours.",
                channels.public_url
            ),
        },
        Event::Approved => {
            let how = if r.decided_by.as_deref() == Some(who.as_str()) {
                "self-approved".to_owned()
            } else {
                format!("approved by {by}")
            };
            Words {
                subject: format!("Approved: access to {pool}"),
                text: format!(
                    "*{who}*'s access to *{pool}* is {how} for {granted}, until {until}."
                ),
                mail: format!(
                    "Your access to {pool} is {how} for {granted}. It ends by itself at {until}.\n\nYour requests: {mine}"
                ),
            }
        }
        Event::Denied => Words {
            subject: format!("Denied: access to {pool}"),
            text: format!("*{who}*'s request for *{pool}* was denied by {by}."),
            mail: format!(
                "Your request for access to {pool} was denied by {by}.\n\nYour requests: {mine}"
            ),
        },
        Event::Revoked => Words {
            subject: format!("Revoked: access to {pool}"),
            text: format!("*{who}*'s access to *{pool}* was revoked by {by}."),
            mail: format!(
                "Your access to {pool} was revoked by {by}; it has ended.\n\nYour requests: {mine}"
            ),
        },
        Event::Expired => Words {
            subject: format!("Expired: request for {pool}"),
            text: format!(
                "*{who}*'s request for *{pool}* expired unanswered after {PENDING_REQUEST_TTL_HOURS} hours."
            ),
            mail: format!(
                "Your request for access to {pool} expired unanswered after {PENDING_REQUEST_TTL_HOURS} hours. You may request again.\n\nYour requests: {mine}"
            ),
        },
    }
}

/// Writes the notifications of `event` on `r` (the request as it now
/// stands, with the reviewer's `comment`) into the outbox, inside `tx`.
/// `s` is the company at the change, for names and reviewers. Returns how
/// many were written.
pub async fn enqueue(
    tx: &mut WriteTx,
    channels: &Channels,
    s: &Snapshot,
    event: Event,
    r: &AccessRequestWire,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> crate::error::ApiResult<usize> {
    if !channels.any() {
        return Ok(0);
    }
    let mut w = words(channels, s, event, r);
    if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
        w.text.push_str(&format!(" Comment: {c}"));
        w.mail = format!("{}\n\nComment: {c}", w.mail);
    }
    let mut out = Vec::new();
    for url in &channels.webhooks {
        let id = crate::routes::new_id()?;
        let body = json!({
            "id": id,
            "event": event.name(),
            "text": w.text,
            "request": {
                "id": r.id,
                "requester": r.requester,
                "agentPoolId": r.agent_pool_id,
                "status": r.status,
                "requestedMinutes": r.requested_minutes,
                "reason": r.reason,
                "ticketRef": r.ticket_ref,
                "endsAt": r.ends_at.map(format_instant),
                "decidedBy": r.decided_by,
                "comment": comment,
            },
        });
        out.push((id, "webhook", url.clone(), body.to_string()));
    }
    if channels.smtp_url.is_some() {
        let to: Vec<String> = match event {
            Event::Created => match (s.user_idx(&r.requester), s.pool_idx(&r.agent_pool_id)) {
                (Some(u), Some(p)) => who_can_approve(s, u, p, now)
                    .into_iter()
                    .map(|rev| rev.email)
                    .collect(),
                _ => Vec::new(),
            },
            _ => vec![r.requester.clone()],
        };
        for email in to {
            out.push((crate::routes::new_id()?, "email", email, w.mail.clone()));
        }
    }
    let written = out.len();
    for (id, channel, recipient, body) in out {
        tx.enqueue_notification(&Notification {
            id,
            event: event.name().to_owned(),
            request_id: r.id.clone(),
            channel: channel.to_owned(),
            recipient,
            subject: w.subject.clone(),
            body,
            status: "pending".to_owned(),
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            delivered_at: None,
        })
        .await?;
    }
    Ok(written)
}

/// The delay before attempt `attempts + 1`, after `attempts` failures.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_BACKOFF
        .checked_mul(2_i32.saturating_pow(doublings))
        .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
}

/// Sends one notification.
async fn send(channels: &Channels, n: &Notification) -> Result<(), String> {
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
                .map_err(|e| format!("webhook: {e}"))?;
            if answer.status().is_success() {
                Ok(())
            } else {
                Err(format!("webhook answered {}", answer.status()))
            }
        }
        "email" => {
            let url = channels
                .smtp_url
                .as_deref()
                .ok_or("e-mail is no longer configured (no SMTP URL)")?;
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("smtp: {e}"))?
                .timeout(Some(SEND_TIMEOUT))
                .build();
            let message = Message::builder()
                .from(
                    channels
                        .smtp_from
                        .parse()
                        .map_err(|e| format!("from: {e}"))?,
                )
                .to(n.recipient.parse().map_err(|e| format!("to: {e}"))?)
                .subject(n.subject.clone())
                .message_id(Some(format!("<{}@interim>", n.id)))
                .header(ContentType::TEXT_PLAIN)
                .body(n.body.clone())
                .map_err(|e| format!("message: {e}"))?;
            transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("smtp: {e}"))
        }
        other => Err(format!("unknown channel `{other}`")),
    }
}

/// One pass: sends every notification due at the app clock's now and
/// records each attempt. Returns how many were delivered.
pub async fn deliver_due(state: &AppState) -> StoreResult<usize> {
    let now = state.clock.now();
    let due = state.store.due_notifications(now, 100).await?;
    let mut delivered = 0;
    for n in due {
        let outcome = send(&state.channels, &n).await;
        let now = state.clock.now();
        let mut tx = state.store.begin().await?;
        match outcome {
            Ok(()) => {
                tx.record_attempt(&n.id, now, Ok(())).await?;
                delivered += 1;
            }
            Err(error) => {
                let attempts = n.attempts + 1;
                let next = (attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts));
                tracing::warn!(id = %n.id, channel = %n.channel, attempts, %error, "notification not delivered");
                let error: String = error.chars().take(300).collect();
                tx.record_attempt(&n.id, now, Err((&error, next))).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(delivered)
}

/// Runs [`deliver_due`] every second, and at once when woken through
/// `state.outbox` after a change is committed.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&state).await {
                tracing::error!(%e, "notification delivery failed");
            }
            let _ = tokio::time::timeout(LOOK_EVERY, state.outbox.notified()).await;
        }
    });
}

/// Wakes the worker: something was just written to the outbox.
pub fn wake(outbox: &Arc<tokio::sync::Notify>) {
    outbox.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_fifteen_minutes() {
        assert_eq!(backoff(1), chrono::Duration::seconds(2));
        assert_eq!(backoff(2), chrono::Duration::seconds(4));
        assert_eq!(backoff(5), chrono::Duration::seconds(32));
        assert_eq!(backoff(9), chrono::Duration::seconds(512));
        assert_eq!(backoff(10), MAX_BACKOFF);
        assert_eq!(backoff(MAX_ATTEMPTS), MAX_BACKOFF);
    }

    #[test]
    fn every_status_but_cancelled_and_ended_is_told() {
        use RequestStatus::*;
        for s in [Pending, Approved, Denied, Revoked, Expired] {
            assert!(Event::of(s).is_some(), "{s:?}");
        }
        assert_eq!(Event::of(Cancelled), None);
        assert_eq!(Event::of(Ended), None);
    }

    #[test]
    fn a_bad_configuration_is_named() {
        let err = Channels::new(
            vec!["ftp://x".into()],
            None,
            "a@b.io".into(),
            "http://x".into(),
        )
        .unwrap_err();
        assert!(err.contains("ftp://x"), "{err}");
        let err =
            Channels::new(vec![], None, "not an address".into(), "http://x".into()).unwrap_err();
        assert!(err.contains("not an address"), "{err}");
        assert!(
            Channels::new(
                vec!["http://127.0.0.1:9/hook".into()],
                Some("smtp://127.0.0.1:2525".into()),
                "Interim <interim@example.com>".into(),
                "http://x/".into()
            )
            .is_ok()
        );
    }
}
