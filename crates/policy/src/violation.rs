//! Violations: a field path, a stable code and a message. Every check of the
//! core reports through this type, and every surface shows it unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What kind of refusal a code is; the server maps it to an HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// 400: malformed or invalid input.
    Invalid,
    /// 404: an unknown user, pool, group, grant or request.
    NotFound,
    /// 409: a name taken, a state that does not allow the change.
    Conflict,
    /// 403: a limit reached or an action not allowed.
    Forbidden,
}

impl Status {
    pub const fn http(self) -> u16 {
        match self {
            Status::Invalid => 400,
            Status::NotFound => 404,
            Status::Conflict => 409,
            Status::Forbidden => 403,
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal => $status:ident; )*) => {
        /// A stable violation code: `object.field.problem`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $variant, )*
        }

        impl Code {
            /// Every code the core can produce.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            pub const fn status(self) -> Status {
                match self { $( Code::$variant => Status::$status, )* }
            }
        }
    };
}

codes! {
    // Bodies that do not have the expected shape.
    BodyMalformed = "body.json.malformed" => Invalid;
    BodyInvalidType = "body.field.invalid_type" => Invalid;
    BodyUnknownField = "body.field.unknown" => Invalid;
    BodyMissingField = "body.field.missing" => Invalid;

    // Grants, in the vendor's wire shape.
    GrantNameBlank = "grant.name.blank" => Invalid;
    GrantNameTooLong = "grant.name.too_long" => Invalid;
    GrantNameTaken = "grant.name.taken" => Conflict;
    GrantRolesRequired = "grant.roles.required" => Invalid;
    GrantRolesEmpty = "grant.roles.empty" => Invalid;
    GrantRolesUnknown = "grant.roles.unknown" => Invalid;
    GrantPoolsRequired = "grant.agentPoolIds.required" => Invalid;
    GrantPoolsEmpty = "grant.agentPoolIds.empty" => Invalid;
    GrantPoolsTooMany = "grant.agentPoolIds.too_many" => Invalid;
    GrantPoolsDuplicate = "grant.agentPoolIds.duplicate" => Invalid;
    GrantPoolsBlank = "grant.agentPoolIds.blank" => Invalid;
    GrantPoolsUnknown = "grant.agentPoolIds.unknown" => NotFound;
    GrantUsersRequired = "grant.userEmails.required" => Invalid;
    GrantUsersEmpty = "grant.userEmails.empty" => Invalid;
    GrantUsersTooMany = "grant.userEmails.too_many" => Invalid;
    GrantUsersDuplicate = "grant.userEmails.duplicate" => Invalid;
    GrantUsersInvalid = "grant.userEmails.invalid" => Invalid;
    GrantUsersUnknown = "grant.userEmails.unknown" => NotFound;
    GrantUsersDisabled = "grant.userEmails.disabled" => Invalid;
    GrantExpirationRequired = "grant.expirationDate.required" => Invalid;
    GrantExpirationInvalid = "grant.expirationDate.invalid" => Invalid;
    GrantExpirationNotFuture = "grant.expirationDate.not_future" => Invalid;
    GrantExpirationTooFar = "grant.expirationDate.too_far" => Invalid;
    GrantIncidentTooLong = "grant.incidentId.too_long" => Invalid;
    GrantLimitReached = "grant.limit.reached" => Forbidden;
    GrantRbacDisabled = "grant.rbac.disabled" => Forbidden;
    GrantActorNotAllowed = "grant.actor.not_allowed" => Forbidden;
    GrantNotFound = "grant.id.unknown" => NotFound;

    // The portal's grant form (one role, days / hours / custom expiry).
    GrantRoleRequired = "grant.role.required" => Invalid;
    GrantRoleUnknown = "grant.role.unknown" => Invalid;
    GrantExpiryKindRequired = "grant.expiryKind.required" => Invalid;
    GrantExpiryKindUnknown = "grant.expiryKind.unknown" => Invalid;
    GrantExpiryRequired = "grant.expiry.required" => Invalid;
    GrantExpiryInvalid = "grant.expiry.invalid" => Invalid;
    GrantExpiryOutOfRange = "grant.expiry.out_of_range" => Invalid;
    GrantExpiryNotFuture = "grant.expiry.not_future" => Invalid;
    GrantExpiryTooFar = "grant.expiry.too_far" => Invalid;

    // Company limits (tighten-only).
    LimitsTooLow = "limits.value.too_low" => Invalid;
    LimitsLoosened = "limits.value.loosened" => Invalid;

    // The access summary.
    ReportSubjectUnknown = "report.id.unknown" => NotFound;

    // The company's name.
    CompanyNameRequired = "settings.companyName.required" => Invalid;
    CompanyNameInvalid = "settings.companyName.invalid" => Invalid;

    // Users and role assignment.
    UserEmailInvalid = "user.email.invalid" => Invalid;
    UserRolesRbacOnly = "user.roles.rbac_only" => Invalid;
    UserUnknown = "user.email.unknown" => NotFound;
    UserEmailTaken = "user.email.taken" => Conflict;
    UserFirstNameRequired = "user.firstName.required" => Invalid;
    UserLastNameRequired = "user.lastName.required" => Invalid;
    UserNameTooLong = "user.name.too_long" => Invalid;
    UserPasswordTooShort = "user.password.too_short" => Invalid;
    UserPasswordTooLong = "user.password.too_long" => Invalid;
    UserLastAdmin = "user.roles.last_admin" => Conflict;

    // Access groups.
    GroupNameRequired = "group.name.required" => Invalid;
    GroupNameTooLong = "group.name.too_long" => Invalid;
    GroupNameTaken = "group.name.taken" => Conflict;
    GroupPoolsUnknown = "group.agentPoolIds.unknown" => NotFound;
    GroupPoolsDuplicate = "group.agentPoolIds.duplicate" => Invalid;
    GroupMemberUnknown = "group.members.unknown" => NotFound;

    // API keys.
    ApiKeyLabelInvalid = "apiKey.label.invalid" => Invalid;
    ApiKeyExpirationOutOfRange = "apiKey.expirationDays.out_of_range" => Invalid;
    ApiKeyScopeUnknown = "apiKey.scopes.unknown" => Invalid;
    ApiKeyScopeWiderThanCaller = "apiKey.scopes.wider_than_caller" => Forbidden;
    ApiKeyOutlivesCaller = "apiKey.expirationDays.outlives_caller" => Forbidden;

    // Agent pools.
    PoolNameRequired = "pool.name.required" => Invalid;
    PoolNameTooLong = "pool.name.too_long" => Invalid;
    PoolNameTaken = "pool.name.taken" => Conflict;
    PoolDescriptionTooLong = "pool.description.too_long" => Invalid;

    // Access requests.
    RequestRbacDisabled = "request.rbac.disabled" => Forbidden;
    RequestRequesterNotAllowed = "request.requester.not_allowed" => Forbidden;
    RequestPoolRequired = "request.agentPoolId.required" => Invalid;
    RequestPoolUnknown = "request.agentPoolId.unknown" => NotFound;
    RequestPoolNotRequestable = "request.agentPoolId.not_requestable" => Forbidden;
    RequestPoolAlreadyAccessible = "request.agentPoolId.already_accessible" => Conflict;
    RequestPoolDuplicate = "request.agentPoolId.duplicate" => Conflict;
    RequestPeriodRequired = "request.period.required" => Invalid;
    RequestPeriodUnknown = "request.period.unknown" => Invalid;
    RequestPeriodNotAllowed = "request.period.not_allowed" => Invalid;
    RequestDurationRequired = "request.durationMinutes.required" => Invalid;
    RequestDurationOutOfRange = "request.durationMinutes.out_of_range" => Invalid;
    RequestDurationUnexpected = "request.durationMinutes.unexpected" => Invalid;
    RequestDurationWider = "request.durationMinutes.wider_than_requested" => Invalid;
    RequestReasonRequired = "request.reason.required" => Invalid;
    RequestReasonTooLong = "request.reason.too_long" => Invalid;
    RequestTicketTooLong = "request.ticketRef.too_long" => Invalid;
    RequestCommentRequired = "request.comment.required" => Invalid;
    RequestCommentTooLong = "request.comment.too_long" => Invalid;
    RequestNotFound = "request.id.unknown" => NotFound;
    RequestIllegalTransition = "request.status.illegal_transition" => Conflict;
    RequestNotDue = "request.status.not_due" => Conflict;
    RequestActorNotReviewer = "request.actor.not_reviewer" => Forbidden;
    RequestActorSelfReview = "request.actor.self_review" => Forbidden;
    RequestActorNotRequester = "request.actor.not_requester" => Forbidden;
    RequestActorNotAllowed = "request.actor.not_allowed" => Forbidden;

    // Request settings of a pool or of one group assignment.
    SettingsPeriodsEmpty = "requestSettings.periods.empty" => Invalid;

    // Delegation of reviewing.
    DelegationFromNotReviewer = "delegation.from.not_reviewer" => Forbidden;
    DelegationToUnknown = "delegation.to.unknown" => NotFound;
    DelegationToSelf = "delegation.to.self" => Invalid;
    DelegationToDisabled = "delegation.to.disabled" => Invalid;
    DelegationStartsInvalid = "delegation.startsAt.invalid" => Invalid;
    DelegationEndsInvalid = "delegation.endsAt.invalid" => Invalid;
    DelegationEndsBeforeStart = "delegation.endsAt.before_start" => Invalid;
    DelegationEndsNotFuture = "delegation.endsAt.not_future" => Invalid;
    DelegationEndsTooFar = "delegation.endsAt.too_far" => Invalid;

    // Legacy role import.
    LegacyEmailInvalid = "legacy.email.invalid" => Invalid;
    LegacyEmailDuplicate = "legacy.email.duplicate" => Invalid;
    LegacyRoleUnknown = "legacy.legacyRoles.unknown" => Invalid;
    LegacyGroupUnknown = "legacy.groupAdminOf.unknown" => NotFound;
    LegacyGroupAdminRbacOff = "legacy.groupAdminOf.rbac_off" => Invalid;

    // Audit chain verification.
    AuditSequenceGap = "audit.chain.sequence_gap" => Invalid;
    AuditPrevMismatch = "audit.chain.prev_mismatch" => Invalid;
    AuditHashMismatch = "audit.chain.hash_mismatch" => Invalid;
    AuditTruncated = "audit.chain.truncated" => Invalid;
    AuditRewritten = "audit.chain.rewritten" => Invalid;

    // Company snapshots handed to the core.
    SnapshotDuplicate = "snapshot.id.duplicate" => Invalid;
    SnapshotReferenceUnknown = "snapshot.reference.unknown" => Invalid;
    SnapshotValueInvalid = "snapshot.value.invalid" => Invalid;
}

