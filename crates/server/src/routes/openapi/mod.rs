//! The server's OpenAPI document, generated from the handlers' annotations
//! and the wire types' schemas, served at `/api/openapi.json`.

use axum::Json;
use interim_policy::key_scope::{self, KeyRule};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

mod bodies;
mod params;

use params::QueryForms;

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Interim",
        description = "Just-in-time access: temporary access grants, users, roles, pools and groups, with a tamper-evident audit log. \
                       The vendor-compatible paths keep the vendor's shapes; errors are {code, message, fieldErrors}.",
    ),
    paths(
        routes::session::sign_in,
        routes::session::sign_out,
        routes::session::me,
        routes::session::activate,
        routes::session::change_password,
        routes::temp_access::list,
        routes::temp_access::one,
        routes::temp_access::create,
        routes::temp_access::remove,
        routes::temp_access::replace,
        routes::pools::list,
        routes::pools::one,
        routes::pools::create,
        routes::pools::update,
        routes::pools::remove,
        routes::pools::detach_agents,
        routes::pools::enable_agents,
        routes::users::list,
        routes::users::one,
        routes::users::create,
        routes::users::update,
        routes::users::remove,
        routes::users::disable,
        routes::users::enable,
        routes::users::activation_link,
        routes::groups::list,
        routes::groups::one,
        routes::groups::create,
        routes::groups::update,
        routes::groups::remove,
        routes::groups::add_members,
        routes::groups::remove_members,
        routes::groups::update_member,
        routes::keys::list,
        routes::keys::create,
        routes::keys::relabel,
        routes::keys::revoke,
        routes::settings::read,
        routes::settings::write,
        routes::settings::import,
        routes::audit::list,
        routes::audit::export,
        routes::audit::verify,
        routes::explain::pool_access,
        routes::explain::permissions,
        routes::explain::snapshot,
        routes::health::healthz,
        routes::health::readyz,
        routes::requests::create,
        routes::requests::list,
        routes::requests::one,
        routes::requests::reviewers,
        routes::requests::approve,
        routes::requests::deny,
        routes::requests::cancel,
        routes::requests::revoke,
        routes::requests::pool_settings,
        routes::requests::put_override,
        routes::requests::remove_override,
        routes::requests::delegations,
        routes::requests::delegate,
        routes::requests::end_delegation,
        routes::requests::report,
        routes::notifications::list,
        routes::notifications::retry,
    ),
    modifiers(&Security, &KeyScopes, &ErrorAnswers, &VendorReadOnly, &QueryForms),
    security(("apiToken" = []), ("session" = []))
)]
pub struct ApiDoc;

#[derive(Debug)]
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiToken",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Set by sign-in; writes also need the x-csrf-token header",
            ))),
        );
    }
}

/// Writes the policy's key table into each operation: its operationId
/// (the vendor's where the vendor has it), the vendor's sentence
/// "Required API permission level", `x-required-scope`, and which
/// credentials it takes.
#[derive(Debug)]
struct KeyScopes;

impl Modify for KeyScopes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        each_operation(openapi, |_, _, operation, entry| describe(operation, entry));
    }
}

/// Calls `f` with (method, path, operation, its key-table entry) for every
/// documented operation.
fn each_operation(
    openapi: &mut utoipa::openapi::OpenApi,
    mut f: impl FnMut(&str, &str, &mut utoipa::openapi::path::Operation, &key_scope::ApiOperation),
) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let methods = [
            ("GET", &mut item.get),
            ("PUT", &mut item.put),
            ("POST", &mut item.post),
            ("DELETE", &mut item.delete),
            ("PATCH", &mut item.patch),
        ];
        for (method, operation) in methods {
            if let (Some(operation), Some(entry)) =
                (operation.as_mut(), key_scope::operation(method, path))
            {
                f(method, path, operation, entry);
            }
        }
    }
}

