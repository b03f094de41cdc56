//! Precision and recall of the PII detectors on a labelled corpus of support
//! messages (`tests/data/pii_corpus.jsonl`, made by `gen_pii_corpus.py`).
//!
//! A detection counts as a true positive only when its kind and its exact
//! byte span match a label. Scores are computed twice: over every
//! detection, and over those at or above `HIGH_CONFIDENCE` (what the UI shows
//! by default). Run with `-- --nocapture` to see the table.

use std::collections::BTreeMap;

use lethe::pii::{detect, Kind, KnownContacts, HIGH_CONFIDENCE};
use serde::Deserialize;

#[derive(Deserialize)]
struct Record {
    text: String,
    labels: Vec<Label>,
    #[serde(default)]
    known: Known,
}

#[derive(Deserialize)]
struct Label {
    kind: Kind,
    value: String,
}

#[derive(Deserialize, Default)]
struct Known {
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    /// The region national numbers are read in (the customer's or the
    /// account's); none is North America.
    #[serde(default)]
    region: Option<String>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

type Span = (Kind, usize, usize);

/// Label spans: each value's next occurrence not already taken.
fn label_spans(r: &Record) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    for l in &r.labels {
        let mut from = 0;
        loop {
            let at = from
                + r.text[from..]
                    .find(&l.value)
                    .unwrap_or_else(|| panic!("label {:?} not in {:?}", l.value, r.text));
            let span = (l.kind, at, at + l.value.len());
            if !spans.contains(&span) {
                spans.push(span);
                break;
            }
            from = at + 1;
        }
    }
    spans
}

fn score(
    records: &[Record],
    min_confidence: f32,
    misses: &mut Vec<String>,
) -> BTreeMap<Kind, Counts> {
    let mut table: BTreeMap<Kind, Counts> =
        Kind::ALL.iter().map(|&k| (k, Counts::default())).collect();
    for r in records {
        let known = KnownContacts {
            emails: r.known.emails.iter().map(|e| e.to_lowercase()).collect(),
            phones_e164: r.known.phones.clone(),
            region: r.known.region.clone(),
        };
        let found: Vec<Span> = detect(&r.text, &known)
            .into_iter()
            .filter(|d| d.confidence >= min_confidence)
            .map(|d| (d.kind, d.start, d.end))
            .collect();
        let expected = label_spans(r);
        for s in &found {
            let c = table.get_mut(&s.0).expect("all kinds");
            if expected.contains(s) {
                c.tp += 1;
            } else {
                c.fp += 1;
                misses.push(format!(
                    "FP {:?} {:?} in {:?}",
                    s.0,
                    &r.text[s.1..s.2],
                    r.text
                ));
            }
        }
        for s in &expected {
            if !found.contains(s) {
                table.get_mut(&s.0).expect("all kinds").fn_ += 1;
                misses.push(format!(
                    "FN {:?} {:?} in {:?}",
                    s.0,
                    &r.text[s.1..s.2],
                    r.text
                ));
            }
        }
    }
    table
}

fn print_table(title: &str, table: &BTreeMap<Kind, Counts>) {
    println!("\n{title}");
    println!("| kind  | labels | TP  | FP | FN | precision | recall |");
    println!("|-------|--------|-----|----|----|-----------|--------|");
    for (k, c) in table {
        println!(
            "| {:<5} | {:>6} | {:>3} | {:>2} | {:>2} | {:>9.3} | {:>6.3} |",
            k.as_str(),
            c.tp + c.fn_,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall()
        );
    }
}

/// Hand-written cases for patterns the field's test suites exercise
/// (`tests/data/pii_field_cases.jsonl`): dotted SSNs, internationalised
/// top-level domains, IP prefix lengths and zones, IBAN-shaped strings
/// with wrong check digits, UATP and Dankort cards. Every label must be
/// found exactly, and nothing else.
#[test]
fn field_cases_are_found_exactly() {
    let records: Vec<Record> = include_str!("data/pii_field_cases.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect();
    let mut misses = Vec::new();
    let table = score(&records, 0.0, &mut misses);
    print_table("Field cases", &table);
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn corpus_precision_and_recall() {
    let raw = include_str!("data/pii_corpus.jsonl");
    let records: Vec<Record> = raw
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect();
    assert!(
        records.len() >= 500,
        "corpus has {} messages",
        records.len()
    );
    let with_pii = records.iter().filter(|r| !r.labels.is_empty()).count();
    println!("{} messages, {} with labelled PII", records.len(), with_pii);

    let mut misses = Vec::new();
    let all = score(&records, 0.0, &mut misses);
    print_table("All detections", &all);
    for m in misses.iter().take(40) {
        println!("{m}");
    }
    let high = score(&records, HIGH_CONFIDENCE, &mut Vec::new());
    print_table(&format!("Confidence >= {HIGH_CONFIDENCE}"), &high);

    // Every kind, over all detections: 0.98 or better both ways.
    for kind in Kind::ALL {
        let c = all[&kind];
        assert!(c.tp > 0, "{kind:?}: no labels scored");
        assert!(
            c.precision() >= 0.98,
            "{kind:?} precision {:.3}",
            c.precision()
        );
        assert!(c.recall() >= 0.98, "{kind:?} recall {:.3}", c.recall());
    }
}
