//! `interim validate`: grant and access-request files through the policy's
//! JSON interface, one answer per object, with the exit code CI needs.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use interim_policy::api::{self, Answer, Call};
use interim_policy::snapshot::Snapshot;
use interim_policy::violation::{Code, Violation, status_of};
use serde_json::{Value, json};

use crate::output::{self, Format, GREEN, RED, paint};
use crate::{ERROR, INVALID, OK};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files, glob patterns (quoted, e.g. 'grants/**/*.json') or `-` for
    /// standard input. `.toml` files are TOML; anything else is JSON.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// A company snapshot (`interim snapshot`, or GET /api/v1/snapshot):
    /// also run the checks that need the company.
    #[arg(long, value_name = "SNAPSHOT.json")]
    pub context: Option<PathBuf>,
    /// Who creates the grants, or who requests (checked with --context).
    #[arg(long, value_name = "EMAIL")]
    pub actor: Option<String>,
    /// The instant to validate at (RFC 3339); the clock by default.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// What the files hold; `auto` tells by their fields.
    #[arg(long, value_enum, default_value_t = Kind::Auto)]
    pub kind: Kind,
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Tell by the fields.
    Auto,
    /// The vendor's grant: agentPoolIds, userEmails, roles, expirationDate, …
    Grant,
    /// The portal's grant form: role, expiryKind and expiry instead of roles and expirationDate.
    GrantForm,
    /// An access request: agentPoolId, period or durationMinutes, reason, ticketRef.
    Request,
}

impl Kind {
    fn of(self, item: &Value) -> Kind {
        if self != Kind::Auto {
            return self;
        }
        let has = |k: &str| item.get(k).is_some();
        if has("expiryKind") || has("role") || has("expiry") {
            Kind::GrantForm
        } else if has("agentPoolId")
            || has("period")
            || has("durationMinutes")
            || has("reason")
            || has("ticketRef")
        {
            Kind::Request
        } else {
            Kind::Grant
        }
    }

    fn op(self) -> &'static str {
        match self {
            Kind::Auto | Kind::Grant => "validateGrant",
            Kind::GrantForm => "validateGrantForm",
            Kind::Request => "validateRequest",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Auto | Kind::Grant => "grant",
            Kind::GrantForm => "grant-form",
            Kind::Request => "request",
        }
    }
}

/// The answer for one object of one file.
#[derive(Debug)]
struct Outcome {
    file: String,
    index: Option<usize>,
    kind: Option<Kind>,
    /// `None`: the file could not be read at all.
    answer: Option<Result<Value, Vec<Violation>>>,
    status: Option<u16>,
}

/// Reads a company snapshot file (used by every offline command).
pub fn load_snapshot(path: &Path) -> Result<Snapshot, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the snapshot {}: {e}", path.display()))?;
    let wire = interim_policy::parse::from_json_str(&text)
        .map_err(|v| interim_policy::api::Malformed::one(v).message)
        .map_err(|m| format!("the snapshot {} is not a snapshot: {m}", path.display()))?;
    Snapshot::build(wire).map_err(|errors| {
        format!(
            "the snapshot {} has {} problem(s): {}",
            path.display(),
            errors.len(),
            interim_policy::api::Malformed::many(errors).message
        )
    })
}

/// The instant of `--now`, or the clock.
pub fn now_arg(now: Option<&str>) -> Result<String, String> {
    match now {
        None => Ok(interim_policy::time::format_instant(chrono::Utc::now())),
        Some(text) => interim_policy::time::parse_instant(text)
            .map(interim_policy::time::format_instant)
            .ok_or_else(|| format!("--now: {}", interim_policy::time::not_an_instant(text))),
    }
}

/// Paths for the arguments: files as given, globs expanded, `-` kept.
fn expand(args: &[String]) -> Vec<Result<String, String>> {
    let mut out = Vec::new();
    for arg in args {
        if arg == "-" || Path::new(arg).exists() || !arg.contains(['*', '?', '[']) {
            out.push(Ok(arg.clone()));
            continue;
        }
        match glob::glob(arg) {
            Err(e) => out.push(Err(format!("{arg}: not a valid pattern: {e}"))),
            Ok(paths) => {
                let mut matched: Vec<String> = paths
                    .filter_map(Result::ok)
                    .filter(|p| p.is_file())
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                matched.sort();
                if matched.is_empty() {
                    out.push(Err(format!("{arg}: no file matches")));
                }
                out.extend(matched.into_iter().map(Ok));
            }
        }
    }
    out
}

fn read(path: &str) -> std::io::Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

/// The file's content as JSON, or why it is not.
fn parse(path: &str, text: &str) -> Result<Value, Violation> {
    if path.ends_with(".toml") {
        toml::from_str::<Value>(text).map_err(|e| {
            Violation::new(
                "",
                Code::BodyMalformed,
                format!("the file is not valid TOML: {}", e.message()),
            )
        })
    } else {
        interim_policy::parse::from_json_str::<Value>(text)
    }
}

/// Field paths of the interface's malformed answers are relative to the
/// call; in a file they are relative to the file.
fn relative(mut v: Violation) -> Violation {
    if let Some(rest) = v.field.strip_prefix("input") {
        v.field = rest.trim_start_matches('.').to_owned();
    }
    v
}

