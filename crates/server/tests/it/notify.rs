//! Notifications against real receivers started here: an HTTP server
//! collecting webhooks and an SMTP sink speaking the protocol over TCP.
//! Both are down while the first requests are made, then come up: every
//! notification arrives exactly once, to the right people, and the
//! outbox shows how each delivery went. The app clock is controlled, so
//! retries happen when the test moves time past their backoff.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::HeaderMap;
use chrono::Duration;
use interim_server::notify::{self, Channels, MAX_ATTEMPTS};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::{Server, corpus_company, default_now};

/// A webhook as received: its Idempotency-Key and body.
type Hook = (Option<String>, Value);
/// A mail as received: its recipients and text.
type Mail = (Vec<String>, String);

/// What the receivers got.
#[derive(Clone, Default)]
struct Inbox {
    hooks: Arc<Mutex<Vec<Hook>>>,
    mails: Arc<Mutex<Vec<Mail>>>,
}

/// A free port, not listening (the receivers are "down").
async fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap()
}

/// The webhook receiver on `addr`.
async fn start_webhooks(addr: SocketAddr, inbox: Inbox) {
    let hooks = inbox.hooks.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let hooks = hooks.clone();
            async move {
                let key = headers
                    .get("idempotency-key")
                    .map(|v| v.to_str().unwrap().to_owned());
                hooks.lock().unwrap().push((key, body));
                "ok"
            }
        }),
    );
    let listener = TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

/// A minimal SMTP server on `addr` that keeps every message.
async fn start_smtp_sink(addr: SocketAddr, inbox: Inbox) {
    let listener = TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let mails = inbox.mails.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ready\r\n").await.unwrap();
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "MAIL" => {
                            to.clear();
                            b"250 ok\r\n"
                        }
                        "RCPT" => {
                            let addr = line.split(['<', '>']).nth(1).unwrap_or("").to_owned();
                            to.push(addr);
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            write.write_all(b"354 go on\r\n").await.unwrap();
                            let mut text = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                text.push_str(&l);
                                text.push('\n');
                            }
                            mails.lock().unwrap().push((to.clone(), text));
                            b"250 kept\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
}

/// The corpus's small company without stored requests, notifying a webhook
/// and an SMTP server at the given (possibly not yet listening) addresses.
async fn start(hook: SocketAddr, smtp: SocketAddr) -> Server {
    let mut company = corpus_company("small");
    company.requests.clear();
    company.delegations.clear();
    let channels = Channels::new(
        vec![format!("http://{hook}/hook")],
        Some(format!("smtp://{smtp}")),
        "Interim <interim@acme.io>".into(),
        "https://interim.acme.io".into(),
    )
    .unwrap();
    Server::start_with(&company, default_now(), channels).await
}

/// The outbox as admins see it, by id.
async fn outbox(s: &Server) -> BTreeMap<String, Value> {
    let admin = s.sign_in("admin@acme.io").await;
    let (status, v) = admin.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap().to_owned(), n.clone()))
        .collect()
}

