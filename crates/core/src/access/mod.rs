//! Who may do what. Identity comes from the operating system; roles live in
//! the database. Every protected core function calls `require` before it
//! opens its write transaction, so no caller (console or CLI) can skip it.
//!
//! # Roles
//!
//! - `agent`: may search and read.
//! - `admin`: may also manage operators and the account switch, and may
//!   grant `compliance_admin` to any admin, itself included.
//! - `compliance_admin`: may also delete, redact, export and change
//!   retention. It can only be granted to an admin, and only while the
//!   account's "Manage Customer Data" switch is on. While the switch is off
//!   the role stays recorded but is not in effect.
//!
//! An OS user who is not an operator may read (the console is read-only
//! for them) and nothing else. See docs/SECURITY.md for the whole model.

use std::path::Path;

use crate::audit::{self, Action, Entry, Outcome};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::store::tuning::users;
use crate::store::{Read, Store};
pub use lethe_store::model::access::{Operator, Role};

mod operators;
pub use operators::*;

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
    pub const ALL: [Permission; 6] = [
        Permission::Read,
        Permission::Delete,
        Permission::Redact,
        Permission::Export,
        Permission::ChangeRetention,
        Permission::ManageOperators,
    ];

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

    /// Whether this permission belongs to `compliance_admin` and so needs
    /// "Manage Customer Data" on.
    pub fn touches_customer_data(self) -> bool {
        matches!(
            self,
            Permission::Delete
                | Permission::Redact
                | Permission::Export
                | Permission::ChangeRetention
        )
    }
}

/// The person acting, with the roles the database gives them. An OS user
/// who is not an operator has no roles and gets a read-only console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    /// The roles recorded for this user, whether or not in effect.
    pub roles: Vec<Role>,
    /// The account's "Manage Customer Data" switch when the actor was
    /// resolved. While it is off, `compliance_admin` grants nothing.
    pub manage_customer_data: bool,
}

impl Actor {
    /// An actor with these roles on an account whose switch is on. For
    /// tests and fixtures; real callers use `resolve` or `current`.
    pub fn new(username: &str, roles: &[Role]) -> Actor {
        Actor {
            username: username.to_string(),
            roles: roles.to_vec(),
            manage_customer_data: true,
        }
    }

    /// `username` with the roles and switch state the database holds now.
    pub fn resolve(conn: &Read, username: &str) -> Result<Actor> {
        Ok(Actor {
            username: username.to_string(),
            roles: crate::store::operators::roles(conn, username)?,
            manage_customer_data: crate::store::operators::manage_customer_data(conn)?,
        })
    }

    /// The person running this process (see [`username_for`]), resolved
    /// against this store. Prefer this to `current_username()`: it knows
    /// the database file, so `sudo -u <service account>` works.
    pub fn current(store: &Store) -> Result<Actor> {
        Actor::resolve(&store.read(), &username_for(store.path()))
    }

