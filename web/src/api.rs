//! Typed calls of the server's API: the policy crate's wire types for what
//! is sent, and its `answer` types for what comes back. The portal declares
//! no answer of its own, so a change of the server's shape is one change
//! in the policy crate, seen by the server, the portal and the CLI alike.

use gloo_net::http::{Request, RequestBuilder, Response};
use interim_policy::answer::{
    AccessRequest, Bulk, ChainCheck, Delegation, ErrorBody, Group, Listed, Me, Outbox, Page, Pool,
    Settings, User,
};
use interim_policy::parse::{from_json_str, from_value, parse_json};
use interim_policy::wire::{CreateTempAccess, SnapshotWire, TempAccess};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;
use std::marker::PhantomData;
use wasm_bindgen::JsCast;

/// A call that did not succeed: the server's refusal (its body in the
/// policy's one error shape), or a failure found here — the server could
/// not be reached, or its answer not read — in the same shape, so every
/// page shows both alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status; 0 for a failure found here.
    pub status: u16,
    pub body: ErrorBody,
}

impl ApiError {
    /// The server's field errors as the policy's violations (they carry
    /// the policy's own codes), to show at their fields like the checks
    /// made in the browser.
    pub fn violations(&self) -> Vec<interim_policy::violation::Violation> {
        self.body
            .field_errors
            .iter()
            .filter_map(|f| {
                interim_policy::violation::Code::parse(&f.code).map(|c| {
                    interim_policy::violation::Violation::new(f.field.clone(), c, f.message.clone())
                })
            })
            .collect()
    }

    /// A failure found here, not answered by the server.
    fn local(code: &str, message: String) -> ApiError {
        ApiError::new(0, code, message)
    }

    /// A refusal without field errors.
    fn new(status: u16, code: &str, message: String) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.into(),
                message,
                field_errors: Vec::new(),
            },
        }
    }

    /// An answer that does not have the shape this portal knows (a server
    /// of another version, say), with where the policy's reader found it.
    fn unreadable(v: &interim_policy::violation::Violation) -> ApiError {
        let at = if v.field.is_empty() {
            String::new()
        } else {
            format!("`{}`: ", v.field)
        };
        ApiError::local(
            "server.unreadable",
            format!("the server's answer could not be read: {at}{}", v.message),
        )
    }

    fn network(e: impl std::fmt::Display) -> ApiError {
        ApiError::local("network", format!("the server could not be reached: {e}"))
    }
}

/// The CSRF token the server set at sign-in (a readable cookie).
fn csrf() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default()
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "interim_csrf")
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

fn write(builder: RequestBuilder) -> RequestBuilder {
    builder.header("x-csrf-token", &csrf())
}

/// The server's refusal, read from its answer (its own shape when it has one).
async fn refusal(r: Response) -> ApiError {
    let status = r.status();
    let body = r.text().await.ok();
    match body.and_then(|t| from_json_str::<ErrorBody>(&t).ok()) {
        Some(body) => ApiError { status, body },
        None => ApiError::new(
            status,
            "server.unexpected",
            format!("the server answered {status}"),
        ),
    }
}

/// A successful answer's body as JSON, or the refusal: the one way the
/// portal reads the server (the async part exists once, not once per type).
async fn answer_json(r: Result<Response, gloo_net::Error>) -> Result<Value, ApiError> {
    let r = r.map_err(ApiError::network)?;
    if !r.ok() {
        return Err(refusal(r).await);
    }
    let text = r.text().await.map_err(ApiError::network)?;
    parse_json(&text).map_err(|v| ApiError::unreadable(&v))
}

/// Something the portal lists, read with a GET: its path, and the type of
/// its answer. Every list is fetched by the one [`get_json`], so the portal
/// carries one fetching future, not one per list; the answer becomes its
/// type only when read ([`read`]).
pub struct Get<T> {
    pub path: String,
    answer: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Get<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Get").field("path", &self.path).finish()
    }
}

impl<T> Get<T> {
    fn new(path: impl Into<String>) -> Get<T> {
        Get {
            path: path.into(),
            answer: PhantomData,
        }
    }
}

