//! Offline commands over a company snapshot: `explain`, `roles`,
//! `migrate-roles`, and `call` (the policy's JSON interface, raw).

// Reading a `serde_json::Value` by key yields `Null` when absent; it never panics.
#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing by key returns Null, never panics"
)]

use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::Args;
use interim_policy::api::{self, Answer, Call, catalogue_json, matrix_json};
use interim_policy::catalogue::Access;
use interim_policy::snapshot::Snapshot;
use serde_json::{Value, json};

use crate::output::{self, BOLD, DIM, Format, GREEN, RED, paint};
use crate::validate::{load_snapshot, now_arg};
use crate::{ERROR, INVALID, OK};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The company snapshot to decide against.
    #[arg(long, value_name = "SNAPSHOT.json")]
    pub context: PathBuf,
    /// The user whose access is explained.
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Explain the user's access to this agent pool.
    #[arg(long, value_name = "POOL_ID", conflicts_with_all = ["operation", "permissions"])]
    pub pool: Option<String>,
    /// Explain whether the user may view or change this operation of the
    /// catalogue (e.g. `company.users`; `interim roles` lists them).
    #[arg(long, value_name = "OPERATION", requires = "access")]
    pub operation: Option<String>,
    /// `view` or `change`, with --operation.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(Access::NAMES))]
    pub access: Option<String>,
    /// Scope an environment operation to this pool.
    #[arg(long = "scope", value_name = "POOL_ID", requires = "operation")]
    pub scope: Option<String>,
    /// Everything the user may do, with the reason for each part.
    #[arg(long)]
    pub permissions: bool,
    /// Who may approve this access request (by id).
    #[arg(long, value_name = "REQUEST_ID", conflicts_with_all = ["user", "pool", "operation", "permissions", "requester"])]
    pub request: Option<String>,
    /// Who may approve a request this user would make for --pool.
    #[arg(long, value_name = "EMAIL", requires = "pool", conflicts_with_all = ["user", "operation", "permissions"])]
    pub requester: Option<String>,
    /// The instant to decide at (RFC 3339); the clock by default.
    #[arg(long = "at", alias = "now", value_name = "RFC3339")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The legacy users file (JSON: [{email, firstName, lastName, legacyRoles, groupAdminOf}]).
    #[arg(long, value_name = "FILE", required = true)]
    pub preview: PathBuf,
    /// Match users and groups against this company snapshot.
    #[arg(long, value_name = "SNAPSHOT.json")]
    pub context: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Compute it offline from this snapshot instead of asking the server.
    #[arg(long, value_name = "SNAPSHOT.json")]
    pub context: Option<PathBuf>,
    /// `pool`, `group` or `user`.
    #[arg(long, default_value = "pool", value_parser = ["pool", "group", "user"])]
    pub by: String,
    /// One pool id, group id or user e-mail (by `--by`) instead of all.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// `csv` or `json`.
    #[arg(long = "as", default_value = "json", value_parser = ["csv", "json"])]
    pub kind: String,
    /// The instant (offline only; RFC 3339); the clock by default.
    #[arg(long = "at", value_name = "RFC3339", requires = "context")]
    pub at: Option<String>,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub conn: crate::client::ConnArgs,
}

pub fn report(args: &ReportArgs, format: Format) -> u8 {
    use interim_policy::report::{ReportBy, access_report, report_csv};
    let Some(path) = &args.context else {
        let one = args
            .id
            .as_deref()
            .map(|id| format!("&id={}", crate::client::path_segment(id)))
            .unwrap_or_default();
        let query = format!(
            "/api/v1/reports/access?by={}&format={}{one}",
            args.by, args.kind
        );
        return crate::client::download(format, &args.conn, &query, args.output.as_ref());
    };
    let now = match now_arg(args.at.as_deref()) {
        Ok(n) => n,
        Err(e) => return output::error(format, &e),
    };
    let snapshot = match load_snapshot(path) {
        Ok(s) => s,
        Err(e) => return output::error(format, &e),
    };
    let (Some(by), Some(at)) = (
        ReportBy::parse(&args.by),
        interim_policy::time::parse_instant(&now),
    ) else {
        return output::error(format, "--by is pool, group or user");
    };
    let mut report = access_report(&snapshot, at, by);
    if let Some(id) = &args.id {
        match report.only(id) {
            Some(one) => report = one,
            None => {
                return output::error(
                    format,
                    &format!("There is no {} “{id}” in the company.", by.noun()),
                );
            }
        }
    }
    let text = if args.kind == "csv" {
        report_csv(&report)
    } else {
        serde_json::to_string_pretty(&report).unwrap_or_default()
    };
    crate::client::deliver(format, &text, args.output.as_ref())
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// A file of calls, one JSON value per line (or one JSON array), or `-`.
    #[arg(default_value = "-")]
    pub file: String,
}

/// Runs one call of the interface; the answer as JSON (malformed included).
fn answer(call: &Call, snapshot: Option<&Snapshot>) -> Value {
    match api::call_with(call, snapshot) {
        Ok(a) => a.to_json(),
        Err(m) => m.to_json(),
    }
}

