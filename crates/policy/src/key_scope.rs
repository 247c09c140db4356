//! What an API key may call: the scope each operation of the API needs.
//!
//! The vendor documents a *required API permission level* per operation:
//! `DEV` for temporary access and agent pools, `COMPANY` for users,
//! groups and API keys. Interim's own operations follow the catalogue
//! category of what they do (SPEC §1): audit events are Security, access
//! requests and their review are pool access (Environment, so `DEV`), the
//! company's settings, webhooks and reports are Company config. A key acts
//! with its creator's rights and never more: its scope only narrows which
//! operations it reaches, and the creator's roles still decide each one.
//!
//! The server looks every keyed call up here (an operation missing from
//! the table is refused, so a new route cannot be reached by keys by
//! accident) and writes the table into its OpenAPI document.

/// The vendor's API key scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyScope {
    Company,
    Dev,
    Security,
    CrossCompany,
}

impl KeyScope {
    pub const ALL: [KeyScope; 4] = [
        KeyScope::Company,
        KeyScope::Dev,
        KeyScope::Security,
        KeyScope::CrossCompany,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
            KeyScope::Company => "COMPANY",
            KeyScope::Dev => "DEV",
            KeyScope::Security => "SECURITY",
            KeyScope::CrossCompany => "CROSS_COMPANY",
        }
    }

    pub fn parse(text: &str) -> Option<KeyScope> {
        KeyScope::ALL.into_iter().find(|s| s.wire_name() == text)
    }
}

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRule {
    /// A session, or a key with this scope.
    Needs(KeyScope),
    /// A session, or a key with any scope (who am I).
    AnyKey,
    /// A signed-in session only: a key never reaches it (signing out,
    /// setting a password).
    SessionOnly,
    /// Anyone, signed in or not (signing in, health, the document).
    Public,
}

/// One operation of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiOperation {
    pub method: &'static str,
    /// The path as the OpenAPI document writes it (`{id}` for a segment).
    pub path: &'static str,
    /// The vendor's operationId where the vendor has the operation.
    pub operation_id: &'static str,
    pub rule: KeyRule,
}

const fn op(
    method: &'static str,
    path: &'static str,
    operation_id: &'static str,
    rule: KeyRule,
) -> ApiOperation {
    ApiOperation {
        method,
        path,
        operation_id,
        rule,
    }
}

use chrono::Duration;

use crate::time::{Instant, add, format_instant};
use crate::user::validate_api_key;
use crate::violation::{Code, Violation};
use KeyRule::{AnyKey, Needs, Public, SessionOnly};
use KeyScope::{Company, Dev, Security};

const KEYS: &str = "/api/v1/access/company/{company}/system-api-key";
const KEY: &str = "/api/v1/access/company/{company}/system-api-key/{id}";

