use super::*;

/// A database bootstrapped by alice, with bob as a plain admin and
/// carol as an agent.
fn fixture() -> (Store, Actor) {
    let mut store = Store::open_in_memory().unwrap();
    assert!(bootstrap(&store, "alice").unwrap());
    let alice = Actor::resolve(&store.read(), "alice").unwrap();
    grant(&mut store, &alice, "bob", Role::Admin).unwrap();
    grant(&mut store, &alice, "carol", Role::Agent).unwrap();
    (store, alice)
}

fn last_entry(store: &Store) -> audit::Row {
    audit::list(&store.read(), &audit::Filter::default(), 1)
        .unwrap()
        .remove(0)
}

#[test]
fn bootstrap_happens_once_and_is_audited() {
    let (store, alice) = fixture();
    assert!(alice.has(Role::ComplianceAdmin) && alice.has(Role::Admin));
    assert!(alice.manage_customer_data);
    assert!(!bootstrap(&store, "mallory").unwrap());
    assert!(!Actor::resolve(&store.read(), "mallory")
        .unwrap()
        .is_operator());
    let first = audit::list(&store.read(), &audit::Filter::default(), 100)
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(first.action, audit::OPERATOR_BOOTSTRAP.as_str());
    assert_eq!(first.targets, vec!["alice", "compliance_admin", "admin"]);
    assert!(bootstrap(&store, "bad name").is_err());
}

#[test]
fn roles_grant_exactly_their_permissions() {
    let (store, _) = fixture();
    let c = &store.read();
    let who = |u| Actor::resolve(c, u).unwrap();
    for p in Permission::ALL {
        assert!(who("alice").can(p), "alice {p:?}");
        let admin_may = matches!(p, Permission::Read | Permission::ManageOperators);
        assert_eq!(who("bob").can(p), admin_may, "bob {p:?}");
        assert_eq!(who("carol").can(p), p == Permission::Read, "carol {p:?}");
        assert_eq!(who("nobody").can(p), p == Permission::Read, "nobody {p:?}");
    }
}

#[test]
fn require_refuses_and_audits_every_protected_permission() {
    let (store, _) = fixture();
    let c = &store.read();
    for user in ["carol", "nobody"] {
        let actor = Actor::resolve(c, user).unwrap();
        for p in Permission::ALL
            .into_iter()
            .filter(|p| *p != Permission::Read)
        {
            let before = audit::verify(c).unwrap().entries;
            let err = require(&store, &actor, p, audit::DELETE_PROFILE).unwrap_err();
            assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
            assert!(err.to_string().contains(user), "{err}");
            assert_eq!(audit::verify(c).unwrap().entries, before + 1);
            let e = last_entry(&store);
            assert_eq!((e.operator.as_str(), e.outcome.as_str()), (user, "refused"));
        }
        require(&store, &actor, Permission::Read, audit::EXPORT).unwrap();
        let err = require_for(
            &store,
            &actor,
            Permission::Export,
            audit::EXPORT,
            &["cus_1", "martha@example.com"],
        );
        assert!(matches!(err, Err(Error::NotPermitted { .. })));
        assert_eq!(last_entry(&store).targets, vec!["cus_1"]);
    }
}

