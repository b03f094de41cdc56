//! Changing who may act: granting and revoking roles, and the account's
//! "Manage Customer Data" switch. Every change and every refusal is audited.

use super::*;

/// A user's roles before and after a grant or revoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    pub username: String,
    pub before: Vec<Role>,
    pub after: Vec<Role>,
}

impl RoleChange {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Gives `username` one more role. The actor needs `ManageOperators`.
/// `compliance_admin` additionally needs "Manage Customer Data" on and the
/// user to be an admin already. Granting a role already held changes
/// nothing and records nothing. Every refusal is recorded.
pub fn grant(store: &mut Store, actor: &Actor, username: &str, role: Role) -> Result<RoleChange> {
    grant_at(store, actor, username, role, crate::clock::now_ms())
}

/// `grant`, recorded at `now`.
pub fn grant_at(
    store: &mut Store,
    actor: &Actor,
    username: &str,
    role: Role,
    now: Millis,
) -> Result<RoleChange> {
    check_username(username)?;
    require_for(
        store,
        actor,
        Permission::ManageOperators,
        audit::OPERATOR_GRANT,
        &[username, role.as_str()],
    )?;
    let outcome = store.write(|tx| {
        let before = crate::store::operators::roles(tx, username)?;
        if role == Role::ComplianceAdmin {
            if !crate::store::operators::manage_customer_data(tx)? {
                return Ok(Err(
                    "\"Manage Customer Data\" is off for this account, so nobody can be granted \
                     compliance_admin; turn it on first with `lethe account manage-customer-data on`"
                        .to_string(),
                ));
            }
            if !before.contains(&Role::Admin) {
                return Ok(Err(format!(
                    "compliance_admin can only be granted to admins, and {username} is not one; \
                     grant admin first with `lethe operators grant {username} admin`"
                )));
            }
        }
        let mut after = before.clone();
        if !after.contains(&role) {
            after.push(role);
            after.sort();
            crate::store::operators::set_roles(tx, username, &after, now, &actor.username)?;
            audit::append_at(tx, &Entry::new(&actor.username, audit::OPERATOR_GRANT)
                    .target(username)
                    .target(role.as_str()), now)?;
        }
        Ok(Ok(RoleChange {
            username: username.to_string(),
            before,
            after,
        }))
    })?;
    outcome.or_else(|reason| {
        refuse(
            store,
            actor,
            audit::OPERATOR_GRANT,
            &[username, role.as_str()],
            reason,
        )
    })
}

/// Takes `role` (or, with `None`, every role) from `username`. Taking
/// `admin` also takes `compliance_admin`, which only admins may hold. The
/// actor needs `ManageOperators`. Refused, and recorded, when the user
/// does not hold the role or when it would leave the database without an
/// admin (nobody could manage operators any more).
pub fn revoke(
    store: &mut Store,
    actor: &Actor,
    username: &str,
    role: Option<Role>,
) -> Result<RoleChange> {
    revoke_at(store, actor, username, role, crate::clock::now_ms())
}

/// `revoke`, recorded at `now`.
pub fn revoke_at(
    store: &mut Store,
    actor: &Actor,
    username: &str,
    role: Option<Role>,
    now: Millis,
) -> Result<RoleChange> {
    check_username(username)?;
    let what = role.map_or("all", Role::as_str);
    require_for(
        store,
        actor,
        Permission::ManageOperators,
        audit::OPERATOR_REVOKE,
        &[username, what],
    )?;
    let outcome = store.write(|tx| {
        let before = crate::store::operators::roles(tx, username)?;
        let after: Vec<Role> = match role {
            None => vec![],
            Some(Role::Admin) => before
                .iter()
                .copied()
                .filter(|r| !matches!(r, Role::Admin | Role::ComplianceAdmin))
                .collect(),
            Some(r) => before.iter().copied().filter(|x| *x != r).collect(),
        };
        if before.is_empty() {
            return Ok(Err(format!(
                "{username} is not an operator; nothing changed"
            )));
        }
        if after == before {
            return Ok(Err(format!(
                "{username} does not hold the {what} role; nothing changed"
            )));
        }
        let other_admins = crate::store::operators::list(tx)?
            .iter()
            .filter(|o| o.username != username && o.roles.contains(&Role::Admin))
            .count();
        if before.contains(&Role::Admin) && !after.contains(&Role::Admin) && other_admins == 0 {
            return Ok(Err(format!(
                "{username} is the only admin, and without one nobody could manage operators; \
                 grant admin to someone else first"
            )));
        }
        crate::store::operators::set_roles(tx, username, &after, now, &actor.username)?;
        let mut entry = Entry::new(&actor.username, audit::OPERATOR_REVOKE).target(username);
        for r in before.iter().filter(|r| !after.contains(r)) {
            entry = entry.target(r.as_str());
        }
        audit::append_at(tx, &entry, now)?;
        Ok(Ok(RoleChange {
            username: username.to_string(),
            before,
            after,
        }))
    })?;
    outcome.or_else(|reason| {
        refuse(
            store,
            actor,
            audit::OPERATOR_REVOKE,
            &[username, what],
            reason,
        )
    })
}

/// The result of setting "Manage Customer Data".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchChange {
    pub on: bool,
    /// False when the switch was already in that state.
    pub changed: bool,
    /// Operators holding compliance_admin, whose role the switch turns on
    /// or off.
    pub compliance_admins: Vec<String>,
}

