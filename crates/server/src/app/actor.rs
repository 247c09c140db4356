//! Who acts: a person signed in (by session or API key) or the system,
//! and the secrets that prove it (argon2id passwords, hashed tokens).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use interim_policy::snapshot::UserIdx;
use sha2::{Digest, Sha256};

use super::Error;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::internal("salt", e))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal("salt", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal("password hash", e))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A random token: 32 bytes, hex.
pub fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal("token", e))?;
    Ok(hex(&bytes))
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How the caller proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Session {
        token_hash: String,
    },
    /// An API key: the scopes it was created with and when it expires
    /// (a key it makes may be no wider).
    ApiKey {
        scopes: Vec<interim_policy::key_scope::KeyScope>,
        expires_at: chrono::DateTime<chrono::Utc>,
    },
}

/// The signed-in caller.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The e-mail as stored.
    pub email: String,
    pub idx: UserIdx,
    pub credential: Credential,
}

impl Actor {
    /// The calling key, when the actor is one (for rotation rules).
    pub fn calling_key(&self) -> Option<interim_policy::key_scope::CallingKey> {
        match &self.credential {
            Credential::ApiKey { scopes, expires_at } => {
                Some(interim_policy::key_scope::CallingKey {
                    scopes: scopes.clone(),
                    expires_at: *expires_at,
                })
            }
            Credential::Session { .. } => None,
        }
    }

    /// What only a person signed in may do (set a password).
    /// Whether the caller came with an API key (not a session).
    pub fn by_key(&self) -> bool {
        matches!(self.credential, Credential::ApiKey { .. })
    }

    pub fn not_a_key(&self, what: &str) -> Result<(), Error> {
        match self.credential {
            Credential::ApiKey { .. } => Err(Error::forbidden(
                "auth.key.not_allowed",
                format!("an API key cannot {what}: sign in"),
            )),
            Credential::Session { .. } => Ok(()),
        }
    }
}
