//! Sign-in throttling that a stranger cannot turn against a user.
//!
//! Only failures count, and they count against the pair (account, client
//! address): the owner signing in from their own machine is never slowed
//! by someone guessing elsewhere. After [`FREE_FAILURES`] failures of a
//! pair, each further attempt of that pair waits twice as long as the last
//! (1 s, 2 s, 4 s, … up to [`MAX_WAIT`]); a success clears the pair. A
//! client that fails against many accounts (password spraying) is held by
//! `governor`'s GCRA limiter keyed by its address: [`CLIENT_BURST`]
//! failures, then one per [`CLIENT_REFILL`]. Both read the server's clock.
//!
//! The client address is the connection's peer, or, when the peer is one
//! of the `--trusted-proxy` addresses, the right-most address of
//! `X-Forwarded-For` that is not a trusted proxy.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use governor::{Quota, RateLimiter};

use crate::clock::Clock;

/// Failures of one (account, client) pair before waits begin.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait between attempts of one pair.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Failures a client may make across accounts at once, and how fast its
/// allowance comes back.
pub const CLIENT_BURST: u32 = 30;
pub const CLIENT_REFILL: Duration = Duration::from_secs(10);

/// The server's clock, for governor (instants as time since the epoch),
/// never going back: a wall clock stepped back would otherwise hold a
/// client for as long as the step.
#[derive(Clone)]
struct GovernorClock {
    clock: Arc<dyn Clock>,
    latest_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl GovernorClock {
    fn new(clock: Arc<dyn Clock>) -> GovernorClock {
        GovernorClock {
            clock,
            latest_ms: Arc::default(),
        }
    }
}

impl governor::clock::Clock for GovernorClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        let ms = u64::try_from(self.clock.now().timestamp_millis().max(0)).unwrap_or_default();
        let seen = self
            .latest_ms
            .fetch_max(ms, std::sync::atomic::Ordering::Relaxed);
        Duration::from_millis(seen.max(ms))
    }
}

type ClientLimiter = RateLimiter<
    IpAddr,
    governor::state::keyed::DefaultKeyedStateStore<IpAddr>,
    GovernorClock,
    governor::middleware::NoOpMiddleware<Duration>,
>;

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

/// The sign-in throttle, shared by every request of one server.
#[derive(Clone)]
pub struct SignInThrottle {
    clock: Arc<dyn Clock>,
    pairs: Arc<Mutex<HashMap<(String, IpAddr), Failures>>>,
    clients: Arc<ClientLimiter>,
    governor_clock: GovernorClock,
    /// Clients whose failures across accounts ran out, and until when.
    held: Arc<Mutex<HashMap<IpAddr, DateTime<Utc>>>>,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInThrottle").finish_non_exhaustive()
    }
}

/// How long a pair must still wait, if at all, after `count` failures the
/// last of which was `since` ago.
fn pair_wait(count: u32, since: Duration) -> Option<Duration> {
    let beyond = count.checked_sub(FREE_FAILURES)?;
    let wait = Duration::from_secs(1u64 << beyond.min(20)).min(MAX_WAIT);
    wait.checked_sub(since).filter(|w| !w.is_zero())
}

impl SignInThrottle {
    pub fn new(clock: Arc<dyn Clock>) -> SignInThrottle {
        let burst = NonZeroU32::new(CLIENT_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(CLIENT_REFILL)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        SignInThrottle {
            governor_clock: GovernorClock::new(Arc::clone(&clock)),
            clients: Arc::new(RateLimiter::dashmap_with_clock(
                quota,
                GovernorClock::new(Arc::clone(&clock)),
            )),
            clock,
            pairs: Arc::default(),
            held: Arc::default(),
        }
    }

    /// `Err(seconds to wait)` when this client must wait before trying
    /// `account` again; an attempt that is let through is not counted.
    pub fn check(&self, account: &str, client: IpAddr) -> Result<(), u64> {
        let now = self.clock.now();
        let mut wait = Duration::ZERO;
        if let Ok(held) = self.held.lock()
            && let Some(until) = held.get(&client)
            && let Ok(left) = (*until - now).to_std()
        {
            wait = wait.max(left);
        }
        if let Ok(pairs) = self.pairs.lock()
            && let Some(f) = pairs.get(&(account.to_owned(), client))
        {
            let since = (now - f.last).to_std().unwrap_or_default();
            wait = wait.max(pair_wait(f.count, since).unwrap_or_default());
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        }
    }

    /// Counts a failed attempt of `client` on `account`.
    pub fn failed(&self, account: &str, client: IpAddr) {
        let now = self.clock.now();
        if let Ok(mut pairs) = self.pairs.lock() {
            // Forget pairs whose last failure is older than the longest wait.
            let forget = chrono::Duration::from_std(MAX_WAIT * 2).unwrap_or_default();
            pairs.retain(|_, f| now - f.last < forget);
            let f = pairs
                .entry((account.to_owned(), client))
                .or_insert(Failures {
                    count: 0,
                    last: now,
                });
            f.count = f.count.saturating_add(1);
            f.last = now;
        }
        if let Err(not_until) = self.clients.check_key(&client) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&self.governor_clock));
            if let (Ok(mut held), Ok(wait)) = (self.held.lock(), chrono::Duration::from_std(wait)) {
                held.retain(|_, until| *until > now);
                held.insert(client, now + wait);
            }
        }
    }

    /// A right password clears the pair.
    pub fn succeeded(&self, account: &str, client: IpAddr) {
        if let Ok(mut pairs) = self.pairs.lock() {
            pairs.remove(&(account.to_owned(), client));
        }
    }
}