/// Every operation the server answers, and who may call it.
#[rustfmt::skip]
pub const OPERATIONS: &[ApiOperation] = &[
    // Signing in and out, who am I.
    op("POST", "/api/v1/auth/sign-in", "signIn", Public),
    op("POST", "/api/v1/auth/sign-out", "signOut", SessionOnly),
    op("GET", "/api/v1/auth/me", "getMe", AnyKey),
    op("POST", "/api/v1/auth/activate", "activate", Public),
    op("POST", "/api/v1/auth/password", "changePassword", SessionOnly),
    // Temporary access (the vendor's: DEV).
    op("GET", "/api/v1/temp-access", "listTempAccesses", Needs(Dev)),
    op("POST", "/api/v1/temp-access", "addTempAccess", Needs(Dev)),
    op("GET", "/api/v1/temp-access/{id}", "getTempAccess", Needs(Dev)),
    op("DELETE", "/api/v1/temp-access/{id}", "revokeTempAccess", Needs(Dev)),
    // An active grant is never edited: 405 to everyone, key or not.
    op("PUT", "/api/v1/temp-access/{id}", "updateTempAccess", Public),
    op("PATCH", "/api/v1/temp-access/{id}", "patchTempAccess", Public),
    op("POST", "/api/v1/temp-access/{id}/replace", "replaceTempAccess", Needs(Dev)),
    // Agent pools (the vendor's: DEV).
    op("GET", "/api/v1/agent-pools", "listAgentPools", Needs(Dev)),
    op("GET", "/api/v1/agent-pool", "listAgentPoolsSingular", Needs(Dev)),
    op("POST", "/api/v1/agent-pools", "createAgentPool", Needs(Dev)),
    op("GET", "/api/v1/agent-pools/{id}", "getAgentPool", Needs(Dev)),
    op("PUT", "/api/v1/agent-pools/{id}", "updateAgentPool", Needs(Dev)),
    op("DELETE", "/api/v1/agent-pools/{id}", "deleteAgentPool", Needs(Dev)),
    op("PUT", "/api/v1/agent-pools/{id}/request-settings", "putPoolRequestSettings", Needs(Dev)),
    op("PUT", "/api/v1/agent-pools/{id}/detach-agents", "detachAgents", Needs(Dev)),
    op("PUT", "/api/v1/agent-pools/{id}/enable-agents", "enableAgents", Needs(Dev)),
    // Users (the vendor's: COMPANY); a password is set by a session only.
    op("GET", "/api/v1/users", "listUsers", Needs(Company)),
    op("POST", "/api/v1/users", "createUser", Needs(Company)),
    op("POST", "/api/v1/users/import", "importUsers", Needs(Company)),
    op("GET", "/api/v1/users/{email}", "getUser", Needs(Company)),
    op("PUT", "/api/v1/users/{email}", "updateUser", Needs(Company)),
    op("DELETE", "/api/v1/users/{email}", "deleteUser", Needs(Company)),
    op("PUT", "/api/v1/users/{email}/disable", "disable", Needs(Company)),
    op("PUT", "/api/v1/users/{email}/enable", "enable", Needs(Company)),
    // Whoever holds a link can sign in as the person: never to a key.
    op("POST", "/api/v1/users/{email}/activation-link", "createActivationLink", SessionOnly),
    // Access groups (the vendor's: COMPANY).
    op("GET", "/api/v1/groups", "listGroups", Needs(Company)),
    op("POST", "/api/v1/groups", "createGroup", Needs(Company)),
    op("GET", "/api/v1/groups/{id}", "getGroup", Needs(Company)),
    op("PUT", "/api/v1/groups/{id}", "updateGroup", Needs(Company)),
    op("DELETE", "/api/v1/groups/{id}", "deleteGroup", Needs(Company)),
    op("POST", "/api/v1/groups/{id}/members", "addMembers", Needs(Company)),
    op("DELETE", "/api/v1/groups/{id}/members", "removeMembers", Needs(Company)),
    op("PUT", "/api/v1/groups/{id}/members/{email}", "updateMember", Needs(Company)),
    // A pool's request settings on one group assignment: Environment.
    op("PUT", "/api/v1/groups/{id}/request-settings/{pool}", "putGroupRequestSettings", Needs(Dev)),
    op("DELETE", "/api/v1/groups/{id}/request-settings/{pool}", "deleteGroupRequestSettings", Needs(Dev)),
    // API keys (the vendor's: COMPANY).
    op("GET", KEYS, "getSystemApiKeyList", Needs(Company)),
    op("POST", KEYS, "createSystemApiKey", Needs(Company)),
    op("PUT", KEY, "updateSystemApiKeyLabel", Needs(Company)),
    op("DELETE", KEY, "deleteSystemApiKey", Needs(Company)),
    // Company settings and their import: Company config.
    op("GET", "/api/v1/settings", "getSettings", Needs(Company)),
    op("PUT", "/api/v1/settings", "putSettings", Needs(Company)),
    // Audit events: Security.
    op("GET", "/api/v1/audit", "listAuditEvents", Needs(Security)),
    op("GET", "/api/v1/audit/export", "exportAuditEvents", Needs(Security)),
    op("GET", "/api/v1/audit/verify", "verifyAuditChain", Needs(Security)),
    // Questions about pool access: Environment.
    op("GET", "/api/v1/explain/pool-access", "explainPoolAccess", Needs(Dev)),
    op("GET", "/api/v1/explain/permissions", "explainPermissions", Needs(Dev)),
    op("GET", "/api/v1/snapshot", "getSnapshot", Needs(Dev)),
    // Access requests, their review and delegation: pool access.
    op("GET", "/api/v1/access-requests", "listAccessRequests", Needs(Dev)),
    op("POST", "/api/v1/access-requests", "createAccessRequest", Needs(Dev)),
    op("GET", "/api/v1/access-requests/{id}", "getAccessRequest", Needs(Dev)),
    op("GET", "/api/v1/access-requests/{id}/reviewers", "getAccessRequestReviewers", Needs(Dev)),
    op("POST", "/api/v1/access-requests/{id}/approve", "approveAccessRequest", Needs(Dev)),
    op("POST", "/api/v1/access-requests/{id}/deny", "denyAccessRequest", Needs(Dev)),
    op("POST", "/api/v1/access-requests/{id}/cancel", "cancelAccessRequest", Needs(Dev)),
    op("POST", "/api/v1/access-requests/{id}/revoke", "revokeAccessRequest", Needs(Dev)),
    op("GET", "/api/v1/delegations", "listDelegations", Needs(Dev)),
    op("POST", "/api/v1/delegations", "createDelegation", Needs(Dev)),
    op("DELETE", "/api/v1/delegations/{id}", "endDelegation", Needs(Dev)),
    // The company's access summary, webhooks and their outbox: Company config.
    op("GET", "/api/v1/reports/access", "getAccessReport", Needs(Company)),
    op("GET", "/api/v1/notifications", "listNotifications", Needs(Company)),
    op("POST", "/api/v1/notifications/{id}/retry", "retryNotification", Needs(Company)),
    // Operations.
    op("GET", "/healthz", "getHealth", Public),
    op("GET", "/readyz", "getReadiness", Public),
    op("GET", "/metrics", "getMetrics", Public),
    op("GET", "/api/openapi.json", "getOpenApiDocument", Public),
];

