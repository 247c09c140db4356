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
    /// An API key and the scopes it was created with.
    ApiKey {
        scopes: Vec<String>,
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
    /// An API key reaches only the categories of its scopes (the vendor's
    /// levels: COMPANY for Company config, SECURITY for Security, DEV for
    /// Environment, AppSec and Debugging Runbooks); a session reaches all.
    pub fn in_scope(&self, category: interim_policy::Category) -> Result<(), Error> {
        let Credential::ApiKey { scopes } = &self.credential else {
            return Ok(());
        };
        let needed = interim_policy::user::scope_for(category);
        if scopes.iter().any(|s| s == needed) {
            Ok(())
        } else {
            Err(Error::forbidden(
                "auth.key.scope",
                format!("this API key lacks the `{needed}` scope"),
            ))
        }
    }

    /// Keys are managed with a signed-in session, never with a key.
    pub fn not_a_key(&self) -> Result<(), Error> {
        match self.credential {
            Credential::ApiKey { .. } => Err(Error::forbidden(
                "auth.key.not_allowed",
                "API keys cannot manage API keys: sign in",
            )),
            Credential::Session { .. } => Ok(()),
        }
    }
}
