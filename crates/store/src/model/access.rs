//! Who may act: operators and their roles.

use super::clock::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    ComplianceAdmin,
    Admin,
    Agent,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::ComplianceAdmin, Role::Admin, Role::Agent];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ComplianceAdmin => "compliance_admin",
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "compliance_admin" => Some(Role::ComplianceAdmin),
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An operator as `lethe operators list` and the console show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub username: String,
    pub roles: Vec<Role>,
    pub created_at: Millis,
    pub created_by: Option<String>,
}
