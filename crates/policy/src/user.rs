//! Users, role assignment and agent pools: the directory's rules.

use serde::{Deserialize, Serialize};

use crate::email::{email_key, is_valid_email};
use crate::role::Role;
use crate::snapshot::{Snapshot, UserIdx};
use crate::violation::{Code, Violation, item};

/// Characters in a first or last name, a pool name.
pub const MAX_NAME_CHARS: usize = 100;
/// Characters in a pool's description (the vendor's bound).
pub const MAX_DESCRIPTION_CHARS: usize = 255;
/// A password's length bounds, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The refusal of an RBAC-only role at `roles[at]` while RBAC is off.
fn rbac_only(at: usize, r: Role) -> Violation {
    Violation::new(
        item("roles", at),
        Code::UserRolesRbacOnly,
        format!(
            "{} exists only with RBAC on: assign Developer or Company Admin",
            r.display_name()
        ),
    )
}

/// Checks a role assignment under the company's RBAC setting: in a non-RBAC
/// company only Developer and Company Admin can be assigned. An empty list
/// means the default role, Developer.
pub fn validate_roles(roles: &[Role], rbac_enabled: bool) -> Result<Vec<Role>, Vec<Violation>> {
    let errors: Vec<Violation> = roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.rbac_only() && !rbac_enabled)
        .map(|(i, r)| rbac_only(i, *r))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out: Vec<Role> = roles.to_vec();
    crate::order::sort(&mut out);
    out.dedup();
    if out.is_empty() {
        out.push(Role::Developer);
    }
    Ok(out)
}

/// The roles recorded that give nothing under the RBAC setting.
pub fn inert_roles(roles: &[Role], rbac_enabled: bool) -> Vec<Role> {
    roles
        .iter()
        .copied()
        .filter(|r| r.rbac_only() && !rbac_enabled)
        .collect()
}

/// Checks the address of a new user.
pub fn validate_email(email: &str) -> Result<(), Violation> {
    if is_valid_email(email) {
        Ok(())
    } else {
        Err(Violation::new(
            "email",
            Code::UserEmailInvalid,
            format!("“{email}” is not an e-mail address"),
        ))
    }
}

/// A user as an admin creates or updates them (the vendor's create and update
/// shapes, plus an optional initial password).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Role>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A user that passed validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub roles: Vec<Role>,
}

