-- Which grants and requests each commit changed: a reader holding the
-- company of an earlier generation reads only those again and makes the
-- new snapshot from them (src/store/company.rs), instead of reading and
-- indexing the whole company after every write.
--
-- One row per grant or request a statement touches; a row for the one the
-- last row already names is not added again (a grant's list rows follow its
-- own). The sweeper removes old rows and records in `pruned_to` the last
-- sequence number removed: a reader that read before it reads everything.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'request')),
    id TEXT NOT NULL
);
ALTER TABLE generation ADD COLUMN pruned_to INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER changes_grants_i AFTER INSERT ON grants
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = NEW.id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', NEW.id); END;
CREATE TRIGGER changes_grants_u AFTER UPDATE OF id, name, incident_id, created_ms, created_by, expires_ms, deleted_ms ON grants BEGIN
    INSERT INTO changes (kind, id) VALUES ('grant', NEW.id);
    INSERT INTO changes (kind, id) SELECT 'grant', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER changes_grants_d AFTER DELETE ON grants
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = OLD.id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', OLD.id); END;
CREATE TRIGGER changes_grant_pools_i AFTER INSERT ON grant_pools
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = NEW.grant_id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', NEW.grant_id); END;
CREATE TRIGGER changes_grant_pools_u AFTER UPDATE ON grant_pools BEGIN
    INSERT INTO changes (kind, id) VALUES ('grant', NEW.grant_id);
    INSERT INTO changes (kind, id) SELECT 'grant', OLD.grant_id WHERE OLD.grant_id IS NOT NEW.grant_id;
END;
CREATE TRIGGER changes_grant_pools_d AFTER DELETE ON grant_pools
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = OLD.grant_id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', OLD.grant_id); END;
CREATE TRIGGER changes_grant_users_i AFTER INSERT ON grant_users
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = NEW.grant_id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', NEW.grant_id); END;
CREATE TRIGGER changes_grant_users_u AFTER UPDATE ON grant_users BEGIN
    INSERT INTO changes (kind, id) VALUES ('grant', NEW.grant_id);
    INSERT INTO changes (kind, id) SELECT 'grant', OLD.grant_id WHERE OLD.grant_id IS NOT NEW.grant_id;
END;
CREATE TRIGGER changes_grant_users_d AFTER DELETE ON grant_users
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = OLD.grant_id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', OLD.grant_id); END;
CREATE TRIGGER changes_grant_roles_i AFTER INSERT ON grant_roles
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = NEW.grant_id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', NEW.grant_id); END;
CREATE TRIGGER changes_grant_roles_u AFTER UPDATE ON grant_roles BEGIN
    INSERT INTO changes (kind, id) VALUES ('grant', NEW.grant_id);
    INSERT INTO changes (kind, id) SELECT 'grant', OLD.grant_id WHERE OLD.grant_id IS NOT NEW.grant_id;
END;
CREATE TRIGGER changes_grant_roles_d AFTER DELETE ON grant_roles
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'grant' AND id = OLD.grant_id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('grant', OLD.grant_id); END;
CREATE TRIGGER changes_requests_i AFTER INSERT ON access_requests
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'request' AND id = NEW.id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('request', NEW.id); END;
CREATE TRIGGER changes_requests_u AFTER UPDATE ON access_requests BEGIN
    INSERT INTO changes (kind, id) VALUES ('request', NEW.id);
    INSERT INTO changes (kind, id) SELECT 'request', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER changes_requests_d AFTER DELETE ON access_requests
    WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'request' AND id = OLD.id)
    BEGIN INSERT INTO changes (kind, id) VALUES ('request', OLD.id); END;