/// Writes per second one person may keep up by default, and three times
/// as many at once: enough for any person or script of theirs, not for a
/// flood (`--writes-per-second`).
pub const WRITES_PER_SECOND: u32 = 20;
pub const WRITE_BURST: u32 = 3 * WRITES_PER_SECOND;

type UserLimiter = governor::DefaultKeyedRateLimiter<String>;

/// Writes per person (session or key), by `governor` on the monotonic
/// clock: one person's flood is answered 429 and slows nobody else.
#[derive(Clone)]
pub struct WriteThrottle {
    /// None: writes are not throttled (`--writes-per-second 0`).
    users: Option<Arc<UserLimiter>>,
}

impl std::fmt::Debug for WriteThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteThrottle").finish_non_exhaustive()
    }
}

impl WriteThrottle {
    /// `per_second` writes a second per person, three times as many at
    /// once; 0 turns the throttle off.
    pub fn new(per_second: u32) -> WriteThrottle {
        let users = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(per_second.saturating_mul(3)).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        WriteThrottle { users }
    }

    /// Counts a write of `user`; `Err(seconds to wait)` over the quota.
    pub fn write(&self, user: &str) -> Result<(), u64> {
        let Some(users) = self.users.as_ref() else {
            return Ok(());
        };
        users.check_key(&user.to_owned()).map_err(|not_until| {
            let now = governor::clock::Clock::now(&governor::clock::DefaultClock::default());
            not_until.wait_time_from(now).as_secs() + 1
        })
    }
}

/// The client's address: the peer, or behind a trusted proxy the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn waits_double_after_the_free_failures() {
        assert_eq!(pair_wait(FREE_FAILURES - 1, Duration::ZERO), None);
        assert_eq!(
            pair_wait(FREE_FAILURES, Duration::ZERO),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            pair_wait(FREE_FAILURES + 3, Duration::ZERO),
            Some(Duration::from_secs(8))
        );
        assert_eq!(pair_wait(FREE_FAILURES + 3, Duration::from_secs(8)), None);
        assert_eq!(
            pair_wait(FREE_FAILURES + 40, Duration::ZERO),
            Some(MAX_WAIT)
        );
    }

    #[test]
    fn a_stranger_never_slows_the_owner() {
        let clock = ManualClock::new(at("2026-12-07T10:00:00Z"));
        let t = SignInThrottle::new(Arc::new(clock.clone()));
        let (stranger, owner): (IpAddr, IpAddr) = ([203, 0, 113, 9].into(), [192, 0, 2, 1].into());
        for _ in 0..FREE_FAILURES + 10 {
            t.failed("admin@acme.io", stranger);
        }
        assert!(t.check("admin@acme.io", stranger).is_err());
        assert_eq!(t.check("admin@acme.io", owner), Ok(()));
        clock.advance(chrono::Duration::minutes(16));
        assert_eq!(t.check("admin@acme.io", stranger), Ok(()), "the wait ends");
    }

    #[test]
    fn a_client_spraying_accounts_is_held() {
        let clock = ManualClock::new(at("2026-12-07T10:00:00Z"));
        let t = SignInThrottle::new(Arc::new(clock.clone()));
        let sprayer: IpAddr = [203, 0, 113, 7].into();
        for i in 0..=CLIENT_BURST {
            assert_eq!(t.check(&format!("user{i}@acme.io"), sprayer), Ok(()));
            t.failed(&format!("user{i}@acme.io"), sprayer);
        }
        assert!(t.check("someone.else@acme.io", sprayer).is_err());
        assert_eq!(
            t.check("someone.else@acme.io", [192, 0, 2, 1].into()),
            Ok(())
        );
    }

    #[test]
    fn the_client_is_read_through_trusted_proxies_only() {
        let proxy: IpAddr = [10, 0, 0, 1].into();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "198.51.100.4, 10.0.0.2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        let trusted = [proxy, [10, 0, 0, 2].into()];
        assert_eq!(
            client_address(proxy, &h, &trusted),
            IpAddr::from([198, 51, 100, 4])
        );
        let untrusted: IpAddr = [203, 0, 113, 1].into();
        assert_eq!(
            client_address(untrusted, &h, &trusted),
            untrusted,
            "a forged header is ignored"
        );
    }
}
