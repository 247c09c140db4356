//! Users and role assignment.

use crate::email::is_valid_email;
use crate::role::Role;
use crate::violation::{Code, Violation, item};

/// Checks a role assignment under the company's RBAC setting: in a non-RBAC
/// company only Developer and Company Admin can be assigned. An empty list
/// means the default role, Developer.
pub fn validate_roles(roles: &[Role], rbac_enabled: bool) -> Result<Vec<Role>, Vec<Violation>> {
    let errors: Vec<Violation> = roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.rbac_only() && !rbac_enabled)
        .map(|(i, r)| {
            Violation::new(
                item("roles", i),
                Code::UserRolesRbacOnly,
                format!(
                    "`{}` exists only with RBAC on: assign Developer or Company Admin",
                    r.wire_name()
                ),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out: Vec<Role> = roles.to_vec();
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        out.push(Role::Developer);
    }
    Ok(out)
}

/// Checks the address of a new user.
pub fn validate_email(email: &str) -> Result<(), Violation> {
    if is_valid_email(email) {
        Ok(())
    } else {
        Err(Violation::new(
            "email",
            Code::UserEmailInvalid,
            format!("`{email}` is not an e-mail address"),
        ))
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
