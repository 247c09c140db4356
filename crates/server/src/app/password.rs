//! Changing one's own password: the current one is required (a session
//! left open must not be enough to take the account over), the new one
//! follows the policy's rule, and every other session of the person ends —
//! the one that made the change stays signed in. Wrong current passwords
//! count as failed sign-ins (`throttle.rs`); every attempt is audited.

use interim_policy::audit::AuditAction;
use interim_policy::user::validate_password;
use serde_json::json;

use super::actor::{hash_password, verify_password};
use super::{Actor, Credential, Error, Kind, Result, record};
use crate::AppState;
use crate::store::key;

pub async fn change(
    state: &AppState,
    actor: &Actor,
    current: &str,
    new: &str,
    client: std::net::IpAddr,
) -> Result<()> {
    let Credential::Session { token_hash } = &actor.credential else {
        return actor.not_a_key("change a password");
    };
    validate_password(new).map_err(|v| {
        Error::violations(
            v.into_iter()
                .map(|mut v| {
                    v.field = "newPassword".to_owned();
                    v
                })
                .collect(),
        )
    })?;
    let k = key(&actor.email);
    if let Err(wait) = state.throttle.check(&k, client) {
        return Err(Error::new(
            Kind::TooMany(wait),
            "auth.password.rate_limited",
            format!("too many wrong passwords from here: try again in {wait} seconds"),
        ));
    }
    let stored = state.store.password_hash(&k).await?;
    let right = stored
        .as_deref()
        .is_some_and(|h| verify_password(current, h));
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let target = format!("user:{}", actor.email);
    if !right {
        state.throttle.failed(&k, client);
        let why = "refused: the current password was wrong".to_owned();
        let details = json!({ "address": client.to_string() });
        let action = AuditAction::PasswordChanged;
        record(
            &mut tx,
            &actor.email,
            now,
            action,
            target,
            details,
            Some(why),
        )
        .await?;
        tx.commit().await?;
        return Err(Error::invalid(
            "auth.password.wrong",
            "currentPassword",
            "the current password is not right",
        ));
    }
    state.throttle.succeeded(&k, client);
    tx.change_password(&k, &hash_password(new)?, token_hash)
        .await?;
    let details = json!({ "otherSessionsEnded": true });
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::PasswordChanged,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
