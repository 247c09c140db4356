//! Persona roles, categories, permission levels, pool access levels and the
//! role matrix — kept as one data table.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A predefined persona role. Serialized with the vendor's wire names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Developer,
    CompanyAdmin,
    CompanyViewer,
    GroupAdmin,
    Security,
    AppSec,
    IncidentResponder,
}

crate::named::named_serde!(Role, wire_name);

impl Role {
    /// Every role, in the order of the matrix.
    pub const ALL: [Role; 7] = [
        Role::Developer,
        Role::CompanyAdmin,
        Role::CompanyViewer,
        Role::GroupAdmin,
        Role::Security,
        Role::AppSec,
        Role::IncidentResponder,
    ];

    /// The vendor's wire name (`SYSTEM_ADMIN` for Company Admin).
    pub const fn wire_name(self) -> &'static str {
        match self {
            Role::Developer => "DEVELOPER",
            Role::CompanyAdmin => "SYSTEM_ADMIN",
            Role::CompanyViewer => "COMPANY_VIEWER",
            Role::GroupAdmin => "GROUP_ADMIN",
            Role::Security => "SECURITY",
            Role::AppSec => "APP_SEC",
            Role::IncidentResponder => "INCIDENT_RESPONDER",
        }
    }

    /// The name people read.
    pub const fn display_name(self) -> &'static str {
        match self {
            Role::Developer => "Developer",
            Role::CompanyAdmin => "Company Admin",
            Role::CompanyViewer => "Company Viewer",
            Role::GroupAdmin => "Group Admin",
            Role::Security => "Security",
            Role::AppSec => "AppSec",
            Role::IncidentResponder => "Incident Responder",
        }
    }

    /// Parses a wire name exactly (the vendor's enum is upper case).
    pub fn from_wire(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.wire_name() == name)
    }

    /// The role's row of the matrix.
    pub fn row(self) -> &'static MatrixRow {
        // `ALL` and `MATRIX` are in the same order; the match keeps it total.
        match self {
            Role::Developer => &MATRIX[0],
            Role::CompanyAdmin => &MATRIX[1],
            Role::CompanyViewer => &MATRIX[2],
            Role::GroupAdmin => &MATRIX[3],
            Role::Security => &MATRIX[4],
            Role::AppSec => &MATRIX[5],
            Role::IncidentResponder => &MATRIX[6],
        }
    }

    /// Roles that exist only in RBAC companies.
    pub fn rbac_only(self) -> bool {
        self.row().rbac_only
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A category of operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    CompanyConfig,
    Security,
    Environment,
    AppSec,
    DebuggingRunbooks,
}

crate::named::named_serde!(Category, wire_name);

impl Category {
    pub const ALL: [Category; 5] = [
        Category::CompanyConfig,
        Category::Security,
        Category::Environment,
        Category::AppSec,
        Category::DebuggingRunbooks,
    ];

    pub const fn wire_name(self) -> &'static str {
        match self {
            Category::CompanyConfig => "COMPANY_CONFIG",
            Category::Security => "SECURITY",
            Category::Environment => "ENVIRONMENT",
            Category::AppSec => "APP_SEC",
            Category::DebuggingRunbooks => "DEBUGGING_RUNBOOKS",
        }
    }

    pub const fn display_name(self) -> &'static str {
        match self {
            Category::CompanyConfig => "Company config",
            Category::Security => "Security",
            Category::Environment => "Environment",
            Category::AppSec => "AppSec",
            Category::DebuggingRunbooks => "Debugging Runbooks",
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

/// Permission level on a category: `None < R < WR`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    #[default]
    None,
    Read,
    WriteRead,
}

crate::named::named_serde!(Level, wire_name);

impl Level {
    pub const ALL: [Level; 3] = [Level::None, Level::Read, Level::WriteRead];
    pub const fn wire_name(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Read => "R",
            Level::WriteRead => "WR",
        }
    }
}

/// One cell of the matrix: the level a role gives on a category, and whether
/// that level is scoped to the pools of the environments the user administers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    pub level: Level,
    pub scoped: bool,
}

/// One row of the role matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatrixRow {
    pub role: Role,
    pub rbac_only: bool,
    /// Cells in the order of [`Category::ALL`].
    pub cells: [Cell; 5],
}

impl MatrixRow {
    pub fn cell(&self, category: Category) -> Cell {
        self.cells.get(category.index()).copied().unwrap_or(Cell {
            level: Level::None,
            scoped: false,
        })
    }
}

const N: Cell = Cell {
    level: Level::None,
    scoped: false,
};
const R: Cell = Cell {
    level: Level::Read,
    scoped: false,
};
const WR: Cell = Cell {
    level: Level::WriteRead,
    scoped: false,
};
const WR_SCOPED: Cell = Cell {
    level: Level::WriteRead,
    scoped: true,
};

