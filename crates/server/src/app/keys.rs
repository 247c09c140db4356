//! API keys: created by a signed-in person with WR on API keys, or by a
//! key with the `COMPANY` scope rotating itself (then no wider and no
//! longer lived than that key: `key_scope::plan_new_key`), carrying the
//! scopes they were given; the secret is shown once and stored hashed.

use interim_policy::answer::{ApiKey, ApiKeyChanged, NewApiKey};
use interim_policy::audit::AuditAction;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::key_scope::plan_new_key;
use interim_policy::time::format_instant;
use serde_json::json;

use super::actor::token_hash;
use super::{Actor, Error, Result, new_id, record, require};
use crate::AppState;
use crate::store::{ApiKeyRecord, from_ms, key};

fn answer(k: ApiKeyRecord) -> ApiKey {
    ApiKey {
        id: k.id,
        label: k.label,
        created_by: k.owner,
        created_date: format_instant(from_ms(k.created_ms)),
        expiration_date: format_instant(from_ms(k.expires_ms)),
        scopes: k.scopes,
        last_used_date: k.last_used_ms.map(|t| format_instant(from_ms(t))),
    }
}

/// Refuses unless `company` is this deployment's and the actor may
/// `access` API keys.
async fn gate(state: &AppState, actor: &Actor, company: &str, access: Access) -> Result<()> {
    if state.store.settings().await?.company_id != company {
        return Err(Error::not_found(
            "company.id.unknown",
            format!("no company “{company}” here"),
        ));
    }
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(&snapshot, actor, Operation::ApiKeys, access, None, now)
}

/// Live keys, never their secrets.
pub async fn list(state: &AppState, actor: &Actor, company: &str) -> Result<Vec<ApiKey>> {
    gate(state, actor, company, Access::View).await?;
    let now = state.clock.now().timestamp_millis();
    Ok(state
        .store
        .api_keys()
        .await?
        .into_iter()
        .filter(|k| k.expires_ms > now)
        .map(answer)
        .collect())
}

/// What a new key is asked for, as sent.
#[derive(Clone, Debug, Default)]
pub struct NewKey<'a> {
    pub label: Option<&'a str>,
    /// Days until it expires, as typed (1 by default).
    pub expiration_days: Option<&'a str>,
    /// Scope names; none means every scope, as the vendor documents.
    pub scopes: Vec<&'a str>,
}

/// Days as typed.
fn days(text: &str) -> Result<i64> {
    text.trim().parse::<i64>().map_err(|_| {
        Error::invalid(
            "apiKey.expirationDays.out_of_range",
            "expirationDays",
            format!("“{text}” is not a number of days"),
        )
    })
}

/// Creates a key for the actor; its secret is in the answer, only there.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    company: &str,
    ask: &NewKey<'_>,
) -> Result<NewApiKey> {
    gate(state, actor, company, Access::Change).await?;
    let days = ask.expiration_days.map(days).transpose()?;
    let label = ask.label.map(str::trim);
    let now = state.clock.now();
    // A key rotating itself gets a key no wider than itself, for the same
    // user (the actor): the policy's rule.
    let calling = actor.calling_key();
    let plan =
        plan_new_key(label, days, &ask.scopes, calling.as_ref(), now).map_err(Error::violations)?;
    let secret = new_id()?;
    let k = ApiKeyRecord {
        id: new_id()?,
        label: label.unwrap_or("api key").to_owned(),
        owner: key(&actor.email),
        created_ms: now.timestamp_millis(),
        expires_ms: plan.expires_at.timestamp_millis(),
        scopes: plan
            .scopes
            .iter()
            .map(|s| s.wire_name().to_owned())
            .collect(),
        last_used_ms: None,
    };
    let expiration_date = format_instant(from_ms(k.expires_ms));
    let mut tx = state.store.begin().await?;
    tx.insert_api_key(&k, &token_hash(&secret)).await?;
    let details = json!({ "label": k.label, "expirationDate": expiration_date, "scopes": k.scopes,
        "by": if calling.is_some() { "apiKey" } else { "session" } });
    let target = format!("apikey:{}", k.id);
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::ApiKeyCreated,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(NewApiKey {
        api_key: secret,
        id: k.id,
        expiration_date,
    })
}

fn unknown(id: &str) -> Error {
    Error::not_found("apiKey.id.unknown", format!("no API key “{id}”"))
}

pub async fn relabel(
    state: &AppState,
    actor: &Actor,
    company: &str,
    id: &str,
    label: &str,
) -> Result<ApiKeyChanged> {
    gate(state, actor, company, Access::Change).await?;
    let label = label.trim().to_owned();
    interim_policy::user::validate_api_key(Some(&label), Some(1)).map_err(Error::violations)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if !tx.relabel_api_key(id, &label).await? {
        return Err(unknown(id));
    }
    let target = format!("apikey:{id}");
    let details = json!({ "label": label });
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::ApiKeyUpdated,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(ApiKeyChanged {
        message: format!("the API key is now labelled “{label}”"),
        id: id.to_owned(),
        label: Some(label),
    })
}

pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    company: &str,
    id: &str,
) -> Result<ApiKeyChanged> {
    gate(state, actor, company, Access::Change).await?;
    let k = state
        .store
        .api_keys()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| unknown(id))?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    // Checked inside the transaction: of concurrent revokes, one wins.
    if !tx.revoke_api_key(id, now).await? {
        return Err(unknown(id));
    }
    let target = format!("apikey:{id}");
    let details = json!({ "label": k.label, "owner": k.owner });
    record(
        &mut tx,
        &actor.email,
        now,
        AuditAction::ApiKeyRevoked,
        target,
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(ApiKeyChanged {
        message: "the API key is revoked".to_owned(),
        id: id.to_owned(),
        label: None,
    })
}