/// A GET answered with JSON, or the refusal.
pub async fn get_json(path: String) -> Result<Value, ApiError> {
    answer_json(Request::get(&path).send().await).await
}

/// A JSON answer as the type it has (read as the policy reads every JSON).
pub fn read<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    from_value(value).map_err(|v| ApiError::unreadable(&v))
}

async fn empty(r: Result<Response, gloo_net::Error>) -> Result<(), ApiError> {
    let r = r.map_err(ApiError::network)?;
    if r.ok() {
        Ok(())
    } else {
        Err(refusal(r).await)
    }
}

/// A write with a JSON body (and the CSRF token), answered with `T`.
async fn send<T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    read(answer_json(post(builder, serde_json::to_string(body)).await).await?)
}

/// A write with a JSON body whose answer carries nothing to read.
async fn send_empty(builder: RequestBuilder, body: &impl Serialize) -> Result<(), ApiError> {
    empty(post(builder, serde_json::to_string(body)).await).await
}

/// Sends a write with its JSON text (one future for every write).
async fn post(
    builder: RequestBuilder,
    body: serde_json::Result<String>,
) -> Result<Response, gloo_net::Error> {
    let body = body.map_err(gloo_net::Error::from)?;
    write(builder)
        .header("Content-Type", "application/json")
        .body(body)?
        .send()
        .await
}

pub async fn sign_in(email: &str, password: &str) -> Result<(), ApiError> {
    let body = serde_json::json!({ "email": email, "password": password });
    let req = Request::post("/api/v1/auth/sign-in")
        .json(&body)
        .map_err(ApiError::network)?;
    answer_json(req.send().await).await.map(|_| ())
}

pub async fn sign_out() -> Result<(), ApiError> {
    empty(write(Request::post("/api/v1/auth/sign-out")).send().await).await
}

pub async fn me() -> Result<Me, ApiError> {
    read(get_json("/api/v1/auth/me".into()).await?)
}

pub async fn snapshot() -> Result<SnapshotWire, ApiError> {
    read(get_json("/api/v1/snapshot".into()).await?)
}

pub fn grants() -> Get<Page<TempAccess>> {
    Get::new("/api/v1/temp-access?size=1000&sort=expirationDate,asc")
}

pub async fn create_grant(grant: &CreateTempAccess) -> Result<TempAccess, ApiError> {
    send(Request::post("/api/v1/temp-access"), grant).await
}

/// Replaces an active grant: the old one is deleted and the new one
/// created in one step.
pub async fn replace_grant(id: &str, grant: &CreateTempAccess) -> Result<TempAccess, ApiError> {
    send(
        Request::post(&format!("/api/v1/temp-access/{id}/replace")),
        grant,
    )
    .await
}

pub async fn delete_grant(id: &str) -> Result<(), ApiError> {
    empty(
        write(Request::delete(&format!("/api/v1/temp-access/{id}")))
            .send()
            .await,
    )
    .await
}

/// Audit events matching `query` (already URL-encoded pairs).
pub fn audit(query: &str) -> Get<Page<interim_policy::audit::AuditEvent>> {
    Get::new(format!("/api/v1/audit?{query}"))
}

pub fn audit_verify() -> Get<ChainCheck> {
    Get::new("/api/v1/audit/verify")
}

pub fn settings() -> Get<Settings> {
    Get::new("/api/v1/settings")
}

pub async fn save_settings(
    rbac_enabled: bool,
    limits: &interim_policy::Limits,
) -> Result<Settings, ApiError> {
    let body = serde_json::json!({ "rbacEnabled": rbac_enabled, "limits": limits });
    send(Request::put("/api/v1/settings"), &body).await
}

pub fn users() -> Get<Page<User>> {
    Get::new("/api/v1/users?size=1000")
}

pub async fn create_user(input: &interim_policy::user::UserInput) -> Result<User, ApiError> {
    send(Request::post("/api/v1/users"), input).await
}

pub async fn update_user(
    email: &str,
    input: &interim_policy::user::UserInput,
) -> Result<User, ApiError> {
    send(
        Request::put(&format!("/api/v1/users/{}", encode(email))),
        input,
    )
    .await
}

