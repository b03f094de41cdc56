//! A customer's conversation timeline as rows: each conversation is a
//! header row followed by its items. A customer may have tens of thousands
//! of items, so items are read a page at a time, on demand, and cached.

pub use lethe_store::model::timeline::{AttachmentInfo, ConversationHead, Item, RecordingInfo};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::{Read, Store};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry};
use crate::error::{Error, Result};
use crate::store::timeline as db;

/// Items per page read from the database.
pub const PAGE: usize = 100;

/// What one timeline row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRef {
    /// The header of conversation `n`.
    Header(usize),
    /// Item `offset` (display order) of conversation `n`.
    Item(usize, usize),
}

/// A customer's timeline: the conversation headers are read at once, items
/// page by page. Row numbers are stable until the timeline is reloaded.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub customer_id: String,
    pub conversations: Vec<ConversationHead>,
    /// Row number of each conversation's header.
    starts: Vec<usize>,
    rows: usize,
    pages: HashMap<(usize, usize), Vec<Item>>,
}

impl Timeline {
    /// Reads the conversation headers; items are read by `load_rows`.
    pub fn open(conn: &Read, customer_id: &str) -> Result<Timeline> {
        Ok(Timeline::from_heads(
            customer_id,
            db::conversations(conn, customer_id)?,
        ))
    }

    pub fn from_heads(customer_id: &str, conversations: Vec<ConversationHead>) -> Timeline {
        let mut starts = Vec::with_capacity(conversations.len());
        let mut rows = 0;
        for c in &conversations {
            starts.push(rows);
            rows += 1 + c.items;
        }
        Timeline {
            customer_id: customer_id.to_string(),
            conversations,
            starts,
            rows,
            pages: HashMap::new(),
        }
    }

    /// Headers plus items.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn locate(&self, row: usize) -> Option<RowRef> {
        if row >= self.rows {
            return None;
        }
        let conv = self.starts.partition_point(|&s| s <= row) - 1;
        let start = self.starts[conv];
        Some(if row == start {
            RowRef::Header(conv)
        } else {
            RowRef::Item(conv, row - start - 1)
        })
    }

    pub fn header_row(&self, conv: usize) -> Option<usize> {
        self.starts.get(conv).copied()
    }

    /// The item at `row`, if that row is an item whose page is loaded.
    pub fn item(&self, row: usize) -> Option<&Item> {
        match self.locate(row)? {
            RowRef::Item(conv, offset) => self
                .pages
                .get(&(conv, offset / PAGE))
                .and_then(|p| p.get(offset % PAGE)),
            RowRef::Header(_) => None,
        }
    }

    pub fn conversation(&self, row: usize) -> Option<&ConversationHead> {
        match self.locate(row)? {
            RowRef::Header(c) | RowRef::Item(c, _) => self.conversations.get(c),
        }
    }

    /// Makes sure every item row in `rows` is loaded, reading only the
    /// pages not cached yet.
    pub fn load_rows(&mut self, conn: &Read, rows: std::ops::Range<usize>) -> Result<()> {
        let end = rows.end.min(self.rows);
        let mut row = rows.start;
        while row < end {
            match self.locate(row) {
                Some(RowRef::Item(conv, offset)) => {
                    let page = offset / PAGE;
                    if !self.pages.contains_key(&(conv, page)) {
                        let id = &self.conversations[conv].id;
                        let items = db::items(conn, id, page * PAGE, PAGE)?;
                        self.pages.insert((conv, page), items);
                    }
                    // On to the next page of this conversation, or the
                    // next conversation's header.
                    let next_conv = self.starts.get(conv + 1).copied().unwrap_or(self.rows);
                    row = (self.starts[conv] + 1 + (page + 1) * PAGE).min(next_conv);
                }
                Some(RowRef::Header(_)) => row += 1,
                None => break,
            }
        }
        Ok(())
    }

    /// Forgets cached pages, so the next `load_rows` rereads them (after a
    /// deletion changed items in place).
    pub fn invalidate(&mut self) {
        self.pages.clear();
    }

    pub fn cached_pages(&self) -> usize {
        self.pages.len()
    }

    /// Puts a page in the cache directly (for tests and fixtures).
    pub fn insert_page(&mut self, conv: usize, page: usize, items: Vec<Item>) {
        self.pages.insert((conv, page), items);
    }
}

/// A stored file an admin may save before deleting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobRef {
    Attachment(String),
    Recording(String),
}