    pub fn is_operator(&self) -> bool {
        !self.roles.is_empty()
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn can(&self, p: Permission) -> bool {
        if p.touches_customer_data() {
            return self.has(Role::ComplianceAdmin) && self.manage_customer_data;
        }
        match p {
            Permission::ManageOperators => self.has(Role::Admin) || self.has(Role::ComplianceAdmin),
            _ => true,
        }
    }

    /// Why this actor may not do `p`, in words for the status bar and the
    /// CLI: what is missing and who can fix it.
    pub fn refusal(&self, p: Permission) -> Option<String> {
        if self.can(p) {
            return None;
        }
        let user = &self.username;
        Some(if !self.is_operator() {
            format!(
                "{user} is not an operator of this database, so Lethe is read-only for them; \
                 an admin can grant a role with `lethe operators grant {user} ROLE`"
            )
        } else if p == Permission::ManageOperators {
            format!(
                "{} needs the admin role, which {user} does not hold; \
                 an admin can grant it with `lethe operators grant {user} admin`",
                p.describe()
            )
        } else if self.has(Role::ComplianceAdmin) {
            format!(
                "{} needs \"Manage Customer Data\" to be on for the account, and it is off, \
                 so {user}'s compliance_admin role is not in effect; an admin can turn it on \
                 with `lethe account manage-customer-data on`",
                p.describe()
            )
        } else {
            format!(
                "{} needs the compliance_admin role, which {user} does not hold; \
                 an admin can grant it with `lethe operators grant {user} compliance_admin`",
                p.describe()
            )
        })
    }

    /// A standing notice for the console's banner: why this actor cannot
    /// change customer data, or `None` when they can.
    pub fn notice(&self) -> Option<String> {
        if !self.is_operator() {
            return Some(format!(
                "Read-only: {} is not an operator of this database.",
                self.username
            ));
        }
        if self.has(Role::ComplianceAdmin) && !self.manage_customer_data {
            return Some(
                "Read-only: \"Manage Customer Data\" is off for this account, so compliance_admin is not in effect."
                    .to_string(),
            );
        }
        if !self.has(Role::ComplianceAdmin) {
            return Some(format!(
                "Read-only: {} is not a Compliance Administrator.",
                self.username
            ));
        }
        None
    }
}

/// Checks a permission. A refusal is written to the audit trail (under
/// `action`, one of the `audit` constants, with outcome `refused`) and
/// returned as `Error::NotPermitted`. Call it outside any write
/// transaction, so the refusal's audit entry is not rolled back with it.
/// If the refusal cannot be recorded, the action is still refused and the
/// reason says so.
///
/// The roles and the switch are read from the database again here, not
/// taken from `actor`: a role revoked while a console is open stops
/// working at once. An `Actor` built by hand gets no permission the
/// database does not give its username.
pub fn require(store: &Store, actor: &Actor, p: Permission, action: Action) -> Result<()> {
    require_for(store, actor, p, action, &[])
}

/// `require`, recording the IDs the refused action was aimed at (customer,
/// item, operator...). Targets that do not look like IDs are left out of
/// the record rather than risk writing personal data.
pub fn require_for(
    store: &Store,
    actor: &Actor,
    p: Permission,
    action: Action,
    targets: &[&str],
) -> Result<()> {
    let current = Actor::resolve(&store.read(), &actor.username)?;
    let Some(mut reason) = current.refusal(p) else {
        return Ok(());
    };
    if let Err(e) = record_refusal(store, actor, action, targets) {
        reason.push_str(&format!(
            " (the refusal could not be recorded in the audit trail: {e})"
        ));
    }
    Err(Error::NotPermitted {
        action: action.to_string(),
        operator: actor.username.clone(),
        reason,
    })
}

/// Records in the audit trail that `actor` was refused `action`, for a
/// front end that refused it itself (the console greys out and refuses a
/// key the actor's roles do not allow). Err only when it cannot be
/// recorded. Targets that do not look like IDs are left out.
pub fn record_refusal(
    store: &Store,
    actor: &Actor,
    action: Action,
    targets: &[&str],
) -> Result<()> {
    let mut entry = Entry::new(&actor.username, action).outcome(Outcome::Refused);
    for t in targets {
        if Entry::new(&actor.username, action)
            .target(t)
            .validate()
            .is_ok()
        {
            entry = entry.target(t);
        }
    }
    audit::record(store, &entry).map(|_| ())
}

/// Whether `name` can be an operator's username: 1 to 64 ASCII letters,
/// digits, `.`, `_` or `-`, not starting with `-`. That covers POSIX login
/// names and keeps the audit trail's operator column free of text.
pub fn is_valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The OS login name of the person running Lethe, without knowing the
/// database: the effective user's name, or `SUDO_USER` when running as
/// root. Use [`Actor::current`] (or [`username_for`] with the database
/// path) where a store is open, so the service-account setup works too.
pub fn current_username() -> String {
    username_for(None)
}

/// The OS login name of the person running Lethe against the database at
/// `db`.
///
/// The name comes from the operating system, never from a flag: the
/// account of the process's effective user ID (`getpwuid(geteuid())`).
/// `SUDO_USER` names the human instead only when sudo could have set it
/// for a process that acts on their behalf, that is when
/// - the process runs as root, or
/// - its effective user owns the database file (the service account in
///   `sudo -u lethe lethe ...`),
///
/// and `SUDO_USER` is a valid username different from the effective
/// user's. Anyone else could set the variable by hand to pose as another
/// operator, so for them it is ignored. (A user who owns the database file
/// can rewrite it directly; honouring the variable gives them nothing
/// they do not already have.) An effective user with no account entry is
/// named `uid-<N>`.
pub fn username_for(db: Option<&Path>) -> String {
    let effective = users::effective_user();
    let sudo_user = std::env::var("SUDO_USER")
        .ok()
        .filter(|u| is_valid_username(u) && *u != effective.name);
    match sudo_user {
        Some(human) if effective.uid == 0 || db.is_some_and(|p| users::owns(effective.uid, p)) => {
            human
        }
        _ => effective.name,
    }
}

/// Whether an account of that name exists on this machine (including
/// accounts from LDAP or other NSS sources).
pub fn os_user_exists(name: &str) -> bool {
    users::user_exists(name)
}

/// Every operator, by username.
pub fn operators(conn: &Read) -> Result<Vec<Operator>> {
    crate::store::operators::list(conn)
}

/// The account's "Manage Customer Data" switch.
pub fn manage_customer_data(conn: &Read) -> Result<bool> {
    crate::store::operators::manage_customer_data(conn)
}

/// Makes `username` the first operator (compliance_admin and admin) of a
/// database that has none, turns on "Manage Customer Data", and records
/// both in the audit trail, atomically. Returns `false` and changes
/// nothing when the database already has an operator, so it is safe to
/// call on every open and cannot hand a second person the keys.
pub fn bootstrap(store: &Store, username: &str) -> Result<bool> {
    if !is_valid_username(username) {
        return Err(Error::Invalid(format!(
            "\"{username}\" cannot be an operator's username; run Lethe as a named OS user"
        )));
    }
    let now = crate::clock::now_ms();
    store.write(|tx| {
        crate::store::operators::bootstrap(tx, username, now, |tx| {
            let entry = Entry::new(username, audit::OPERATOR_BOOTSTRAP)
                .target(username)
                .target(Role::ComplianceAdmin.as_str())
                .target(Role::Admin.as_str());
            audit::append_at(tx, &entry, now).map(|_| ())
        })
    })
}

#[cfg(test)]
mod tests;
