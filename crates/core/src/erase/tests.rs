use super::*;

#[test]
fn needles_skip_uniform_bytes_and_window_long_text() {
    let zeros = vec![0u8; 4096];
    let mut varied: Vec<u8> = (0..=255u8).collect();
    varied.extend(vec![0u8; 1000]);
    let long = format!(
        "{}MRK-BODY-7Q2 and more words{}",
        "x".repeat(200),
        "y".repeat(200)
    );
    let n = needles_of(vec![
        Held::Bytes(zeros),
        Held::Bytes(varied),
        Held::Text(long),
        Held::Json(r#"{"tier":"gold","note":"MRK-ATTR-7Q2"}"#.into()),
        Held::Exact("ab".into()),
    ]);
    assert_eq!(n.len(), 3, "{n:?}");
    assert!(n[0].len() == WINDOW && n[0].iter().any(|b| *b != 0));
    let text = String::from_utf8(n[1].clone()).unwrap();
    assert!(text.contains("MRK-BODY"), "{text}");
    assert_eq!(n[2], b"MRK-ATTR-7Q2");
}

#[test]
fn text_windows_stay_on_character_boundaries() {
    let s = "é".repeat(100);
    let w = window(s.as_bytes(), true, 1).unwrap();
    assert!(std::str::from_utf8(w).is_ok());
}

#[test]
fn list_lines_skip_blanks_and_comments() {
    let lines = target_lines("# header\ncus_1\n\n  a@b.example \n#x\n");
    assert_eq!(lines, vec![(2, "cus_1"), (4, "a@b.example")]);
}

#[test]
fn clean_text_removes_escape_sequences() {
    assert_eq!(clean("hi\x1b[31m red\nline", 40), "hi␛[31m red line");
    assert_eq!(clean("a\u{202e}b", 40), "a�b");
    assert_eq!(clean("abcdef", 3), "abc…");
}

#[test]
fn each_confirmation_names_the_placeholder_that_stays() {
    let said = |t: ItemTarget| what_stays(&t);
    assert!(said(ItemTarget::Message {
        item_id: "i".into()
    })
    .contains(ITEM_DELETED));
    assert!(said(ItemTarget::Thread {
        item_id: "i".into()
    })
    .contains(ITEM_DELETED));
    let a = said(ItemTarget::Attachment {
        attachment_id: "a".into(),
    });
    assert!(
        a.contains(ATTACHMENT_DELETED) && !a.contains(ITEM_DELETED),
        "{a}"
    );
    let r = said(ItemTarget::Recording {
        recording_id: "r".into(),
    });
    assert!(
        r.contains(RECORDING_DELETED) && !r.contains(ITEM_DELETED),
        "{r}"
    );
}
