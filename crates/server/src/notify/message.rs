//! What a notification says and to whom: the words of each event, and
//! the outbox rows written in the change's own transaction.

use super::*;

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
                || esc(&r.agent_pool_id),
                |p| format!("{} ({})", esc(&p.name), esc(&p.id)),
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
) -> StoreResult<usize> {
    if !channels.any() {
        return Ok(0);
    }
    let w = words(channels, s, event, r, comment);
    let mut out = Vec::new();
    for url in &channels.webhooks {
        let id = crate::store::new_id()?;
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
            out.push((crate::store::new_id()?, "email", email, w.mail.clone()));
        }
    }
    let written = out.len();
    for (id, channel, recipient, body) in out {
        let n = Notification {
            request_id: r.id.clone(),
            channel: channel.to_owned(),
            recipient,
            subject: w.subject.clone(),
            body,
            ..pending(id, event.name(), now)
        };
        tx.enqueue_notification(&n).await?;
    }
    Ok(written)
}

/// A notification due now, not yet tried, to fill in.
fn pending(id: String, event: &str, now: DateTime<Utc>) -> Notification {
    Notification {
        id,
        event: event.to_owned(),
        request_id: String::new(),
        channel: String::new(),
        recipient: String::new(),
        subject: String::new(),
        body: String::new(),
        status: "pending".to_owned(),
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        created_at: now,
        delivered_at: None,
    }
}

/// Writes a signed checkpoint of the audit log into the outbox, one
/// notification per webhook (`audit.checkpoint`: no request, no e-mail).
/// A receiver keeps it; `interim audit verify --file … --public-key …`
/// then shows whether a later export still holds what it vouches for.
pub async fn enqueue_checkpoint(
    tx: &mut WriteTx,
    channels: &Channels,
    checkpoint: &interim_policy::checkpoint::AuditCheckpoint,
    public_key: &str,
    now: DateTime<Utc>,
) -> StoreResult<usize> {
    const EVENT: &str = "audit.checkpoint";
    let subject = format!("Audit log checkpoint: {} events", checkpoint.count);
    let text = format!(
        "Audit log checkpoint: {} events up to {}, head “{}”, signed by “{}”.",
        checkpoint.count,
        format_instant(checkpoint.time),
        checkpoint.head,
        public_key
    );
    for url in &channels.webhooks {
        let id = crate::store::new_id()?;
        let body = json!({
            "id": id,
            "event": EVENT,
            "text": text,
            "checkpoint": checkpoint,
            "publicKey": public_key,
        });
        let n = Notification {
            channel: "webhook".to_owned(),
            recipient: url.clone(),
            subject: subject.clone(),
            body: body.to_string(),
            ..pending(id, EVENT, now)
        };
        tx.enqueue_notification(&n).await?;
    }
    Ok(channels.webhooks.len())
}

pub use crate::store::ACTIVATION_EVENT;

/// Writes an e-mail with `email`'s one-time activation link into the
/// outbox, inside `tx` (the transaction that made the link). False when no
/// e-mail channel is configured.
pub async fn enqueue_activation(
    tx: &mut WriteTx,
    channels: &Channels,
    email: &str,
    link: &str,
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    if channels.smtp_url.is_none() {
        return Ok(false);
    }
    let body = format!(
        "An account is waiting for you in Interim, the company's temporary access portal.\n\n\
         Choose your password here (the link works once, until {} UTC):\n\n{link}\n\n\
         If you did not expect this, ignore this message: nothing happens until the link is used.\n",
        format_instant(expires)
            .replace('T', " ")
            .trim_end_matches('Z')
    );
    let n = Notification {
        channel: "email".to_owned(),
        recipient: email.to_owned(),
        subject: "Set your Interim password".to_owned(),
        body,
        ..pending(crate::store::new_id()?, ACTIVATION_EVENT, now)
    };
    tx.enqueue_notification(&n).await?;
    Ok(true)
}