impl Code {
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown violation code “{text}”")))
    }
}

/// One problem with an input: where, what (stable) and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Violation {
    /// Field path such as `userEmails[3]`; empty for the input as a whole.
    pub field: String,
    pub code: Code,
    pub message: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, code: Code, message: impl Into<String>) -> Violation {
        Violation {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> Status {
        self.code.status()
    }
}

/// The status of a refusal with several violations: the first that applies of
/// 400, 404, 409, 403.
pub fn status_of(violations: &[Violation]) -> Option<Status> {
    violations.iter().map(Violation::status).min()
}

/// `field[index]`.
pub(crate) fn item(field: &str, index: usize) -> String {
    format!("{field}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(
                code.as_str().split('.').count(),
                3,
                "{code} is not object.field.problem"
            );
            assert_eq!(Code::parse(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn status_order_is_400_404_409_403() {
        let v = |code| Violation::new("", code, "");
        assert_eq!(status_of(&[]), None);
        assert_eq!(
            status_of(&[v(Code::GrantLimitReached), v(Code::GrantNameTaken)]),
            Some(Status::Conflict)
        );
        assert_eq!(
            status_of(&[v(Code::GrantNameTaken), v(Code::GrantUsersUnknown)]),
            Some(Status::NotFound)
        );
        assert_eq!(
            status_of(&[v(Code::GrantUsersUnknown), v(Code::GrantNameBlank)]).map(Status::http),
            Some(400)
        );
        assert_eq!(
            status_of(&[v(Code::GrantLimitReached)]).map(Status::http),
            Some(403)
        );
    }
}
