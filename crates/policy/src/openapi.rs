//! Schemas of the types whose JSON form is written by hand (string enums),
//! for the server's OpenAPI document. Only with the `openapi` feature.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

use crate::audit::AuditAction;
use crate::request::{Period, RequestStatus};
use crate::role::{Category, Level, PoolLevel, Role};
use crate::violation::Code;
use crate::wire::GrantRole;

fn string_enum(values: Vec<&'static str>, description: &str) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values))
            .description(Some(description))
            .build(),
    ))
}

macro_rules! string_schema {
    // An enum written by name (`named_serde!`): its own name, its `NAMES`.
    ($ty:ident, $description:literal) => {
        string_schema!($ty, stringify!($ty), $ty::NAMES.to_vec(), $description);
    };
    ($ty:ty, $name:expr, $values:expr, $description:literal) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string_enum($values, $description)
            }
        }

        impl utoipa::ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

string_schema!(
    PoolLevel,
    "PoolLevel",
    PoolLevel::ALL.iter().map(|l| l.wire_name()).collect(),
    "Pool access level; read in any letter case."
);
string_schema!(
    GrantRole,
    "GrantRole",
    PoolLevel::ALL.iter().map(|l| l.grant_name()).collect(),
    "Pool role of a grant (`Standard` or `Privileged`); read in any letter case."
);
string_schema!(
    Code,
    "ViolationCode",
    Code::ALL.iter().map(|c| c.as_str()).collect(),
    "Stable violation code: object.field.problem."
);
string_schema!(AuditAction, "What an audit event records.");
string_schema!(Period, "An access period a pool offers.");
string_schema!(RequestStatus, "The life of an access request.");
string_schema!(
    Role,
    "A persona role, by the vendor's wire name (`SYSTEM_ADMIN` is Company Admin)."
);
string_schema!(Category, "A permission category of the role matrix.");
string_schema!(
    Level,
    "A permission level on a category: NONE, R (read) or WR (write and read)."
);