fn decision_line(d: &Value) -> String {
    let allowed = d.get("allowed").and_then(Value::as_bool).unwrap_or(false);
    // The policy's message names no instant; its end is data, shown here.
    let until = d
        .get("until")
        .and_then(Value::as_str)
        .map(|t| format!(" (until {t})"))
        .unwrap_or_default();
    format!(
        "{}  {}  {}{until}",
        if allowed {
            paint(GREEN, "allowed")
        } else {
            paint(RED, "denied ")
        },
        paint(
            DIM,
            d.get("reason").and_then(Value::as_str).unwrap_or_default()
        ),
        d.get("message").and_then(Value::as_str).unwrap_or_default()
    )
}

pub fn explain(args: &ExplainArgs, format: Format) -> u8 {
    let now = match now_arg(args.at.as_deref()) {
        Ok(n) => n,
        Err(e) => return output::error(format, &e),
    };
    let snapshot = match load_snapshot(&args.context) {
        Ok(s) => s,
        Err(e) => return output::error(format, &e),
    };
    let (op, input) = match (&args.request, &args.user) {
        (Some(id), _) => ("whoCanApprove", json!({ "requestId": id })),
        (None, None) if args.requester.is_some() => (
            "whoCanApprove",
            json!({ "requester": args.requester, "agentPoolId": args.pool }),
        ),
        (None, None) => {
            return output::error(
                format,
                "give --user (with --pool, --operation or --permissions) or --request",
            );
        }
        (None, Some(user)) => {
            if let Some(pool) = &args.pool {
                ("explainPoolAccess", json!({ "user": user, "pool": pool }))
            } else if let (Some(op), Some(access)) = (&args.operation, &args.access) {
                let mut q = json!({ "user": user, "operation": op, "access": access });
                if let (Some(scope), Value::Object(map)) = (&args.scope, &mut q) {
                    map.insert("pool".into(), Value::from(scope.clone()));
                }
                ("decide", q)
            } else if args.permissions {
                ("effectivePermissions", json!({ "user": user }))
            } else {
                return output::error(
                    format,
                    "with --user, give --pool, --operation with --access, or --permissions",
                );
            }
        }
    };
    let call = Call {
        op: op.to_owned(),
        now: Some(now.clone()),
        snapshot: None,
        actor: None,
        replacing: None,
        input,
    };
    let result = answer(&call, Some(&snapshot));
    let code = match result.get("type").and_then(Value::as_str) {
        Some("success") => OK,
        Some("failure") => INVALID,
        _ => ERROR,
    };
    if format == Format::Json {
        output::json(&result);
        return code;
    }
    if code != OK {
        output::line(&paint(RED, "refused"));
        for e in result
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Ok(v) = serde_json::from_value(e.clone()) {
                output::line(&output::violation(&v));
            }
        }
        return code;
    }
    output::line(&paint(DIM, &format!("at {now}")));
    match op {
        "explainPoolAccess" => {
            let e = result.get("explanation").cloned().unwrap_or_default();
            output::line(&format!(
                "{} {}",
                paint(BOLD, "Standard:  "),
                decision_line(&e["decision"])
            ));
            output::line(&format!(
                "{} {}",
                paint(BOLD, "Privileged:"),
                decision_line(&e["privileged"])
            ));
            let sources = e
                .get("sources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            output::line(&paint(BOLD, &format!("Sources ({}):", sources.len())));
            for s in &sources {
                output::line(&format!("  {}", decision_line(s)));
            }
        }
        "decide" => output::line(&decision_line(&result["decision"])),
        "whoCanApprove" => {
            let list = result
                .get("reviewers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            output::line(&paint(
                BOLD,
                &format!("{} reviewer(s) may approve:", list.len()),
            ));
            for r in list {
                let via = r["via"].as_str().unwrap_or_default();
                let extra = match (r["delegatedBy"].as_str(), r["until"].as_str()) {
                    (Some(by), Some(until)) => format!(" for {by} until {until}"),
                    _ => String::new(),
                };
                output::line(&format!(
                    "  {}  {}",
                    r["email"].as_str().unwrap_or_default(),
                    paint(DIM, &format!("{via}{extra}"))
                ));
            }
        }
        _ => {
            let p = result.get("permissions").cloned().unwrap_or_default();
            output::line(&format!(
                "{} — roles: {}",
                paint(BOLD, p["email"].as_str().unwrap_or_default()),
                p["roles"]
                    .as_array()
                    .map(|r| r
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            ));
            for c in p["categories"].as_array().into_iter().flatten() {
                output::line(&format!(
                    "  {:<20} {:<4} {}",
                    c["category"].as_str().unwrap_or_default(),
                    c["level"].as_str().unwrap_or_default(),
                    paint(
                        DIM,
                        &c["fromRoles"]
                            .as_array()
                            .map(|r| r
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", "))
                            .unwrap_or_default()
                    )
                ));
            }
            for pool in p["pools"].as_array().into_iter().flatten() {
                output::line(&format!(
                    "  pool {:<24} {}",
                    pool["agentPoolId"].as_str().unwrap_or_default(),
                    pool["level"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    code
}

pub fn roles(format: Format) -> u8 {
    let matrix = matrix_json();
    let catalogue = catalogue_json();
    if format == Format::Json {
        output::json(&json!({ "roles": matrix, "operations": catalogue }));
        return OK;
    }
    let cats = [
        "COMPANY_CONFIG",
        "SECURITY",
        "ENVIRONMENT",
        "APP_SEC",
        "DEBUGGING_RUNBOOKS",
    ];
    output::line(&paint(
        BOLD,
        &format!(
            "{:<22} {:<15} {:<9} {:<12} {:<8} {}",
            "Role", "Company config", "Security", "Environment", "AppSec", "Debugging runbooks"
        ),
    ));
    for row in matrix.as_array().into_iter().flatten() {
        let mut line = format!(
            "{:<22}",
            format!(
                "{}{}",
                row["name"].as_str().unwrap_or_default(),
                if row["rbacOnly"].as_bool().unwrap_or(false) {
                    " *"
                } else {
                    ""
                }
            )
        );
        for (cat, width) in cats.iter().zip([15, 9, 12, 8, 19]) {
            let cell = &row["categories"][cat];
            let level = cell["level"].as_str().unwrap_or_default();
            let shown = match (level, cell["scoped"].as_bool().unwrap_or(false)) {
                ("NONE", _) => "—".to_owned(),
                (l, true) => format!("{l} (own)"),
                (l, false) => l.to_owned(),
            };
            line.push_str(&format!(" {shown:<width$}"));
        }
        output::line(line.trim_end());
    }
    output::line(&paint(
        DIM,
        "* exists only with RBAC on; (own): on the environments the user administers",
    ));
    output::line("");
    output::line(&paint(
        BOLD,
        &format!("{:<38} {:<20} {}", "Operation", "Category", "What"),
    ));
    for op in catalogue.as_array().into_iter().flatten() {
        output::line(&format!(
            "{:<38} {:<20} {}",
            op["id"].as_str().unwrap_or_default(),
            op["category"].as_str().unwrap_or_default(),
            op["title"].as_str().unwrap_or_default()
        ));
    }
    OK
}

pub fn migrate(args: &MigrateArgs, format: Format) -> u8 {
    let snapshot = match &args.context {
        None => None,
        Some(path) => match load_snapshot(path) {
            Ok(s) => Some(s),
            Err(e) => return output::error(format, &e),
        },
    };
    let text = match std::fs::read_to_string(&args.preview) {
        Ok(t) => t,
        Err(e) => {
            return output::error(
                format,
                &format!("cannot read {}: {e}", args.preview.display()),
            );
        }
    };
    let entries = match interim_policy::parse::from_json_str::<
        Vec<interim_policy::wire::LegacyUserWire>,
    >(&text)
    {
        Ok(e) => e,
        Err(v) => {
            let message = format!("{}: {} {}", args.preview.display(), v.field, v.message);
            return output::error(format, &message);
        }
    };
    let preview = interim_policy::legacy::preview_migration(&entries, snapshot.as_ref());
    let code = if preview.errors.is_empty() {
        OK
    } else {
        INVALID
    };
    if format == Format::Json {
        output::json(
            &json!({ "valid": code == OK, "users": preview.users, "errors": preview.errors }),
        );
        return code;
    }
    for u in &preview.users {
        let roles: Vec<&str> = u.roles.iter().map(|r| r.display_name()).collect();
        output::line(&format!(
            "{:<7} {:<32} {}{}",
            u.action,
            u.email,
            roles.join(", "),
            if u.group_admin_of.is_empty() {
                String::new()
            } else {
                format!(" — group admin of {}", u.group_admin_of.join(", "))
            }
        ));
    }
    for v in &preview.errors {
        output::line(&output::violation(v));
    }
    output::line(&format!(
        "{} users, {} problem(s){}",
        preview.users.len(),
        preview.errors.len(),
        if code == OK {
            ""
        } else {
            ": nothing would be imported"
        }
    ));
    code
}

/// `interim call`: raw calls of the interface, one answer per line.
pub fn call(args: &CallArgs) -> u8 {
    let reader: Box<dyn BufRead> = if args.file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&args.file) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                return output::error(Format::Human, &format!("cannot read {}: {e}", args.file));
            }
        }
    };
    let mut out = std::io::stdout().lock();
    let mut code = OK;
    for line in reader.lines() {
        let Ok(line) = line else {
            return output::error(Format::Human, "cannot read the calls");
        };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match api::call_json(&line) {
            Ok(a) => {
                if matches!(a, Answer::Failure(_)) {
                    code = code.max(INVALID);
                }
                a.to_json()
            }
            Err(m) => {
                code = ERROR;
                m.to_json()
            }
        };
        if writeln!(out, "{answer}").is_err() {
            return ERROR;
        }
    }
    code
}
