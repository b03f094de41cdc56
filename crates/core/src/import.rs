//! Importing customer documents: JSON Lines, one customer per line (the
//! pretty-printed output of `lethe export` is accepted too).
//!
//! Every document is parsed, validated and normalised (`prepare`) and its IDs
//! are checked against the file and the database before anything is written.
//! The whole import is one transaction: by default a file with any bad line
//! imports nothing; with `skip_invalid` the good documents go in and the bad
//! lines are reported. Either way each problem names its line and its cause.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::audit::{self, Entry, Outcome};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::format::*;
use crate::search;
use crate::store::{customers, Store, Write};

mod read;
mod validate;

use crate::text::size;
use read::read_documents;
use validate::Checker;

/// The largest line (or pretty-printed document) read. Binary content
/// travels base64-encoded inside the line, so this bounds a customer's
/// attachments and recordings together.
pub const MAX_LINE_BYTES: usize = 256 << 20;
/// The largest text field: a message body, a subject, a name, and each JSON
/// object kept as given (`extra`, `customAttributes`, order `details`, app
/// `payload`) as a whole.
pub const MAX_TEXT_BYTES: usize = 1 << 20;
/// The largest attachment or recording, decoded.
pub const MAX_BINARY_BYTES: usize = 64 << 20;
/// The longest ID of any kind.
pub const MAX_ID_BYTES: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub line_bytes: usize,
    pub text_bytes: usize,
    pub binary_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            line_bytes: MAX_LINE_BYTES,
            text_bytes: MAX_TEXT_BYTES,
            binary_bytes: MAX_BINARY_BYTES,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Import the valid documents and report the invalid ones, instead of
    /// importing nothing.
    pub skip_invalid: bool,
    /// Who the audit entry names.
    pub operator: String,
    pub limits: Limits,
    /// The time of the audit entry and of the scan's findings.
    pub now: Millis,
    /// The account's region for national phone numbers
    /// (`lethe account phone-region`); None is North America.
    pub phone_region: Option<String>,
}

impl ImportOptions {
    /// Default limits, the operator from the operating system, and the
    /// wall clock. `Session::import` gives its own operator and time.
    pub fn new(skip_invalid: bool) -> ImportOptions {
        ImportOptions {
            skip_invalid,
            operator: crate::access::current_username(),
            limits: Limits::default(),
            now: crate::clock::now_ms(),
            phone_region: None,
        }
    }
}

/// One bad line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Documents read (blank lines are not documents).
    pub documents: usize,
    /// Documents that passed every check.
    pub valid: usize,
    /// Customers and items written to the database (0 when rolled back).
    pub customers: usize,
    pub items: usize,
    /// One entry per bad line, in file order.
    pub problems: Vec<Problem>,
    /// Whether the transaction committed. False when problems were found
    /// without `skip_invalid`: then nothing was written.
    pub committed: bool,
    /// What the PII scan of the new items found.
    pub pii: crate::triage::ScanSummary,
}

impl ImportReport {
    /// `imported 3 customers, 41 items; 1 line skipped`
    pub fn summary(&self) -> String {
        let mut s = format!(
            "imported {}, {}",
            crate::text::plural(self.customers, "customer"),
            crate::text::plural(self.items, "item")
        );
        if !self.problems.is_empty() {
            s.push_str(&format!(
                "; {} skipped",
                crate::text::plural(self.problems.len(), "line")
            ));
        }
        s
    }
}

/// Imports a file (`-` reads standard input). See `import_reader`.
pub fn import_file(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
    if path == Path::new("-") {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        return import_reader(store, &mut lock, opts);
    }
    let file = std::fs::File::open(path).map_err(|e| {
        Error::Invalid(format!(
            "{} cannot be read ({e}). Check the path and its permissions.",
            path.display()
        ))
    })?;
    import_reader(store, &mut BufReader::new(file), opts)
}

/// Imports customer documents from `input` in one transaction.
///
/// Guarantees: either every valid document is written (with its search keys
/// and an `import` audit entry holding counts only) or nothing is. Without
/// `skip_invalid`, one bad line means nothing is written. Bad input never
/// returns `Err`: it is listed in `ImportReport::problems`. `Err` means the
/// input could not be read or the database failed; nothing was written.
pub fn import_reader(
    store: &mut Store,
    input: &mut dyn BufRead,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut rolled_back = false;
    let result = store.write(|conn| {
        let mut importer = Importer {
            conn,
            opts,
            seen: HashMap::new(),
            report: &mut report,
        };
        read_documents(input, &opts.limits, &mut |line, raw| {
            importer.accept(line, raw)
        })?;
        if !report.problems.is_empty() && !opts.skip_invalid {
            rolled_back = true;
            return Err(Error::Invalid("import rolled back".into()));
        }
        let outcome = if report.problems.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Partial
        };
        audit::append_at(
            conn,
            &counts_entry(opts, &report).outcome(outcome),
            opts.now,
        )?;
        // New items are scanned for pasted personal data as they arrive,
        // in the same transaction, so no imported message goes unscanned.
        report.pii = crate::triage::scan_pending(conn, opts.now, &mut ())?;
        Ok(())
    });
    match result {
        Ok(()) => {
            report.committed = true;
            Ok(report)
        }
        Err(_) if rolled_back => {
            report.customers = 0;
            report.items = 0;
            let failed = counts_entry(opts, &report).outcome(Outcome::Failed);
            store.write(|tx| audit::append_at(tx, &failed, opts.now))?;
            Ok(report)
        }
        Err(e) => Err(e),
    }
}