/// The role matrix (SPEC §1). Columns: Company config, Security, Environment,
/// AppSec, Debugging Runbooks.
#[rustfmt::skip]
pub const MATRIX: [MatrixRow; 7] = [
    MatrixRow { role: Role::Developer,         rbac_only: false, cells: [N,  R,  R,         N,  R ] },
    MatrixRow { role: Role::CompanyAdmin,      rbac_only: false, cells: [WR, WR, WR,        WR, WR] },
    MatrixRow { role: Role::CompanyViewer,     rbac_only: true,  cells: [R,  R,  R,         R,  R ] },
    MatrixRow { role: Role::GroupAdmin,        rbac_only: true,  cells: [N,  N,  WR_SCOPED, N,  N ] },
    MatrixRow { role: Role::Security,          rbac_only: true,  cells: [N,  WR, N,         N,  N ] },
    MatrixRow { role: Role::AppSec,            rbac_only: true,  cells: [N,  N,  N,         WR, N ] },
    MatrixRow { role: Role::IncidentResponder, rbac_only: true,  cells: [N,  N,  R,         N,  WR] },
];

/// A set of roles, as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RoleSet(u8);

impl RoleSet {
    pub const EMPTY: RoleSet = RoleSet(0);

    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn insert(&mut self, role: Role) {
        self.0 |= role.bit();
    }

    pub fn with(mut self, role: Role) -> RoleSet {
        self.insert(role);
        self
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The roles in matrix order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// The roles that give something under the company's RBAC setting.
    pub fn live(self, rbac_enabled: bool) -> RoleSet {
        if rbac_enabled {
            return self;
        }
        self.iter()
            .filter(|r| !r.rbac_only())
            .fold(RoleSet::EMPTY, RoleSet::with)
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<T: IntoIterator<Item = Role>>(iter: T) -> Self {
        iter.into_iter().fold(RoleSet::EMPTY, RoleSet::with)
    }
}

/// Pool access level given by groups, grants and requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PoolLevel {
    /// Create actions on the pool's agents, full access to action data.
    Standard,
    /// Standard plus ignoring agent quota limits.
    Privileged,
}

impl PoolLevel {
    pub const ALL: [PoolLevel; 2] = [PoolLevel::Standard, PoolLevel::Privileged];

    /// Parses `Standard` / `Privileged` in any letter case.
    pub fn parse(text: &str) -> Option<PoolLevel> {
        if text.eq_ignore_ascii_case("standard") {
            Some(PoolLevel::Standard)
        } else if text.eq_ignore_ascii_case("privileged") {
            Some(PoolLevel::Privileged)
        } else {
            None
        }
    }

    /// The group API's form: `STANDARD` / `PRIVILEGED`.
    pub const fn wire_name(self) -> &'static str {
        match self {
            PoolLevel::Standard => "STANDARD",
            PoolLevel::Privileged => "PRIVILEGED",
        }
    }

    /// The temp-access API's form: `Standard` / `Privileged`.
    pub const fn grant_name(self) -> &'static str {
        match self {
            PoolLevel::Standard => "Standard",
            PoolLevel::Privileged => "Privileged",
        }
    }

    /// The user API's pool permissions: `STANDARD`, plus `IGNORE_QUOTA` when privileged.
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            PoolLevel::Standard => &["STANDARD"],
            PoolLevel::Privileged => &["STANDARD", "IGNORE_QUOTA"],
        }
    }
}

impl Serialize for PoolLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.wire_name())
    }
}

impl<'de> Deserialize<'de> for PoolLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PoolLevel::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown pool role “{text}”, expected “Standard” or “Privileged”"
            ))
        })
    }
}

/// Highest pool level in a list (`None` when empty).
pub fn highest(levels: &[PoolLevel]) -> Option<PoolLevel> {
    levels.iter().copied().max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_wire(role.wire_name()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.wire_name()));
        }
        assert_eq!(Role::from_wire("system_admin"), None);
    }

    #[test]
    fn matrix_rows_follow_role_order() {
        for (row, role) in MATRIX.iter().zip(Role::ALL) {
            assert_eq!(row.role, role);
            assert_eq!(role.row().role, role);
        }
    }

    #[test]
    fn only_developer_and_company_admin_exist_without_rbac() {
        let basic: Vec<Role> = Role::ALL.into_iter().filter(|r| !r.rbac_only()).collect();
        assert_eq!(basic, vec![Role::Developer, Role::CompanyAdmin]);
    }

    #[test]
    fn group_admin_environment_is_the_only_scoped_cell() {
        for row in MATRIX {
            for category in Category::ALL {
                let cell = row.cell(category);
                assert_eq!(
                    cell.scoped,
                    row.role == Role::GroupAdmin && category == Category::Environment
                );
            }
        }
    }

    #[test]
    fn role_set_live_drops_rbac_only_roles() {
        let set: RoleSet = [Role::Developer, Role::Security, Role::CompanyAdmin]
            .into_iter()
            .collect();
        let live: Vec<Role> = set.live(false).iter().collect();
        assert_eq!(live, vec![Role::Developer, Role::CompanyAdmin]);
        assert_eq!(set.live(true), set);
    }

    #[test]
    fn pool_levels_parse_any_case() {
        assert_eq!(PoolLevel::parse("STANDARD"), Some(PoolLevel::Standard));
        assert_eq!(PoolLevel::parse("privileged"), Some(PoolLevel::Privileged));
        assert_eq!(PoolLevel::parse("PrIvIlEgEd"), Some(PoolLevel::Privileged));
        assert_eq!(PoolLevel::parse("admin"), None);
        assert!(PoolLevel::Standard < PoolLevel::Privileged);
        assert_eq!(
            PoolLevel::Privileged.permissions(),
            &["STANDARD", "IGNORE_QUOTA"]
        );
    }
}
