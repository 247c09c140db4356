-- One-time activation links (the vendor's `activationLink`): a person
-- created without a password sets one through the link. Only the token's
-- hash is stored; a link is used once, lives 7 days, and a new link for
-- the same person (or a password set another way) ends the older ones.
CREATE TABLE activations (
    token_hash TEXT PRIMARY KEY,
    email_key TEXT NOT NULL REFERENCES users (email_key) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX activations_user ON activations (email_key);
