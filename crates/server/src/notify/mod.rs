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

mod channels;
mod delivery;
mod message;

pub use channels::{Channels, redacted};
pub use delivery::{FIRST_BACKOFF, MAX_ATTEMPTS, MAX_BACKOFF, backoff, deliver_due, spawn, wake};
pub use message::{
    ACTIVATION_EVENT, enqueue, enqueue_activation, enqueue_checkpoint, slack_escaped,
};

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
