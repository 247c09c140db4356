//! The exact form of the write bodies, written into the document from the
//! policy's own bounds: which fields are required, their lengths, item
//! counts and enumerations. Wire types keep loose Rust types (every field
//! optional, so that a missing one is a field violation naming it); this is
//! where the document says what a valid body is.

use interim_policy::limits::Limits;
use interim_policy::user::{
    MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};
use interim_policy::vocab::Period;
use serde_json::{Value, json};

/// A name: some text that is not only spaces, at most `MAX_NAME_CHARS`.
fn name() -> Value {
    json!({"type": "string", "pattern": "\\S", "maxLength": MAX_NAME_CHARS})
}

fn instant() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn ids(most: u32) -> Value {
    json!({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": most})
}

/// One body's form: its schema's name, its required fields, and the
/// properties whose schema it replaces.
struct Form {
    schema: &'static str,
    required: &'static [&'static str],
    properties: Vec<(&'static str, Value)>,
}

fn form(
    schema: &'static str,
    required: &'static [&'static str],
    properties: Vec<(&'static str, Value)>,
) -> Form {
    Form {
        schema,
        required,
        properties,
    }
}

fn forms() -> Vec<Form> {
    let seed = Limits::SEED;
    let limit =
        |most: u32| json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": most});
    vec![
        form(
            "CreateTempAccess",
            &["agentPoolIds", "userEmails", "roles", "expirationDate"],
            vec![
                ("agentPoolIds", ids(seed.max_pools_per_grant)),
                ("userEmails", ids(seed.max_users_per_grant)),
                (
                    "roles",
                    json!({"type": "array", "minItems": 1,
                           "items": {"$ref": "#/components/schemas/GrantRole"}}),
                ),
                ("expirationDate", instant()),
            ],
        ),
        form(
            "PoolInput",
            &["name"],
            vec![
                ("name", name()),
                (
                    "description",
                    json!({"type": ["string", "null"], "maxLength": MAX_DESCRIPTION_CHARS}),
                ),
            ],
        ),
        form("GroupInput", &["name"], vec![("name", name())]),
        form(
            "PasswordChange",
            &["currentPassword", "newPassword"],
            vec![
                (
                    "currentPassword",
                    json!({"type": "string", "writeOnly": true}),
                ),
                (
                    "newPassword",
                    json!({"type": "string", "writeOnly": true,
                           "minLength": MIN_PASSWORD_CHARS, "maxLength": MAX_PASSWORD_CHARS}),
                ),
            ],
        ),
        form(
            "Activate",
            &["token", "password"],
            vec![
                (
                    "token",
                    json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
                ),
                (
                    "password",
                    json!({"type": "string", "writeOnly": true,
                           "minLength": MIN_PASSWORD_CHARS, "maxLength": MAX_PASSWORD_CHARS}),
                ),
            ],
        ),
        form(
            "UserInput",
            &["firstName", "lastName"],
            vec![
                ("firstName", name()),
                ("lastName", name()),
                (
                    "password",
                    json!({"type": ["string", "null"], "writeOnly": true,
                           "minLength": MIN_PASSWORD_CHARS, "maxLength": MAX_PASSWORD_CHARS}),
                ),
            ],
        ),
        form(
            "AccessRequestInput",
            &["agentPoolId", "period"],
            vec![
                ("agentPoolId", json!({"type": "string"})),
                ("period", json!({"type": "string", "enum": Period::NAMES})),
            ],
        ),
        form(
            "DelegationInput",
            &["to", "endsAt"],
            vec![
                ("to", json!({"type": "string", "format": "email"})),
                ("startsAt", instant()),
                ("endsAt", instant()),
            ],
        ),
        form(
            "Limits",
            &[],
            vec![
                ("maxUsersPerGrant", limit(seed.max_users_per_grant)),
                ("maxPoolsPerGrant", limit(seed.max_pools_per_grant)),
                ("maxGrantDays", limit(seed.max_grant_days)),
                ("maxActiveGrants", limit(seed.max_active_grants)),
            ],
        ),
    ]
}

/// Every body the API reads is required (an absent one is a 415 or 400).
fn bodies_required(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in item.values_mut() {
            if let Some(body) = operation
                .get_mut("requestBody")
                .and_then(Value::as_object_mut)
            {
                body.insert("required".to_owned(), Value::Bool(true));
            }
        }
    }
}

/// Writes the forms into the document's component schemas.
pub(super) fn apply(doc: &mut Value) {
    bodies_required(doc);
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for Form {
        schema: name,
        required,
        properties,
    } in forms()
    {
        let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) else {
            continue;
        };
        if !required.is_empty() {
            schema.insert("required".to_owned(), json!(required));
        }
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (property, form) in properties {
                let description = props
                    .get(property)
                    .and_then(|p| p.get("description"))
                    .cloned();
                let mut form = form;
                if let (Some(d), Some(f)) = (description, form.as_object_mut()) {
                    f.insert("description".to_owned(), d);
                }
                props.insert(property.to_owned(), form);
            }
        }
    }
}