fn counts_entry(opts: &ImportOptions, report: &ImportReport) -> Entry {
    Entry::new(&opts.operator, crate::audit::IMPORT)
        .count("customers", report.customers as i64)
        .count("items", report.items as i64)
        .count("invalid_lines", report.problems.len() as i64)
}

/// Validates and normalises a parsed document with the default limits:
/// emails get their lowercase `normalized`, phones their E.164 `normalized`
/// when the number can be read, `lastContactAt` is dropped (it is derived).
/// The error is one sentence naming the entity and the field.
pub fn prepare(doc: &mut CustomerDoc) -> std::result::Result<(), String> {
    prepare_with(doc, &Limits::default())
}

/// `prepare` with explicit limits.
pub fn prepare_with(doc: &mut CustomerDoc, limits: &Limits) -> std::result::Result<(), String> {
    Checker {
        limits,
        region: None,
    }
    .customer(doc)
}

/// Writes a prepared document and its search keys. A deleted profile gets
/// no search keys, so it never matches a search. The caller owns the
/// transaction and has checked the IDs are new.
pub fn insert(conn: &Write, doc: &CustomerDoc) -> Result<()> {
    let keys = if doc.deleted_at.is_some() {
        vec![]
    } else {
        search::keys_for(doc)
    };
    customers::insert(conn, doc, &keys)
}

