//! Notifications against real receivers started here: an HTTP server
//! collecting webhooks and an SMTP sink speaking the protocol over TCP.
//! Both are down while the first requests are made, then come up: every
//! notification arrives exactly once, to the right people, and the
//! outbox shows how each delivery went. The app clock is controlled, so
//! retries happen when the test moves time past their backoff.

use std::collections::BTreeMap;
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

    // Down: every attempt fails, is recorded, and waits for its backoff.
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 0);
    let after_one = outbox(&s).await;
    for n in after_one.values() {
        assert_eq!(n["status"], "pending", "{n}");
        assert_eq!(n["attempts"], 1, "{n}");
        assert!(!n["lastError"].as_str().unwrap().is_empty());
        assert_eq!(n["nextAttemptAt"], "2026-11-22T10:00:02.000Z");
    }
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 0);
    assert!(
        outbox(&s).await.values().all(|n| n["attempts"] == 1),
        "nothing is retried before its backoff"
    );
    s.clock.advance(Duration::seconds(2));
    assert_eq!(notify::deliver_due(&s.state).await.unwrap(), 0);
    assert!(
        outbox(&s)
            .await
            .values()
            .all(|n| n["attempts"] == 2 && n["nextAttemptAt"] == "2026-11-22T10:00:06.000Z")
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
            &json!({"agentPoolId": "pool-auto", "period": "1d", "reason": "on call"}),
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
    assert!(all.values().any(
        |n| n["channel"] == "webhook" && n["text"].as_str().unwrap().contains("self-approved")
    ));
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
    let (status, v) = admin
        .post("/api/v1/notifications/no-such-id/retry", &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["code"], "notification.id.unknown");

    let (status, v) = admin.get("/api/v1/notifications?status=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["fieldErrors"][0]["field"], "status");
    let (status, v) = req.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    let (status, _) = req
        .post(&format!("/api/v1/notifications/{id}/retry"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
