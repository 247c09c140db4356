//! The outbox of access-request notifications, for admins (the webhooks
//! operation): what was sent to whom, how delivery stands, and a retry.

use interim_policy::answer::{Channels, Notification, Outbox};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::time::format_instant;
use serde_json::Value;

use super::{Actor, Error, Result, require};
use crate::AppState;
use crate::notify;
use crate::store;

/// How a notification's delivery stands: what `status` filters by.
pub const STATUSES: &[&str] = &["pending", "delivered", "failed"];

fn answer(n: store::Notification) -> Notification {
    // The webhook's `text`, or the mail's body: what the receiver reads.
    let webhook = n.channel == "webhook";
    let text = if webhook {
        serde_json::from_str::<Value>(&n.body)
            .ok()
            .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| n.body.clone())
    } else if n.event == notify::ACTIVATION_EVENT {
        // The link is the person's secret: never shown to admins.
        "A one-time activation link (not shown).".to_owned()
    } else {
        n.body.clone()
    };
    Notification {
        // A webhook's URL often holds its secret (Slack's do): shown
        // without its path to those who may view the outbox.
        recipient: if webhook {
            notify::redacted(&n.recipient)
        } else {
            n.recipient
        },
        next_attempt_at: (n.status == "pending").then(|| format_instant(n.next_attempt_at)),
        id: n.id,
        event: n.event,
        request_id: n.request_id,
        channel: n.channel,
        subject: n.subject,
        text,
        status: n.status,
        attempts: u32::try_from(n.attempts).unwrap_or(u32::MAX),
        last_error: n.last_error,
        created_at: format_instant(n.created_at),
        delivered_at: n.delivered_at.map(format_instant),
    }
}

async fn gate(state: &AppState, actor: &Actor, access: Access) -> Result<()> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        actor,
        Operation::CompanyWebhooks,
        access,
        None,
        now,
    )
}

/// One page of the outbox, newest first (every notification, or those in
/// `status`), with the channels the server was started with.
pub async fn page(
    state: &AppState,
    actor: &Actor,
    status: Option<&str>,
    page: i64,
    size: i64,
) -> Result<Outbox> {
    gate(state, actor, Access::View).await?;
    if let Some(s) = status.filter(|s| !STATUSES.contains(s)) {
        return Err(Error::invalid(
            "body.field.invalid_type",
            "status",
            format!("“status” is pending, delivered or failed, not “{s}”"),
        ));
    }
    let offset = page.saturating_mul(size);
    let (items, total) = state.store.notifications(status, offset, size).await?;
    let shown = i64::try_from(items.len()).unwrap_or(0);
    let c = &state.channels;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Outbox {
        channels: Channels {
            webhooks: u32::try_from(c.webhooks.len()).unwrap_or(u32::MAX),
            email: c.smtp_url.is_some(),
        },
        total: count(total),
        page: count(page),
        size: count(size),
        has_more: offset.saturating_add(shown) < total,
        items: items.into_iter().map(answer).collect(),
    })
}

/// Sends a failed or pending notification again now.
pub async fn retry(state: &AppState, actor: &Actor, id: &str) -> Result<()> {
    gate(state, actor, Access::Change).await?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if !tx.retry_notification(id, now).await? {
        return Err(Error::not_found(
            "notification.id.unknown",
            format!("no notification “{id}” waiting for delivery"),
        ));
    }
    tx.commit().await?;
    notify::wake(&state.outbox);
    Ok(())
}
