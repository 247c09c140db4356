//! `interim login` and `logout`: the session saved in the config file.
//!
//! The file is `$INTERIM_CONFIG`, else `$XDG_CONFIG_HOME/interim/config.json`,
//! else `~/.config/interim/config.json`. It holds a session cookie, so it
//! is created readable by its owner only (mode 0600 from the first byte,
//! not narrowed after writing), and the password is read from the terminal
//! without echo.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::OK;
use crate::client::{Auth, Client, ConnArgs, agent, refused};
use crate::output::{self, Format, GREEN, paint};

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    #[arg(long, value_name = "EMAIL")]
    pub email: String,
    /// The password (default: INTERIM_PASSWORD; else asked for on the
    /// terminal without echo, or one line of standard input when piped).
    #[arg(long, env = "INTERIM_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// What `interim login` saves.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Saved {
    pub(crate) url: String,
    pub(crate) email: String,
    pub(crate) session: String,
    pub(crate) csrf: String,
}

fn config_path() -> PathBuf {
    if let Some(p) = std::env::var_os("INTERIM_CONFIG") {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("interim/config.json")
}

/// The saved session, if any.
pub(crate) fn saved() -> Option<Saved> {
    let text = std::fs::read_to_string(config_path()).ok()?;
    serde_json::from_str(&text).ok()
}

fn save(s: &Saved) -> Result<(), String> {
    let path = config_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(s).unwrap_or_default();
    let cannot = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // A file left by an older release may be wider: narrow it before
        // the session is written into it.
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(cannot)?;
        }
    }
    let mut file = options.open(&path).map_err(cannot)?;
    file.write_all(text.as_bytes()).map_err(cannot)
}

/// The password: given, else typed on the terminal without echo, else one
/// line of standard input (a pipe or a file).
fn read_password(given: Option<&String>, email: &str) -> Result<String, String> {
    if let Some(p) = given {
        return Ok(p.clone());
    }
    let p = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Password for {email}: "))
            .map_err(|e| format!("cannot read the password: {e}"))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    if p.is_empty() {
        return Err(
            "no password: give --password, set INTERIM_PASSWORD, or type it when asked".into(),
        );
    }
    Ok(p)
}

fn cookie(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        let first = c.split(';').next()?.trim();
        let (k, v) = first.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

pub fn login(args: &LoginArgs, format: Format) -> u8 {
    let Some(url) = args.conn.url.clone().or_else(|| saved().map(|s| s.url)) else {
        return output::error(format, "no server: give --url or set INTERIM_URL");
    };
    let password = match read_password(args.password.as_ref(), &args.email) {
        Ok(p) => p,
        Err(e) => return output::error(format, &e),
    };
    let client = Client {
        agent: agent(),
        url: url.trim_end_matches('/').to_owned(),
        auth: Auth::None,
    };
    let body = json!({ "email": args.email, "password": password });
    let (status, text, cookies) = match client.send("POST", "/api/v1/auth/sign-in", Some(&body)) {
        Ok(r) => r,
        Err(e) => return output::error(format, &e),
    };
    if !(200..300).contains(&status) {
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        return refused(format, status, &body);
    }
    let (Some(session), Some(csrf)) = (
        cookie(&cookies, "interim_session"),
        cookie(&cookies, "interim_csrf"),
    ) else {
        return output::error(format, "the server answered without a session");
    };
    let s = Saved {
        url: client.url.clone(),
        email: args.email.clone(),
        session,
        csrf,
    };
    if let Err(e) = save(&s) {
        return output::error(format, &e);
    }
    match format {
        Format::Json => output::json(
            &json!({ "ok": true, "url": s.url, "email": s.email, "config": config_path() }),
        ),
        Format::Human => output::line(&format!(
            "{} as {} on {} (saved in {})",
            paint(GREEN, "signed in"),
            s.email,
            s.url,
            config_path().display()
        )),
    }
    OK
}

pub fn logout(conn: &ConnArgs, format: Format) -> u8 {
    if let Ok(client) = Client::new(conn)
        && matches!(client.auth, Auth::Session { .. })
    {
        let _ = client.call("POST", "/api/v1/auth/sign-out", None);
    }
    let path = config_path();
    if path.exists()
        && let Err(e) = std::fs::remove_file(&path)
    {
        return output::error(format, &format!("cannot remove {}: {e}", path.display()));
    }
    match format {
        Format::Json => output::json(&json!({ "ok": true })),
        Format::Human => output::line("signed out"),
    }
    OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_from_set_cookie_headers() {
        let headers = vec![
            "interim_session=abc; HttpOnly; SameSite=Strict; Path=/".to_owned(),
            "interim_csrf=xyz; SameSite=Strict; Path=/".to_owned(),
        ];
        assert_eq!(cookie(&headers, "interim_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "interim_csrf").as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "other"), None);
    }
}