fn check(
    item: Value,
    kind: Kind,
    now: &str,
    actor: Option<&str>,
    snapshot: Option<&Snapshot>,
) -> (Result<Value, Vec<Violation>>, Option<u16>) {
    if kind == Kind::Request && (snapshot.is_none() || actor.is_none()) {
        let v = Violation::new(
            "",
            Code::BodyMissingField,
            "an access request is checked against a company: give --context SNAPSHOT.json and --actor (the requester)",
        );
        return (Err(vec![v]), None);
    }
    let call = Call {
        op: kind.op().to_owned(),
        now: Some(now.to_owned()),
        snapshot: None,
        actor: actor.map(str::to_owned),
        replacing: None,
        input: item,
    };
    match api::call_with(&call, snapshot) {
        Ok(Answer::Success(fields)) => (Ok(Value::Object(fields.to_map())), None),
        Ok(Answer::Failure(errors)) => {
            let status = status_of(&errors).map(|s| s.http());
            (Err(errors), status)
        }
        Err(m) => (Err(m.errors.into_iter().map(relative).collect()), Some(400)),
    }
}

pub fn run(args: &ValidateArgs, format: Format) -> u8 {
    let now = match now_arg(args.now.as_deref()) {
        Ok(n) => n,
        Err(e) => return output::error(format, &e),
    };
    let snapshot = match &args.context {
        None => None,
        Some(path) => match load_snapshot(path) {
            Ok(s) => Some(s),
            Err(e) => return output::error(format, &e),
        },
    };
    let mut outcomes = Vec::new();
    let mut io_errors = Vec::new();
    for path in expand(&args.files) {
        let path = match path {
            Ok(p) => p,
            Err(e) => {
                io_errors.push(e);
                continue;
            }
        };
        let shown = if path == "-" {
            "<stdin>".to_owned()
        } else {
            path.clone()
        };
        let text = match read(&path) {
            Ok(t) => t,
            Err(e) => {
                io_errors.push(format!("{shown}: cannot read: {e}"));
                outcomes.push(Outcome {
                    file: shown,
                    index: None,
                    kind: None,
                    answer: None,
                    status: None,
                });
                continue;
            }
        };
        let value = match parse(&path, &text) {
            Ok(v) => v,
            Err(v) => {
                outcomes.push(Outcome {
                    file: shown,
                    index: None,
                    kind: None,
                    answer: Some(Err(vec![v])),
                    status: Some(400),
                });
                continue;
            }
        };
        let items: Vec<(Option<usize>, Value)> = match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Some(i), v))
                .collect(),
            other => vec![(None, other)],
        };
        for (index, item) in items {
            let kind = args.kind.of(&item);
            let (answer, status) =
                check(item, kind, &now, args.actor.as_deref(), snapshot.as_ref());
            outcomes.push(Outcome {
                file: shown.clone(),
                index,
                kind: Some(kind),
                answer: Some(answer),
                status,
            });
        }
    }
    let valid = outcomes
        .iter()
        .filter(|o| matches!(o.answer, Some(Ok(_))))
        .count();
    let invalid = outcomes
        .iter()
        .filter(|o| matches!(o.answer, Some(Err(_))))
        .count();
    let unreadable = io_errors.len();
    let code = if unreadable > 0 || outcomes.is_empty() {
        ERROR
    } else if invalid > 0 {
        INVALID
    } else {
        OK
    };
    match format {
        Format::Json => output::json(&json!({
            "valid": code == OK,
            "now": now,
            "counts": { "checked": valid + invalid, "valid": valid, "invalid": invalid, "unreadable": unreadable },
            "results": outcomes.iter().filter(|o| o.answer.is_some()).map(|o| {
                let (ok, errors) = match &o.answer {
                    Some(Ok(_)) | None => (true, Vec::new()),
                    Some(Err(e)) => (false, e.clone()),
                };
                json!({
                    "file": o.file,
                    "index": o.index,
                    "kind": o.kind.map(Kind::name),
                    "valid": ok,
                    "status": o.status,
                    "errors": errors,
                })
            }).collect::<Vec<_>>(),
            "ioErrors": io_errors,
        })),
        Format::Human => {
            for o in &outcomes {
                let name = match o.index {
                    Some(i) => format!("{}[{i}]", o.file),
                    None => o.file.clone(),
                };
                match &o.answer {
                    None => {}
                    Some(Ok(_)) => output::line(&format!("{}  {name}", paint(GREEN, "valid  "))),
                    Some(Err(errors)) => {
                        output::line(&format!(
                            "{}  {name}  ({} problem{})",
                            paint(RED, "invalid"),
                            errors.len(),
                            if errors.len() == 1 { "" } else { "s" }
                        ));
                        for v in errors {
                            output::line(&output::violation(v));
                        }
                    }
                }
            }
            for e in &io_errors {
                output::warn(&format!("{} {e}", paint(RED, "error:")));
            }
            output::line(&format!(
                "{} checked: {valid} valid, {invalid} invalid{}",
                valid + invalid,
                if unreadable > 0 {
                    format!(", {unreadable} unreadable")
                } else {
                    String::new()
                }
            ));
        }
    }
    code
}
