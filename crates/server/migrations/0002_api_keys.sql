-- API keys expire, and keep the scopes they were created with.
ALTER TABLE api_keys ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';