/// Writes a copy of an attachment or recording into `dir`, as the
/// platform's "download recording" does. Needs the Export permission (a
/// refusal is audited). The file is created with mode 0600 and never
/// replaces an existing file: a numbered name is chosen instead. The copy
/// is audited as "export" with the file's ID and size, never its name.
pub fn save_copy(
    store: &Store,
    actor: &Actor,
    blob: &BlobRef,
    dir: &Path,
    now: crate::clock::Millis,
) -> Result<PathBuf> {
    access::require(store, actor, Permission::Export, crate::audit::EXPORT)?;
    let conn = &store.read();
    let (id, found, fallback) = match blob {
        BlobRef::Attachment(id) => (id, db::attachment_blob(conn, id)?, "attachment"),
        BlobRef::Recording(id) => (id, db::recording_blob(conn, id)?, "recording"),
    };
    let found = found.ok_or_else(|| Error::NotFound {
        what: fallback,
        id: id.clone(),
    })?;
    let bytes = found.bytes.ok_or_else(|| {
        Error::Invalid(format!(
            "{fallback} {id} has no stored bytes (it was deleted or never imported), so there is nothing to save."
        ))
    })?;
    let name = file_name(
        found.filename.as_deref(),
        found.content_type.as_deref(),
        fallback,
        id,
    );
    let path = write_new_file(dir, &name, &bytes)?;
    let audited = audit::record_at(
        store,
        &Entry::new(&actor.username, crate::audit::EXPORT)
            .target(id)
            .count("bytes", bytes.len() as i64),
        now,
    );
    if let Err(e) = audited {
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    Ok(path)
}

/// A safe local file name: the stored name without directories or control
/// characters, else `<kind>-<id>.<ext>`.
fn file_name(stored: Option<&str>, content_type: Option<&str>, kind: &str, id: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_control() || "/\\:".contains(c) {
                    '_'
                } else {
                    c
                }
            })
            .collect::<String>()
            .trim_start_matches('.')
            .trim()
            .to_string()
    };
    if let Some(name) = stored.map(clean).filter(|n| !n.is_empty()) {
        return name;
    }
    let ext = match content_type.unwrap_or("") {
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" => "wav",
        "audio/ogg" => "ogg",
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "text/plain" => "txt",
        _ => "bin",
    };
    format!("{kind}-{}.{ext}", clean(id))
}

/// Writes `bytes` to a new file named `name` in `dir` (mode 0600), or a
/// numbered variant when that name is taken; never replaces a file.
pub fn write_new_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let (path, mut file) = create_new(dir, name)?;
    if let Err(e) = file.write_all(bytes).and_then(|_| file.sync_all()) {
        let _ = std::fs::remove_file(&path);
        return Err(e.into());
    }
    Ok(path)
}

fn create_new(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File)> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (name.to_string(), String::new()),
    };
    for n in 0..1000 {
        let candidate = if n == 0 {
            name.to_string()
        } else {
            format!("{stem} ({n}){ext}")
        };
        let path = dir.join(candidate);
        match crate::files::create_private(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::Invalid(format!(
                    "cannot create {} ({e}); run Lethe from a directory you can write to.",
                    path.display()
                )))
            }
        }
    }
    Err(Error::Invalid(format!(
        "{} already has 1000 copies of {name}; remove some first.",
        dir.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::ConversationStatus;

    fn head(items: usize) -> ConversationHead {
        ConversationHead {
            id: format!("c{items}"),
            status: ConversationStatus::Closed,
            topic: None,
            channel: None,
            created_at: 0,
            updated_at: 0,
            closed_at: None,
            items,
        }
    }

    #[test]
    fn rows_map_to_headers_and_items() {
        let t = Timeline::from_heads("cus", vec![head(2), head(0), head(3)]);
        assert_eq!(t.len(), 8);
        let got: Vec<RowRef> = (0..8).filter_map(|r| t.locate(r)).collect();
        use RowRef::*;
        assert_eq!(
            got,
            vec![
                Header(0),
                Item(0, 0),
                Item(0, 1),
                Header(1),
                Header(2),
                Item(2, 0),
                Item(2, 1),
                Item(2, 2)
            ]
        );
        assert_eq!(t.locate(8), None);
    }

    #[test]
    fn saved_file_names_cannot_escape_the_directory() {
        assert_eq!(
            file_name(Some("../../etc/passwd"), None, "attachment", "a1"),
            "_.._etc_passwd"
        );
        assert_eq!(
            file_name(Some("\u{1b}[2J"), None, "attachment", "a1"),
            "_[2J"
        );
        assert_eq!(
            file_name(None, Some("audio/mpeg"), "recording", "r/1"),
            "recording-r_1.mp3"
        );
    }

    #[test]
    fn copies_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = create_new(dir.path(), "x.pdf").unwrap();
        let (b, _) = create_new(dir.path(), "x.pdf").unwrap();
        assert_eq!(a.file_name().unwrap(), "x.pdf");
        assert_eq!(b.file_name().unwrap(), "x (1).pdf");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&a).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