/// Imports legacy users (the server checks the same preview again).
pub async fn import_users(
    entries: &[interim_policy::wire::LegacyUserWire],
) -> Result<interim_policy::answer::LegacyImport, ApiError> {
    send(Request::post("/api/v1/users/import"), &entries).await
}

/// One path segment, escaped.
fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

/// A new one-time activation link for `email` (earlier ones end).
pub async fn activation_link(
    email: &str,
    send_email: bool,
) -> Result<interim_policy::answer::ActivationLink, ApiError> {
    let path = format!("/api/v1/users/{}/activation-link", encode(email));
    send(
        Request::post(&path),
        &serde_json::json!({ "sendEmail": send_email }),
    )
    .await
}

/// Changes my password (my other sessions end).
pub async fn change_password(current: &str, new: &str) -> Result<(), ApiError> {
    let body = serde_json::json!({ "currentPassword": current, "newPassword": new });
    send_empty(Request::post("/api/v1/auth/password"), &body).await
}

/// Sets the first password through an activation link's token.
pub async fn activate(
    token: &str,
    password: &str,
) -> Result<interim_policy::answer::Activated, ApiError> {
    let body = serde_json::json!({ "token": token, "password": password });
    let req = Request::post("/api/v1/auth/activate")
        .json(&body)
        .map_err(ApiError::network)?;
    read(answer_json(req.send().await).await?)
}

pub async fn set_enabled(email: &str, enabled: bool) -> Result<(), ApiError> {
    let verb = if enabled { "enable" } else { "disable" };
    let path = format!("/api/v1/users/{}/{verb}", encode(email));
    empty(write(Request::put(&path)).send().await).await
}

pub fn pools() -> Get<Page<Pool>> {
    Get::new("/api/v1/agent-pools?size=1000")
}

pub async fn create_pool(input: &interim_policy::user::PoolInput) -> Result<Pool, ApiError> {
    send(Request::post("/api/v1/agent-pools"), input).await
}

pub fn groups() -> Get<Page<Group>> {
    Get::new("/api/v1/groups?size=1000&includeMembers=true")
}

pub async fn create_group(input: &interim_policy::user::GroupInput) -> Result<Group, ApiError> {
    send(Request::post("/api/v1/groups"), input).await
}

pub async fn update_group(
    id: &str,
    input: &interim_policy::user::GroupInput,
) -> Result<Group, ApiError> {
    send(
        Request::put(&format!("/api/v1/groups/{}", encode(id))),
        input,
    )
    .await
}

pub async fn delete_group(id: &str) -> Result<(), ApiError> {
    let path = format!("/api/v1/groups/{}", encode(id));
    empty(write(Request::delete(&path)).send().await).await
}

/// A bulk call made for one item: its failure is the call's. Only the
/// failures' messages and statuses matter here, so what was done and what
/// was sent are skipped unread (one reader for every bulk call, whatever
/// its items are).
async fn single(builder: RequestBuilder, body: &impl Serialize) -> Result<(), ApiError> {
    let bulk: Bulk<IgnoredAny, IgnoredAny> = send(builder, body).await?;
    match bulk.failures.into_iter().next() {
        None => Ok(()),
        Some(f) => Err(ApiError::new(f.status, "bulk.failed", f.message)),
    }
}

pub async fn add_member(group: &str, email: &str) -> Result<(), ApiError> {
    let path = format!("/api/v1/groups/{}/members", encode(group));
    single(
        Request::post(&path),
        &serde_json::json!([{ "email": email }]),
    )
    .await
}

pub async fn remove_member(group: &str, email: &str) -> Result<(), ApiError> {
    let path = format!("/api/v1/groups/{}/members", encode(group));
    single(Request::delete(&path), &[email]).await
}

pub async fn update_member(
    group: &str,
    email: &str,
    group_admin: bool,
    elevated_roles: &[interim_policy::PoolLevel],
) -> Result<(), ApiError> {
    let body = serde_json::json!({ "groupAdmin": group_admin, "elevatedRoles": elevated_roles });
    send_empty(
        Request::put(&format!(
            "/api/v1/groups/{}/members/{}",
            encode(group),
            encode(email)
        )),
        &body,
    )
    .await
}

