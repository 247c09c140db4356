-- Interim's schema for SQLite. Times are UTC milliseconds since the epoch
-- (INTEGER); lists that are always read whole are JSON text.

CREATE TABLE settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    company_id TEXT NOT NULL,
    rbac_enabled INTEGER NOT NULL,
    limits TEXT NOT NULL
);

CREATE TABLE users (
    email_key TEXT PRIMARY KEY,          -- lower-case e-mail
    id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    roles TEXT NOT NULL,                 -- JSON array of wire names
    password_hash TEXT,
    created_ms INTEGER NOT NULL,
    created_by TEXT,
    modified_ms INTEGER NOT NULL,
    modified_by TEXT,
    last_login_ms INTEGER
);

CREATE TABLE agent_pools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    request_settings TEXT,               -- JSON, NULL when requests are off by default
    access_reviewers TEXT NOT NULL,      -- JSON array of e-mails
    created_ms INTEGER NOT NULL,
    created_by TEXT
);

CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    agent_pool_ids TEXT NOT NULL,        -- JSON
    roles TEXT NOT NULL,                 -- JSON
    members TEXT NOT NULL,               -- JSON [{email, groupAdmin, elevatedRoles}]
    request_overrides TEXT NOT NULL,     -- JSON
    created_ms INTEGER NOT NULL,
    created_by TEXT,
    modified_ms INTEGER NOT NULL,
    modified_by TEXT
);

CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    agent_pool_ids TEXT NOT NULL,        -- JSON
    user_emails TEXT NOT NULL,           -- JSON
    roles TEXT NOT NULL,                 -- JSON
    incident_id TEXT,
    created_ms INTEGER NOT NULL,
    created_by TEXT,
    expires_ms INTEGER NOT NULL,
    deleted_ms INTEGER,
    deleted_by TEXT,
    expiry_logged INTEGER NOT NULL DEFAULT 0   -- the sweeper wrote grant.expired
);
CREATE INDEX grants_live ON grants (deleted_ms, expires_ms);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    email_key TEXT NOT NULL REFERENCES users (email_key) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    email_key TEXT NOT NULL REFERENCES users (email_key) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL,               -- JSON
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_time ON audit_events (time_ms);
CREATE INDEX audit_action ON audit_events (action);