fn describe(operation: &mut utoipa::openapi::path::Operation, entry: &key_scope::ApiOperation) {
    use utoipa::openapi::security::SecurityRequirement;
    operation.operation_id = Some(entry.operation_id.to_owned());
    let session = || SecurityRequirement::new("session", Vec::<String>::new());
    let (sentence, scope, security) = match entry.rule {
        KeyRule::Needs(s) => (
            format!("**Required API permission level:** `{}`", s.wire_name()),
            Some(s.wire_name()),
            Some(vec![
                SecurityRequirement::new("apiToken", [s.wire_name()]),
                session(),
            ]),
        ),
        KeyRule::AnyKey => ("Any API key, or a session.".to_owned(), None, None),
        KeyRule::SessionOnly => (
            "A signed-in session only: API keys are refused.".to_owned(),
            None,
            Some(vec![session()]),
        ),
        KeyRule::Public => ("No sign-in needed.".to_owned(), None, Some(Vec::new())),
    };
    operation.description = Some(match operation.description.take() {
        Some(d) if !d.is_empty() => format!("{d}\n\n{sentence}"),
        _ => sentence,
    });
    if let Some(scope) = scope {
        operation
            .extensions
            .get_or_insert_with(Default::default)
            .insert("x-required-scope".to_owned(), serde_json::json!(scope));
    }
    operation.security = security;
}

/// Lists on every operation each error status its route can answer, so a
/// client (and schemathesis) finds every answer documented: 400 for input
/// that breaks a rule, 401/403 where sign-in is needed, 404 under a path
/// parameter, 413/415 for bodies, 429 for throttled writes.
#[derive(Debug)]
struct ErrorAnswers;

impl Modify for ErrorAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        each_operation(openapi, |method, path, operation, entry| {
            for (status, description) in error_answers(method, path, operation, entry.rule) {
                add_error(operation, status, description);
            }
        });
    }
}

fn error_answers(
    method: &str,
    path: &str,
    operation: &utoipa::openapi::path::Operation,
    rule: KeyRule,
) -> Vec<(&'static str, &'static str)> {
    let body = operation.request_body.is_some();
    let params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut answers = Vec::new();
    if body || params {
        answers.push(("400", "Invalid input: every problem with its field"));
    }
    if rule != KeyRule::Public {
        answers.push(("401", "Not signed in"));
        answers.push(("403", "Not allowed: the policy's reason"));
    }
    if path.contains('{') {
        answers.push(("404", "Not found"));
    }
    if body {
        answers.push(("413", "Body too large"));
        answers.push(("415", "The body is not `application/json`"));
    }
    if method != "GET" && (rule != KeyRule::Public || body) {
        answers.push((
            "429",
            "Too many attempts: wait the seconds `Retry-After` names",
        ));
    }
    answers
}

fn add_error(operation: &mut utoipa::openapi::path::Operation, status: &str, description: &str) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    if operation.responses.responses.contains_key(status) {
        return;
    }
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build();
    operation
        .responses
        .responses
        .insert(status.to_owned(), response.into());
}

/// Documents the vendor's read-only fields that write bodies accept and
/// ignore (`extract::ReadOnlyFields`).
#[derive(Debug)]
struct VendorReadOnly;

impl Modify for VendorReadOnly {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::extract::ReadOnlyFields;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType};
        let bodies: [(&str, &[&str]); 6] = [
            (
                "CreateTempAccess",
                interim_policy::wire::CreateTempAccess::READ_ONLY,
            ),
            ("PoolInput", interim_policy::user::PoolInput::READ_ONLY),
            ("GroupInput", interim_policy::user::GroupInput::READ_ONLY),
            ("UserInput", interim_policy::user::UserInput::READ_ONLY),
            ("MemberUpdate", crate::app::groups::MemberUpdate::READ_ONLY),
            ("Relabel", routes::keys::Relabel::READ_ONLY),
        ];
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (name, fields) in bodies {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) else {
                continue;
            };
            for field in fields {
                let ignored = ObjectBuilder::new()
                    .schema_type(SchemaType::AnyValue)
                    .read_only(Some(true))
                    .description(Some("The vendor's read-only field: accepted and ignored"))
                    .build();
                object
                    .properties
                    .entry((*field).to_owned())
                    .or_insert_with(|| ignored.into());
            }
        }
    }
}

/// The document, built once: the annotations and modifiers, then the
/// write bodies' exact forms.
pub fn json() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        bodies::apply(&mut doc);
        doc
    })
}

pub async fn document() -> Json<&'static serde_json::Value> {
    Json(json())
}
