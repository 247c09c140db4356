//! The grant form's logic, outside any component: turning what was typed
//! into the policy's `GrantForm`, placing violations at their fields, and
//! formatting times. Every rule is the policy crate's.

use interim_policy::violation::Violation;
use interim_policy::wire::{FormValue, GrantForm};

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
    fn countdowns() {
        assert_eq!(countdown(0), "expired");
        assert_eq!(countdown(61_000), "00:01:01");
        assert_eq!(countdown(2 * 86_400_000 + 3_723_000), "2d 01:02:03");
    }
}
