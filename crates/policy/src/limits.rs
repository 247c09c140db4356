//! Company limits. Defaults are the seed figures; a company may tighten them
//! but never loosen them.

use serde::{Deserialize, Serialize};

use crate::violation::{Code, Violation};

/// Grace on the 31-day bound for clock skew and transit, in seconds.
pub const EXPIRY_GRACE_SECONDS: i64 = 60;
/// Characters in a grant name, after trimming.
pub const MAX_GRANT_NAME_CHARS: usize = 100;
/// Characters in an incident id.
pub const MAX_INCIDENT_ID_CHARS: usize = 100;
/// Hours a pending request waits before it expires.
pub const PENDING_REQUEST_TTL_HOURS: i64 = 24;
/// Longest access period of a request (custom or preset), in minutes: 7 days.
pub const MAX_REQUEST_MINUTES: i64 = 7 * 24 * 60;
/// Characters in a request's reason, a reviewer's comment.
pub const MAX_REASON_CHARS: usize = 1000;
/// Characters in a request's ticket reference.
pub const MAX_TICKET_REF_CHARS: usize = 200;
/// Longest delegation of reviewing, in days.
pub const MAX_DELEGATION_DAYS: i64 = 31;
/// Life of a one-time activation link, in days.
pub const ACTIVATION_LINK_DAYS: i64 = 7;

/// The limits in force for a company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Limits {
    /// Users per grant (seed: 50).
    pub max_users_per_grant: u32,
    /// Agent pools per grant (seed: 20).
    pub max_pools_per_grant: u32,
    /// Longest grant, in days (seed: 31).
    pub max_grant_days: u32,
    /// Active grants at once per company (seed: 100).
    pub max_active_grants: u32,
}

impl Limits {
    /// The seed figures: the loosest limits any company may have.
    pub const SEED: Limits = Limits {
        max_users_per_grant: 50,
        max_pools_per_grant: 20,
        max_grant_days: 31,
        max_active_grants: 100,
    };

    /// Checks that every limit is at least 1 and no looser than the seed.
    pub fn validate(self) -> Result<Limits, Vec<Violation>> {
        let fields = [
            (
                "maxUsersPerGrant",
                self.max_users_per_grant,
                Limits::SEED.max_users_per_grant,
            ),
            (
                "maxPoolsPerGrant",
                self.max_pools_per_grant,
                Limits::SEED.max_pools_per_grant,
            ),
            (
                "maxGrantDays",
                self.max_grant_days,
                Limits::SEED.max_grant_days,
            ),
            (
                "maxActiveGrants",
                self.max_active_grants,
                Limits::SEED.max_active_grants,
            ),
        ];
        let mut violations = Vec::new();
        for (field, value, seed) in fields {
            if value < 1 {
                violations.push(Violation::new(
                    field,
                    Code::LimitsTooLow,
                    format!("“{field}” must be at least 1"),
                ));
            } else if value > seed {
                violations.push(Violation::new(
                    field,
                    Code::LimitsLoosened,
                    format!(
                        "“{field}” may be tightened but not loosened: at most {seed}, got {value}"
                    ),
                ));
            }
        }
        if violations.is_empty() {
            Ok(self)
        } else {
            Err(violations)
        }
    }

    /// Longest grant, in hours.
    pub fn max_grant_hours(self) -> u32 {
        self.max_grant_days.saturating_mul(24)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::SEED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_limits_are_valid_and_default() {
        assert_eq!(Limits::default().validate(), Ok(Limits::SEED));
        assert_eq!(Limits::SEED.max_grant_hours(), 744);
    }

    #[test]
    fn tightening_is_allowed_loosening_is_not() {
        let tight = Limits {
            max_users_per_grant: 10,
            ..Limits::SEED
        };
        assert!(tight.validate().is_ok());
        let loose = Limits {
            max_active_grants: 101,
            max_grant_days: 0,
            ..Limits::SEED
        };
        let errors = loose.validate().unwrap_err();
        let codes: Vec<(&str, Code)> = errors.iter().map(|v| (v.field.as_str(), v.code)).collect();
        assert_eq!(
            codes,
            vec![
                ("maxGrantDays", Code::LimitsTooLow),
                ("maxActiveGrants", Code::LimitsLoosened)
            ]
        );
    }
}