/// Turns the account's "Manage Customer Data" switch on or off. The actor
/// needs `ManageOperators`. Turning it off keeps every compliance_admin
/// role recorded but out of effect: nobody can delete, redact, export or
/// change retention until it is on again. Recorded as `account-switch`
/// with the number of compliance_admins affected.
pub fn set_manage_customer_data(
    store: &mut Store,
    actor: &Actor,
    on: bool,
) -> Result<SwitchChange> {
    set_manage_customer_data_at(store, actor, on, crate::clock::now_ms())
}

/// `set_manage_customer_data`, recorded at `now`.
pub fn set_manage_customer_data_at(
    store: &mut Store,
    actor: &Actor,
    on: bool,
    now: Millis,
) -> Result<SwitchChange> {
    require_for(
        store,
        actor,
        Permission::ManageOperators,
        audit::ACCOUNT_SWITCH,
        &[
            crate::store::operators::MANAGE_CUSTOMER_DATA,
            if on { "on" } else { "off" },
        ],
    )?;
    store.write(|tx| {
        let was = crate::store::operators::manage_customer_data(tx)?;
        let compliance_admins: Vec<String> = crate::store::operators::list(tx)?
            .into_iter()
            .filter(|o| o.roles.contains(&Role::ComplianceAdmin))
            .map(|o| o.username)
            .collect();
        if was != on {
            crate::store::operators::set_manage_customer_data(tx, on)?;
            audit::append_at(
                tx,
                &Entry::new(&actor.username, audit::ACCOUNT_SWITCH)
                    .target(crate::store::operators::MANAGE_CUSTOMER_DATA)
                    .target(if on { "on" } else { "off" })
                    .count("compliance_admins", compliance_admins.len() as i64),
                now,
            )?;
        }
        Ok(SwitchChange {
            on,
            changed: was != on,
            compliance_admins,
        })
    })
}

/// Sets (or, with None, clears) the account's region for national phone
/// numbers of customers whose own phones do not name one: an ISO 3166 code
/// such as `GB` or `IL`. Returns the previous one. Recorded in the audit
/// trail as an account switch.
pub fn set_phone_region_at(
    store: &mut Store,
    actor: &Actor,
    region: Option<&str>,
    now: Millis,
) -> Result<Option<String>> {
    let key = crate::triage::PHONE_REGION;
    let region = match region.map(|r| r.trim().to_ascii_uppercase()) {
        Some(r) if r.parse::<phonenumber::country::Id>().is_err() || r.len() != 2 => {
            return Err(Error::Invalid(format!(
                "\"{}\" is not a region; use a two-letter ISO 3166 country code such as GB, IL or JP",
                crate::text::safe_line(&r)
            )))
        }
        r => r,
    };
    let shown = region.clone().unwrap_or_else(|| "none".into());
    require_for(
        store,
        actor,
        Permission::ManageOperators,
        audit::ACCOUNT_SWITCH,
        &[key, &shown],
    )?;
    store.write(|tx| {
        let was = crate::store::get_setting(tx, key)?;
        if was != region {
            match &region {
                Some(r) => crate::store::set_setting(tx, key, r)?,
                None => crate::store::delete_setting(tx, key)?,
            }
            audit::append_at(
                tx,
                &Entry::new(&actor.username, audit::ACCOUNT_SWITCH)
                    .target(key)
                    .target(&shown),
                now,
            )?;
        }
        Ok(was)
    })
}

pub(super) fn check_username(username: &str) -> Result<()> {
    if is_valid_username(username) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "\"{}\" is not a valid username: use the person's OS login name \
             (letters, digits, '.', '_' or '-')",
            crate::text::safe_line(username)
        )))
    }
}

/// Records a refused operator change (after its transaction, so the record
/// stays) and returns the error for it.
pub(super) fn refuse<T>(
    store: &Store,
    actor: &Actor,
    action: Action,
    targets: &[&str],
    reason: String,
) -> Result<T> {
    audit::record(
        store,
        &Entry::new(&actor.username, action)
            .targets(targets)
            .outcome(Outcome::Refused),
    )?;
    Err(Error::Invalid(format!("{reason}.")))
}