/// The operation at `method` `path` (a path as the router matched it, with
/// `{name}` for each segment), if the API has it.
pub fn operation(method: &str, path: &str) -> Option<&'static ApiOperation> {
    OPERATIONS
        .iter()
        .find(|o| o.method.eq_ignore_ascii_case(method) && o.path == path)
}

/// Why a key may not call an operation: the server answers 403 with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRefusal {
    /// `auth.key.scope` (the key lacks the scope) or `auth.key.not_allowed`
    /// (keys never reach the operation).
    pub code: &'static str,
    pub message: String,
}

/// Whether a key with `scopes` may call `operation` (its creator's roles
/// then decide); a refusal names the scope it lacks.
pub fn key_may_call(
    scopes: &[KeyScope],
    operation: Option<&ApiOperation>,
) -> Result<(), KeyRefusal> {
    let refuse = |code, message| Err(KeyRefusal { code, message });
    let Some(o) = operation else {
        return refuse(
            "auth.key.not_allowed",
            "API keys cannot call this operation".to_owned(),
        );
    };
    match o.rule {
        Public | AnyKey => Ok(()),
        Needs(s) if scopes.contains(&s) => Ok(()),
        Needs(s) => refuse(
            "auth.key.scope",
            format!(
                "this API key lacks the “{}” scope that {} {} needs",
                s.wire_name(),
                o.method,
                o.path
            ),
        ),
        SessionOnly => refuse(
            "auth.key.not_allowed",
            format!(
                "{} {} needs a signed-in session, not an API key",
                o.method, o.path
            ),
        ),
    }
}

/// The API key that asks for a new key: automation rotating its own key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallingKey {
    pub scopes: Vec<KeyScope>,
    pub expires_at: Instant,
}

/// A new key as it will be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPlan {
    pub scopes: Vec<KeyScope>,
    pub expires_at: Instant,
}

