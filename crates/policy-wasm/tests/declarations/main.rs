//! `types.d.ts` is a hand-written copy of the policy's wire types; these
//! tests make it a checked copy. Each fails on any difference between the
//! declarations and the Rust (the truth) and names every one at once:
//!
//! - each interface against its Rust type's OpenAPI schema (the policy's
//!   `openapi` feature): the same properties, each required or optional as
//!   serde reads it (inputs) or writes it (answers: a read and written
//!   sample shows what is always written), each of the same kind, naming
//!   the declaration that copies the Rust type it names;
//! - each string union against the Rust list of its values (`NAMES`,
//!   `Code::ALL`, `OPS`, `REASON_CODES`, the schemas' enums);
//! - each operation's input, whatever Rust type reads it (some are private
//!   to `api.rs`), through the JSON interface itself: serde's refusal of an
//!   unknown field lists every field, and a missing required one is named;
//! - every answer of the conformance corpus, run through the native core,
//!   against its operation's declared answer (an undeclared or missing
//!   property, a value outside its union), and each call against its
//!   declared request; the matrix and the catalogue likewise;
//! - every declaration is checked by one of these, or listed with why not.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod schema;
mod ts;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use interim_policy::{Access, Category, Code, Level, Operation, PoolLevel, Role, Status};
use interim_policy::{api, audit, decision, grant, legacy, report, request, user, wire};
use serde_json::{Value, json};

use schema::{RustType, Schemas, non_null, ref_name, rust, rust_written, type_of};
use ts::{Ty, Types};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn declarations() -> Types {
    let path = manifest_dir().join("types.d.ts");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Types::new(&text).unwrap_or_else(|e| panic!("cannot read types.d.ts: {e}"))
}

/// Fails with every problem, one a line.
fn report(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "types.d.ts differs from the Rust ({what}), {} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

// ---- Interfaces against the Rust types' schemas ------------------------------

/// How a declaration is used: what its `?` means.
#[derive(Clone, Copy, Debug, PartialEq)]
enum View {
    /// Read by the policy: optional is what serde lets the input leave out.
    Input,
    /// Written by the policy: optional is what serde may leave out.
    Answer,
    /// Both.
    Both,
}

/// A declaration and the Rust type it copies.
struct Mapped {
    /// The declaration; `Name#success` is the success object of the
    /// `Answer<…>` that `Name` is.
    ts: &'static str,
    rust: RustType,
    view: View,
    /// Answers: properties declared required although the Rust type may
    /// leave them out, because the operation always fills them (the map
    /// says why).
    always_filled: &'static [&'static str],
}

fn mapped(ts: &'static str, rust: RustType, view: View) -> Mapped {
    Mapped {
        ts,
        rust,
        view,
        always_filled: &[],
    }
}

/// The name map: every declaration that copies a Rust type with a schema.
/// Where the names differ, this is where it is written down.
fn name_map() -> Vec<Mapped> {
    use View::{Answer, Both, Input};
    vec![
        // The company snapshot.
        mapped("Snapshot", rust::<wire::SnapshotWire>(), Input),
        mapped("Limits", rust::<interim_policy::Limits>(), Both),
        mapped("SnapshotUser", rust::<wire::UserWire>(), Input),
        mapped(
            "RequestSettingsInput",
            rust::<wire::RequestSettingsWire>(),
            Input,
        ),
        mapped(
            "RequestSettings",
            rust::<wire::RequestSettingsWire>(),
            Answer,
        ),
        mapped("SnapshotPool", rust::<wire::AgentPoolWire>(), Input),
        mapped("GroupMember", rust::<wire::GroupMemberWire>(), Input),
        mapped(
            "RequestOverride",
            rust::<wire::AssignmentOverrideWire>(),
            Input,
        ),
        mapped("SnapshotGroup", rust::<wire::GroupWire>(), Input),
        mapped("TempAccess", rust::<wire::TempAccess>(), Both),
        mapped("AccessRequest", rust::<wire::AccessRequestWire>(), Both),
        mapped("Delegation", rust::<wire::DelegationWire>(), Both),
        // Inputs.
        mapped("CreateTempAccess", rust::<wire::CreateTempAccess>(), Input),
        mapped("GrantForm", rust::<wire::GrantForm>(), Input),
        mapped(
            "AccessRequestInput",
            rust::<wire::AccessRequestInput>(),
            Input,
        ),
        mapped("DelegationInput", rust::<wire::DelegationInput>(), Input),
        mapped("LegacyUser", rust::<wire::LegacyUserWire>(), Input),
        mapped("UserInput", rust::<user::UserInput>(), Input),
        mapped("PoolInput", rust::<user::PoolInput>(), Input),
        mapped("GroupInput", rust::<user::GroupInput>(), Input),
        mapped("AuditEvent", rust::<audit::AuditEvent>(), Input),
        mapped(
            "AuditCheckpoint",
            rust::<interim_policy::checkpoint::AuditCheckpoint>(),
            Input,
        ),
        mapped(
            "AuditLog",
            rust::<interim_policy::checkpoint::AuditLog>(),
            Input,
        ),
        // Answers.
        mapped("Violation", rust::<interim_policy::Violation>(), Answer),
        mapped("ValidGrant", rust::<grant::NewGrant>(), Answer),
        mapped(
            "ValidateGrantFormAnswer#success",
            rust::<grant::FormGrant>(),
            Answer,
        ),
        Mapped {
            ts: "TempAccessBody",
            rust: rust::<wire::CreateTempAccess>(),
            view: Answer,
            // `validate_grant_form` computes the vendor's body of a valid
            // form: these four are always there.
            always_filled: &["agentPoolIds", "userEmails", "roles", "expirationDate"],
        },
        mapped("Decision", rust::<decision::DecisionWire>(), Answer),
        mapped(
            "PoolExplanation",
            rust::<decision::PoolExplanation>(),
            Answer,
        ),
        mapped(
            "CategoryPermission",
            rust::<decision::CategoryPermission>(),
            Answer,
        ),
        mapped("PoolPermission", rust::<decision::PoolPermission>(), Answer),
        mapped(
            "EffectivePermissions",
            rust::<decision::EffectivePermissions>(),
            Answer,
        ),
        mapped("Reviewer", rust::<request::Reviewer>(), Answer),
        mapped("ValidRequest", rust::<request::NewRequest>(), Answer),
        mapped("Transition", rust::<request::TransitionOutcome>(), Answer),
        mapped("MigratedUser", rust::<legacy::MigratedUser>(), Answer),
        mapped("ValidUser", rust::<user::ValidUser>(), Answer),
        mapped("ValidGroup", rust::<user::ValidGroup>(), Answer),
        mapped("ChainStatus", rust::<audit::ChainStatus>(), Answer),
        mapped("AccessRow", rust::<report::AccessRow>(), Answer),
        mapped("PoolSummary", rust::<report::PoolSummary>(), Answer),
        mapped("GroupSummary", rust::<report::GroupSummary>(), Answer),
        mapped("UserSummary", rust::<report::UserSummary>(), Answer),
        mapped("AccessReport", rust::<report::AccessReport>(), Answer),
        mapped(
            "MatrixCell",
            rust_written::<interim_policy::role::Cell>(|| {
                api::matrix_json()[0]["categories"][Category::ALL[0].wire_name()].clone()
            }),
            Answer,
        ),
    ]
}

