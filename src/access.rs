//! Who may do what. Identity comes from the operating system; roles live in
//! the database. Every protected core function calls `require` before it
//! opens its write transaction, so no caller (console or CLI) can skip it.

use rusqlite::Connection;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    ComplianceAdmin,
    Admin,
    Agent,
}

impl Role {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Read,
    Delete,
    Redact,
    Export,
    ChangeRetention,
    ManageOperators,
}

impl Permission {
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Read => "reading customer data",
            Permission::Delete => "deleting customer data",
            Permission::Redact => "redacting customer data",
            Permission::Export => "exporting customer data",
            Permission::ChangeRetention => "changing the retention policy",
            Permission::ManageOperators => "managing operators",
        }
    }
}

/// The person acting, with the roles the database gives them. An OS user
/// who is not an operator has no roles and gets a read-only console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn resolve(conn: &Connection, username: &str) -> Result<Actor> {
        let roles = crate::store::operators::roles(conn, username)?;
        Ok(Actor {
            username: username.to_string(),
            roles,
        })
    }

    pub fn is_operator(&self) -> bool {
        !self.roles.is_empty()
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn can(&self, p: Permission) -> bool {
        match p {
            Permission::Read => true,
            Permission::Delete
            | Permission::Redact
            | Permission::Export
            | Permission::ChangeRetention => self.has(Role::ComplianceAdmin),
            Permission::ManageOperators => self.has(Role::ComplianceAdmin) || self.has(Role::Admin),
        }
    }

    /// Why this actor may not do `p`, in words for the status bar.
    pub fn refusal(&self, p: Permission) -> Option<String> {
        if self.can(p) {
            return None;
        }
        Some(if self.is_operator() {
            format!(
                "{} needs the compliance_admin role; {} is not a Compliance Administrator",
                p.describe(),
                self.username
            )
        } else {
            format!(
                "{} is not an operator of this database; ask an admin to run `lethe operators grant {} compliance_admin`",
                self.username, self.username
            )
        })
    }
}

/// Checks a permission. A refusal is written to the audit trail and
/// returned as `Error::NotPermitted`. Call it outside any write
/// transaction, so the refusal's audit entry is not rolled back with it.
pub fn require(conn: &Connection, actor: &Actor, p: Permission, action: &str) -> Result<()> {
    match actor.refusal(p) {
        None => Ok(()),
        Some(reason) => {
            crate::audit::append(
                conn,
                &crate::audit::Entry::new(&actor.username, action)
                    .outcome(crate::audit::Outcome::Refused),
            )?;
            Err(Error::NotPermitted {
                action: action.to_string(),
                operator: actor.username.clone(),
                reason,
            })
        }
    }
}

/// The OS login name of the person running Lethe.
pub fn current_username() -> String {
    std::env::var("SUDO_USER")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Makes `username` the first operator (compliance_admin and admin) of a
/// database that has none, and turns on "Manage Customer Data".
pub fn bootstrap(conn: &Connection, username: &str) -> Result<()> {
    crate::store::operators::bootstrap(conn, username, crate::clock::now_ms())
}