/// The Message-ID of a mail's text.
fn message_id(mail: &str) -> String {
    mail.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn every_notification_arrives_exactly_once_after_the_receivers_come_up() {
    let (hook_addr, smtp_addr) = (free_port().await, free_port().await);
    let s = start(hook_addr, smtp_addr).await;
    let req = s.sign_in("req@acme.io").await;
    let req2 = s.sign_in("req2@acme.io").await;
    let reviewer = s.sign_in("reviewer@acme.io").await;

    // Receivers down: requesting still answers at once.
    let (status, first) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "4h", "reason": "INC-4211 replay", "ticketRef": "OPS-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, second) = req2
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "1h", "reason": "look at a log"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");

    let queued = outbox(&s).await;
    let created: Vec<&Value> = queued
        .values()
        .filter(|n| n["event"] == "request.created")
        .collect();
    let reviewers: Vec<&str> = created
        .iter()
        .filter(|n| n["channel"] == "email" && n["requestId"] == first["id"])
        .map(|n| n["recipient"].as_str().unwrap())
        .collect();
    assert!(reviewers.contains(&"reviewer@acme.io"), "{reviewers:?}");
    assert!(reviewers.contains(&"admin@acme.io"), "{reviewers:?}");
    assert!(
        !reviewers.contains(&"req@acme.io"),
        "a requester is not their own reviewer"
    );
    assert_eq!(
        created.iter().filter(|n| n["channel"] == "webhook").count(),
        2,
        "one webhook message per request"
    );
    let expected = queued.len();

    // Down: each receiver's first message fails and is recorded; the rest
    // of its queue waits for the same instant, no attempt counted.
    let receiver = |n: &Value| format!("{} {}", n["channel"], n["recipient"]);
    let receivers: BTreeSet<String> = queued.values().map(receiver).collect();
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 0);
    let after_one = outbox(&s).await;
    let mut tried = BTreeMap::new();
    for n in after_one.values() {
        assert_eq!(n["status"], "pending", "{n}");
        assert_eq!(n["nextAttemptAt"], "2026-11-22T10:00:02.000Z");
        match n["attempts"].as_i64().unwrap() {
            1 => {
                *tried.entry(receiver(n)).or_insert(0) += 1;
                let error = n["lastError"].as_str().unwrap().to_ascii_lowercase();
                assert!(
                    error.contains("refused"),
                    "the cause is kept, not only 'error sending request': {error}"
                );
                if n["channel"] == "webhook" {
                    assert!(!error.contains("/hook"), "the URL is not repeated: {error}");
                }
            }
            0 => assert_eq!(n["lastError"], Value::Null, "waits behind the first: {n}"),
            _ => panic!("tried twice in one pass: {n}"),
        }
    }
    assert_eq!(
        tried.keys().cloned().collect::<BTreeSet<_>>(),
        receivers,
        "every receiver was tried"
    );
    assert!(tried.values().all(|&c| c == 1), "once each: {tried:?}");
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 0);
    assert_eq!(
        outbox(&s).await,
        after_one,
        "nothing is retried before its backoff"
    );
    s.clock.advance(Duration::seconds(2));
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 0);
    let after_two = outbox(&s).await;
    assert!(
        after_two
            .values()
            .all(|n| n["nextAttemptAt"] == "2026-11-22T10:00:06.000Z")
    );
    assert_eq!(
        after_two.values().filter(|n| n["attempts"] == 2).count(),
        receivers.len()
    );

    // Up: the next pass after the backoff delivers everything.
    let inbox = Inbox::default();
    start_webhooks(hook_addr, inbox.clone()).await;
    start_smtp_sink(smtp_addr, inbox.clone()).await;
    s.clock.advance(Duration::seconds(4));
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), expected);

    // Outcomes: approved for less, denied with a comment, and one expires.
    let (status, v) = reviewer
        .post(
            &format!(
                "/api/v1/access-requests/{}/approve",
                first["id"].as_str().unwrap()
            ),
            &json!({"durationMinutes": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = reviewer
        .post(
            &format!(
                "/api/v1/access-requests/{}/deny",
                second["id"].as_str().unwrap()
            ),
            &json!({"comment": "use the read replica"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, third) = req2
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "1h", "reason": "again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{third}");
    s.clock.advance(Duration::hours(24));
    interim_server::sweeper::sweep_requests(&s.state)
        .await
        .unwrap();
    assert!(notify::deliver_due(&s.state).await.unwrap() > 0);
    // More passes, later: nothing is sent twice.
    for _ in 0..3 {
        s.clock.advance(Duration::minutes(20));
        assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 0);
    }

    let all = outbox(&s).await;
    assert!(all.values().all(|n| n["status"] == "delivered"), "{all:?}");
    let hooks = inbox.hooks.lock().unwrap().clone();
    let mails = inbox.mails.lock().unwrap().clone();
    let webhook_ids: Vec<&str> = hooks
        .iter()
        .map(|(_, b)| b["id"].as_str().unwrap())
        .collect();
    let mut distinct = webhook_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), webhook_ids.len(), "no webhook twice");
    let mail_ids: Vec<String> = mails.iter().map(|(_, m)| message_id(m)).collect();
    let mut distinct_mails = mail_ids.clone();
    distinct_mails.sort_unstable();
    distinct_mails.dedup();
    assert_eq!(distinct_mails.len(), mail_ids.len(), "no mail twice");
    // One receiver's messages arrive in the order they were written.
    let mut written: Vec<(&str, &str)> = all
        .values()
        .filter(|n| n["channel"] == "webhook")
        .map(|n| (n["createdAt"].as_str().unwrap(), n["id"].as_str().unwrap()))
        .collect();
    written.sort_unstable();
    let written: Vec<&str> = written.into_iter().map(|(_, id)| id).collect();
    assert_eq!(webhook_ids, written, "in order");
    let (in_outbox_hooks, in_outbox_mails): (Vec<&Value>, Vec<&Value>) =
        all.values().partition(|n| n["channel"] == "webhook");
    assert_eq!(hooks.len(), in_outbox_hooks.len());
    assert_eq!(mails.len(), in_outbox_mails.len());
    for n in &in_outbox_mails {
        let id = format!("<{}@interim>", n["id"].as_str().unwrap());
        assert!(mail_ids.contains(&id), "mail {id} arrived");
        assert!(n["attempts"].as_i64().unwrap() >= 1);
    }
    for (key, body) in &hooks {
        assert_eq!(
            key.as_deref(),
            body["id"].as_str(),
            "Idempotency-Key is the id"
        );
        assert!(
            body["text"].as_str().is_some_and(|t| !t.is_empty()),
            "Slack-compatible text: {body}"
        );
    }

    // The requester hears each outcome; reviewers heard of each request.
    let to = |who: &str, event: &str| {
        all.values()
            .filter(|n| n["channel"] == "email" && n["recipient"] == who && n["event"] == event)
            .count()
    };
    assert_eq!(to("req@acme.io", "request.approved"), 1);
    assert_eq!(to("req2@acme.io", "request.denied"), 1);
    assert_eq!(to("req2@acme.io", "request.expired"), 1);
    assert_eq!(to("reviewer@acme.io", "request.created"), 3);
    assert_eq!(to("req@acme.io", "request.created"), 0);
    let approved = hooks
        .iter()
        .find(|(_, b)| b["event"] == "request.approved")
        .map(|(_, b)| b["text"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(
        approved.contains("*req@acme.io*") && approved.contains("1 hour (asked 4 hours)"),
        "{approved}"
    );
    let denied_mail = mails
        .iter()
        .find(|(rcpt, m)| rcpt == &vec!["req2@acme.io".to_owned()] && m.contains("Denied"))
        .map(|(_, m)| m.clone())
        .unwrap();
    assert!(
        denied_mail.contains("use the read replica"),
        "{denied_mail}"
    );
}

#[tokio::test]
async fn a_self_approval_tells_the_requester_not_the_reviewers() {
    let s = start(free_port().await, free_port().await).await;
    let req = s.sign_in("req2@acme.io").await;
    let (status, r) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-auto", "period": "1d", "reason": "<!channel> on call & <https://x.io|paged>"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "approved");
    let all = outbox(&s).await;
    let mails: Vec<(&str, &str)> = all
        .values()
        .filter(|n| n["channel"] == "email")
        .map(|n| {
            (
                n["recipient"].as_str().unwrap(),
                n["event"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(mails, vec![("req2@acme.io", "request.approved")]);
    let hook = all.values().find(|n| n["channel"] == "webhook").unwrap();
    let text = hook["text"].as_str().unwrap();
    assert!(text.contains("self-approved"), "{text}");
    assert!(
        text.contains("Reason: &lt;!channel&gt; on call &amp; &lt;https://x.io|paged&gt;."),
        "what people type makes no Slack mention or link: {text}"
    );
    let mail = all.values().find(|n| n["channel"] == "email").unwrap();
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("Reason: <!channel> on call & <https://x.io|paged>."),
        "mail is plain text, as typed: {mail}"
    );
    assert_eq!(
        hook["recipient"],
        format!("http://{}/…", s_hook_host(hook)),
        "a webhook is listed without its path"
    );
}

/// The host and port of a listed webhook recipient.
fn s_hook_host(n: &Value) -> String {
    let r = n["recipient"].as_str().unwrap();
    r.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn admins_see_the_outbox_and_retry_what_failed() {
    let s = start(free_port().await, free_port().await).await;
    let req = s.sign_in("req2@acme.io").await;
    let (status, _) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-auto", "period": "1d", "reason": "on call"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Nobody listens: after every attempt the notifications give up.
    for _ in 0..MAX_ATTEMPTS {
        notify::deliver_due(&s.state).await.unwrap();
        s.clock.advance(Duration::minutes(16));
    }
    let admin = s.sign_in("admin@acme.io").await;
    let (status, failed) = admin.get("/api/v1/notifications?status=failed").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(failed["total"], 2, "{failed}");
    assert_eq!(failed["channels"], json!({"webhooks": 1, "email": true}));
    let one = &failed["items"][0];
    assert_eq!(one["attempts"], MAX_ATTEMPTS);
    assert_eq!(one["nextAttemptAt"], Value::Null);

    let id = one["id"].as_str().unwrap();
    let (status, v) = admin
        .post(&format!("/api/v1/notifications/{id}/retry"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    let (_, pending) = admin.get("/api/v1/notifications?status=pending").await;
    assert_eq!(pending["total"], 1);
    assert_eq!(
        pending["items"][0]["attempts"], 0,
        "a retry gets the whole allowance again"
    );
    let (_, paged) = admin.get("/api/v1/notifications?size=1&page=1").await;
    assert_eq!(paged["total"], 2, "{paged}");
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert_eq!(paged["hasMore"], false);
    let (status, v) = admin.get("/api/v1/notifications?size=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["fieldErrors"][0]["field"], "size");
    let (status, v) = admin
        .post("/api/v1/notifications/no-such-id/retry", &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["code"], "notification.id.unknown");

    let (status, v) = admin.get("/api/v1/notifications?status=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["fieldErrors"][0]["field"], "status");
    // Days have passed: the requester signs in again, and may not look.
    let req = s.sign_in("req2@acme.io").await;
    let (status, v) = req.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    let (status, _) = req
        .post(&format!("/api/v1/notifications/{id}/retry"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The requester is deleted: their request's notifications go with it.
    let (status, v) = admin.delete("/api/v1/users/req2@acme.io").await;
    assert!(status.is_success(), "{status} {v}");
    let (_, left) = admin.get("/api/v1/notifications").await;
    assert_eq!(left["total"], 0, "{left}");
}

#[tokio::test]
async fn revocation_is_told_and_cancellations_refusals_and_no_channels_are_not() {
    let (hook_addr, smtp_addr) = (free_port().await, free_port().await);
    let inbox = Inbox::default();
    start_webhooks(hook_addr, inbox.clone()).await;
    start_smtp_sink(smtp_addr, inbox.clone()).await;
    let s = start(hook_addr, smtp_addr).await;
    let req = s.sign_in("req@acme.io").await;
    let reviewer = s.sign_in("reviewer@acme.io").await;
    let body = json!({"agentPoolId": "pool-locked", "period": "4h", "reason": "INC-7 rollback"});

    // Approved, then revoked by the reviewer: the requester hears of both.
    let (status, r) = req.post("/api/v1/access-requests", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_str().unwrap().to_owned();
    let (status, v) = reviewer
        .post(
            &format!("/api/v1/access-requests/{rid}/approve"),
            &json!({"durationMinutes": 90}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = reviewer
        .post(
            &format!("/api/v1/access-requests/{rid}/revoke"),
            &json!({"comment": "the rollback is done"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let told = outbox(&s).await.len();

    // Cancelled by the requester: nothing but the request's own notices.
    let (status, r) = req.post("/api/v1/access-requests", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let with_second = outbox(&s).await.len();
    assert!(with_second > told);
    let (status, v) = req
        .post_raw(
            &format!(
                "/api/v1/access-requests/{}/cancel",
                r["id"].as_str().unwrap()
            ),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(outbox(&s).await.len(), with_second, "a cancel is not told");

    // Refused (a period the pool does not offer): rolled back, nothing queued.
    let (status, v) = req
        .post(
            "/api/v1/access-requests",
            &json!({"agentPoolId": "pool-locked", "period": "1d", "reason": "longer"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(outbox(&s).await.len(), with_second, "a refusal is not told");

    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), with_second);
    let all = outbox(&s).await;
    let events = |rid: &str, channel: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = all
            .values()
            .filter(|n| n["requestId"] == rid && n["channel"] == channel)
            .map(|n| {
                (
                    n["event"].as_str().unwrap().to_owned(),
                    n["recipient"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let hook = format!("http://{hook_addr}/…");
    assert_eq!(
        events(&rid, "webhook"),
        [
            ("request.approved".to_owned(), hook.clone()),
            ("request.created".to_owned(), hook.clone()),
            ("request.revoked".to_owned(), hook.clone()),
        ]
    );
    let mails = events(&rid, "email");
    assert!(mails.contains(&("request.revoked".to_owned(), "req@acme.io".to_owned())));
    assert!(mails.contains(&("request.approved".to_owned(), "req@acme.io".to_owned())));
    assert!(
        mails
            .iter()
            .all(|(e, to)| (e == "request.created") != (to == "req@acme.io")),
        "reviewers hear of the request, the requester of its outcomes: {mails:?}"
    );

    let hooks = inbox.hooks.lock().unwrap().clone();
    let revoked = hooks
        .iter()
        .map(|(_, b)| b)
        .find(|b| b["event"] == "request.revoked")
        .unwrap();
    assert_eq!(revoked["request"]["id"], rid.as_str());
    assert_eq!(revoked["request"]["status"], "revoked");
    assert_eq!(revoked["request"]["agentPoolId"], "pool-locked");
    assert_eq!(revoked["request"]["requester"], "req@acme.io");
    assert!(
        revoked["text"]
            .as_str()
            .unwrap()
            .contains("revoked by reviewer@acme.io"),
        "{revoked}"
    );
    assert!(
        revoked["text"]
            .as_str()
            .unwrap()
            .contains("Comment: the rollback is done"),
        "the reviewer says why: {revoked}"
    );
    let text_of = |event: &str| {
        hooks
            .iter()
            .map(|(_, b)| b)
            .find(|b| b["event"] == event && b["request"]["id"] == rid.as_str())
            .map(|b| b["text"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let created = text_of("request.created");
    assert!(created.contains("for 4 hours"), "{created}");
    assert!(created.contains("Reason: INC-7 rollback"), "{created}");
    let approved = text_of("request.approved");
    assert!(approved.contains("90 minutes"), "{approved}");
    assert!(
        approved.contains("Ledger production (pool-locked)"),
        "{approved}"
    );
    let mails = inbox.mails.lock().unwrap().clone();
    let revoked_mail = mails
        .iter()
        .find(|(to, m)| to == &["req@acme.io".to_owned()] && m.contains("Subject: Revoked"))
        .map(|(_, m)| m.clone())
        .unwrap();
    assert!(
        revoked_mail.contains("https://interim.acme.io/requests"),
        "{revoked_mail}"
    );
    let review_mail = mails
        .iter()
        .find(|(to, m)| to == &["reviewer@acme.io".to_owned()] && m.contains("INC-7 rollback"))
        .map(|(_, m)| m.clone())
        .unwrap();
    assert!(
        review_mail.contains("https://interim.acme.io/reviews"),
        "{review_mail}"
    );

    // Without channels nothing is queued at all.
    let mut company = corpus_company("small");
    company.requests.clear();
    company.delegations.clear();
    let quiet = Server::start(&company, default_now()).await;
    let req = quiet.sign_in("req@acme.io").await;
    let (status, _) = req.post("/api/v1/access-requests", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    let admin = quiet.sign_in("admin@acme.io").await;
    let (_, v) = admin.get("/api/v1/notifications").await;
    assert_eq!(v["total"], 0, "{v}");
    assert_eq!(v["channels"], json!({"webhooks": 0, "email": false}));
    assert_eq!(notify::deliver_due(&quiet.state).await.unwrap(), 0);
}

/// Issue 16: the signed checkpoints stayed on the server's machine. The
/// latest one now goes to the webhooks with the public key, at most once
/// an hour (`--audit-webhook-every`) and only when the log grew; what the
/// receiver gets verifies against the key.
#[tokio::test]
async fn signed_checkpoints_reach_the_webhooks_once_per_period() {
    use interim_server::checkpoints::{self, Checkpoints};
    let hook = free_port().await;
    let inbox = Inbox::default();
    start_webhooks(hook, inbox.clone()).await;
    let dir = crate::support::temp_db().with_extension("checkpoint-hooks");
    std::fs::create_dir_all(&dir).unwrap();
    let cps = Checkpoints::open(None, &dir.join("key"), &dir.join("checkpoints"))
        .unwrap()
        .sent_to_webhooks_every(Some(Duration::hours(1)));
    let public_key = cps.public_key();
    let channels = Channels::new(
        vec![format!("http://{hook}/hook")],
        None,
        "Interim <interim@acme.io>".into(),
        "https://interim.acme.io".into(),
    )
    .unwrap();
    let s = Server::start_configured(&corpus_company("small"), default_now(), move |state| {
        state.channels = Arc::new(channels);
        state.checkpoints = Some(Arc::new(cps));
    })
    .await;
    let admin = s.sign_in("admin@acme.io").await;
    let grow = |name: &'static str| {
        let admin = &admin;
        async move {
            let body =
                json!({"email": format!("{name}@acme.io"), "firstName": name, "lastName": "X"});
            let (status, v) = admin.post("/api/v1/users", &body).await;
            assert_eq!(status, StatusCode::CREATED, "{v}");
        }
    };
    grow("one").await;
    checkpoints::checkpoint(&s.state).await.unwrap();
    assert!(
        checkpoints::publish(&s.state).await.unwrap(),
        "the first is sent at once"
    );
    assert!(
        !checkpoints::publish(&s.state).await.unwrap(),
        "the same one is not sent again"
    );
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 1);

    // Within the hour, a grown log waits; after it, it is sent.
    grow("two").await;
    checkpoints::checkpoint(&s.state).await.unwrap();
    s.clock.advance(Duration::minutes(30));
    assert!(!checkpoints::publish(&s.state).await.unwrap());
    s.clock.advance(Duration::minutes(31));
    assert!(checkpoints::publish(&s.state).await.unwrap());
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 1);

    let hooks = inbox.hooks.lock().unwrap().clone();
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    let mut counts = Vec::new();
    for (key, body) in &hooks {
        assert_eq!(body["event"], "audit.checkpoint", "{body}");
        assert_eq!(
            key.as_deref(),
            body["id"].as_str(),
            "Idempotency-Key is the id"
        );
        assert_eq!(body["publicKey"], public_key.as_str());
        let checkpoint: interim_policy::checkpoint::AuditCheckpoint =
            serde_json::from_value(body["checkpoint"].clone()).unwrap();
        assert!(
            interim_policy::checkpoint::signed_by(&public_key, &checkpoint),
            "{body}"
        );
        assert!(
            body["text"]
                .as_str()
                .unwrap()
                .contains("Audit log checkpoint")
        );
        counts.push(checkpoint.count);
    }
    assert!(
        counts[1] > counts[0],
        "the second vouches for more: {counts:?}"
    );
    let listed = outbox(&s).await;
    assert!(
        listed
            .values()
            .filter(|n| n["event"] == "audit.checkpoint")
            .all(|n| n["status"] == "delivered" && n["requestId"] == ""),
        "{listed:?}"
    );
}

/// Issue 17: an admin has a person's activation link e-mailed. The mail
/// carries a working link; the outbox never shows it to admins and erases
/// it once delivered; without an e-mail channel the request is refused and
/// nothing changes.
#[tokio::test]
async fn an_activation_link_is_emailed_and_erased_from_the_outbox() {
    let (hook, smtp) = (free_port().await, free_port().await);
    let inbox = Inbox::default();
    start_smtp_sink(smtp, inbox.clone()).await;
    let s = start(hook, smtp).await;
    let admin = s.sign_in("admin@acme.io").await;
    let (status, made) = admin
        .post(
            "/api/v1/users/dev@acme.io/activation-link",
            &json!({ "sendEmail": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made["emailed"], true);
    let link = made["activationLink"].as_str().unwrap().to_owned();
    let queued = outbox(&s).await;
    let mail = queued
        .values()
        .find(|n| n["event"] == "user.activation_link")
        .unwrap();
    assert_eq!(mail["recipient"], "dev@acme.io");
    assert!(
        !mail["text"].as_str().unwrap().contains("/activate#"),
        "{mail}"
    );
    notify::deliver_due(&s.state).await.unwrap();
    let mails = inbox.mails.lock().unwrap().clone();
    let (to, text) = mails
        .iter()
        .find(|(_, t)| t.contains("Set your Interim password"))
        .unwrap();
    assert_eq!(to, &vec!["dev@acme.io".to_owned()]);
    let token = link.rsplit('#').next().unwrap();
    assert!(
        text.replace("=\n", "").contains(token),
        "the mail carries the link: {text}"
    );
    let mut tx = s.state.store.begin().await.unwrap();
    let stored: String =
        sqlx::query_scalar("SELECT body FROM notifications WHERE event = 'user.activation_link'")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    drop(tx);
    assert_eq!(stored, "", "the delivered link is erased from the outbox");

    let quiet = Server::start(&corpus_company("small"), default_now()).await;
    let admin = quiet.sign_in("admin@acme.io").await;
    let (status, body) = admin
        .post(
            "/api/v1/users/dev@acme.io/activation-link",
            &json!({ "sendEmail": true }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fieldErrors"][0]["field"], "sendEmail");
}
