//! The server's OpenAPI document, generated from the handlers' annotations
//! and the wire types' schemas, served at `/api/openapi.json`.

use axum::Json;
use interim_policy::key_scope::{self, KeyRule};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

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
        routes::temp_access::list,
        routes::temp_access::one,
        routes::temp_access::create,
        routes::temp_access::remove,
        routes::temp_access::replace,
        routes::temp_access::no_update,
        routes::pools::list,
        routes::pools::one,
        routes::pools::create,
        routes::pools::update,
        routes::pools::remove,
        routes::users::list,
        routes::users::one,
        routes::users::create,
        routes::users::update,
        routes::users::remove,
        routes::users::disable,
        routes::users::enable,
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
    modifiers(&Security, &KeyScopes),
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
        for (path, item) in openapi.paths.paths.iter_mut() {
            let methods = [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ];
            for (method, operation) in methods {
                let (Some(operation), Some(entry)) =
                    (operation.as_mut(), key_scope::operation(method, path))
                else {
                    continue;
                };
                describe(operation, entry);
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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
