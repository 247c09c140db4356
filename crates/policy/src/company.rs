//! The company as people see it: its name, and what its plan allows.

use crate::answer::Usage;
use crate::request::effective_status;
use crate::snapshot::Snapshot;
use crate::time::Instant;
use crate::violation::{Code, Violation};
use crate::vocab::RequestStatus;

/// Characters in a company's name, after trimming.
pub const MAX_COMPANY_NAME_CHARS: usize = 100;

/// A company's name as typed, trimmed: 1 to 100 characters, no control
/// characters (the name heads every page and every report).
pub fn validate_company_name(name: &str) -> Result<String, Vec<Violation>> {
    let name = name.trim();
    let problem = if name.is_empty() {
        Some((
            Code::CompanyNameRequired,
            "a company needs a name".to_owned(),
        ))
    } else if name.chars().count() > MAX_COMPANY_NAME_CHARS {
        Some((
            Code::CompanyNameInvalid,
            format!("a company name is at most {MAX_COMPANY_NAME_CHARS} characters"),
        ))
    } else if name.chars().any(char::is_control) {
        Some((
            Code::CompanyNameInvalid,
            "a company name is one line of text, without tabs or line breaks".to_owned(),
        ))
    } else {
        None
    };
    match problem {
        None => Ok(name.to_owned()),
        Some((code, message)) => Err(vec![Violation::new("companyName", code, message)]),
    }
}

/// What `snapshot` holds at `now`: users, pools, groups, active grants
/// and pending requests.
pub fn usage(snapshot: &Snapshot, now: Instant) -> Usage {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Usage {
        users: count(snapshot.users().len()),
        enabled_users: count(snapshot.users().iter().filter(|u| u.enabled).count()),
        agent_pools: count(snapshot.pools().len()),
        access_groups: count(snapshot.groups().len()),
        active_grants: count(snapshot.active_grants(now, None).count()),
        pending_requests: count(
            snapshot
                .requests()
                .filter(|r| effective_status(r, now) == RequestStatus::Pending)
                .count(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_bounded() {
        assert_eq!(validate_company_name("  Acme  "), Ok("Acme".to_owned()));
        let code = |n: &str| validate_company_name(n).unwrap_err()[0].code;
        assert_eq!(code("   "), Code::CompanyNameRequired);
        assert_eq!(code(&"x".repeat(101)), Code::CompanyNameInvalid);
        assert_eq!(code("Acme\nInc"), Code::CompanyNameInvalid);
        assert!(validate_company_name(&"é".repeat(100)).is_ok());
    }
}
