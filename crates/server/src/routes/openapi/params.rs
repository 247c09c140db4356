//! The exact form of each query parameter, written into the document from
//! the same constants the handlers check with, so that a value the
//! document allows is accepted and one it forbids is refused.

use interim_policy::report::ReportBy;
use interim_policy::role::Role;
use interim_policy::vocab::RequestStatus;
use utoipa::Modify;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::Parameter;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};

use crate::app;

/// Sortable fields per listing (`sort=field` or `sort=field,asc|desc`).
const SORTS: [(&str, &[&str]); 4] = [
    ("/api/v1/temp-access", app::grants::SORTABLE),
    ("/api/v1/agent-pools", app::pools::SORTABLE),
    ("/api/v1/users", app::users::SORTABLE),
    ("/api/v1/groups", app::groups::SORTABLE),
];

/// Parameters that take one of a few words: (path, name, words).
fn words(path: &str, name: &str) -> Option<Vec<&'static str>> {
    Some(match (path, name) {
        ("/api/v1/access-requests", "scope") => {
            app::requests::Scope::NAMED.map(|(n, _)| n).to_vec()
        }
        ("/api/v1/access-requests", "status") => RequestStatus::NAMES.to_vec(),
        ("/api/v1/notifications", "status") => app::outbox::STATUSES.to_vec(),
        ("/api/v1/reports/access", "by") => ReportBy::NAMED.map(|(n, _)| n).to_vec(),
        ("/api/v1/reports/access" | "/api/v1/audit/export", "format") => vec!["json", "csv"],
        ("/api/v1/audit", "order") => crate::store::AUDIT_ORDERS.to_vec(),
        ("/api/v1/users", "role") => Role::ALL.iter().map(|r| r.wire_name()).collect(),
        _ => return None,
    })
}

/// Parameters that take an instant.
fn is_instant(path: &str, name: &str) -> bool {
    matches!(path, "/api/v1/audit" | "/api/v1/audit/export") && matches!(name, "from" | "to")
}

#[derive(Debug)]
pub(super) struct QueryForms;

impl Modify for QueryForms {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let Some(schema) = form(path, parameter) {
                        parameter.schema = Some(schema);
                    }
                }
            }
        }
    }
}

fn form(path: &str, parameter: &Parameter) -> Option<RefOr<Schema>> {
    use utoipa::openapi::path::ParameterIn;
    if !matches!(parameter.parameter_in, ParameterIn::Query) {
        return None;
    }
    let name = parameter.name.as_str();
    let whole = |min: i64, max: i64| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int64,
            )))
            .minimum(Some(min))
            .maximum(Some(max))
            .build()
    };
    let schema = match name {
        "page" => whole(0, crate::extract::MAX_PAGE),
        "size" if path == "/api/v1/notifications" => whole(1, crate::routes::notifications::MOST),
        "size" => whole(1, crate::extract::MAX_SIZE),
        "sort" => {
            let fields = SORTS.iter().find(|(p, _)| *p == path)?.1;
            let pattern = format!(
                "^({})(,([aA][sS][cC]|[dD][eE][sS][cC]))?$",
                fields.join("|")
            );
            return Some(RefOr::T(Schema::Array(
                ArrayBuilder::new()
                    .items(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(pattern)),
                    )
                    .build(),
            )));
        }
        _ if is_instant(path, name) => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .build(),
        _ => {
            let values = words(path, name)?;
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values))
                .build()
        }
    };
    Some(RefOr::T(Schema::Object(schema)))
}
