//! The grant form's logic, outside any component: turning what was typed
//! into the policy's `GrantForm`, placing violations at their fields, and
//! formatting times. Every rule is the policy crate's.

use interim_policy::time::format_instant;
use interim_policy::violation::Violation;
use interim_policy::wire::{FormValue, GrantForm, TempAccess};

/// What the inputs of the create form hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub role: String,
    pub pools: Vec<String>,
    /// One e-mail per line (commas work too).
    pub users: String,
    /// `days`, `hours` or `custom`.
    pub kind: String,
    pub amount: String,
    /// The custom instant, already turned into RFC 3339 by the browser.
    pub custom: Option<String>,
    pub incident: String,
}

/// The addresses typed, one per line or comma, blanks skipped.
pub fn emails(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Fields {
    /// The policy's form: a blank name is left out (the default name), a
    /// blank incident id too.
    pub fn to_form(&self) -> GrantForm {
        let blank = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        GrantForm {
            name: blank(&self.name),
            role: blank(&self.role),
            agent_pool_ids: self.pools.clone(),
            user_emails: emails(&self.users),
            expiry_kind: blank(&self.kind),
            expiry: if self.kind == "custom" {
                self.custom.clone().map(FormValue::Text)
            } else {
                blank(&self.amount).map(FormValue::Text)
            },
            incident_id: blank(&self.incident),
        }
    }
}

impl Fields {
    /// The form filled with an active grant, for replacing it: the same
    /// name, role, pools, users and expiry instant, to be changed as needed.
    pub fn from_grant(g: &TempAccess) -> Fields {
        Fields {
            name: g.name.clone(),
            role: g
                .roles
                .first()
                .map(|r| r.0.grant_name().to_owned())
                .unwrap_or_else(|| "Standard".into()),
            pools: g.agent_pool_ids.clone(),
            users: g.user_emails.join("\n"),
            kind: "custom".into(),
            amount: String::new(),
            custom: Some(format_instant(g.expiration_date)),
            incident: g.incident_id.clone().unwrap_or_default(),
        }
    }
}

/// The messages for one input: `field` itself and its items (`field[3]`).
pub fn messages_for(violations: &[Violation], field: &str) -> Vec<String> {
    violations
        .iter()
        .filter(|v| {
            v.field == field
                || v.field
                    .strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('['))
        })
        .map(|v| v.message.clone())
        .collect()
}

/// At most `max` messages, the rest counted: a 51-line paste should not
/// bury the form.
pub fn summarize(mut messages: Vec<String>, max: usize) -> Vec<String> {
    if messages.len() > max {
        let rest = messages.len() - max;
        messages.truncate(max);
        messages.push(format!("…and {rest} more"));
    }
    messages
}

/// Messages about the form as a whole (limit reached, not allowed, …).
pub fn form_messages(violations: &[Violation]) -> Vec<String> {
    violations
        .iter()
        .filter(|v| v.field.is_empty())
        .map(|v| v.message.clone())
        .collect()
}

/// `2026-11-22 09:05` (with `T` for a `datetime-local` value), seconds
/// when asked: a local wall-clock time as the portal writes it.
pub fn wall_clock(t: chrono::NaiveDateTime, separator: char, seconds: bool) -> String {
    use chrono::{Datelike, Timelike};
    let mut s = format!(
        "{:04}-{:02}-{:02}{separator}{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    );
    if seconds {
        s.push_str(&format!(":{:02}", t.second()));
    }
    s
}

/// `2d 03:04:05`, `03:04:05`, or `expired`.
pub fn countdown(ms: i64) -> String {
    if ms <= 0 {
        return "expired".to_owned();
    }
    let s = ms / 1000;
    let (d, h, m, s) = (s / 86_400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use interim_policy::violation::Code;

    #[test]
    fn emails_split_on_lines_and_commas() {
        assert_eq!(
            emails("a@b.co\n\n b@c.io , c@d.io\n"),
            vec!["a@b.co", "b@c.io", "c@d.io"]
        );
        assert!(emails("  \n ").is_empty());
    }

    #[test]
    fn blank_fields_are_left_out() {
        let f = Fields {
            role: "Standard".into(),
            kind: "days".into(),
            amount: "3".into(),
            ..Fields::default()
        };
        let form = f.to_form();
        assert_eq!(form.name, None);
        assert_eq!(form.expiry, Some(FormValue::Text("3".into())));
        let custom = Fields {
            kind: "custom".into(),
            amount: "3".into(),
            custom: Some("2026-11-23T10:00:00.000Z".into()),
            ..f
        };
        assert_eq!(
            custom.to_form().expiry,
            Some(FormValue::Text("2026-11-23T10:00:00.000Z".into()))
        );
    }

    #[test]
    fn a_grant_fills_the_form_for_its_replacement() {
        use interim_policy::PoolLevel;
        use interim_policy::wire::GrantRole;
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let g = TempAccess {
            id: "g1".into(),
            name: "Night shift".into(),
            agent_pool_ids: vec!["p1".into(), "p2".into()],
            user_emails: vec!["a@b.co".into(), "c@d.io".into()],
            roles: vec![GrantRole(PoolLevel::Privileged)],
            expiration_date: at("2026-11-23T10:00:00Z"),
            created_at: at("2026-11-22T10:00:00Z"),
            incident_id: Some("INC-7".into()),
            created_by: None,
        };
        let form = Fields::from_grant(&g).to_form();
        assert_eq!(form.name.as_deref(), Some("Night shift"));
        assert_eq!(form.role.as_deref(), Some("Privileged"));
        assert_eq!(form.agent_pool_ids, g.agent_pool_ids);
        assert_eq!(form.user_emails, g.user_emails);
        assert_eq!(form.expiry_kind.as_deref(), Some("custom"));
        assert_eq!(
            form.expiry,
            Some(FormValue::Text("2026-11-23T10:00:00.000Z".into()))
        );
        assert_eq!(form.incident_id.as_deref(), Some("INC-7"));
    }

    #[test]
    fn messages_go_to_their_field_and_its_items() {
        let v = |field: &str| Violation::new(field, Code::GrantUsersInvalid, field);
        let all = [
            v("userEmails"),
            v("userEmails[2]"),
            v("userEmailsX"),
            v("name"),
            v(""),
        ];
        assert_eq!(
            messages_for(&all, "userEmails"),
            vec!["userEmails", "userEmails[2]"]
        );
        assert_eq!(form_messages(&all), vec![""]);
    }

    #[test]
    fn long_lists_are_summarized() {
        let many: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        let short = summarize(many.clone(), 8);
        assert_eq!(short.len(), 9);
        assert_eq!(short[8], "…and 4 more");
        assert_eq!(summarize(many[..3].to_vec(), 8).len(), 3);
    }

    #[test]
    fn wall_clocks() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        assert_eq!(wall_clock(t, ' ', false), "2026-01-02 03:04");
        assert_eq!(wall_clock(t, 'T', false), "2026-01-02T03:04");
        assert_eq!(wall_clock(t, ' ', true), "2026-01-02 03:04:05");
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(0), "expired");
        assert_eq!(countdown(61_000), "00:01:01");
        assert_eq!(countdown(2 * 86_400_000 + 3_723_000), "2d 01:02:03");
    }
}