/// Parses one JSON value into a customer document. Errors name the
/// conversation, item, order or app entry at fault.
pub fn parse_document(v: &Value) -> std::result::Result<CustomerDoc, String> {
    if !v.is_object() {
        return Err(format!(
            "a customer document must be a JSON object, not {}",
            json_kind(v)
        ));
    }
    check_content_types(v)?;
    CustomerDoc::deserialize(v).map_err(|e| locate(v, e))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn label(noun: &str, v: &Value, index: usize) -> String {
    match v.get("id").and_then(Value::as_str) {
        Some(id) => format!("{noun} {id}"),
        None => format!("{noun} #{}", index + 1),
    }
}

fn customer_label(v: &Value) -> String {
    match v.get("id").and_then(Value::as_str) {
        Some(id) => format!("customer {id}"),
        None => "customer document".into(),
    }
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// serde's message for an unknown enum variant lists the expected values
/// with backticks; this one reads better and names the item.
fn check_content_types(v: &Value) -> std::result::Result<(), String> {
    for (i, conv) in array(v, "conversations").iter().enumerate() {
        for (j, item) in array(conv, "items").iter().enumerate() {
            let Some(kind) = item.pointer("/content/type").and_then(Value::as_str) else {
                continue;
            };
            if ContentType::parse(kind).is_none() {
                let expected: Vec<&str> = ContentType::ALL.iter().map(|t| t.as_str()).collect();
                let item_label = match item.get("id").and_then(Value::as_str) {
                    Some(id) => format!("item {id}"),
                    None => format!("item #{} of {}", j + 1, label("conversation", conv, i)),
                };
                return Err(format!(
                    "{item_label}: unknown content.type \"{kind}\" (expected one of {})",
                    expected.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// Finds the innermost part of the document that fails to deserialize, so
/// the message says which item, not just "missing field `timestamp`".
fn locate(v: &Value, whole: serde_json::Error) -> String {
    for (i, conv) in array(v, "conversations").iter().enumerate() {
        if ConversationDoc::deserialize(conv).is_ok() {
            continue;
        }
        let conv_label = label("conversation", conv, i);
        for (j, item) in array(conv, "items").iter().enumerate() {
            if let Err(e) = ItemDoc::deserialize(item) {
                let item_label = match item.get("id").and_then(Value::as_str) {
                    Some(id) => format!("item {id}"),
                    None => format!("item #{} of {conv_label}", j + 1),
                };
                return format!("{item_label}: {e}");
            }
        }
        for (j, w) in array(conv, "workSessions").iter().enumerate() {
            if let Err(e) = WorkSessionDoc::deserialize(w) {
                return format!("{conv_label}, {}: {e}", label("work session", w, j));
            }
        }
        if let Err(e) = ConversationDoc::deserialize(conv) {
            return format!("{conv_label}: {e}");
        }
    }
    for (i, order) in array(v, "orders").iter().enumerate() {
        if let Err(e) = OrderDoc::deserialize(order) {
            return format!("{}: {e}", label("order", order, i));
        }
    }
    for (i, app) in array(v, "appData").iter().enumerate() {
        if let Err(e) = AppDataDoc::deserialize(app) {
            return format!("appData entry #{}: {e}", i + 1);
        }
    }
    format!("{}: {whole}", customer_label(v))
}

/// The kinds of ID a document carries; each must be unique in its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Customer,
    Conversation,
    Item,
    Attachment,
    Recording,
    Order,
    WorkSession,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Customer,
        Kind::Conversation,
        Kind::Item,
        Kind::Attachment,
        Kind::Recording,
        Kind::Order,
        Kind::WorkSession,
    ];

    fn table(self) -> &'static str {
        match self {
            Kind::Customer => "customers",
            Kind::Conversation => "conversations",
            Kind::Item => "items",
            Kind::Attachment => "attachments",
            Kind::Recording => "recordings",
            Kind::Order => "orders",
            Kind::WorkSession => "work_sessions",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Conversation => "conversation",
            Kind::Item => "item",
            Kind::Attachment => "attachment",
            Kind::Recording => "recording",
            Kind::Order => "order",
            Kind::WorkSession => "work session",
        }
    }
}

fn ids_of(doc: &CustomerDoc) -> Vec<(Kind, &str)> {
    let mut ids = vec![(Kind::Customer, doc.id.as_str())];
    for conv in &doc.conversations {
        ids.push((Kind::Conversation, &conv.id));
        for item in &conv.items {
            ids.push((Kind::Item, &item.id));
            for a in &item.content.attachments {
                ids.push((Kind::Attachment, &a.id));
            }
            if let Some(r) = &item.content.recording {
                ids.push((Kind::Recording, &r.id));
            }
        }
        for w in &conv.work_sessions {
            ids.push((Kind::WorkSession, &w.id));
        }
    }
    for o in &doc.orders {
        ids.push((Kind::Order, &o.id));
    }
    ids
}

struct Importer<'a> {
    conn: &'a Write<'a>,
    opts: &'a ImportOptions,
    /// Every ID of every accepted document, with its line.
    seen: HashMap<(Kind, String), usize>,
    report: &'a mut ImportReport,
}

impl Importer<'_> {
    fn accept(&mut self, line: usize, raw: std::result::Result<Value, String>) -> Result<()> {
        self.report.documents += 1;
        let parsed = raw.and_then(|v| parse_document(&v));
        let mut doc = match parsed {
            Ok(doc) => doc,
            Err(message) => return self.problem(line, message),
        };
        let checker = Checker {
            limits: &self.opts.limits,
            region: self.opts.phone_region.as_deref(),
        };
        if let Err(message) = checker.customer(&mut doc) {
            return self.problem(line, message);
        }
        if let Some(message) = self.duplicates(&doc)? {
            return self.problem(line, message);
        }
        for (kind, id) in ids_of(&doc) {
            self.seen.insert((kind, id.to_string()), line);
        }
        self.report.valid += 1;
        // Once a line has failed without skip_invalid the transaction will be
        // rolled back; later lines are still checked so every problem is
        // reported in one run.
        if self.report.problems.is_empty() || self.opts.skip_invalid {
            insert(self.conn, &doc)?;
            self.report.customers += 1;
            self.report.items += doc
                .conversations
                .iter()
                .map(|c| c.items.len())
                .sum::<usize>();
        }
        Ok(())
    }

    /// Records a bad line; the import goes on with the next one.
    fn problem(&mut self, line: usize, message: String) -> Result<()> {
        self.report.problems.push(Problem { line, message });
        Ok(())
    }

    /// The first ID of `doc` that is repeated in the document, on an earlier
    /// line, or in the database, as a sentence; with a count of the others.
    fn duplicates(&self, doc: &CustomerDoc) -> Result<Option<String>> {
        let ids = ids_of(doc);
        let mut found: Vec<String> = vec![];
        let mut in_doc: HashSet<(Kind, &str)> = HashSet::new();
        for &(kind, id) in &ids {
            if !in_doc.insert((kind, id)) {
                found.push(format!(
                    "{} {id} appears twice in this document",
                    kind.noun()
                ));
            } else if let Some(first) = self.seen.get(&(kind, id.to_string())) {
                found.push(format!(
                    "{} {id} already appears on line {first}",
                    kind.noun()
                ));
            }
        }
        for kind in Kind::ALL {
            let of_kind: Vec<&str> = ids
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, id)| *id)
                .collect();
            if of_kind.is_empty() {
                continue;
            }
            for id in customers::existing_ids(self.conn, kind.table(), &of_kind)? {
                if !self.seen.contains_key(&(kind, id.clone())) {
                    found.push(format!("{} {id} is already in the database", kind.noun()));
                }
            }
        }
        Ok(match found.len() {
            0 => None,
            1 => Some(found.remove(0)),
            n => Some(format!(
                "{} (and {} more duplicate IDs)",
                found.remove(0),
                n - 1
            )),
        })
    }
}

/// `1 MiB`
fn limit(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}
