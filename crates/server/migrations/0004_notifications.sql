-- The outbox of access-request notifications (SPEC §4): written in the same
-- transaction as the request's change, delivered afterwards with retries.

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,                 -- request.created | request.approved | request.denied | request.expired | request.revoked
    request_id TEXT NOT NULL,
    channel TEXT NOT NULL,               -- webhook | email
    recipient TEXT NOT NULL,             -- the URL, or the e-mail address
    subject TEXT NOT NULL,
    body TEXT NOT NULL,                  -- the webhook's JSON, or the mail's text
    status TEXT NOT NULL,                -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error TEXT,
    created_ms INTEGER NOT NULL,
    delivered_ms INTEGER
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_ms);
CREATE INDEX notifications_created ON notifications (created_ms);
