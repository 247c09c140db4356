//! Activation links: how a person created without a password sets one.
//!
//! Creating a user without a password (the API, the portal, the import)
//! makes a one-time link, the vendor's `activationLink`: the portal's
//! `/activate` page with a random token after `#` (a fragment, so it
//! reaches no server log). Only the token's hash is stored; the link lives
//! [`ACTIVATION_LINK_DAYS`] days, is used once, and a new link for the same
//! person (or a password set another way) ends the older ones. Making a
//! link and using it are audited. Links go to signed-in admins only: an
//! API key never receives one (it would let the key's holder sign in as
//! the person, beyond the key's scopes).

use chrono::{DateTime, Duration, Utc};
use interim_policy::answer::{Activated, ActivationLink};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::limits::ACTIVATION_LINK_DAYS;
use interim_policy::time::format_instant;
use interim_policy::user::validate_password;
use serde_json::json;

use super::actor::{hash_password, random_token, token_hash};
use super::{Actor, Error, Result, begin, begin_as, record};
use crate::AppState;
use crate::store::{WriteTx, from_ms, key};

/// Makes a link for `email` inside `tx` (ending any earlier one), audited
/// as `by`'s act: the link, and when it ends.
pub async fn issue(
    state: &AppState,
    tx: &mut WriteTx,
    by: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>)> {
    let token = random_token()?;
    let expires = now + Duration::days(ACTIVATION_LINK_DAYS);
    tx.insert_activation(&token_hash(&token), &key(email), now, expires)
        .await?;
    let details = json!({ "expiresAt": format_instant(expires) });
    record(
        tx,
        by,
        now,
        AuditAction::UserActivationLinkMade,
        format!("user:{email}"),
        details,
        None,
    )
    .await?;
    let base = state.channels.public_url.trim_end_matches('/');
    Ok((format!("{base}/activate#{token}"), expires))
}

/// A new link for an existing user (the old one ends): an admin's reset,
/// in a signed-in session only (whoever holds a link can sign in as the
/// person, so a key never gets one). With `send_email`, the link is also
/// e-mailed to the person through the outbox (refused when no e-mail
/// channel is configured).
pub async fn reissue(
    state: &AppState,
    actor: &Actor,
    email: &str,
    send_email: bool,
) -> Result<ActivationLink> {
    actor.not_a_key("make an activation link")?;
    if send_email && state.channels.smtp_url.is_none() {
        return Err(Error::invalid(
            "activation.email.unconfigured",
            "sendEmail",
            "No e-mail is configured: start the server with --smtp-url, or copy the link instead.",
        ));
    }
    let (mut tx, snapshot, now) =
        begin_as(state, actor, Operation::Users, Access::Change, None).await?;
    let user = snapshot
        .user_idx(email)
        .and_then(|u| snapshot.user(u))
        .ok_or_else(|| Error::not_found("user.email.unknown", format!("no user “{email}”")))?;
    let email = user.email.clone();
    let (link, expires) = issue(state, &mut tx, &actor.email, &email, now).await?;
    let emailed = send_email
        && crate::notify::enqueue_activation(&mut tx, &state.channels, &email, &link, expires, now)
            .await?;
    tx.commit().await?;
    if emailed {
        crate::notify::wake(&state.outbox);
    }
    Ok(ActivationLink {
        email,
        activation_link: link,
        expires_at: format_instant(expires),
        emailed,
    })
}

/// Sets the password of the link's account and uses the link up. An
/// unknown, used or expired link is refused alike (400 on `token`), and
/// nothing changes; so is a password the policy refuses (400 on
/// `password`, the link still good).
pub async fn activate(state: &AppState, token: &str, password: &str) -> Result<Activated> {
    validate_password(password).map_err(Error::violations)?;
    let (mut tx, snapshot, now) = begin(state).await?;
    let refused = || {
        Error::invalid(
            "auth.activation.invalid",
            "token",
            "this activation link is unknown, used or expired: ask an admin for a new one",
        )
    };
    let Some(link) = tx.take_activation(&token_hash(token)).await? else {
        return Err(refused());
    };
    let user = snapshot
        .user_idx(&link.email_key)
        .and_then(|u| snapshot.user(u))
        .filter(|u| u.enabled);
    let (Some(user), false) = (user, from_ms(link.expires_ms) <= now) else {
        // Dropping `tx` rolls back: an expired link stays expired, not gone.
        return Err(refused());
    };
    let email = user.email.clone();
    tx.set_password(&link.email_key, &hash_password(password)?)
        .await?;
    record(
        &mut tx,
        &email,
        now,
        AuditAction::UserActivated,
        format!("user:{email}"),
        json!({}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Activated { email })
}