/// The type a map entry names.
fn ts_type(types: &Types, name: &str) -> Option<Ty> {
    match name.split_once('#') {
        None => types
            .has(name)
            .then(|| Ty::Ref(name.to_owned(), Vec::new())),
        Some((answer, "success")) => match &types.decls.get(answer)?.body {
            Ty::Ref(a, args) if a == "Answer" => args.first().cloned(),
            _ => None,
        },
        Some(_) => None,
    }
}

/// TypeScript text of a type, for messages.
fn text(ty: &Ty) -> String {
    match ty {
        Ty::Union(v) => v.iter().map(text).collect::<Vec<_>>().join(" | "),
        Ty::Inter(v) => v.iter().map(text).collect::<Vec<_>>().join(" & "),
        Ty::Obj(props) => format!(
            "{{ {} }}",
            props
                .iter()
                .map(|p| format!(
                    "{}{}: {}",
                    p.name,
                    if p.optional { "?" } else { "" },
                    text(&p.ty)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Ty::Str(s) => format!("\"{s}\""),
        Ty::Num(n) => n.clone(),
        Ty::Array(t) => match **t {
            Ty::Union(_) | Ty::Inter(_) => format!("({})[]", text(t)),
            _ => format!("{}[]", text(t)),
        },
        Ty::Ref(n, args) if args.is_empty() => n.clone(),
        Ty::Ref(n, args) => format!(
            "{n}<{}>",
            args.iter().map(text).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The JSON kinds a type allows (`null` left out).
fn ts_kinds(types: &Types, ty: &Ty) -> BTreeSet<&'static str> {
    match types.expand(ty) {
        Ty::Union(v) => v.iter().flat_map(|t| ts_kinds(types, t)).collect(),
        Ty::Str(_) => BTreeSet::from(["string"]),
        Ty::Num(_) => BTreeSet::from(["number"]),
        Ty::Array(_) => BTreeSet::from(["array"]),
        Ty::Obj(_) | Ty::Inter(_) => BTreeSet::from(["object"]),
        Ty::Ref(n, _) => match n.as_str() {
            "string" => BTreeSet::from(["string"]),
            "number" => BTreeSet::from(["number"]),
            "boolean" => BTreeSet::from(["boolean"]),
            "Record" | "Omit" => BTreeSet::from(["object"]),
            "unknown" => BTreeSet::from(["string", "number", "boolean", "array", "object"]),
            _ => BTreeSet::new(),
        },
    }
}

fn schema_kinds(schemas: &Schemas, schema: &Value) -> BTreeSet<&'static str> {
    let schema = schemas.resolve(non_null(schema));
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        return variants
            .iter()
            .flat_map(|v| schema_kinds(schemas, v))
            .collect();
    }
    match type_of(schema).as_deref() {
        Some("string") => BTreeSet::from(["string"]),
        Some("integer" | "number") => BTreeSet::from(["number"]),
        Some("boolean") => BTreeSet::from(["boolean"]),
        Some("array") => BTreeSet::from(["array"]),
        Some("object") => BTreeSet::from(["object"]),
        _ => BTreeSet::new(),
    }
}

/// Why a property declared as `ty` is not the Rust field of schema
/// `schema` (`None`: it is).
fn field_problem(
    types: &Types,
    schemas: &Schemas,
    names: &Copies,
    view: View,
    ty: &Ty,
    schema: &Value,
) -> Option<String> {
    let schema = non_null(schema);
    if let Some(target) = ref_name(schema) {
        let component = schemas.get(target)?;
        let declared_as = |ty: &Ty| match ty {
            Ty::Ref(n, _) => names
                .get(n.as_str())
                .is_some_and(|t| t.iter().any(|(r, v)| *r == target && covers(*v, view))),
            _ => false,
        };
        if component.get("enum").is_some() {
            let values: BTreeSet<String> = schemas
                .enum_values(target)
                .unwrap_or_default()
                .into_iter()
                .collect();
            // The union that copies the enum, or literals of it (a variant's).
            if declared_as(ty)
                || types
                    .literals(ty)
                    .is_some_and(|l| !l.is_empty() && l.is_subset(&values))
            {
                return None;
            }
            return Some(format!(
                "is `{}`, but Rust's is the enum `{target}`: declare it as {}",
                text(ty),
                aliases_of(names, target, view)
            ));
        }
        if component.get("properties").is_some() {
            if declared_as(ty) {
                return None;
            }
            return Some(format!(
                "is `{}`, but Rust's is `{target}`: declare it as {}",
                text(ty),
                aliases_of(names, target, view)
            ));
        }
        // A named non-object (`FormValue`): the same name, the same kinds.
        if matches!(ty, Ty::Ref(n, _) if n == target) {
            return field_problem(types, schemas, names, view, ty, component);
        }
        return Some(format!("is `{}`, but Rust's is `{target}`", text(ty)));
    }
    match type_of(schema).as_deref() {
        Some("array") => match types.expand(ty) {
            Ty::Array(item) => {
                { field_problem(types, schemas, names, view, &item, schema.get("items")?) }
                    .map(|p| format!("items: {p}"))
            }
            _ => Some(format!("is `{}`, but Rust's is an array", text(ty))),
        },
        Some("string") if schema.get("format") == Some(&json!("date-time")) => {
            (!matches!(ty, Ty::Ref(n, _) if n == "Instant"))
                .then(|| format!("is `{}`, but Rust's is an instant: `Instant`", text(ty)))
        }
        Some("object") if schema.get("properties").is_none() => None,
        _ => {
            let (want, have) = (schema_kinds(schemas, schema), ts_kinds(types, ty));
            (want != have).then(|| {
                format!(
                    "is `{}` ({}), but Rust's is {}",
                    text(ty),
                    have.into_iter().collect::<Vec<_>>().join(" or "),
                    want.into_iter().collect::<Vec<_>>().join(" or ")
                )
            })
        }
    }
}

/// A declaration used as `child` may stand in a declaration used as
/// `parent`: an input's fields are inputs, an answer's answers.
fn covers(child: View, parent: View) -> bool {
    child == View::Both || child == parent
}

fn aliases_of(names: &Copies, target: &str, view: View) -> String {
    let found: Vec<String> = names
        .iter()
        .filter(|(_, rust)| rust.iter().any(|(r, v)| *r == target && covers(*v, view)))
        .map(|(ts, _)| format!("`{ts}`"))
        .collect();
    if found.is_empty() {
        format!("a declaration the test's name map gives for `{target}` as {view:?}")
    } else {
        found.join(" or ")
    }
}

/// Every declaration with the Rust schemas it copies, and how it is used:
/// the interfaces of the name map and the unions of the enum map.
type Copies = BTreeMap<&'static str, Vec<(&'static str, View)>>;

fn copies(map: &[Mapped]) -> Copies {
    let mut names = Copies::new();
    for m in map {
        names.entry(m.ts).or_default().push((m.rust.name, m.view));
    }
    for e in enum_map() {
        let entry = names.entry(e.ts).or_default();
        entry.extend(e.schemas.iter().map(|s| (*s, View::Both)));
    }
    names
}

#[test]
fn interfaces_match_the_rust_types() {
    let types = declarations();
    let map = name_map();
    let schemas = Schemas::new(&map.iter().map(|m| m.rust).collect::<Vec<_>>());
    let names = copies(&map);
    let mut problems = Vec::new();
    for m in &map {
        let at = format!("{} (Rust `{}`)", m.ts, m.rust.name);
        let Some(ty) = ts_type(&types, m.ts) else {
            problems.push(format!("{at}: not declared"));
            continue;
        };
        let Some(fields) = schemas.fields(m.rust.name) else {
            problems.push(format!("{at}: Rust's schema is not an object"));
            continue;
        };
        let (Some(shapes), Some(flat)) = (types.shapes(&ty), types.flat_props(&ty)) else {
            problems.push(format!("{at}: not an object type"));
            continue;
        };
        for name in flat.keys().filter(|n| !fields.contains_key(*n)) {
            problems.push(format!(
                "{at}: declares `{name}`, which Rust does not have (fields: {})",
                fields.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        for name in fields.keys().filter(|n| !flat.contains_key(*n)) {
            problems.push(format!("{at}: lacks Rust's `{name}`"));
        }
        let mut optionality = Vec::new();
        if matches!(m.view, View::Input | View::Both) {
            optionality.push((
                "input",
                fields
                    .iter()
                    .map(|(n, f)| (n.clone(), f.required))
                    .collect::<BTreeMap<_, _>>(),
            ));
        }
        if matches!(m.view, View::Answer | View::Both) {
            match schemas.always_written(&m.rust) {
                Ok(written) => optionality.push((
                    "answer",
                    fields
                        .keys()
                        .map(|n| {
                            let always =
                                written.contains(n) || m.always_filled.contains(&n.as_str());
                            (n.clone(), always)
                        })
                        .collect(),
                )),
                Err(e) => problems.push(format!("{at}: {e}")),
            }
        }
        for (view, required) in optionality {
            for (name, ts_required) in &flat {
                let Some(rust_required) = required.get(name) else {
                    continue;
                };
                if ts_required != rust_required {
                    let (ts_says, rust_says) = if *ts_required {
                        (
                            "required",
                            if view == "input" {
                                "may be left out"
                            } else {
                                "is not always written"
                            },
                        )
                    } else {
                        (
                            "optional (`?`)",
                            if view == "input" {
                                "is required"
                            } else {
                                "is always written"
                            },
                        )
                    };
                    problems.push(format!(
                        "{at}: `{name}` is {ts_says}, but as {view} Rust's {rust_says}"
                    ));
                }
            }
        }
        for (name, field) in &fields {
            // Every variant's declaration of it (`?: undefined` aside).
            let mut declared: Vec<Ty> = Vec::new();
            for s in shapes.iter().filter(|s| !s.forbids(name)) {
                for t in s.props.get(name).into_iter().flat_map(|(_, tys)| tys) {
                    if !declared.contains(t) {
                        declared.push(t.clone());
                    }
                }
            }
            let ty = match declared.len() {
                0 => continue,
                1 => declared.into_iter().next().unwrap(),
                _ => Ty::Union(declared),
            };
            if let Some(p) = field_problem(&types, &schemas, &names, m.view, &ty, &field.schema) {
                problems.push(format!("{at}: `{name}` {p}"));
            }
        }
    }
    report("interfaces against the Rust types' schemas", &problems);
}

// ---- String unions against the Rust lists of values --------------------------

/// A string union and the Rust values it copies.
struct EnumCopy {
    ts: &'static str,
    values: Vec<String>,
    /// The Rust schemas whose fields it declares.
    schemas: &'static [&'static str],
    /// Read in any letter case: the union must give every Rust spelling,
    /// and nothing that is not one of them in some case.
    any_case: bool,
}

fn exact(ts: &'static str, values: &[&str], schemas: &'static [&'static str]) -> EnumCopy {
    EnumCopy {
        ts,
        values: values.iter().map(|s| (*s).to_owned()).collect(),
        schemas,
        any_case: false,
    }
}

fn http_statuses() -> Vec<String> {
    // Every status; a new one fails to compile here until it is added.
    let all = [
        Status::Invalid,
        Status::NotFound,
        Status::Conflict,
        Status::Forbidden,
    ];
    for s in all {
        match s {
            Status::Invalid | Status::NotFound | Status::Conflict | Status::Forbidden => {}
        }
    }
    all.iter().map(|s| s.http().to_string()).collect()
}

fn enum_map() -> Vec<EnumCopy> {
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let malformed: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| {
            c.starts_with("body.") || c.starts_with("snapshot.") || c.starts_with("limits.")
        })
        .collect();
    let wire: Vec<&str> = PoolLevel::ALL.iter().map(|l| l.wire_name()).collect();
    let grant: Vec<&str> = PoolLevel::ALL.iter().map(|l| l.grant_name()).collect();
    let display: Vec<&str> = Role::ALL.iter().map(|r| r.display_name()).collect();
    let approval = [request::Approval::Manual, request::Approval::Auto]
        .iter()
        .map(|a| {
            serde_json::to_value(a)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect::<Vec<_>>();
    let report_by = [
        report::ReportBy::Pool,
        report::ReportBy::Group,
        report::ReportBy::User,
    ]
    .iter()
    .map(|a| {
        serde_json::to_value(a)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    })
    .collect::<Vec<_>>();
    vec![
        exact("Role", Role::NAMES, &["Role"]),
        exact("RoleDisplayName", &display, &[]),
        exact("Category", Category::NAMES, &["Category"]),
        exact("Level", Level::NAMES, &["Level"]),
        exact("PoolLevelName", &wire, &["PoolLevel"]),
        exact("GrantRoleName", &grant, &["GrantRole"]),
        EnumCopy {
            ts: "PoolLevelInput",
            values: wire.iter().chain(&grant).map(|s| (*s).to_owned()).collect(),
            schemas: &["PoolLevel", "GrantRole"],
            any_case: true,
        },
        exact("Access", Access::NAMES, &[]),
        exact("OperationId", Operation::NAMES, &[]),
        exact("Period", request::Period::NAMES, &["Period"]),
        EnumCopy {
            ts: "Approval",
            values: approval,
            schemas: &["Approval"],
            any_case: false,
        },
        exact(
            "RequestStatus",
            request::RequestStatus::NAMES,
            &["RequestStatus"],
        ),
        exact("AuditAction", audit::AuditAction::NAMES, &["AuditAction"]),
        exact("AuditActionName", audit::AuditAction::NAMES, &[]),
        exact("ViolationCode", &codes, &["ViolationCode"]),
        // What `Malformed` carries: shape codes, and a snapshot's or its limits'.
        exact("MalformedCode", &malformed, &[]),
        EnumCopy {
            ts: "FailureStatus",
            values: http_statuses(),
            schemas: &[],
            any_case: false,
        },
        exact("OpName", api::OPS, &[]),
        exact("DecisionReason", decision::REASON_CODES, &[]),
        EnumCopy {
            ts: "ReportBy",
            values: report_by,
            schemas: &["ReportBy"],
            any_case: false,
        },
    ]
}

#[test]
fn string_unions_match_the_rust_values() {
    let types = declarations();
    let map = name_map();
    let schemas = Schemas::new(&map.iter().map(|m| m.rust).collect::<Vec<_>>());
    let mut problems = Vec::new();
    for e in enum_map() {
        let Some(literals) = types
            .has(e.ts)
            .then(|| types.literals(&Ty::Ref(e.ts.to_owned(), Vec::new())))
            .flatten()
        else {
            problems.push(format!("{}: not declared as a union of literals", e.ts));
            continue;
        };
        let rust: BTreeSet<String> = e.values.iter().cloned().collect();
        if e.any_case {
            let lower: BTreeSet<String> = rust.iter().map(|v| v.to_lowercase()).collect();
            for v in rust.difference(&literals) {
                problems.push(format!("{}: lacks \"{v}\"", e.ts));
            }
            for v in literals
                .iter()
                .filter(|v| !lower.contains(&v.to_lowercase()))
            {
                problems.push(format!("{}: \"{v}\" is no spelling of a Rust value", e.ts));
            }
        } else {
            for v in rust.difference(&literals) {
                problems.push(format!("{}: lacks \"{v}\"", e.ts));
            }
            for v in literals.difference(&rust) {
                problems.push(format!("{}: \"{v}\" is not a Rust value", e.ts));
            }
        }
        // The schema's enum is the same list (the truth the OpenAPI
        // document and the server's schemas also give).
        for s in e.schemas {
            match schemas.enum_values(s) {
                Some(values) if !e.any_case => {
                    let values: BTreeSet<String> = values.into_iter().collect();
                    if values != rust {
                        problems.push(format!("{}: Rust's schema `{s}` lists {values:?}", e.ts));
                    }
                }
                Some(_) => {}
                None if schemas.get(s).is_some() => {
                    problems.push(format!("{}: Rust's schema `{s}` is not an enum", e.ts));
                }
                // Not named by any mapped type: nothing to compare.
                None => {}
            }
        }
    }
    report("string unions against the Rust values", &problems);
}

// ---- Inputs through the JSON interface -----------------------------------------

/// Input properties that are another's serde alias: (op, alias, field).
/// `UserPoolInput` names the pool as `pool` or as `agentPoolId`.
const ALIASES: &[(&str, &str, &str)] = &[
    ("explainPoolAccess", "agentPoolId", "pool"),
    ("requestAccess", "agentPoolId", "pool"),
];

/// An op's call, with whatever every op needs around `input`.
fn call_of(op: &str, input: Value) -> Value {
    json!({
        "op": op,
        "now": "2026-01-01T00:00:00Z",
        "snapshot": {"rbacEnabled": true},
        "actor": "probe@example.com",
        "input": input,
    })
}

/// The field names serde lists when it refuses an unknown one.
fn listed_fields(message: &str) -> Option<BTreeSet<String>> {
    if message.contains("there are no fields") {
        return Some(BTreeSet::new());
    }
    let (_, list) = message.split_once(", expected ")?;
    Some(
        list.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect(),
    )
}

/// A value of a declared type, as small as it allows.
fn ts_sample(types: &Types, ty: &Ty) -> Value {
    if matches!(ty, Ty::Ref(n, _) if n == "Instant") {
        return json!("2026-01-01T00:00:00Z");
    }
    match types.expand(ty) {
        Ty::Str(s) => json!(s),
        Ty::Num(n) => serde_json::from_str(&n).unwrap_or(json!(0)),
        Ty::Array(_) => json!([]),
        Ty::Union(v) => v
            .iter()
            .find(|t| !matches!(t, Ty::Ref(n, _) if n == "undefined"))
            .map_or(Value::Null, |t| ts_sample(types, t)),
        t @ (Ty::Obj(_) | Ty::Inter(_)) => {
            let mut out = serde_json::Map::new();
            if let Some(shape) = types.shapes(&t).and_then(|s| s.into_iter().next()) {
                for (name, (optional, tys)) in &shape.props {
                    if !optional && let Some(t) = tys.first() {
                        out.insert(name.clone(), ts_sample(types, t));
                    }
                }
            }
            Value::Object(out)
        }
        Ty::Ref(n, _) => match n.as_str() {
            "string" => json!("x"),
            "number" => json!(1),
            "boolean" => json!(false),
            "null" => Value::Null,
            _ => json!({}),
        },
    }
}

/// What Rust's reader of one place of a call says of its fields: their
/// names, those it requires, and any declared type it refuses.
struct Probed {
    fields: BTreeSet<String>,
    required: BTreeSet<String>,
    /// Every required field was found (the probe did not stop on a problem).
    complete: bool,
    problems: Vec<String>,
}

/// Probes a reader: `run(object)` runs a call with `object` at `path`.
fn probe(
    types: &Types,
    ty: &Ty,
    path: &str,
    run: &dyn Fn(Value) -> Result<Value, api::Malformed>,
) -> Probed {
    let mut out = Probed {
        fields: BTreeSet::new(),
        required: BTreeSet::new(),
        complete: false,
        problems: Vec::new(),
    };
    let at = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    match run(json!({"~probe": 0})) {
        Err(m)
            if m.errors
                .first()
                .is_some_and(|v| v.code == Code::BodyUnknownField && v.field == at("~probe")) =>
        {
            match listed_fields(&m.errors[0].message) {
                Some(fields) => out.fields = fields,
                None => out
                    .problems
                    .push(format!("cannot read serde's list of fields: {}", m.message)),
            }
        }
        other => out
            .problems
            .push(format!("an unknown field is not refused: {other:?}")),
    }
    // Add what serde says is missing, a declared value each, until it reads.
    let shapes = types.shapes(ty).unwrap_or_default();
    let mut object = serde_json::Map::new();
    let mut added = None;
    for _ in 0..40 {
        let Err(m) = run(Value::Object(object.clone())) else {
            out.complete = true;
            break;
        };
        let Some(v) = m.errors.first() else { break };
        let name = v.field.strip_prefix(&at("")).unwrap_or(&v.field).to_owned();
        if v.code == Code::BodyMissingField
            && v.message.starts_with("missing field")
            && !name.contains(['.', '['])
        {
            out.required.insert(name.clone());
            let declared = shapes
                .iter()
                .filter(|s| !s.forbids(&name))
                .find_map(|s| s.props.get(&name).and_then(|(_, t)| t.first().cloned()));
            let Some(t) = declared else {
                out.problems
                    .push(format!("Rust requires `{name}`, which is not declared"));
                break;
            };
            object.insert(name.clone(), ts_sample(types, &t));
            added = Some(name);
        } else {
            if let Some(last) = &added
                && v.field.starts_with(&at(last))
                && v.code == Code::BodyInvalidType
            {
                out.problems.push(format!(
                    "Rust refuses a value of the declared type of `{last}` ({}): {}",
                    object[last.as_str()],
                    v.message
                ));
            } else {
                // Read: what stops it now is not a field's absence.
                out.complete = true;
            }
            break;
        }
    }
    // Each other declared field, given a value of its declared type.
    let mut others = BTreeMap::new();
    for shape in &shapes {
        for (name, (_, tys)) in &shape.props {
            if !shape.forbids(name)
                && !object.contains_key(name)
                && let Some(t) = tys.first()
            {
                others.entry(name.clone()).or_insert_with(|| t.clone());
            }
        }
    }
    for (name, t) in others {
        let mut with = object.clone();
        let value = ts_sample(types, &t);
        with.insert(name.clone(), value.clone());
        if let Err(m) = run(Value::Object(with))
            && let Some(v) = m.errors.first()
            && v.code == Code::BodyInvalidType
            && v.field.starts_with(&at(&name))
        {
            out.problems.push(format!(
                "Rust refuses a value of the declared type of `{name}` ({value}): {}",
                v.message
            ));
        }
    }
    out
}

/// Compares what Rust reads at `op`'s input (`""`: the call) with `ty`.
fn compare_probed(
    types: &Types,
    op: &str,
    what: &str,
    ty: &Ty,
    probed: Probed,
    problems: &mut Vec<String>,
) {
    println!(
        "{what}: Rust reads {:?}, requires {:?}",
        probed.fields, probed.required
    );
    problems.extend(probed.problems.into_iter().map(|p| format!("{what}: {p}")));
    let Some(shapes) = types.shapes(ty) else {
        problems.push(format!("{what}: `{}` is not an object type", text(ty)));
        return;
    };
    let Some(flat) = types.flat_props(ty) else {
        return;
    };
    for name in flat.keys().filter(|n| !probed.fields.contains(*n)) {
        problems.push(format!(
            "{what}: declares `{name}`, which Rust does not read (it reads: {})",
            probed.fields.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    for name in probed.fields.iter().filter(|n| !flat.contains_key(*n)) {
        problems.push(format!("{what}: lacks `{name}`, which Rust reads"));
    }
    // Required in every variant, a serde alias counted as its field.
    let canonical = |n: &str| {
        ALIASES
            .iter()
            .find(|(o, alias, _)| *o == op && *alias == n)
            .map_or(n.to_owned(), |(_, _, field)| (*field).to_owned())
    };
    if !probed.complete {
        return;
    }
    let mut required = BTreeSet::new();
    for name in flat.keys() {
        let c = canonical(name);
        if shapes.iter().all(|s| {
            s.props
                .iter()
                .any(|(n, (optional, _))| canonical(n) == c && !optional && !s.forbids(n))
        }) {
            required.insert(c);
        }
    }
    for name in required.difference(&probed.required) {
        problems.push(format!(
            "{what}: `{name}` is required, but Rust lets it be left out"
        ));
    }
    for name in probed.required.difference(&required) {
        problems.push(format!(
            "{what}: `{name}` is optional (`?`), but Rust requires it"
        ));
    }
}

/// `validateGrant` → `ValidateGrant`.
fn type_name(op: &str) -> String {
    let mut chars = op.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The declared `input` of an op's request.
fn declared_input(types: &Types, op: &str) -> Option<Ty> {
    let shapes = types.shapes(&Ty::Ref(format!("{}Request", type_name(op)), Vec::new()))?;
    let mut inputs: Vec<Ty> = Vec::new();
    for s in &shapes {
        if let Some((_, tys)) = s.props.get("input") {
            let t = if tys.len() == 1 {
                tys[0].clone()
            } else {
                Ty::Inter(tys.clone())
            };
            if !inputs.contains(&t) {
                inputs.push(t);
            }
        }
    }
    match inputs.len() {
        0 => None,
        1 => inputs.pop(),
        _ => Some(Ty::Union(inputs)),
    }
}

#[test]
fn each_operations_input_is_what_rust_reads() {
    let types = declarations();
    let mut problems = Vec::new();
    for op in api::OPS {
        if ["matrix", "catalogue"].contains(op) {
            continue; // their input is ignored
        }
        let Some(input) = declared_input(&types, op) else {
            problems.push(format!(
                "{}Request: not declared, or without `input`",
                type_name(op)
            ));
            continue;
        };
        let what = format!("{}Request's input", type_name(op));
        // A list's reader is probed at its first item.
        let (ty, path, list) = match types.expand(&input) {
            Ty::Array(item) => (*item, "input[0]", true),
            _ => (input.clone(), "input", false),
        };
        let run = |object: Value| {
            let input = if list { json!([object]) } else { object };
            let call: api::Call = serde_json::from_value(call_of(op, input)).unwrap();
            api::call(&call).map(|a| a.to_json())
        };
        let probed = probe(&types, &ty, path, &run);
        compare_probed(&types, op, &what, &ty, probed, &mut problems);
    }
    // The call itself: `Call`, and each op's `Request` is a call without `op`.
    let call = Ty::Ref("Call".into(), Vec::new());
    let run = |object: Value| api::call_json(&object.to_string()).map(|a| a.to_json());
    let probed = probe(&types, &call, "", &run);
    let fields = probed.fields.clone();
    compare_probed(&types, "", "Call", &call, probed, &mut problems);
    let request = Ty::Ref(
        "Request".into(),
        vec![Ty::Ref("unknown".into(), Vec::new())],
    );
    let declared: BTreeSet<String> = types
        .flat_props(&request)
        .unwrap_or_default()
        .into_keys()
        .collect();
    let rust: BTreeSet<String> = fields.into_iter().filter(|f| f != "op").collect();
    if declared != rust {
        problems.push(format!(
            "Request<T> declares {declared:?}, a call without `op` is {rust:?}"
        ));
    }
    report("each operation's input against what Rust reads", &problems);
}

// ---- Real answers against the declared answers ---------------------------------

fn corpus_dir() -> PathBuf {
    manifest_dir().join("../../tests/corpus")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A call of the corpus: JSON, or text that is not JSON.
enum Call {
    Json(Value),
    Text(String),
}

/// Every case of the corpus as `(id, call)`, its snapshot in place.
fn corpus_calls() -> Vec<(String, Call)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join("cases"))
        .expect("the corpus's cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let Value::Array(cases) = read_json(&file) else {
            panic!("{}: not a list of cases", file.display());
        };
        for case in cases {
            let mut call = serde_json::Map::new();
            // A body that is not JSON (`rawInput`) is spliced in as text.
            if case.get("rawInput").is_some() {
                call.insert("input".into(), json!("__RAW__"));
            }
            for key in ["op", "now", "actor", "replacing", "input"] {
                if let Some(v) = case.get(key) {
                    call.insert(key.to_owned(), v.clone());
                }
            }
            match case.get("snapshot") {
                Some(Value::String(name)) => {
                    let s = read_json(&corpus_dir().join("snapshots").join(format!("{name}.json")));
                    call.insert("snapshot".into(), s);
                }
                Some(inline) => {
                    call.insert("snapshot".into(), inline.clone());
                }
                None => {}
            }
            let id = format!("{stem}: {}", case["name"].as_str().unwrap_or("?"));
            let call = match case.get("rawInput").and_then(Value::as_str) {
                Some(raw) => {
                    Call::Text(Value::Object(call).to_string().replace("\"__RAW__\"", raw))
                }
                None => Call::Json(Value::Object(call)),
            };
            out.push((id, call));
        }
    }
    out
}

#[test]
fn the_corpus_answers_and_calls_have_the_declared_types() {
    let types = declarations();
    // Each problem once, with how many cases show it and the first one.
    let mut found: BTreeMap<String, (usize, String, String)> = BTreeMap::new();
    let mut note = |id: &str, problems: Vec<String>| {
        for p in problems {
            let key = without_indices(p.split(", found ").next().unwrap_or(&p));
            let e = found.entry(key).or_insert((0, id.to_owned(), p));
            e.0 += 1;
        }
    };
    let mut snapshots = BTreeSet::new();
    let mut checked = BTreeMap::<String, usize>::new();
    let malformed = types
        .shapes(&Ty::Ref("MalformedInput".into(), Vec::new()))
        .and_then(|s| {
            s.first()
                .and_then(|s| s.props.get("errors"))
                .map(|(_, t)| t[0].clone())
        })
        .expect("MalformedInput has `errors`");
    for (id, call) in corpus_calls() {
        let text = match &call {
            Call::Json(v) => v.to_string(),
            Call::Text(t) => t.clone(),
        };
        let answer = match api::call_json(&text) {
            Ok(a) => a.to_json(),
            Err(m) => m.to_json(),
        };
        let kind = answer["type"].as_str().unwrap_or_default().to_owned();
        if kind == "malformed" {
            // Thrown as `MalformedInput`: its errors, and no other field than `Error`'s.
            note(
                &id,
                types.check(&malformed, &answer["errors"], "MalformedInput.errors"),
            );
            for key in answer.as_object().into_iter().flat_map(|m| m.keys()) {
                if !["type", "message", "errors"].contains(&key.as_str()) {
                    note(&id, vec![format!("a malformed answer has `{key}`")]);
                }
            }
            *checked.entry("malformed".into()).or_default() += 1;
            continue;
        }
        let Call::Json(mut call) = call else {
            note(&id, vec![format!("a call that is not JSON answers {kind}")]);
            continue;
        };
        let op = call["op"].as_str().unwrap_or_default().to_owned();
        let name = type_name(&op);
        let answer_ty = Ty::Ref(format!("{name}Answer"), Vec::new());
        let request_ty = Ty::Ref(format!("{name}Request"), Vec::new());
        if !types.has(&format!("{name}Answer")) || !types.has(&format!("{name}Request")) {
            note(
                &id,
                vec![format!("`{name}Answer` or `{name}Request` is not declared")],
            );
            continue;
        }
        note(
            &id,
            types.check(&answer_ty, &answer, &format!("{name}Answer")),
        );
        // Each snapshot once; the calls with an empty one in its place.
        if let Some(s) = call.get_mut("snapshot") {
            let snapshot = std::mem::replace(s, json!({"rbacEnabled": true}));
            if snapshots.insert(snapshot.to_string()) {
                note(
                    &id,
                    types.check(
                        &Ty::Ref("Snapshot".into(), Vec::new()),
                        &snapshot,
                        "Snapshot",
                    ),
                );
            }
        }
        note(
            &id,
            types.check(&Ty::Ref("Call".into(), Vec::new()), &call, "Call"),
        );
        call.as_object_mut().unwrap().remove("op");
        note(
            &id,
            types.check(&request_ty, &call, &format!("{name}Request")),
        );
        *checked.entry(format!("{op} {kind}")).or_default() += 1;
    }
    // The getters of the package.
    note(
        "matrix()",
        types.check(
            &Ty::Ref("Matrix".into(), Vec::new()),
            &api::matrix_json(),
            "Matrix",
        ),
    );
    note(
        "catalogue()",
        types.check(
            &Ty::Ref("Catalogue".into(), Vec::new()),
            &api::catalogue_json(),
            "Catalogue",
        ),
    );
    println!("checked: {checked:?}, {} snapshots", snapshots.len());
    // Every op's success is seen (`catalogue`'s through `catalogue()`).
    for op in api::OPS.iter().filter(|op| **op != "catalogue") {
        if !checked.contains_key(&format!("{op} success")) {
            note("the corpus", vec![format!("no success of `{op}` to check")]);
        }
    }
    let problems: Vec<String> = found
        .into_iter()
        .map(|(_, (n, id, p))| format!("{p}  [{n} time(s); first in {id}]"))
        .collect();
    report(
        "the corpus's real answers and calls against the declared types",
        &problems,
    );
}

/// `users[7].roles[0]` → `users[i].roles[i]`: one problem of many items is one.
fn without_indices(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open + 1);
        out.push_str(before);
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(']') {
            out.push('i');
            rest = &after[digits..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

// ---- Every declaration is checked ------------------------------------------------

/// Declarations checked otherwise than by the maps above, and how; or not
/// checked, and why.
const OTHERWISE: &[(&str, &str)] = &[
    (
        "Instant",
        "a string: what every Rust instant field is declared as",
    ),
    ("FormValue", "compared where a Rust field is a `FormValue`"),
    ("ValidRequestCommon", "part of `ValidRequest`"),
    ("Failure", "corpus answers"),
    ("Answer", "corpus answers"),
    (
        "AnySuccess",
        "each op's success object is one of its variants (below)",
    ),
    ("MalformedInput", "corpus malformed answers"),
    ("Call", "the call's reader, probed; corpus calls"),
    ("Request", "a call without `op`"),
    ("TimedRequest", "part of each op's request"),
    ("ActingRequest", "part of each op's request"),
    ("DecisionQuery", "decide's input, probed"),
    (
        "UserPoolInput",
        "explainPoolAccess's and requestAccess's input, probed",
    ),
    (
        "UserOnlyInput",
        "effectivePermissions's and validateMember's input, probed",
    ),
    ("WhoCanApproveInput", "whoCanApprove's input, probed"),
    ("TransitionInput", "requestTransition's input, probed"),
    ("ApiKeyInput", "validateApiKey's input, probed"),
    (
        "CallingKeyInput",
        "validateApiKey's `callingKey`, read by api.rs's `CallingKeyInput` (unknown fields refused); the corpus cases that carry one",
    ),
    ("AccessReportInput", "accessReport's input, probed"),
    (
        "RequestAccess",
        "corpus answers (written by `api.rs` as JSON, no Rust type)",
    ),
    (
        "ValidPool",
        "corpus answers (written by `api.rs` as JSON, no Rust type)",
    ),
    (
        "MatrixRow",
        "matrix() (written by `api.rs` as JSON, no Rust type)",
    ),
    ("Matrix", "matrix()"),
    (
        "CatalogueOperation",
        "catalogue() (written by `api.rs` as JSON, no Rust type)",
    ),
    ("Catalogue", "catalogue()"),
    (
        "PoolPermissionName",
        "not compared: Rust writes these two strings in `decision.rs` and keeps no list; corpus answers",
    ),
];

#[test]
fn every_declaration_is_checked() {
    let types = declarations();
    let mut covered: BTreeSet<String> = BTreeSet::new();
    for m in name_map() {
        covered.insert(m.ts.split('#').next().unwrap_or(m.ts).to_owned());
    }
    covered.extend(enum_map().into_iter().map(|e| e.ts.to_owned()));
    covered.extend(OTHERWISE.iter().map(|(n, _)| (*n).to_owned()));
    let mut problems = Vec::new();
    for op in api::OPS {
        for suffix in ["Request", "Answer"] {
            let name = format!("{}{suffix}", type_name(op));
            if !types.has(&name) {
                problems.push(format!("`{name}` (op `{op}`) is not declared"));
            }
            covered.insert(name);
        }
    }
    for name in types.decls.keys().filter(|n| !covered.contains(*n)) {
        problems.push(format!(
            "`{name}` is checked by nothing: add it to a map of tests/declarations"
        ));
    }
    for name in covered.iter().filter(|n| !types.has(n)) {
        problems.push(format!("`{name}` is named by the test but not declared"));
    }
    // `AnySuccess` is exactly the success objects of the ops' answers.
    let mut successes = Vec::new();
    for op in api::OPS {
        if let Some(t) = ts_type(&types, &format!("{}Answer#success", type_name(op))) {
            if !successes.contains(&t) {
                successes.push(t);
            }
        } else {
            problems.push(format!("`{}Answer` is not `Answer<…>`", type_name(op)));
        }
    }
    match types.decls.get("AnySuccess").map(|d| &d.body) {
        Some(Ty::Union(variants)) => {
            for t in successes.iter().filter(|t| !variants.contains(t)) {
                problems.push(format!("AnySuccess lacks `{}`", text(t)));
            }
            for t in variants.iter().filter(|t| !successes.contains(t)) {
                problems.push(format!("AnySuccess has `{}`, no op's success", text(t)));
            }
        }
        _ => problems.push("AnySuccess is not a union".into()),
    }
    // The names the wasm facade gives its parameters and answers.
    let lib = std::fs::read_to_string(manifest_dir().join("src/lib.rs")).expect("src/lib.rs");
    for part in lib.split("_type = \"").skip(1) {
        let named = part.split('"').next().unwrap_or_default();
        for word in named.split(|c: char| !c.is_alphanumeric() && c != '_') {
            let builtin = [
                "string",
                "number",
                "readonly",
                "Uint32Array",
                "Int32Array",
                "users",
                "pools",
                "groups",
                "grants",
                "",
            ];
            if !builtin.contains(&word) && !types.has(word) {
                problems.push(format!("src/lib.rs names `{word}`, which is not declared"));
            }
        }
    }
    report("coverage of the declarations", &problems);
}
