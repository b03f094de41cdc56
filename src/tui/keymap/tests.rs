use super::*;

fn press(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn q_types_in_text_fields_and_quits_elsewhere() {
    assert!(lookup(Context::Search, &press('q')).is_none());
    assert!(lookup(Context::TypedConfirm, &press('q')).is_none());
    assert!(matches!(
        lookup(Context::Results, &press('q')).map(|b| &b.action),
        Some(Action::Quit)
    ));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for ctx in Context::ALL {
        assert!(
            matches!(lookup(ctx, &ctrl_c).map(|b| &b.action), Some(Action::Quit)),
            "{ctx:?}"
        );
    }
}

#[test]
fn dialogs_keep_global_keys_off() {
    assert!(lookup(Context::Confirm, &press('q')).is_none());
    assert!(lookup(Context::Confirm, &press('1')).is_none());
    assert!(matches!(
        lookup(Context::Confirm, &press('y')).map(|b| &b.action),
        Some(Action::Confirm)
    ));
}

#[test]
fn no_key_is_bound_twice_in_one_layer() {
    for ctx in Context::ALL {
        let mut seen: Vec<Key> = vec![];
        let mut tables = vec![ctx];
        if ctx.falls_through() {
            tables.push(Context::Global);
        }
        // A context may override a global key, so check each table alone.
        for key in bindings(ctx).iter().flat_map(|b| b.keys.iter()) {
            assert!(!seen.contains(key), "{ctx:?} binds {} twice", key.label());
            seen.push(*key);
        }
    }
}

#[test]
fn shifted_letters_match() {
    let shift_d = KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT);
    assert!(matches!(
        lookup(Context::Timeline, &shift_d).map(|b| &b.action),
        Some(Action::DeleteProfile)
    ));
}
