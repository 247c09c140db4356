//! The delivery worker: sends what is due, records each attempt, and
//! backs off after a failure.

use super::channels::send;
use super::*;

/// Failed attempts after which a notification waits for an admin's retry:
/// with the backoff, about 48 hours of trying, so a receiver down for a
/// pending request's whole lifetime still hears of it.
pub const MAX_ATTEMPTS: i64 = 200;
/// The most notifications one pass sends.
const BATCH: i64 = 200;
/// The first retry's delay; each further one doubles, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: chrono::Duration = chrono::Duration::seconds(2);
pub const MAX_BACKOFF: chrono::Duration = chrono::Duration::minutes(15);
/// How often the worker looks for due notifications when not woken.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// The delay before attempt `attempts + 1`, after `attempts` failures.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_BACKOFF
        .checked_mul(2_i32.saturating_pow(doublings))
        .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
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
pub fn spawn(
    state: AppState,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !*stopped.borrow() {
            // A delivery that has begun is finished and its outcome stored,
            // also when the server is told to stop meanwhile.
            if let Err(e) = deliver_due(&state).await {
                tracing::error!(%e, "notification delivery failed");
            }
            tokio::select! {
                _ = tokio::time::timeout(LOOK_EVERY, state.outbox.notified()) => {}
                changed = stopped.changed() => if changed.is_err() { break },
            }
        }
    })
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