#[test]
fn compliance_admin_needs_the_switch_and_admin() {
    let (mut store, alice) = fixture();
    // Not an admin: refused, recorded, nothing changes.
    let err = grant(&mut store, &alice, "carol", Role::ComplianceAdmin).unwrap_err();
    assert!(
        err.to_string().contains("only be granted to admins"),
        "{err}"
    );
    assert_eq!(last_entry(&store).outcome, "refused");
    assert_eq!(
        crate::store::operators::roles(&store.read(), "carol").unwrap(),
        vec![Role::Agent]
    );

    let off = set_manage_customer_data(&mut store, &alice, false).unwrap();
    assert!(off.changed);
    assert_eq!(off.compliance_admins, vec!["alice"]);
    let err = grant(&mut store, &alice, "bob", Role::ComplianceAdmin).unwrap_err();
    assert!(err.to_string().contains("Manage Customer Data"), "{err}");
    // alice keeps the role, but it is not in effect while off.
    let alice_now = Actor::resolve(&store.read(), "alice").unwrap();
    assert!(alice_now.has(Role::ComplianceAdmin));
    assert!(!alice_now.can(Permission::Delete));
    assert!(alice_now.can(Permission::ManageOperators));
    assert!(alice_now
        .refusal(Permission::Delete)
        .unwrap()
        .contains("is off"));
    assert!(alice_now.notice().is_some());

    set_manage_customer_data(&mut store, &alice_now, true).unwrap();
    // An admin may grant itself compliance_admin.
    let bob = Actor::resolve(&store.read(), "bob").unwrap();
    let change = grant(&mut store, &bob, "bob", Role::ComplianceAdmin).unwrap();
    assert_eq!(change.after, vec![Role::ComplianceAdmin, Role::Admin]);
    assert!(Actor::resolve(&store.read(), "bob")
        .unwrap()
        .can(Permission::Delete));
}

#[test]
fn agents_and_strangers_cannot_manage_operators() {
    let (mut store, _) = fixture();
    for user in ["carol", "nobody"] {
        let actor = Actor::resolve(&store.read(), user).unwrap();
        let before = operators(&store.read()).unwrap();
        assert!(matches!(
            grant(&mut store, &actor, user, Role::Admin),
            Err(Error::NotPermitted { .. })
        ));
        assert!(matches!(
            revoke(&mut store, &actor, "alice", None),
            Err(Error::NotPermitted { .. })
        ));
        assert!(matches!(
            set_manage_customer_data(&mut store, &actor, false),
            Err(Error::NotPermitted { .. })
        ));
        assert_eq!(operators(&store.read()).unwrap(), before);
        assert!(manage_customer_data(&store.read()).unwrap());
    }
}

#[test]
fn revoking_admin_takes_compliance_admin_but_never_the_last_admin() {
    let (mut store, alice) = fixture();
    revoke(&mut store, &alice, "bob", None).unwrap();
    let err = revoke(&mut store, &alice, "alice", Some(Role::Admin)).unwrap_err();
    assert!(err.to_string().contains("only admin"), "{err}");
    assert!(Actor::resolve(&store.read(), "alice")
        .unwrap()
        .can(Permission::Delete));

    grant(&mut store, &alice, "bob", Role::Admin).unwrap();
    let change = revoke(&mut store, &alice, "alice", Some(Role::Admin)).unwrap();
    assert_eq!(change.after, Vec::<Role>::new());
    assert!(!Actor::resolve(&store.read(), "alice")
        .unwrap()
        .is_operator());
    let e = last_entry(&store);
    assert_eq!(e.targets, vec!["alice", "compliance_admin", "admin"]);

    // alice's in-memory roles are stale; require reads the database.
    let err = revoke(&mut store, &alice, "carol", None);
    assert!(matches!(err, Err(Error::NotPermitted { .. })));
    assert!(audit::verify(&store.read()).unwrap().is_intact());
}

#[test]
fn sudo_user_is_honoured_only_for_root_or_the_database_owner() {
    // The effective user here owns any file it creates.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    std::fs::write(&db, b"").unwrap();
    let me = users::effective_user();
    let other = if me.name == "zed" { "yves" } else { "zed" };
    // Tests share the environment; this is the only test touching SUDO_USER.
    std::env::set_var("SUDO_USER", other);
    assert_eq!(username_for(Some(&db)), other);
    let root_only = username_for(None);
    std::env::set_var("SUDO_USER", "not valid!");
    let invalid = username_for(Some(&db));
    std::env::remove_var("SUDO_USER");
    assert_eq!(invalid, me.name);
    if me.uid == 0 {
        assert_eq!(root_only, other);
    } else {
        assert_eq!(root_only, me.name);
    }
    assert_eq!(username_for(Some(&db)), me.name);
}
