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

use std::collections::BTreeMap;
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
use crate::store::{Notification, StoreError, StoreResult, WriteTx};

/// Failed attempts after which a notification waits for an admin's retry:
/// with the backoff, about 48 hours of trying, so a receiver down for a
/// pending request's whole lifetime still hears of it.
pub const MAX_ATTEMPTS: i64 = 200;
/// The most notifications one pass sends.
const BATCH: i64 = 200;
/// The first retry's delay; each further one doubles, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: chrono::Duration = chrono::Duration::seconds(2);
pub const MAX_BACKOFF: chrono::Duration = chrono::Duration::minutes(15);
/// How long one webhook call or SMTP session may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the worker looks for due notifications when not woken.
const LOOK_EVERY: Duration = Duration::from_secs(1);

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

/// Text for Slack's mrkdwn (and any receiver reading `text` as such):
/// `&`, `<` and `>` escaped, so a requester's reason or a reviewer's comment
/// cannot make links or mentions (`<!channel>`) of its own.
pub fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What a message says of a request, as typed (for mail) or escaped (for
/// the channel's `text`).
struct Parts {
    pool: String,
    who: String,
    by: String,
    details: String,
}

impl Parts {
    fn of(
        s: &Snapshot,
        r: &AccessRequestWire,
        comment: Option<&str>,
        esc: fn(&str) -> String,
    ) -> Parts {
        let pool = s
            .pool_idx(&r.agent_pool_id)
            .and_then(|p| s.pool(p))
            .map_or_else(
                || format!("`{}`", esc(&r.agent_pool_id)),
                |p| format!("{} (`{}`)", esc(&p.name), esc(&p.id)),
            );
        let details = [
            r.reason.as_deref().map(|x| format!("Reason: {}.", esc(x))),
            r.ticket_ref
                .as_deref()
                .map(|x| format!("Ticket: {}.", esc(x))),
            comment
                .filter(|c| !c.trim().is_empty())
                .map(|c| format!("Comment: {}", esc(c))),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        Parts {
            pool,
            who: esc(&r.requester),
            by: esc(r.decided_by.as_deref().unwrap_or("a reviewer")),
            details,
        }
    }
}

fn words(
    channels: &Channels,
    s: &Snapshot,
    event: Event,
    r: &AccessRequestWire,
    comment: Option<&str>,
) -> Words {
    let plain = Parts::of(s, r, comment, str::to_owned);
    let t = Parts::of(s, r, comment, slack_escaped);
    let asked = duration_text(r.requested_minutes);
    let granted = granted_text(r.requested_minutes, r.approved_at, r.ends_at);
    let until = r.ends_at.map(format_instant).unwrap_or_default();
    let mine = format!("{}/requests", channels.public_url);
    let (pool, who, by) = (&plain.pool, &plain.who, &plain.by);
    // The reason and ticket tell reviewers what is asked; the comment tells
    // the requester why it was decided so.
    let said = |p: &Parts| {
        if p.details.is_empty() {
            String::new()
        } else {
            format!(" {}", p.details)
        }
    };
    let (text_said, mail_said) = (said(&t), said(&plain));
    match event {
        Event::Created => Words {
            subject: format!("Access request: {who} asks for {pool}"),
            text: format!(
                "*{}* requests access to *{}* for {asked}.{text_said}",
                t.who, t.pool
            ),
            mail: format!(
                "{who} requests access to {pool} for {asked}.{mail_said}\n\nApprove or deny it in your review queue: {}/reviews\nUnanswered, it expires in {PENDING_REQUEST_TTL_HOURS} hours.",
                channels.public_url
            ),
        },
        Event::Approved => {
            let self_approved = r.decided_by.as_deref() == Some(r.requester.as_str());
            let how = |p: &Parts| {
                if self_approved {
                    "self-approved".to_owned()
                } else {
                    format!("approved by {}", p.by)
                }
            };
            Words {
                subject: format!("Approved: access to {pool}"),
                text: format!(
                    "*{}*'s access to *{}* is {} for {granted}, until {until}.{text_said}",
                    t.who,
                    t.pool,
                    how(&t)
                ),
                mail: format!(
                    "Your access to {pool} is {} for {granted}. It ends by itself at {until}.{mail_said}\n\nYour requests: {mine}",
                    how(&plain)
                ),
            }
        }
        Event::Denied => Words {
            subject: format!("Denied: access to {pool}"),
            text: format!(
                "*{}*'s request for *{}* was denied by {}.{text_said}",
                t.who, t.pool, t.by
            ),
            mail: format!(
                "Your request for access to {pool} was denied by {by}.{mail_said}\n\nYour requests: {mine}"
            ),
        },
        Event::Revoked => Words {
            subject: format!("Revoked: access to {pool}"),
            text: format!(
                "*{}*'s access to *{}* was revoked by {}.{text_said}",
                t.who, t.pool, t.by
            ),
            mail: format!(
                "Your access to {pool} was revoked by {by}; it has ended.{mail_said}\n\nYour requests: {mine}"
            ),
        },
        Event::Expired => Words {
            subject: format!("Expired: request for {pool}"),
            text: format!(
                "*{}*'s request for *{}* expired unanswered after {PENDING_REQUEST_TTL_HOURS} hours.",
                t.who, t.pool
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
) -> crate::app::Result<usize> {
    if !channels.any() {
        return Ok(0);
    }
    let w = words(channels, s, event, r, comment);
    let mut out = Vec::new();
    for url in &channels.webhooks {
        let id = crate::app::new_id()?;
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
            out.push((crate::app::new_id()?, "email", email, w.mail.clone()));
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

/// Why a send failed.
#[derive(Debug)]
struct Failure {
    /// What went wrong, without the webhook's URL (it may hold a secret).
    text: String,
    /// The receiver is unreachable or busy (no connection, timeout, 5xx,
    /// 429, an SMTP 4xx), not refusing this one message: what is queued
    /// behind it for the same receiver waits with it, so messages arrive
    /// in order and a down receiver costs one attempt per pass.
    receiver_down: bool,
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
async fn send(channels: &Channels, n: &Notification) -> Result<(), Failure> {
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
        other => Err(Failure::refused(format!("unknown channel `{other}`"))),
    }
}

/// One pass: sends every notification due at the app clock's now and
/// records each attempt. Returns how many were delivered.
///
/// Each receiver (a webhook URL, an e-mail address) gets its messages in
/// order, one at a time; receivers are served at the same time, so a slow
/// or dead one holds the next pass back by one send's timeout at most, and
/// is tried again only after its backoff. When a receiver is down, its first
/// message records the failed attempt and the rest of its queue waits for
/// the same instant without an attempt counted.
pub async fn deliver_due(state: &AppState) -> StoreResult<usize> {
    let now = state.clock.now();
    let due = state.store.due_notifications(now, BATCH).await?;
    let mut queues: BTreeMap<(String, String), Vec<Notification>> = BTreeMap::new();
    for n in due {
        queues
            .entry((n.channel.clone(), n.recipient.to_lowercase()))
            .or_default()
            .push(n);
    }
    let mut receivers = tokio::task::JoinSet::new();
    for queue in queues.into_values() {
        let state = state.clone();
        receivers.spawn(async move { deliver_queue(&state, queue).await });
    }
    let mut delivered = 0;
    let mut trouble = None;
    while let Some(joined) = receivers.join_next().await {
        match joined {
            Ok(Ok(n)) => delivered += n,
            Ok(Err(e)) => trouble = Some(e),
            Err(e) => trouble = Some(StoreError::Internal(format!("a delivery task ended: {e}"))),
        }
    }
    trouble.map_or(Ok(delivered), Err)
}

/// Sends one receiver's due notifications in order.
async fn deliver_queue(state: &AppState, queue: Vec<Notification>) -> StoreResult<usize> {
    let mut delivered = 0;
    let mut queue = queue.into_iter();
    while let Some(n) = queue.next() {
        let outcome = send(&state.channels, &n).await;
        let now = state.clock.now();
        let mut tx = state.store.begin().await?;
        match outcome {
            Ok(()) => {
                tx.record_attempt(&n.id, now, Ok(())).await?;
                delivered += 1;
            }
            Err(failure) => {
                let attempts = n.attempts + 1;
                let next = (attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts));
                tracing::warn!(id = %n.id, channel = %n.channel, attempts, error = %failure.text, "notification not delivered");
                let error: String = failure.text.chars().take(300).collect();
                tx.record_attempt(&n.id, now, Err((&error, next))).await?;
                if let (true, Some(next)) = (failure.receiver_down, next) {
                    for rest in queue.by_ref() {
                        tx.defer_notification(&rest.id, next).await?;
                    }
                }
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
    fn retries_outlast_a_pending_request() {
        let span = (1..MAX_ATTEMPTS).fold(chrono::Duration::zero(), |t, a| t + backoff(a));
        assert!(
            span > chrono::Duration::hours(PENDING_REQUEST_TTL_HOURS)
                && span >= chrono::Duration::hours(47),
            "{span}"
        );
    }

    #[test]
    fn slack_markup_in_what_people_type_is_escaped() {
        assert_eq!(
            slack_escaped("<!channel> see <https://evil|here> & >"),
            "&lt;!channel&gt; see &lt;https://evil|here&gt; &amp; &gt;"
        );
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
    fn debug_hides_secrets() {
        let c = Channels::new(
            vec!["https://hooks.slack.com/services/T0/B0/secret-token".into()],
            Some("smtps://mailer:hunter2@smtp.acme.io:465".into()),
            "Interim <interim@example.com>".into(),
            "http://x".into(),
        )
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret-token"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("hooks.slack.com") && shown.contains("smtp.acme.io:465"));
        let said = c.summary();
        assert_eq!(
            said,
            "webhooks [https://hooks.slack.com/…], e-mail via smtps://…@smtp.acme.io:465"
        );
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
