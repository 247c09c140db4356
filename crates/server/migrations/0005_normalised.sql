-- Lists as join tables with foreign keys, e-mail keys in their own columns,
-- and a generation that every change to the company advances.
--
-- The JSON list columns of earlier releases are read into these tables and
-- dropped by the server at start-up (src/store/upgrade.rs): the keys are
-- the policy's, which SQL cannot compute (lower() folds ASCII only).

-- `value` counts every change to the company; each other column the
-- changes to one aggregate, so a reader re-reads only what changed.
CREATE TABLE generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL,
    settings INTEGER NOT NULL DEFAULT 0,
    users INTEGER NOT NULL DEFAULT 0,
    pools INTEGER NOT NULL DEFAULT 0,
    groups INTEGER NOT NULL DEFAULT 0,
    grants INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    delegations INTEGER NOT NULL DEFAULT 0
);
INSERT INTO generation (id, value) VALUES (1, 0);

CREATE TABLE user_roles (
    email_key TEXT NOT NULL REFERENCES users (email_key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (email_key, position)
);

CREATE TABLE pool_reviewers (
    pool_id TEXT NOT NULL REFERENCES agent_pools (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL REFERENCES users (email_key) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, position)
);
CREATE INDEX pool_reviewers_user ON pool_reviewers (email_key);

CREATE TABLE group_pools (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    pool_id TEXT NOT NULL REFERENCES agent_pools (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, position)
);
CREATE INDEX group_pools_pool ON group_pools (pool_id);

CREATE TABLE group_roles (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (group_id, position)
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    email_key TEXT NOT NULL REFERENCES users (email_key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    email TEXT NOT NULL,
    group_admin INTEGER NOT NULL,
    PRIMARY KEY (group_id, email_key)
);
CREATE INDEX group_members_user ON group_members (email_key);

CREATE TABLE group_member_roles (
    group_id TEXT NOT NULL,
    email_key TEXT NOT NULL,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (group_id, email_key, position),
    FOREIGN KEY (group_id, email_key) REFERENCES group_members (group_id, email_key) ON DELETE CASCADE
);

-- A group's request settings for one of its pools (the settings are one
-- object, kept as JSON like a pool's).
CREATE TABLE group_overrides (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    pool_id TEXT NOT NULL REFERENCES agent_pools (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    request_settings TEXT NOT NULL,
    PRIMARY KEY (group_id, pool_id)
);

-- A grant's pools are history: a pool may be deleted after the grant ends.
CREATE TABLE grant_pools (
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    pool_id TEXT NOT NULL,
    PRIMARY KEY (grant_id, position)
);

CREATE TABLE grant_users (
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL REFERENCES users (email_key) ON DELETE CASCADE,
    PRIMARY KEY (grant_id, position)
);
CREATE INDEX grant_users_user ON grant_users (email_key);

CREATE TABLE grant_roles (
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (grant_id, position)
);

ALTER TABLE access_requests ADD COLUMN requester_key TEXT REFERENCES users (email_key) ON DELETE CASCADE;
CREATE INDEX access_requests_requester ON access_requests (requester_key);
ALTER TABLE delegations ADD COLUMN from_key TEXT REFERENCES users (email_key) ON DELETE CASCADE;
ALTER TABLE delegations ADD COLUMN to_key TEXT REFERENCES users (email_key) ON DELETE CASCADE;
-- The e-mail key of an e-mail notification's recipient (NULL for webhooks).
ALTER TABLE notifications ADD COLUMN recipient_key TEXT;
CREATE INDEX notifications_request ON notifications (request_id);

-- Every change to what the company snapshot holds advances the generation.
-- Bookkeeping the snapshot does not read (sign-in times, password hashes,
-- the sweeper's expiry mark) leaves it alone.
CREATE TRIGGER gen_settings_i AFTER INSERT ON settings BEGIN UPDATE generation SET value = value + 1, settings = settings + 1; END;
CREATE TRIGGER gen_settings_u AFTER UPDATE ON settings BEGIN UPDATE generation SET value = value + 1, settings = settings + 1; END;
CREATE TRIGGER gen_users_i AFTER INSERT ON users BEGIN UPDATE generation SET value = value + 1, users = users + 1; END;
CREATE TRIGGER gen_users_u AFTER UPDATE OF email_key, email, first_name, last_name, enabled ON users BEGIN UPDATE generation SET value = value + 1, users = users + 1; END;
CREATE TRIGGER gen_users_d AFTER DELETE ON users BEGIN UPDATE generation SET value = value + 1, users = users + 1; END;
CREATE TRIGGER gen_user_roles_i AFTER INSERT ON user_roles BEGIN UPDATE generation SET value = value + 1, users = users + 1; END;
CREATE TRIGGER gen_user_roles_u AFTER UPDATE ON user_roles BEGIN UPDATE generation SET value = value + 1, users = users + 1; END;
CREATE TRIGGER gen_user_roles_d AFTER DELETE ON user_roles BEGIN UPDATE generation SET value = value + 1, users = users + 1; END;
CREATE TRIGGER gen_pools_i AFTER INSERT ON agent_pools BEGIN UPDATE generation SET value = value + 1, pools = pools + 1; END;
CREATE TRIGGER gen_pools_u AFTER UPDATE ON agent_pools BEGIN UPDATE generation SET value = value + 1, pools = pools + 1; END;
CREATE TRIGGER gen_pools_d AFTER DELETE ON agent_pools BEGIN UPDATE generation SET value = value + 1, pools = pools + 1; END;
CREATE TRIGGER gen_pool_reviewers_i AFTER INSERT ON pool_reviewers BEGIN UPDATE generation SET value = value + 1, pools = pools + 1; END;
CREATE TRIGGER gen_pool_reviewers_u AFTER UPDATE ON pool_reviewers BEGIN UPDATE generation SET value = value + 1, pools = pools + 1; END;
CREATE TRIGGER gen_pool_reviewers_d AFTER DELETE ON pool_reviewers BEGIN UPDATE generation SET value = value + 1, pools = pools + 1; END;
CREATE TRIGGER gen_groups_i AFTER INSERT ON groups BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_groups_u AFTER UPDATE ON groups BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_groups_d AFTER DELETE ON groups BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_pools_i AFTER INSERT ON group_pools BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_pools_u AFTER UPDATE ON group_pools BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_pools_d AFTER DELETE ON group_pools BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_roles_i AFTER INSERT ON group_roles BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_roles_u AFTER UPDATE ON group_roles BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_roles_d AFTER DELETE ON group_roles BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_members_i AFTER INSERT ON group_members BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_members_u AFTER UPDATE ON group_members BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_members_d AFTER DELETE ON group_members BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_member_roles_i AFTER INSERT ON group_member_roles BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_member_roles_u AFTER UPDATE ON group_member_roles BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_member_roles_d AFTER DELETE ON group_member_roles BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_overrides_i AFTER INSERT ON group_overrides BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_overrides_u AFTER UPDATE ON group_overrides BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_group_overrides_d AFTER DELETE ON group_overrides BEGIN UPDATE generation SET value = value + 1, groups = groups + 1; END;
CREATE TRIGGER gen_grants_i AFTER INSERT ON grants BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grants_u AFTER UPDATE OF id, name, incident_id, created_ms, created_by, expires_ms, deleted_ms ON grants BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grants_d AFTER DELETE ON grants BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_pools_i AFTER INSERT ON grant_pools BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_pools_u AFTER UPDATE ON grant_pools BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_pools_d AFTER DELETE ON grant_pools BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_users_i AFTER INSERT ON grant_users BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_users_u AFTER UPDATE ON grant_users BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_users_d AFTER DELETE ON grant_users BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_roles_i AFTER INSERT ON grant_roles BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_roles_u AFTER UPDATE ON grant_roles BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_grant_roles_d AFTER DELETE ON grant_roles BEGIN UPDATE generation SET value = value + 1, grants = grants + 1; END;
CREATE TRIGGER gen_requests_i AFTER INSERT ON access_requests BEGIN UPDATE generation SET value = value + 1, requests = requests + 1; END;
CREATE TRIGGER gen_requests_u AFTER UPDATE ON access_requests BEGIN UPDATE generation SET value = value + 1, requests = requests + 1; END;
CREATE TRIGGER gen_requests_d AFTER DELETE ON access_requests BEGIN UPDATE generation SET value = value + 1, requests = requests + 1; END;
CREATE TRIGGER gen_delegations_i AFTER INSERT ON delegations BEGIN UPDATE generation SET value = value + 1, delegations = delegations + 1; END;
CREATE TRIGGER gen_delegations_u AFTER UPDATE ON delegations BEGIN UPDATE generation SET value = value + 1, delegations = delegations + 1; END;
CREATE TRIGGER gen_delegations_d AFTER DELETE ON delegations BEGIN UPDATE generation SET value = value + 1, delegations = delegations + 1; END;

-- A grant and its lists written in one statement: a statement costs about
-- 0.1 ms through the driver here, more than its rows. Users come as
-- [[email, key], …], the key computed by the policy.
CREATE VIEW grant_writes AS
    SELECT id, name, incident_id, created_ms, created_by, expires_ms,
           '[]' AS pools, '[]' AS users, '[]' AS roles
    FROM grants WHERE 0;
CREATE TRIGGER grant_writes_insert INSTEAD OF INSERT ON grant_writes BEGIN
    INSERT INTO grants (id, name, incident_id, created_ms, created_by, expires_ms)
        VALUES (NEW.id, NEW.name, NEW.incident_id, NEW.created_ms, NEW.created_by, NEW.expires_ms);
    INSERT INTO grant_pools (grant_id, position, pool_id)
        SELECT NEW.id, key, value FROM json_each(NEW.pools);
    INSERT INTO grant_users (grant_id, position, email, email_key)
        SELECT NEW.id, key, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(NEW.users);
    INSERT INTO grant_roles (grant_id, position, role)
        SELECT NEW.id, key, value FROM json_each(NEW.roles);
END;