fn name(
    field: &str,
    value: Option<&String>,
    required: Code,
    errors: &mut Vec<Violation>,
) -> String {
    let v = value.map(|s| s.trim()).unwrap_or_default();
    if v.is_empty() {
        errors.push(Violation::new(
            field,
            required,
            match field {
                "firstName" => "a first name is required".to_owned(),
                "lastName" => "a last name is required".to_owned(),
                other => format!("“{other}” is required"),
            },
        ));
    } else if v.chars().count() > MAX_NAME_CHARS {
        errors.push(Violation::new(
            field,
            Code::UserNameTooLong,
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    v.to_owned()
}

/// Checks a new password (the activation page checks it as typed).
pub fn validate_password(password: &str) -> Result<(), Vec<Violation>> {
    let mut errors = Vec::new();
    self::password(Some(&password.to_owned()), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn password(value: Option<&String>, errors: &mut Vec<Violation>) {
    if let Some(p) = value {
        let n = p.chars().count();
        if n < MIN_PASSWORD_CHARS {
            errors.push(Violation::new(
                "password",
                Code::UserPasswordTooShort,
                format!("at least {MIN_PASSWORD_CHARS} characters"),
            ));
        } else if n > MAX_PASSWORD_CHARS {
            errors.push(Violation::new(
                "password",
                Code::UserPasswordTooLong,
                format!("at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
    }
}

/// Whether changing `u` to `roles` / `enabled` would leave the company
/// without an enabled Company Admin.
pub fn removes_last_admin(snapshot: &Snapshot, u: UserIdx, roles: &[Role], enabled: bool) -> bool {
    let stays_admin = enabled && roles.contains(&Role::CompanyAdmin);
    let is_admin = snapshot
        .user(u)
        .is_some_and(|x| x.enabled && x.roles.contains(Role::CompanyAdmin));
    if stays_admin || !is_admin {
        return false;
    }
    !snapshot
        .users()
        .iter()
        .enumerate()
        .any(|(i, x)| i != u.get() && x.enabled && x.roles.contains(Role::CompanyAdmin))
}

fn last_admin() -> Violation {
    Violation::new(
        "roles",
        Code::UserLastAdmin,
        "this is the last enabled Company Admin: make someone else Company Admin first",
    )
}

/// Validates a new user against the company (when given).
pub fn validate_new_user(
    snapshot: Option<&Snapshot>,
    input: &UserInput,
) -> Result<ValidUser, Vec<Violation>> {
    let mut errors = Vec::new();
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if let Err(v) = validate_email(&email) {
        errors.push(v);
    } else if snapshot.is_some_and(|s| s.user_idx(&email).is_some()) {
        errors.push(Violation::new(
            "email",
            Code::UserEmailTaken,
            format!("a user “{}” exists already", email_key(&email)),
        ));
    }
    let first_name = name(
        "firstName",
        input.first_name.as_ref(),
        Code::UserFirstNameRequired,
        &mut errors,
    );
    let last_name = name(
        "lastName",
        input.last_name.as_ref(),
        Code::UserLastNameRequired,
        &mut errors,
    );
    password(input.password.as_ref(), &mut errors);
    let rbac = snapshot.is_none_or(|s| s.rbac_enabled);
    let roles = match validate_roles(input.roles.as_deref().unwrap_or_default(), rbac) {
        Ok(r) => r,
        Err(v) => {
            errors.extend(v);
            Vec::new()
        }
    };
    if errors.is_empty() {
        Ok(ValidUser {
            email,
            first_name,
            last_name,
            roles,
        })
    } else {
        Err(errors)
    }
}

/// Validates an update of an existing user (names and roles; the address
/// names the user and cannot change).
pub fn validate_user_update(
    snapshot: &Snapshot,
    u: UserIdx,
    input: &UserInput,
) -> Result<ValidUser, Vec<Violation>> {
    let mut errors = Vec::new();
    let Some(user) = snapshot.user(u) else {
        return Err(vec![Violation::new(
            "email",
            Code::UserUnknown,
            "no such user",
        )]);
    };
    if let Some(e) = &input.email
        && email_key(e) != email_key(&user.email)
    {
        errors.push(Violation::new(
            "email",
            Code::UserEmailInvalid,
            "the address names the user and cannot change",
        ));
    }
    let first_name = name(
        "firstName",
        input.first_name.as_ref(),
        Code::UserFirstNameRequired,
        &mut errors,
    );
    let last_name = name(
        "lastName",
        input.last_name.as_ref(),
        Code::UserLastNameRequired,
        &mut errors,
    );
    password(input.password.as_ref(), &mut errors);
    let roles = match &input.roles {
        None => user.roles.iter().collect(),
        Some(roles) => {
            // Roles already held stay recorded even while RBAC is off; only new
            // RBAC-only roles are refused.
            let new: Vec<Role> = roles
                .iter()
                .copied()
                .filter(|r| !user.roles.contains(*r))
                .collect();
            let refused: Vec<Violation> = roles
                .iter()
                .enumerate()
                .filter(|(_, r)| new.contains(r) && r.rbac_only() && !snapshot.rbac_enabled)
                .map(|(at, r)| rbac_only(at, *r))
                .collect();
            if refused.is_empty() {
                validate_roles(roles, true).unwrap_or_default()
            } else {
                errors.extend(refused);
                Vec::new()
            }
        }
    };
    if errors.is_empty() && removes_last_admin(snapshot, u, &roles, user.enabled) {
        errors.push(last_admin());
    }
    if errors.is_empty() {
        Ok(ValidUser {
            email: user.email.clone(),
            first_name,
            last_name,
            roles,
        })
    } else {
        Err(errors)
    }
}

/// Checks that disabling or deleting a user keeps an enabled Company Admin.
pub fn validate_disable(snapshot: &Snapshot, u: UserIdx) -> Result<(), Violation> {
    let roles: Vec<Role> = snapshot
        .user(u)
        .map(|x| x.roles.iter().collect())
        .unwrap_or_default();
    if removes_last_admin(snapshot, u, &roles, false) {
        Err(last_admin())
    } else {
        Ok(())
    }
}

/// An agent pool as created or updated (the vendor's shape).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A trimmed name of 1 to 100 characters that no other `what` has,
/// regardless of letter case (`others`: their names, when known).
fn unique_name(
    raw: Option<&str>,
    others: Option<&[&str]>,
    what: &str,
    (required, too_long, taken): (Code, Code, Code),
    errors: &mut Vec<Violation>,
) -> String {
    let name = raw.map(str::trim).unwrap_or_default().to_owned();
    let chars = name.chars().count();
    if chars == 0 {
        errors.push(Violation::new(
            "name",
            required,
            format!("a {what} needs a name"),
        ));
    } else if chars > MAX_NAME_CHARS {
        errors.push(Violation::new(
            "name",
            too_long,
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    } else if others.is_some_and(|o| {
        o.iter()
            .any(|n| n.trim().to_lowercase() == name.to_lowercase())
    }) {
        errors.push(Violation::new(
            "name",
            taken,
            format!("a {what} is already named “{name}”"),
        ));
    }
    name
}

/// Validates a pool; `id` is the pool being updated (its own name is free).
pub fn validate_pool(
    snapshot: Option<&Snapshot>,
    id: Option<&str>,
    input: &PoolInput,
) -> Result<(String, String), Vec<Violation>> {
    let mut errors = Vec::new();
    let others = snapshot.map(|s| {
        s.pools()
            .iter()
            .filter(|p| Some(p.id.as_str()) != id)
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
    });
    let name = unique_name(
        input.name.as_deref(),
        others.as_deref(),
        "pool",
        (
            Code::PoolNameRequired,
            Code::PoolNameTooLong,
            Code::PoolNameTaken,
        ),
        &mut errors,
    );
    let description = input
        .description
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(Violation::new(
            "description",
            Code::PoolDescriptionTooLong,
            format!("at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if errors.is_empty() {
        Ok((name, description))
    } else {
        Err(errors)
    }
}

/// An access group as created or updated (the vendor's shape).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_pool_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<crate::role::PoolLevel>>,
}

/// A group that passed validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidGroup {
    pub name: String,
    pub agent_pool_ids: Vec<String>,
    pub roles: Vec<crate::role::PoolLevel>,
}

/// Validates a group; `id` is the group being updated (its own name is free).
pub fn validate_group(
    snapshot: Option<&Snapshot>,
    id: Option<&str>,
    input: &GroupInput,
) -> Result<ValidGroup, Vec<Violation>> {
    let mut errors = Vec::new();
    let others = snapshot.map(|s| {
        s.groups()
            .iter()
            .filter(|g| Some(g.id.as_str()) != id)
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
    });
    let name = unique_name(
        input.name.as_deref(),
        others.as_deref(),
        "group",
        (
            Code::GroupNameRequired,
            Code::GroupNameTooLong,
            Code::GroupNameTaken,
        ),
        &mut errors,
    );
    let pools = input.agent_pool_ids.clone().unwrap_or_default();
    for (i, p) in pools.iter().enumerate() {
        if pools.get(..i).is_some_and(|before| before.contains(p)) {
            errors.push(Violation::new(
                item("agentPoolIds", i),
                Code::GroupPoolsDuplicate,
                format!("“{p}” is listed twice"),
            ));
        } else if snapshot.is_some_and(|s| s.pool_idx(p).is_none()) {
            errors.push(Violation::new(
                item("agentPoolIds", i),
                Code::GroupPoolsUnknown,
                format!("no agent pool “{p}”"),
            ));
        }
    }
    let mut roles = input.roles.clone().unwrap_or_default();
    crate::order::sort(&mut roles);
    roles.dedup();
    if errors.is_empty() {
        Ok(ValidGroup {
            name,
            agent_pool_ids: pools,
            roles,
        })
    } else {
        Err(errors)
    }
}

/// Checks that a new member exists.
pub fn validate_member(snapshot: &Snapshot, email: &str) -> Result<UserIdx, Violation> {
    snapshot.user_idx(email).ok_or_else(|| {
        Violation::new(
            "email",
            Code::GroupMemberUnknown,
            format!("no user “{email}”"),
        )
    })
}

/// Longest life of an API key, in days.
pub const MAX_API_KEY_DAYS: i64 = 365;

/// Checks an API key's label (3 to 50 letters, digits, space, `_`, `-`,
/// starting with a letter or digit) and life (1 to 365 days).
pub fn validate_api_key(
    label: Option<&str>,
    expiration_days: Option<i64>,
) -> Result<(), Vec<Violation>> {
    let mut errors = Vec::new();
    if let Some(l) = label {
        let n = l.chars().count();
        let first_ok = l.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = l
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'));
        if !(3..=50).contains(&n) || !first_ok || !rest_ok {
            errors.push(Violation::new(
                "label",
                Code::ApiKeyLabelInvalid,
                "3 to 50 letters, digits, spaces, underscores or hyphens, starting with a letter or digit",
            ));
        }
    }
    if !expiration_days.is_some_and(|d| (1..=MAX_API_KEY_DAYS).contains(&d)) {
        errors.push(Violation::new(
            "expirationDays",
            Code::ApiKeyExpirationOutOfRange,
            format!("a key lives 1 to {MAX_API_KEY_DAYS} days"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_users_get_developer_and_rbac_only_roles_need_rbac() {
        assert_eq!(validate_roles(&[], false), Ok(vec![Role::Developer]));
        assert!(validate_roles(&[Role::Security], true).is_ok());
        let errs = validate_roles(&[Role::Developer, Role::Security], false).unwrap_err();
        assert_eq!(errs[0].field, "roles[1]");
        assert!(validate_email("not-an-email").is_err());
    }
}
