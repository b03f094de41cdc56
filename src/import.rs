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
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use base64::Engine;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

use crate::audit::{self, Entry, Outcome};
use crate::clock;
use crate::error::{Error, Result};
use crate::format::*;
use crate::phone;
use crate::search;
use crate::store::{customers, Store};

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
}

impl ImportOptions {
    /// Default limits, and the operator from the operating system.
    pub fn new(skip_invalid: bool) -> ImportOptions {
        ImportOptions {
            skip_invalid,
            operator: crate::access::current_username(),
            limits: Limits::default(),
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
}

impl ImportReport {
    /// `imported 3 customers, 41 items; 1 line skipped`
    pub fn summary(&self) -> String {
        let mut s = format!(
            "imported {}, {}",
            plural(self.customers, "customer"),
            plural(self.items, "item")
        );
        if !self.problems.is_empty() {
            s.push_str(&format!(
                "; {} skipped",
                plural(self.problems.len(), "line")
            ));
        }
        s
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
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
        audit::append(conn, &counts_entry(opts, &report).outcome(outcome))?;
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
            audit::append(
                store.conn(),
                &counts_entry(opts, &report).outcome(Outcome::Failed),
            )?;
            Ok(report)
        }
        Err(e) => Err(e),
    }
}

fn counts_entry(opts: &ImportOptions, report: &ImportReport) -> Entry {
    Entry::new(&opts.operator, "import")
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
    Checker { limits }.customer(doc)
}

/// Writes a prepared document and its search keys. A deleted profile gets
/// no search keys, so it never matches a search. The caller owns the
/// transaction and has checked the IDs are new.
pub fn insert(conn: &Connection, doc: &CustomerDoc) -> Result<()> {
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
    conn: &'a Connection,
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
            Err(message) => return Ok(self.problem(line, message)),
        };
        if let Err(message) = prepare_with(&mut doc, &self.opts.limits) {
            return Ok(self.problem(line, message));
        }
        if let Some(message) = self.duplicates(&doc)? {
            return Ok(self.problem(line, message));
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

    fn problem(&mut self, line: usize, message: String) {
        self.report.problems.push(Problem { line, message });
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
                    "{} {id} was already imported from line {first}",
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

/// Reads documents from `input`, calling `each` with the line each starts
/// on and its JSON (or why it could not be read). Blank lines are skipped,
/// a UTF-8 BOM and CRLF line ends are accepted. When the first non-blank
/// line is a lone `{`, the input is read as pretty-printed documents (what
/// `lethe export` writes) instead of one document per line.
fn read_documents(
    input: &mut dyn BufRead,
    limits: &Limits,
    each: &mut dyn FnMut(usize, std::result::Result<Value, String>) -> Result<()>,
) -> Result<()> {
    let mut buf = Vec::new();
    let mut line = 0;
    // Only the first non-blank line can switch to pretty-printed mode.
    let mut first = true;
    loop {
        buf.clear();
        let Some(len) = read_line_limited(input, &mut buf, limits.line_bytes)? else {
            return Ok(());
        };
        line += 1;
        if len > limits.line_bytes {
            each(
                line,
                Err(format!(
                    "the line is {}; the limit is {} per line",
                    size(len),
                    limit(limits.line_bytes)
                )),
            )?;
            continue;
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t,
            Err(e) => {
                each(
                    line,
                    Err(format!(
                        "the line is not UTF-8 text (invalid byte at column {})",
                        e.valid_up_to() + 1
                    )),
                )?;
                continue;
            }
        };
        let text = if line == 1 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let text = text.strip_suffix('\r').unwrap_or(text);
        if text.trim().is_empty() {
            continue;
        }
        if first && text.trim() == "{" {
            return read_pretty(input, text, line, limits, each);
        }
        first = false;
        each(
            line,
            serde_json::from_str::<Value>(text).map_err(json_error),
        )?;
    }
}

/// Reads the rest of the input as one or more pretty-printed documents.
/// A JSON syntax error ends the reading: after it, where the next document
/// starts cannot be known.
fn read_pretty(
    input: &mut dyn BufRead,
    first: &str,
    first_line: usize,
    limits: &Limits,
    each: &mut dyn FnMut(usize, std::result::Result<Value, String>) -> Result<()>,
) -> Result<()> {
    let mut bytes = format!("{first}\n").into_bytes();
    let room = limits.line_bytes.saturating_sub(bytes.len()) as u64;
    input.take(room + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limits.line_bytes {
        return each(
            first_line,
            Err(format!(
                "this pretty-printed input is larger than the {} limit; import large data as JSON Lines, one document per line",
                limit(limits.line_bytes)
            )),
        );
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = first_line + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
            return each(line, Err("the line is not UTF-8 text".into()));
        }
    };
    let mut pos = 0;
    let mut line = first_line;
    loop {
        let rest = &text[pos..];
        let trimmed = rest.trim_start();
        line += rest[..rest.len() - trimmed.len()].matches('\n').count();
        pos += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            return Ok(());
        }
        let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let end = stream.byte_offset();
                each(line, Ok(v))?;
                line += trimmed[..end].matches('\n').count();
                pos += end;
            }
            Some(Err(e)) => {
                let at = line + e.line().saturating_sub(1);
                return each(at, Err(json_error(e)));
            }
            None => return Ok(()),
        }
    }
}