/// A new key: its label and life (`validate_api_key`), its scopes known
/// (none named: the calling key's, or all of them for a session, as the
/// vendor documents), and, when a key asks, nothing wider than that key: no
/// scope it lacks, no life beyond its own. The owner is always the caller's
/// user, so a key can never mint power its creator does not have.
pub fn plan_new_key(
    label: Option<&str>,
    expiration_days: Option<i64>,
    scopes: &[&str],
    calling: Option<&CallingKey>,
    now: Instant,
) -> Result<KeyPlan, Vec<Violation>> {
    let mut errors = validate_api_key(label, expiration_days)
        .err()
        .unwrap_or_default();
    let mut chosen: Vec<KeyScope> = Vec::new();
    let named = scopes
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty());
    for (i, text) in named {
        let text = text.trim();
        match KeyScope::parse(text) {
            None => errors.push(Violation::new(
                format!("scopes[{i}]"),
                Code::ApiKeyScopeUnknown,
                format!("“{text}” is not a scope: use COMPANY, DEV, SECURITY or CROSS_COMPANY"),
            )),
            Some(s) if calling.is_some_and(|c| !c.scopes.contains(&s)) => {
                errors.push(Violation::new(
                    format!("scopes[{i}]"),
                    Code::ApiKeyScopeWiderThanCaller,
                    format!("the calling API key lacks “{text}”, so a key it makes cannot have it"),
                ));
            }
            Some(s) if !chosen.contains(&s) => chosen.push(s),
            Some(_) => {}
        }
    }
    if chosen.is_empty() {
        chosen = calling.map_or(KeyScope::ALL.to_vec(), |c| c.scopes.clone());
    }
    crate::order::sort(&mut chosen);
    let expires_at = add(now, Duration::days(expiration_days.unwrap_or(1)));
    if let Some(c) = calling.filter(|c| expires_at > c.expires_at) {
        errors.push(Violation::new(
            "expirationDays",
            Code::ApiKeyOutlivesCaller,
            format!(
                "a key made by an API key cannot outlive it: the calling key expires at {}",
                format_instant(c.expires_at)
            ),
        ));
    }
    if errors.is_empty() {
        Ok(KeyPlan {
            scopes: chosen,
            expires_at,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_is_listed_once_with_a_unique_operation_id() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            for b in OPERATIONS.iter().skip(i + 1) {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} twice",
                    a.method,
                    a.path
                );
                assert_ne!(a.operation_id, b.operation_id);
            }
        }
    }

    #[test]
    fn the_vendors_levels_are_kept() {
        let needs = |m: &str, p: &str| operation(m, p).map(|o| o.rule);
        assert_eq!(needs("POST", "/api/v1/temp-access"), Some(Needs(Dev)));
        assert_eq!(needs("get", "/api/v1/agent-pools"), Some(Needs(Dev)));
        assert_eq!(needs("GET", "/api/v1/users"), Some(Needs(Company)));
        assert_eq!(needs("POST", KEYS), Some(Needs(Company)));
        assert_eq!(
            needs("POST", "/api/v1/access-requests/{id}/approve"),
            Some(Needs(Dev))
        );
    }

    #[test]
    fn a_key_reaches_only_what_its_scopes_name() {
        let create = operation("POST", "/api/v1/temp-access");
        assert!(key_may_call(&[Dev], create).is_ok());
        let refused = key_may_call(&[Company, Security, KeyScope::CrossCompany], create);
        assert!(refused.is_err_and(|r| r.code == "auth.key.scope" && r.message.contains("“DEV”")));
        assert!(key_may_call(&KeyScope::ALL, operation("POST", "/api/v1/auth/sign-out")).is_err());
        assert!(key_may_call(&KeyScope::ALL, operation("GET", "/api/v1/nowhere")).is_err());
        assert!(key_may_call(&[], operation("GET", "/api/v1/auth/me")).is_ok());
    }

    #[test]
    fn a_key_makes_no_key_wider_than_itself() {
        let now = crate::time::parse_instant("2026-12-07T10:00:00Z").unwrap_or_default();
        let caller = CallingKey {
            scopes: vec![Dev],
            expires_at: add(now, Duration::days(10)),
        };
        let plan = plan_new_key(Some("rotated"), Some(10), &[], Some(&caller), now);
        assert_eq!(
            plan.map(|p| p.scopes),
            Ok(vec![Dev]),
            "none named: the caller's"
        );
        let wider = plan_new_key(
            Some("rotated"),
            Some(11),
            &["DEV", "COMPANY"],
            Some(&caller),
            now,
        );
        let codes: Vec<_> = wider
            .unwrap_err()
            .into_iter()
            .map(|v| (v.field, v.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("scopes[1]".to_owned(), Code::ApiKeyScopeWiderThanCaller),
                ("expirationDays".to_owned(), Code::ApiKeyOutlivesCaller)
            ]
        );
        let session = plan_new_key(Some("first"), Some(365), &[], None, now);
        assert_eq!(
            session.map(|p| p.scopes.len()),
            Ok(4),
            "a session's key: every scope"
        );
    }
}