/// Requests in `scope` (`mine`, `review`, `all`), optionally of one status.
pub fn requests(scope: &str, status: &str) -> Get<Listed<AccessRequest>> {
    let path = format!("/api/v1/access-requests?scope={scope}&status={status}");
    Get::new(path.trim_end_matches("&status="))
}

pub async fn create_request(
    input: &interim_policy::wire::AccessRequestInput,
) -> Result<AccessRequest, ApiError> {
    send(Request::post("/api/v1/access-requests"), input).await
}

/// `approve`, `deny`, `cancel` or `revoke` request `id`, with the optional
/// shorter period (minutes) and comment.
pub async fn act_on_request(
    id: &str,
    action: &str,
    body: &serde_json::Value,
) -> Result<AccessRequest, ApiError> {
    let path = format!("/api/v1/access-requests/{}/{action}", encode(id));
    send(Request::post(&path), body).await
}

pub fn delegations() -> Get<Listed<Delegation>> {
    Get::new("/api/v1/delegations")
}

pub async fn delegate(
    input: &interim_policy::wire::DelegationInput,
) -> Result<Delegation, ApiError> {
    send(Request::post("/api/v1/delegations"), input).await
}

pub async fn end_delegation(id: &str) -> Result<(), ApiError> {
    let path = format!("/api/v1/delegations/{}", encode(id));
    empty(write(Request::delete(&path)).send().await).await
}

/// Saves request settings: a pool's default (`group` `None`; `None`
/// settings turn requests off) or one group assignment's override
/// (`None` settings remove it, so the pool's default applies again).
pub async fn save_request_settings(
    group: Option<&str>,
    pool: &str,
    settings: Option<&interim_policy::wire::RequestSettingsWire>,
) -> Result<(), ApiError> {
    match (group, settings) {
        (None, s) => {
            let path = format!("/api/v1/agent-pools/{}/request-settings", encode(pool));
            send_empty(Request::put(&path), &s).await
        }
        (Some(g), Some(s)) => {
            let path = format!(
                "/api/v1/groups/{}/request-settings/{}",
                encode(g),
                encode(pool)
            );
            send_empty(Request::put(&path), s).await
        }
        (Some(g), None) => {
            let path = format!(
                "/api/v1/groups/{}/request-settings/{}",
                encode(g),
                encode(pool)
            );
            empty(write(Request::delete(&path)).send().await).await
        }
    }
}

pub fn notifications(page: u32) -> Get<Outbox> {
    Get::new(format!("/api/v1/notifications?page={page}"))
}

/// Sends a notification again now (a failed one, or a pending one early).
pub async fn retry_notification(id: &str) -> Result<(), ApiError> {
    let path = format!("/api/v1/notifications/{}/retry", encode(id));
    empty(write(Request::post(&path)).send().await).await
}

fn key_path(company: &str) -> String {
    format!("/api/v1/access/company/{}/system-api-key", encode(company))
}

pub fn api_keys(company: &str) -> Get<interim_policy::answer::ApiKeys> {
    Get::new(key_path(company))
}

/// A new API key (the vendor's call: its fields in the query).
pub async fn create_api_key(
    company: &str,
    label: &str,
    days: &str,
    scopes: &[&str],
) -> Result<interim_policy::answer::NewApiKey, ApiError> {
    let path = format!(
        "{}?label={}&expirationDays={}&scopes={}",
        key_path(company),
        encode(label),
        encode(days),
        encode(&scopes.join(","))
    );
    read(answer_json(write(Request::post(&path)).send().await).await?)
}

pub async fn revoke_api_key(company: &str, id: &str) -> Result<(), ApiError> {
    let path = format!("{}/{}", key_path(company), encode(id));
    empty(write(Request::delete(&path)).send().await).await
}

/// Names the company.
pub async fn rename_company(name: &str) -> Result<Settings, ApiError> {
    let body = serde_json::json!({ "companyName": name });
    send(Request::put("/api/v1/settings"), &body).await
}
