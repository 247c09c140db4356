//! Migration from the legacy role system, with a preview: `default_user` →
//! Developer, `ROLE_MANAGER` → Company Admin, a legacy group admin → Group
//! Admin of the same groups. An unknown legacy role is an error naming the
//! user and the role, never silently dropped.

use serde::{Deserialize, Serialize};

use crate::email::{email_key, is_valid_email};
use crate::role::Role;
use crate::snapshot::Snapshot;
use crate::violation::{Code, Violation};
use crate::wire::LegacyUserWire;

/// The persona role of a legacy role name.
pub fn map_legacy_role(name: &str) -> Option<Role> {
    match name {
        "default_user" => Some(Role::Developer),
        "ROLE_MANAGER" => Some(Role::CompanyAdmin),
        _ => None,
    }
}

/// One user as the migration would write them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MigratedUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub roles: Vec<Role>,
    /// Groups in which the user becomes a group admin.
    pub group_admin_of: Vec<String>,
    /// `create` a new user or `update` an existing one.
    pub action: String,
    /// Roles that will be recorded but inert while RBAC is off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inert_roles: Vec<Role>,
}

/// What the import would do, and every problem that stops it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MigrationPreview {
    pub users: Vec<MigratedUser>,
    pub errors: Vec<Violation>,
}

/// Previews an import; with a snapshot, users are matched to existing ones
/// and groups are checked.
pub fn preview_migration(
    entries: &[LegacyUserWire],
    snapshot: Option<&Snapshot>,
) -> MigrationPreview {
    let mut users = Vec::with_capacity(entries.len());
    let mut errors = Vec::new();
    let mut seen: Vec<String> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let email = e.email.trim();
        let key = email_key(email).into_owned();
        if !is_valid_email(email) {
            errors.push(Violation::new(
                format!("[{i}].email"),
                Code::LegacyEmailInvalid,
                format!("“{email}” is not an e-mail address"),
            ));
        } else if seen.contains(&key) {
            errors.push(Violation::new(
                format!("[{i}].email"),
                Code::LegacyEmailDuplicate,
                format!("“{email}” appears more than once"),
            ));
        }
        seen.push(key);
        let mut roles = Vec::new();
        for (j, legacy) in e.legacy_roles.iter().enumerate() {
            match map_legacy_role(legacy.trim()) {
                Some(r) => {
                    if !roles.contains(&r) {
                        roles.push(r);
                    }
                }
                None => errors.push(Violation::new(
                    format!("[{i}].legacyRoles[{j}]"),
                    Code::LegacyRoleUnknown,
                    format!("user “{email}”: unknown legacy role “{legacy}”"),
                )),
            }
        }
        for (j, g) in e.group_admin_of.iter().enumerate() {
            if snapshot.is_some_and(|s| s.group_idx(g).is_none()) {
                errors.push(Violation::new(
                    format!("[{i}].groupAdminOf[{j}]"),
                    Code::LegacyGroupUnknown,
                    format!("user “{email}”: no group “{g}”"),
                ));
            }
        }
        let rbac = snapshot.is_none_or(|s| s.rbac_enabled);
        if !e.group_admin_of.is_empty() && !rbac {
            errors.push(Violation::new(
                format!("[{i}].groupAdminOf"),
                Code::LegacyGroupAdminRbacOff,
                format!("user “{email}”: a group admin becomes Group Admin, which needs RBAC: enable RBAC before importing"),
            ));
        }
        if !e.group_admin_of.is_empty() && !roles.contains(&Role::GroupAdmin) {
            roles.push(Role::GroupAdmin);
        }
        if roles.is_empty() {
            roles.push(Role::Developer);
        }
        crate::order::sort(&mut roles);
        let existing = snapshot.and_then(|s| s.user_idx(email).and_then(|u| s.user(u)));
        let exists = existing.is_some();
        // Blank names keep an existing user's names; a new user needs them.
        let mut first = e.first_name.trim().to_owned();
        let mut last = e.last_name.trim().to_owned();
        if let Some(x) = existing {
            if first.is_empty() {
                first = x.first_name.clone();
            }
            if last.is_empty() {
                last = x.last_name.clone();
            }
        } else if snapshot.is_some() {
            if first.is_empty() {
                errors.push(Violation::new(
                    format!("[{i}].firstName"),
                    Code::UserFirstNameRequired,
                    format!("user “{email}”: a first name is required"),
                ));
            }
            if last.is_empty() {
                errors.push(Violation::new(
                    format!("[{i}].lastName"),
                    Code::UserLastNameRequired,
                    format!("user “{email}”: a last name is required"),
                ));
            }
        }
        users.push(MigratedUser {
            email: email.to_owned(),
            first_name: first,
            last_name: last,
            inert_roles: crate::user::inert_roles(&roles, rbac),
            roles,
            group_admin_of: e.group_admin_of.clone(),
            action: if exists { "update" } else { "create" }.to_owned(),
        });
    }
    // The import must leave an enabled Company Admin.
    if let Some(s) = snapshot {
        let imported = |email: &str| {
            users
                .iter()
                .find(|u| email_key(&u.email) == email_key(email))
        };
        let admin_left = s.users().iter().any(|u| {
            u.enabled
                && match imported(&u.email) {
                    Some(m) => m.roles.contains(&Role::CompanyAdmin),
                    None => u.roles.contains(Role::CompanyAdmin),
                }
        }) || users
            .iter()
            .any(|u| u.action == "create" && u.roles.contains(&Role::CompanyAdmin));
        if !admin_left
            && let Some(i) = users.iter().position(|u| {
                s.user_idx(&u.email)
                    .and_then(|x| s.user(x))
                    .is_some_and(|x| x.roles.contains(Role::CompanyAdmin))
            })
        {
            errors.push(Violation::new(
                format!("[{i}].legacyRoles"),
                Code::UserLastAdmin,
                "the import would leave no enabled Company Admin",
            ));
        }
    }
    MigrationPreview { users, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(email: &str, roles: &[&str], admin_of: &[&str]) -> LegacyUserWire {
        LegacyUserWire {
            email: email.into(),
            first_name: "A".into(),
            last_name: "B".into(),
            legacy_roles: roles.iter().map(|s| (*s).to_owned()).collect(),
            group_admin_of: admin_of.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn maps_the_three_legacy_roles() {
        let p = preview_migration(
            &[
                entry("dev@x.io", &["default_user"], &[]),
                entry("boss@x.io", &["ROLE_MANAGER", "default_user"], &[]),
                entry("ga@x.io", &["default_user"], &["g1"]),
            ],
            None,
        );
        assert!(p.errors.is_empty());
        assert_eq!(p.users[0].roles, vec![Role::Developer]);
        assert_eq!(p.users[1].roles, vec![Role::Developer, Role::CompanyAdmin]);
        assert_eq!(p.users[2].roles, vec![Role::Developer, Role::GroupAdmin]);
    }

    #[test]
    fn unknown_roles_name_the_user_and_the_role() {
        let p = preview_migration(
            &[entry("dev@x.io", &["default_user", "ROLE_ROOT"], &[])],
            None,
        );
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].field, "[0].legacyRoles[1]");
        assert!(
            p.errors[0].message.contains("dev@x.io") && p.errors[0].message.contains("ROLE_ROOT")
        );
    }
}
