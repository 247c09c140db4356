//! The API client: `grant`, `user`, `audit`, `snapshot`.
//!
//! Credentials: an API key from `INTERIM_API_KEY` (sent as a Bearer token),
//! else the session `interim login` saved (`session.rs`). The server is
//! `--url`, else `INTERIM_URL`, else the saved one.

// Reading a `serde_json::Value` by key yields `Null` when absent; it never panics.
#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing by key returns Null, never panics"
)]

use std::path::PathBuf;

use clap::{Args, Subcommand};
use interim_policy::violation::{Code, Violation};
use interim_policy::wire::{CreateTempAccess, FormValue, GrantForm};

use serde_json::{Value, json};

use crate::output::{self, BOLD, DIM, Format, GREEN, paint};
use crate::{INVALID, OK};

/// Where the server is.
#[derive(Debug, Clone, Args)]
pub struct ConnArgs {
    /// The server (default: INTERIM_URL, else the one `interim login` saved).
    #[arg(long, env = "INTERIM_URL", value_name = "URL", global = true)]
    pub url: Option<String>,
}

/// A grant given on the command line, in the portal's form.
#[derive(Debug, Clone, Args)]
pub struct GrantSpec {
    /// A grant file (JSON or TOML, the vendor's shape or the form's) instead of the flags below.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["pools", "users", "days", "hours", "until"])]
    pub file: Option<PathBuf>,
    /// An agent pool id (repeat for several).
    #[arg(long = "pool", value_name = "POOL_ID")]
    pub pools: Vec<String>,
    /// A user's e-mail (repeat for several).
    #[arg(long = "user", value_name = "EMAIL")]
    pub users: Vec<String>,
    /// `Standard` or `Privileged`.
    #[arg(long, default_value = "Standard")]
    pub role: String,
    /// Expires after this many days.
    #[arg(long, conflicts_with_all = ["hours", "until"])]
    pub days: Option<String>,
    /// Expires after this many hours.
    #[arg(long, conflicts_with = "until")]
    pub hours: Option<String>,
    /// Expires at this instant (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub until: Option<String>,
    /// The grant's name (default: a dated name).
    #[arg(long)]
    pub name: Option<String>,
    /// An incident id.
    #[arg(long)]
    pub incident: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GrantCommand {
    /// The active grants.
    #[command(after_help = "Example:\n  interim grant list --format json")]
    List(ConnArgs),
    /// Create a grant; it is checked by the policy first, then by the server.
    #[command(
        after_help = "Examples:\n  interim grant create --pool pool-payments-prod --user dana@example.com --days 2 --name 'Night shift'\n  interim grant create --file grant.json"
    )]
    Create {
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        grant: GrantSpec,
    },
    /// Delete a grant (its access ends at once).
    #[command(after_help = "Example:\n  interim grant delete 6f1c…")]
    Delete {
        #[command(flatten)]
        conn: ConnArgs,
        id: String,
    },
    /// Replace a grant: delete it and create the new one in one step.
    #[command(
        after_help = "Example:\n  interim grant replace 6f1c… --pool pool-payments-prod --user dana@example.com --hours 8"
    )]
    Replace {
        #[command(flatten)]
        conn: ConnArgs,
        id: String,
        #[command(flatten)]
        grant: GrantSpec,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Every user.
    #[command(after_help = "Example:\n  interim user list --format json")]
    List(ConnArgs),
    /// Create a user.
    #[command(
        after_help = "Example:\n  interim user create --email nia@example.com --first-name Nia --last-name Okafor --role DEVELOPER"
    )]
    Create {
        #[command(flatten)]
        conn: ConnArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        /// A role (`DEVELOPER`, `SYSTEM_ADMIN`, …; repeat for several).
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// A new one-time activation link: the person sets a new password with
    /// it (7 days, once; earlier links end). Signed in with `interim login`
    /// only: an API key never receives one.
    #[command(after_help = "Example:\n  interim user activation-link nia@example.com")]
    ActivationLink {
        #[command(flatten)]
        conn: ConnArgs,
        email: String,
    },
    /// Disable a user (their access ends; the account stays).
    #[command(after_help = "Example:\n  interim user disable nia@example.com")]
    Disable {
        #[command(flatten)]
        conn: ConnArgs,
        email: String,
    },
    /// Enable a user.
    #[command(after_help = "Example:\n  interim user enable nia@example.com")]
    Enable {
        #[command(flatten)]
        conn: ConnArgs,
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Download the audit log.
    #[command(after_help = "Example:\n  interim audit export --as csv --output audit.csv")]
    Export {
        #[command(flatten)]
        conn: ConnArgs,
        /// `csv` or `json`.
        #[arg(long = "as", default_value = "json", value_parser = ["csv", "json"])]
        kind: String,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check the audit log: on the server, or offline in an exported file
    /// against the public key of its signed checkpoints.
    #[command(
        after_help = "Examples:\n  interim audit verify\n  interim audit export --output audit.json\n  interim audit verify --file audit.json --public-key 3b6a27bc…"
    )]
    Verify {
        #[command(flatten)]
        conn: ConnArgs,
        /// An export (`interim audit export --as json`) to check offline.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// The server's checkpoint key (hex; printed at its start and in
        /// `audit verify`). Without it the file's own key is trusted.
        #[arg(long, value_name = "HEX", requires = "file")]
        public_key: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A connection: the server and how to prove who we are.
pub(crate) struct Client {
    pub(crate) agent: ureq::Agent,
    pub(crate) url: String,
    pub(crate) auth: Auth,
}

pub(crate) enum Auth {
    Key(String),
    Session { session: String, csrf: String },
    None,
}

/// What a call answered: the body, or the server's refusal, or no answer.
pub(crate) enum Reply {
    Ok(Value),
    Refused { status: u16, body: Value },
}

impl Client {
    pub(crate) fn new(conn: &ConnArgs) -> Result<Client, String> {
        let saved = crate::session::saved();
        let url = conn
            .url
            .clone()
            .or_else(|| saved.as_ref().map(|s| s.url.clone()))
            .ok_or("no server: give --url, set INTERIM_URL, or run “interim login”")?;
        let auth = match std::env::var("INTERIM_API_KEY") {
            Ok(key) if !key.trim().is_empty() => Auth::Key(key.trim().to_owned()),
            _ => match saved {
                Some(s) if s.url == url => Auth::Session {
                    session: s.session,
                    csrf: s.csrf,
                },
                _ => Auth::None,
            },
        };
        Ok(Client {
            agent: agent(),
            url: url.trim_end_matches('/').to_owned(),
            auth,
        })
    }

    pub(crate) fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, String, Vec<String>), String> {
        let url = format!("{}{path}", self.url);
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("accept", "application/json");
        match &self.auth {
            Auth::Key(k) => req = req.header("authorization", format!("Bearer {k}")),
            Auth::Session { session, csrf } => {
                req = req
                    .header(
                        "cookie",
                        format!("interim_session={session}; interim_csrf={csrf}"),
                    )
                    .header("x-csrf-token", csrf.as_str());
            }
            Auth::None => {}
        }
        let result = match body {
            Some(b) => {
                let req = req.header("content-type", "application/json");
                let req = req.body(b.to_string()).map_err(|e| e.to_string())?;
                self.agent.run(req)
            }
            None => {
                let req = req.body(()).map_err(|e| e.to_string())?;
                self.agent.run(req)
            }
        };
        let mut resp = result.map_err(|e| format!("cannot reach {url}: {e}"))?;
        let status = resp.status().as_u16();
        let cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let text = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("{url}: {e}"))?;
        Ok((status, text, cookies))
    }

    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, String> {
        let (status, text, _) = self.send(method, path, body)?;
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if (200..300).contains(&status) {
            Ok(Reply::Ok(value))
        } else {
            Ok(Reply::Refused {
                status,
                body: value,
            })
        }
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// The server's refusal, shown as offline validation shows problems.
pub(crate) fn refused(format: Format, status: u16, body: &Value) -> u8 {
    let errors: Vec<Violation> = body
        .get("fieldErrors")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    let code = Code::parse(e.get("code")?.as_str()?)?;
                    Some(Violation::new(
                        e.get("field").and_then(Value::as_str).unwrap_or_default(),
                        code,
                        e.get("message").and_then(Value::as_str).unwrap_or_default(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("the server refused");
    let code = body.get("code").and_then(Value::as_str).unwrap_or_default();
    match format {
        Format::Json => output::json(
            &json!({ "ok": false, "status": status, "code": code, "message": message, "errors": errors }),
        ),
        Format::Human => {
            output::warn(&format!(
                "{} {status} {code}: {message}",
                paint(crate::output::RED, "refused:")
            ));
            for v in &errors {
                output::warn(&output::violation(v));
            }
        }
    }
    if status == 401 && format == Format::Human {
        output::warn("sign in with “interim login”, or set INTERIM_API_KEY");
    }
    INVALID
}

/// Runs a call and prints the outcome with `show` on success.
fn exchange(
    format: Format,
    conn: &ConnArgs,
    method: &str,
    path: &str,
    body: Option<&Value>,
    show: impl FnOnce(&Value),
) -> u8 {
    let client = match Client::new(conn) {
        Ok(c) => c,
        Err(e) => return output::error(format, &e),
    };
    match client.call(method, path, body) {
        Err(e) => output::error(format, &e),
        Ok(Reply::Refused { status, body }) => refused(format, status, &body),
        Ok(Reply::Ok(value)) => {
            match format {
                Format::Json => output::json(&value),
                Format::Human => show(&value),
            }
            OK
        }
    }
}

/// The vendor's grant body for `spec`: from its file (either shape), or
/// from the flags through the policy's form (which computes the expiry).
fn grant_body(spec: &GrantSpec) -> Result<CreateTempAccess, Vec<Violation>> {
    let now = chrono::Utc::now();
    let form = if let Some(path) = &spec.file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![Violation::new(
                "",
                Code::BodyMalformed,
                format!("cannot read {}: {e}", path.display()),
            )]
        })?;
        let value: Value = if path.extension().is_some_and(|x| x == "toml") {
            toml::from_str(&text).map_err(|e| {
                vec![Violation::new(
                    "",
                    Code::BodyMalformed,
                    e.message().to_owned(),
                )]
            })?
        } else {
            interim_policy::parse::from_json_str(&text).map_err(|v| vec![v])?
        };
        if value.get("expirationDate").is_some() || value.get("roles").is_some() {
            let grant: CreateTempAccess =
                interim_policy::parse::from_value(value).map_err(|v| vec![v])?;
            return interim_policy::grant::validate_grant(&grant, now, None).map(|_| grant);
        }
        interim_policy::parse::from_value::<GrantForm>(value).map_err(|v| vec![v])?
    } else {
        let (kind, expiry) = match (&spec.days, &spec.hours, &spec.until) {
            (Some(d), _, _) => (Some("days"), Some(d.clone())),
            (_, Some(h), _) => (Some("hours"), Some(h.clone())),
            (_, _, Some(u)) => (Some("custom"), Some(u.clone())),
            _ => (None, None),
        };
        GrantForm {
            name: spec.name.clone(),
            role: Some(spec.role.clone()),
            agent_pool_ids: spec.pools.clone(),
            user_emails: spec.users.clone(),
            expiry_kind: kind.map(str::to_owned),
            expiry: expiry.map(FormValue::Text),
            incident_id: spec.incident.clone(),
        }
    };
    interim_policy::grant::validate_grant_form(&form, now, None).map(|ok| ok.request)
}

fn show_problems(format: Format, errors: &[Violation]) -> u8 {
    match format {
        Format::Json => output::json(&json!({ "ok": false, "status": 400, "errors": errors })),
        Format::Human => {
            output::warn(&format!(
                "{} the grant has {} problem(s):",
                paint(crate::output::RED, "invalid:"),
                errors.len()
            ));
            for v in errors {
                output::warn(&output::violation(v));
            }
        }
    }
    INVALID
}

fn grant_line(g: &Value) -> String {
    let list = |k: &str| {
        g[k].as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    format!(
        "{}  {}  {}  until {}  users: {}  pools: {}",
        paint(DIM, g["id"].as_str().unwrap_or_default()),
        paint(BOLD, g["name"].as_str().unwrap_or_default()),
        list("roles"),
        g["expirationDate"].as_str().unwrap_or_default(),
        list("userEmails"),
        list("agentPoolIds")
    )
}

pub fn grant(command: GrantCommand, format: Format) -> u8 {
    match command {
        GrantCommand::List(conn) => exchange(
            format,
            &conn,
            "GET",
            "/api/v1/temp-access?size=1000&sort=expirationDate,asc",
            None,
            |v| {
                let items = v["items"].as_array().cloned().unwrap_or_default();
                for g in &items {
                    output::line(&grant_line(g));
                }
                output::line(&format!("{} active grant(s)", items.len()));
            },
        ),
        GrantCommand::Create { conn, grant } => match grant_body(&grant) {
            Err(errors) => show_problems(format, &errors),
            Ok(body) => {
                let body = serde_json::to_value(&body).unwrap_or_default();
                exchange(
                    format,
                    &conn,
                    "POST",
                    "/api/v1/temp-access",
                    Some(&body),
                    |g| {
                        output::line(&format!("{} {}", paint(GREEN, "created"), grant_line(g)));
                    },
                )
            }
        },
        GrantCommand::Delete { conn, id } => exchange(
            format,
            &conn,
            "DELETE",
            &format!("/api/v1/temp-access/{id}"),
            None,
            |_| {
                output::line(&format!("{} {id}", paint(GREEN, "deleted")));
            },
        ),
        GrantCommand::Replace { conn, id, grant } => match grant_body(&grant) {
            Err(errors) => show_problems(format, &errors),
            Ok(body) => {
                let body = serde_json::to_value(&body).unwrap_or_default();
                exchange(
                    format,
                    &conn,
                    "POST",
                    &format!("/api/v1/temp-access/{id}/replace"),
                    Some(&body),
                    |g| {
                        output::line(&format!(
                            "{} {id} by {}",
                            paint(GREEN, "replaced"),
                            grant_line(g)
                        ));
                    },
                )
            }
        },
    }
}

pub(crate) fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

pub fn user(command: UserCommand, format: Format) -> u8 {
    match command {
        UserCommand::List(conn) => {
            exchange(format, &conn, "GET", "/api/v1/users?size=1000", None, |v| {
                let items = v["items"].as_array().cloned().unwrap_or_default();
                for u in &items {
                    output::line(&format!(
                        "{:<36} {:<28} {:<9} {}",
                        u["email"].as_str().unwrap_or_default(),
                        format!(
                            "{} {}",
                            u["firstName"].as_str().unwrap_or_default(),
                            u["lastName"].as_str().unwrap_or_default()
                        ),
                        if u["enabled"].as_bool().unwrap_or(false) {
                            "enabled"
                        } else {
                            "disabled"
                        },
                        u["roles"]
                            .as_array()
                            .map(|r| r
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", "))
                            .unwrap_or_default()
                    ));
                }
                output::line(&format!("{} user(s)", items.len()));
            })
        }
        UserCommand::Create {
            conn,
            email,
            first_name,
            last_name,
            roles,
        } => {
            let body = json!({ "email": email, "firstName": first_name, "lastName": last_name, "roles": roles });
            exchange(format, &conn, "POST", "/api/v1/users", Some(&body), |u| {
                output::line(&format!(
                    "{} {}",
                    paint(GREEN, "created"),
                    u["email"].as_str().unwrap_or_default()
                ));
                match u["activationLink"].as_str() {
                    Some(link) => output::line(&format!(
                        "activation link (send it to them: it sets their password, once, within 7 days):\n{link}"
                    )),
                    None => output::line(
                        "no activation link: an API key never receives one; make one with “interim user activation-link” after “interim login”",
                    ),
                }
            })
        }
        UserCommand::ActivationLink { conn, email } => exchange(
            format,
            &conn,
            "POST",
            &format!("/api/v1/users/{}/activation-link", path_segment(&email)),
            Some(&json!({})),
            |v| {
                output::line(&format!(
                    "activation link for {} (once, until {}):\n{}",
                    v["email"].as_str().unwrap_or_default(),
                    v["expiresAt"].as_str().unwrap_or_default(),
                    v["activationLink"].as_str().unwrap_or_default()
                ));
            },
        ),
        UserCommand::Disable { conn, email } => exchange(
            format,
            &conn,
            "PUT",
            &format!("/api/v1/users/{}/disable", path_segment(&email)),
            None,
            |_| {
                output::line(&format!("{} {email}", paint(GREEN, "disabled")));
            },
        ),
        UserCommand::Enable { conn, email } => exchange(
            format,
            &conn,
            "PUT",
            &format!("/api/v1/users/{}/enable", path_segment(&email)),
            None,
            |_| {
                output::line(&format!("{} {email}", paint(GREEN, "enabled")));
            },
        ),
    }
}

/// Writes `text` to `path`, or standard output.
pub(crate) fn deliver(format: Format, text: &str, path: Option<&PathBuf>) -> u8 {
    match path {
        None => {
            output::line(text.trim_end());
            OK
        }
        Some(p) => match std::fs::write(p, text) {
            Ok(()) => {
                if format == Format::Human {
                    output::warn(&format!("wrote {} ({} bytes)", p.display(), text.len()));
                }
                OK
            }
            Err(e) => output::error(format, &format!("cannot write {}: {e}", p.display())),
        },
    }
}

/// A download: the body as text, to a file or standard output.
pub(crate) fn download(format: Format, conn: &ConnArgs, path: &str, to: Option<&PathBuf>) -> u8 {
    let client = match Client::new(conn) {
        Ok(c) => c,
        Err(e) => return output::error(format, &e),
    };
    match client.send("GET", path, None) {
        Err(e) => output::error(format, &e),
        Ok((status, text, _)) if (200..300).contains(&status) => deliver(format, &text, to),
        Ok((status, text, _)) => refused(
            format,
            status,
            &serde_json::from_str(&text).unwrap_or(Value::Null),
        ),
    }
}

pub fn audit(command: AuditCommand, format: Format) -> u8 {
    match command {
        AuditCommand::Export { conn, kind, output } => download(
            format,
            &conn,
            &format!("/api/v1/audit/export?format={kind}"),
            output.as_ref(),
        ),
        AuditCommand::Verify {
            file: Some(file),
            public_key,
            ..
        } => crate::audit_file::verify_audit_file(&file, public_key.as_deref(), format),
        AuditCommand::Verify { conn, .. } => {
            let client = match Client::new(&conn) {
                Ok(c) => c,
                Err(e) => return output::error(format, &e),
            };
            match client.call("GET", "/api/v1/audit/verify", None) {
                Err(e) => output::error(format, &e),
                Ok(Reply::Refused { status, body }) => refused(format, status, &body),
                Ok(Reply::Ok(v)) => {
                    let valid = v["valid"].as_bool().unwrap_or(false);
                    match format {
                        Format::Json => output::json(&v),
                        Format::Human if valid => output::line(&format!(
                            "{} {} events checked",
                            paint(GREEN, "chain verified:"),
                            v["checked"]
                        )),
                        Format::Human => output::line(&format!(
                            "{} {}",
                            paint(crate::output::RED, "chain broken:"),
                            v
                        )),
                    }
                    if valid { OK } else { INVALID }
                }
            }
        }
    }
}

pub fn snapshot(args: &SnapshotArgs, format: Format) -> u8 {
    download(format, &args.conn, "/api/v1/snapshot", args.output.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("a+b@x.io"), "a%2Bb@x.io");
        assert_eq!(path_segment("a/b"), "a%2Fb");
    }

    #[test]
    fn grant_flags_go_through_the_policys_form() {
        let spec = GrantSpec {
            file: None,
            pools: vec!["pool-pay".into()],
            users: vec!["dev@acme.io".into()],
            role: "Standard".into(),
            days: Some("2".into()),
            hours: None,
            until: None,
            name: Some("Night".into()),
            incident: None,
        };
        let body = grant_body(&spec).unwrap();
        assert_eq!(body.name.as_deref(), Some("Night"));
        assert!(body.expiration_date.is_some());
        let bad = GrantSpec {
            days: Some("40".into()),
            ..spec
        };
        let errors = grant_body(&bad).unwrap_err();
        assert_eq!(errors[0].field, "expiry");
    }
}
