-- Just-in-time access requests and reviewers' delegations (SPEC §4).

CREATE TABLE access_requests (
    id TEXT PRIMARY KEY,
    requester TEXT NOT NULL,
    agent_pool_id TEXT NOT NULL,
    status TEXT NOT NULL,                -- pending | approved | denied | cancelled | expired | revoked | ended
    approval TEXT NOT NULL,              -- manual | auto
    requested_minutes INTEGER NOT NULL,
    reason TEXT,
    ticket_ref TEXT,
    created_ms INTEGER NOT NULL,
    approved_ms INTEGER,
    ends_ms INTEGER,
    decided_by TEXT,
    comment TEXT,
    modified_ms INTEGER NOT NULL
);
CREATE INDEX access_requests_open ON access_requests (status, created_ms);

CREATE TABLE delegations (
    id TEXT PRIMARY KEY,
    from_email TEXT NOT NULL,
    to_email TEXT NOT NULL,
    starts_ms INTEGER NOT NULL,
    ends_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    deleted_ms INTEGER
);
