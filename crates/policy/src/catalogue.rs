//! The operation catalogue: what each category governs.

use crate::role::{Category, Level};

macro_rules! operations {
    ($( $variant:ident = $id:literal, $category:ident, $title:literal; )*) => {
        /// An operation of the management portal, in one category.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $( $variant, )*
        }

        crate::named::named_serde!(Operation, id);

        impl Operation {
            /// Every operation, grouped by category.
            pub const ALL: &'static [Operation] = &[ $( Operation::$variant, )* ];

            /// The stable id, e.g. `company.temporary_access`.
            pub const fn id(self) -> &'static str {
                match self { $( Operation::$variant => $id, )* }
            }

            /// The category whose level governs this operation.
            pub const fn category(self) -> Category {
                match self { $( Operation::$variant => Category::$category, )* }
            }

            /// What people call it.
            pub const fn title(self) -> &'static str {
                match self { $( Operation::$variant => $title, )* }
            }
        }
    };
}

operations! {
    Organization = "company.organization", CompanyConfig, "Organisation name and plan";
    Usage = "company.usage", CompanyConfig, "Usage dashboard";
    Users = "company.users", CompanyConfig, "Users and role assignment";
    AccessGroups = "company.access_groups", CompanyConfig, "Access groups";
    TemporaryAccess = "company.temporary_access", CompanyConfig, "Temporary access grants";
    Identity = "company.identity", CompanyConfig, "Identity configuration (login methods, self-registration, SCIM)";
    CompanyWebhooks = "company.webhooks", CompanyConfig, "Company webhooks";
    AiDebugger = "company.ai_debugger", CompanyConfig, "AI debugger global settings";
    Compliance = "company.compliance", CompanyConfig, "Compliance service configuration";
    Diagnostics = "company.diagnostics", CompanyConfig, "System diagnostics";
    PiiRedaction = "security.pii_redaction", Security, "PII redaction patterns";
    Blocklist = "security.blocklist", Security, "Blocklist";
    AuditEvents = "security.audit_events", Security, "Audit events";
    ApiKeys = "security.api_keys", Security, "API keys";
    AgentPools = "environment.agent_pools", Environment, "Agent pools";
    Agents = "environment.agents", Environment, "Agents";
    CustomSources = "environment.custom_sources", Environment, "Custom sources";
    Tags = "environment.tags", Environment, "Tags";
    ActionInformation = "environment.action_information", Environment, "Action information";
    DataExplorer = "environment.data_explorer", Environment, "Data explorer (snapshots, logs)";
    Dashboards = "environment.dashboards", Environment, "Dashboards";
    DebuggerConfiguration = "environment.debugger_configuration", Environment, "Debugger configuration";
    AccessRequestSettings = "environment.access_request_settings", Environment, "Access request settings of agent pools";
    GroupMembers = "environment.group_members", Environment, "Members of an environment's access groups (group admins, elevated roles)";
    RuntimeReachability = "appsec.runtime_reachability", AppSec, "Runtime reachability assessment";
    WatchedPackages = "appsec.watched_packages", AppSec, "Watched packages";
    ReachabilityWebhooks = "appsec.reachability_webhooks", AppSec, "Reachability webhooks";
    Sbom = "appsec.sbom", AppSec, "SBOM";
    PackageEnrichment = "appsec.package_enrichment", AppSec, "Package enrichment";
    Cases = "runbooks.cases", DebuggingRunbooks, "Cases (track, manage, resolve)";
    RunbookUploads = "runbooks.configuration_uploads", DebuggingRunbooks, "Runbook configuration uploads";
    CaseResults = "runbooks.case_results", DebuggingRunbooks, "Case results";
}

impl Operation {
    /// Parses a stable id.
    pub fn from_id(id: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.id() == id)
    }

    /// Environment operations are decided per pool; the rest company-wide.
    pub fn is_pool_scoped(self) -> bool {
        self.category() == Category::Environment
    }
}

/// Viewing or changing an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    View,
    Change,
}

crate::named::named_serde!(Access, wire_name);

impl Access {
    pub const ALL: [Access; 2] = [Access::View, Access::Change];

    /// Viewing needs R; changing needs WR.
    pub const fn needs(self) -> Level {
        match self {
            Access::View => Level::Read,
            Access::Change => Level::WriteRead,
        }
    }

    pub const fn wire_name(self) -> &'static str {
        match self {
            Access::View => "view",
            Access::Change => "change",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_operations_and_ids_are_unique() {
        for category in Category::ALL {
            assert!(Operation::ALL.iter().any(|op| op.category() == category));
        }
        let mut ids: Vec<&str> = Operation::ALL.iter().map(|op| op.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Operation::ALL.len());
    }

    #[test]
    fn ids_round_trip_through_serde() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_id(op.id()), Some(*op));
            let json = serde_json::to_string(op).unwrap();
            assert_eq!(json, format!("\"{}\"", op.id()));
        }
    }

    #[test]
    fn only_environment_operations_are_pool_scoped() {
        assert!(Operation::Agents.is_pool_scoped());
        assert!(!Operation::TemporaryAccess.is_pool_scoped());
        assert_eq!(Access::Change.needs(), Level::WriteRead);
        assert_eq!(Access::View.needs(), Level::Read);
    }
}
