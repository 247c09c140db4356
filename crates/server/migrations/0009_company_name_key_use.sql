-- The company's display name (the vendor's Name & Plan page), and when each
-- API key was last used (its list shows it; written at most once a minute
-- per key, so a busy key does not turn reads into writes).
ALTER TABLE settings ADD COLUMN company_name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN last_used_ms INTEGER;
