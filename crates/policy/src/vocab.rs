//! The request vocabulary every layer shares: the periods a pool offers,
//! who approves, the life of a request, and a pool's or assignment's
//! request settings. It depends on nothing of the policy's but its bounds
//! and words for time, so the wire types, the snapshot and the request
//! rules all build on it without depending on each other in a circle.

use serde::{Deserialize, Serialize};

use crate::limits::MAX_REQUEST_MINUTES;

/// An access period a pool offers (written `1h`, `4h`, `8h`, `12h`, `1d`,
/// `7d`, `custom`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    OneHour,
    FourHours,
    EightHours,
    TwelveHours,
    OneDay,
    SevenDays,
    /// The requester picks any duration up to 7 days.
    Custom,
}

crate::named::named_serde!(Period, wire_name);

impl Period {
    pub const ALL: [Period; 7] = [
        Period::OneHour,
        Period::FourHours,
        Period::EightHours,
        Period::TwelveHours,
        Period::OneDay,
        Period::SevenDays,
        Period::Custom,
    ];

    pub const fn wire_name(self) -> &'static str {
        match self {
            Period::OneHour => "1h",
            Period::FourHours => "4h",
            Period::EightHours => "8h",
            Period::TwelveHours => "12h",
            Period::OneDay => "1d",
            Period::SevenDays => "7d",
            Period::Custom => "custom",
        }
    }

    pub fn parse(text: &str) -> Option<Period> {
        Period::ALL
            .into_iter()
            .find(|p| p.wire_name() == text.trim())
    }

    /// The period in words: `4 hours`, or `custom up to 7 days`.
    pub fn label(self) -> String {
        self.minutes().map_or_else(
            || {
                format!(
                    "custom up to {}",
                    crate::time::duration_text(MAX_REQUEST_MINUTES)
                )
            },
            crate::time::duration_text,
        )
    }

    /// The preset's length in minutes (`None` for custom).
    pub const fn minutes(self) -> Option<i64> {
        match self {
            Period::OneHour => Some(60),
            Period::FourHours => Some(4 * 60),
            Period::EightHours => Some(8 * 60),
            Period::TwelveHours => Some(12 * 60),
            Period::OneDay => Some(24 * 60),
            Period::SevenDays => Some(7 * 24 * 60),
            Period::Custom => None,
        }
    }
}

/// Who approves: a reviewer, or the requester with a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    Manual,
    Auto,
}

/// The life of a request (written in lower case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
    Cancelled,
    Expired,
    Revoked,
    Ended,
}

crate::named::named_serde!(RequestStatus, wire_name);

impl RequestStatus {
    pub const ALL: [RequestStatus; 7] = [
        RequestStatus::Pending,
        RequestStatus::Approved,
        RequestStatus::Denied,
        RequestStatus::Cancelled,
        RequestStatus::Expired,
        RequestStatus::Revoked,
        RequestStatus::Ended,
    ];
    pub const fn wire_name(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::Expired => "expired",
            RequestStatus::Revoked => "revoked",
            RequestStatus::Ended => "ended",
        }
    }
}

/// Request settings of a pool or of one group assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSettings {
    pub enabled: bool,
    /// Sorted, distinct.
    pub periods: Vec<Period>,
    pub approval: Approval,
    pub reason_required: bool,
}

impl RequestSettings {
    /// The settings in words: `locked: 1 hour, 4 hours · approved by a
    /// reviewer · reason required`, or `open: …` when requests are off.
    pub fn describe(settings: Option<&RequestSettings>) -> String {
        let Some(s) = settings.filter(|s| s.enabled) else {
            return "open: members have standing access".to_owned();
        };
        let periods: Vec<String> = s.periods.iter().map(|p| p.label()).collect();
        let approval = match s.approval {
            Approval::Manual => "approved by a reviewer",
            Approval::Auto => "self-approved with a reason",
        };
        let reason = if s.needs_reason() {
            " · reason required"
        } else {
            ""
        };
        format!("locked: {} · {approval}{reason}", periods.join(", "))
    }

    /// The most permissive of two enabled settings: auto beats manual, the
    /// periods are the union, a reason is required only if both require one.
    pub fn merge(&self, other: &RequestSettings) -> RequestSettings {
        let mut periods: Vec<Period> = self.periods.iter().chain(&other.periods).copied().collect();
        crate::order::sort(&mut periods);
        periods.dedup();
        RequestSettings {
            enabled: self.enabled || other.enabled,
            periods,
            approval: self.approval.max(other.approval),
            reason_required: self.reason_required && other.reason_required,
        }
    }

    /// Auto-approval always needs a reason.
    pub fn needs_reason(&self) -> bool {
        self.reason_required || self.approval == Approval::Auto
    }
}