/// serde_json's message without its "at line 1 column N", which is
/// misleading for a line of a larger file.
fn json_error(e: serde_json::Error) -> String {
    let mut msg = e.to_string();
    if let Some(i) = msg.rfind(" at line ") {
        msg.truncate(i);
    }
    format!("not valid JSON: {msg} (column {})", e.column())
}

/// Reads one line into `buf` without its `\n`, keeping at most `limit`
/// bytes so an endless line cannot exhaust memory. Returns the line's full
/// length, or None at the end of the input.
fn read_line_limited(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Option<usize>> {
    let mut total = 0usize;
    let mut any = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(total));
        }
        any = true;
        let newline = chunk.iter().position(|&b| b == b'\n');
        let part = &chunk[..newline.unwrap_or(chunk.len())];
        let keep = part.len().min(limit.saturating_sub(total));
        buf.extend_from_slice(&part[..keep]);
        total += part.len();
        let used = newline.map_or(chunk.len(), |i| i + 1);
        input.consume(used);
        if newline.is_some() {
            return Ok(Some(total));
        }
    }
}

/// `10.0 MB`
fn size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

/// `1 MiB`
fn limit(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

type Check = std::result::Result<(), String>;

struct Checker<'a> {
    limits: &'a Limits,
}

impl Checker<'_> {
    fn customer(&self, doc: &mut CustomerDoc) -> Check {
        id("customer", &doc.id)?;
        let who = format!("customer {}", doc.id);
        self.opt_text(&who, "name", &doc.name)?;
        for e in &mut doc.emails {
            self.required_text(&who, "email", &e.original)?;
            e.normalized = Some(e.original.trim().to_lowercase());
        }
        for p in &mut doc.phones {
            self.required_text(&who, "phone", &p.original)?;
            self.opt_text(&who, "phone type", &p.kind)?;
            // A normalized number from the platform wins: it knows the
            // country of a national number, the original text may not say.
            p.normalized = p
                .normalized
                .as_deref()
                .and_then(phone::to_e164)
                .or_else(|| phone::to_e164(&p.original));
        }
        for a in &doc.addresses {
            for (field, value) in [
                ("address type", &a.kind),
                ("address line1", &a.line1),
                ("address line2", &a.line2),
                ("address city", &a.city),
                ("address region", &a.region),
                ("address postalCode", &a.postal_code),
                ("address country", &a.country),
            ] {
                self.opt_text(&who, field, value)?;
            }
        }
        self.opt_text(&who, "externalCustomerId", &doc.external_customer_id)?;
        self.json(&who, "externalCustomerIds", &doc.external_customer_ids)?;
        self.json(&who, "customAttributes", &doc.custom_attributes)?;
        date(&who, "createdAt", &doc.created_at)?;
        opt_date(&who, "updatedAt", &doc.updated_at)?;
        opt_date(&who, "deletedAt", &doc.deleted_at)?;
        doc.last_contact_at = None;
        match (&doc.deletion_reason, &doc.deleted_at) {
            (Some(r), _) if r != "manual" && r != "retention" => {
                return Err(format!(
                    "{who} deletionReason \"{r}\" is not one of manual, retention"
                ))
            }
            (Some(_), None) => {
                return Err(format!("{who} has a deletionReason but no deletedAt"));
            }
            _ => {}
        }
        for conv in &mut doc.conversations {
            self.conversation(conv)?;
        }
        for o in &doc.orders {
            id("order", &o.id)?;
            let what = format!("order {}", o.id);
            date(&what, "placedAt", &o.placed_at)?;
            for (field, value) in [
                ("source", &o.source),
                ("number", &o.number),
                ("status", &o.status),
                ("currency", &o.currency),
            ] {
                self.opt_text(&what, field, value)?;
            }
            self.value(&what, "details", &o.details)?;
        }
        let mut apps = HashSet::new();
        for a in &doc.app_data {
            if a.app.trim().is_empty() {
                return Err(format!("{who} has an appData entry with an empty app name"));
            }
            let what = format!("appData {}", a.app);
            self.required_text(&who, "appData app", &a.app)?;
            if !apps.insert(a.app.as_str()) {
                return Err(format!("{who} has two appData entries for app {}", a.app));
            }
            date(&what, "updatedAt", &a.updated_at)?;
            self.value(&what, "payload", &a.payload)?;
        }
        Ok(())
    }

    fn conversation(&self, conv: &mut ConversationDoc) -> Check {
        id("conversation", &conv.id)?;
        let what = format!("conversation {}", conv.id);
        self.opt_text(&what, "topic", &conv.topic)?;
        self.opt_text(&what, "channel", &conv.channel)?;
        self.opt_text(&what, "agentId", &conv.agent_id)?;
        date(&what, "createdAt", &conv.created_at)?;
        opt_date(&what, "updatedAt", &conv.updated_at)?;
        opt_date(&what, "closedAt", &conv.closed_at)?;
        opt_date(&what, "deletedAt", &conv.deleted_at)?;
        for item in &mut conv.items {
            self.item(item)?;
        }
        for w in &conv.work_sessions {
            id("work session", &w.id)?;
            let what = format!("work session {}", w.id);
            self.required_text(&what, "agentId", &w.agent_id)?;
            date(&what, "startedAt", &w.started_at)?;
            opt_date(&what, "endedAt", &w.ended_at)?;
        }
        Ok(())
    }

    fn item(&self, item: &mut ItemDoc) -> Check {
        id("item", &item.id)?;
        let what = format!("item {}", item.id);
        date(&what, "timestamp", &item.timestamp)?;
        opt_date(&what, "deletedAt", &item.deleted_at)?;
        self.opt_text(&what, "initiator id", &item.initiator.id)?;
        let c = &mut item.content;
        let kind = c.kind.as_str();
        self.opt_text(&what, "subject", &c.subject)?;
        self.opt_text(&what, "from", &c.from)?;
        for to in c.to.iter().flatten() {
            self.required_text(&what, "to address", to)?;
        }
        self.opt_text(&what, "content", &c.content)?;
        self.opt_text(&what, "threadId", &c.thread_id)?;
        self.json(&what, "content extra fields", &c.extra)?;
        let is_call = c.kind.has_recording();
        if c.recording.is_some() && !is_call {
            return Err(format!(
                "{what} is {kind} but has a recording; only PHONE_CALL and VOICEMAIL items have recordings"
            ));
        }
        if let Some(d) = c.duration {
            if !is_call {
                return Err(format!(
                    "{what} is {kind} but has a duration; only PHONE_CALL and VOICEMAIL items have one"
                ));
            }
            if d < 0 {
                return Err(format!("{what} duration {d} is negative"));
            }
        }
        if c.thread_id.is_some() && c.kind != ContentType::Email {
            return Err(format!(
                "{what} is {kind} but has a threadId; only EMAIL items belong to threads"
            ));
        }
        if c.subject.is_some()
            && !matches!(c.kind, ContentType::Email | ContentType::CustomerActivity)
        {
            return Err(format!(
                "{what} is {kind} but has a subject; only EMAIL and CUSTOMER_ACTIVITY items have one"
            ));
        }
        for a in &mut c.attachments {
            id("attachment", &a.id)?;
            let what = format!("attachment {}", a.id);
            self.opt_text(&what, "filename", &a.filename)?;
            self.opt_text(&what, "contentType", &a.content_type)?;
            opt_date(&what, "deletedAt", &a.deleted_at)?;
            self.binary(&what, a.file_size, &mut a.data)?;
        }
        if let Some(r) = &mut c.recording {
            id("recording", &r.id)?;
            let what = format!("recording {}", r.id);
            self.opt_text(&what, "contentType", &r.content_type)?;
            opt_date(&what, "deletedAt", &r.deleted_at)?;
            if r.duration_seconds.is_some_and(|d| d < 0) {
                return Err(format!("{what} durationSeconds is negative"));
            }
            self.binary(&what, r.file_size, &mut r.data)?;
        }
        Ok(())
    }

    fn required_text(&self, what: &str, field: &str, value: &str) -> Check {
        if value.trim().is_empty() {
            return Err(format!("{what} has an empty {field}"));
        }
        self.text(what, field, value.len())
    }

    fn opt_text(&self, what: &str, field: &str, value: &Option<String>) -> Check {
        match value {
            Some(v) => self.text(what, field, v.len()),
            None => Ok(()),
        }
    }

    fn text(&self, what: &str, field: &str, len: usize) -> Check {
        if len > self.limits.text_bytes {
            return Err(format!(
                "{what} {field} is {}; the limit is {} per text field",
                size(len),
                limit(self.limits.text_bytes)
            ));
        }
        Ok(())
    }

    fn json(&self, what: &str, field: &str, map: &serde_json::Map<String, Value>) -> Check {
        if map.is_empty() {
            return Ok(());
        }
        self.value(what, field, &Value::Object(map.clone()))
    }

    fn value(&self, what: &str, field: &str, v: &Value) -> Check {
        if v.is_null() {
            return Ok(());
        }
        self.text(what, field, v.to_string().len())
    }

    /// Checks the base64 `data` decodes, fits the limit and matches
    /// `fileSize`. Line breaks and spaces (MIME style) are removed.
    fn binary(&self, what: &str, file_size: i64, data: &mut Option<String>) -> Check {
        if file_size < 0 {
            return Err(format!("{what} fileSize {file_size} is negative"));
        }
        let Some(data) = data else {
            return Ok(());
        };
        // Decoded size before decoding, so a huge field is refused cheaply.
        let approx = data.len() / 4 * 3;
        if approx > self.limits.binary_bytes + 3 {
            return Err(format!(
                "{what} data is {}; the limit is {} per file",
                size(approx),
                limit(self.limits.binary_bytes)
            ));
        }
        if data.bytes().any(|b| b.is_ascii_whitespace()) {
            *data = data.split_ascii_whitespace().collect();
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|e| {
                let e = e.to_string();
                format!(
                    "{what} data is not valid base64 ({}); use the standard alphabet with padding",
                    e.trim_end_matches('.')
                )
            })?;
        if bytes.len() > self.limits.binary_bytes {
            return Err(format!(
                "{what} data is {}; the limit is {} per file",
                size(bytes.len()),
                limit(self.limits.binary_bytes)
            ));
        }
        if bytes.len() as i64 != file_size {
            return Err(format!(
                "{what} fileSize is {file_size} but its data is {} bytes",
                bytes.len()
            ));
        }
        Ok(())
    }
}

fn id(noun: &str, id: &str) -> Check {
    if id.trim().is_empty() {
        return Err(format!("a {noun} has an empty id"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(format!(
            "a {noun} id is {} bytes long; the limit is {MAX_ID_BYTES}",
            id.len()
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(format!("{noun} id {id:?} contains control characters"));
    }
    Ok(())
}

fn date(what: &str, field: &str, value: &str) -> Check {
    match clock::parse(value) {
        Some(_) => Ok(()),
        None => Err(format!(
            "{what} {field} \"{value}\" is not a date; use RFC 3339 such as 2024-07-11T18:52:01Z"
        )),
    }
}

fn opt_date(what: &str, field: &str, value: &Option<String>) -> Check {
    match value {
        Some(v) => date(what, field, v),
        None => Ok(()),
    }
}
