//! The scanner: reads pending items in batches and keeps their open findings current.

use super::*;

/// Scan state that lives across batches: the customer whose contacts were
/// loaded last (items are grouped by customer within a batch) and the
/// fingerprint key, read only when an item has dismissed findings.
pub(super) struct Scanner {
    now: Millis,
    contacts: Option<(String, KnownContacts)>,
    key: Option<Option<[u8; 32]>>,
    /// Whether national numbers may be of a region other than North
    /// America (a customer's phone or the account says so), read once.
    foreign: Option<bool>,
    /// The account's `phone-region`, read once.
    account_region: Option<Option<String>>,
}

impl Scanner {
    pub(super) fn new(now: Millis) -> Scanner {
        Scanner {
            now,
            contacts: None,
            key: None,
            foreign: None,
            account_region: None,
        }
    }

    /// Scans up to `BATCH` pending items, new ones first; returns how many.
    pub(super) fn batch(
        &mut self,
        conn: &Write,
        summary: &mut ScanSummary,
        progress: &mut dyn Progress,
    ) -> Result<usize> {
        let bytes_before = summary.bytes;
        let mark = findings::watermark(conn)?;
        // New items, in file order, their text lent from the row.
        let range = findings::for_each_item_after(conn, mark, BATCH, |item| {
            self.scan_item(conn, item, summary)
        })?;
        summary.not_utf8 += range.lossy as u64;
        if range.high > mark {
            // Items in the range that changed since they were written
            // (older builds wrote every item behind) were just read at
            // their current text, or have none: mark them scanned. The
            // partial index says whether there are any.
            if findings::any_behind(conn, mark + 1, range.high)? {
                findings::mark_range_scanned(conn, mark + 1, range.high)?;
            }
            findings::set_watermark(conn, range.high)?;
        }
        // Item rows are never deleted, so the rowids passed are the items.
        let count = if range.high > mark {
            (range.high - mark) as usize
        } else {
            let mut rowids = findings::changed_rowids(conn, mark, BATCH)?;
            // Rowid order reads the table front to back rather than
            // hopping around it in item-ID order.
            rowids.sort_unstable();
            let mut items = Vec::with_capacity(rowids.len());
            for rowid in &rowids {
                if let Some(item) = findings::item_by_rowid(conn, *rowid)? {
                    items.push(item);
                }
            }
            items.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
            for item in &items {
                self.scan_item(conn, &item.view(), summary)?;
                findings::mark_scanned(conn, item.rowid, item.content_rev)?;
            }
            rowids.len()
        };
        if count > 0 {
            progress.advance(count as u64, summary.bytes - bytes_before);
        }
        Ok(count)
    }

    fn account_region(&mut self, conn: &Read) -> Result<Option<String>> {
        if let Some(r) = &self.account_region {
            return Ok(r.clone());
        }
        let r = crate::store::get_setting(conn, PHONE_REGION)?;
        self.account_region = Some(r.clone());
        Ok(r)
    }

    fn foreign(&mut self, conn: &Read) -> Result<bool> {
        if let Some(f) = self.foreign {
            return Ok(f);
        }
        let account = self.account_region(conn)?;
        let f = account.is_some_and(|r| !crate::pii::phone::is_nanp(&r))
            || findings::any_phone_outside_nanp(conn)?;
        self.foreign = Some(f);
        Ok(f)
    }

    pub(super) fn known(&mut self, conn: &Read, customer_id: &str) -> Result<&KnownContacts> {
        let stale = self
            .contacts
            .as_ref()
            .is_none_or(|(id, _)| id != customer_id);
        if stale {
            let account = self.account_region(conn)?;
            let mut known = findings::known_contacts(conn, customer_id)?;
            known.region = region(conn, customer_id, &known, account)?;
            self.contacts = Some((customer_id.to_string(), known));
        }
        Ok(&self.contacts.get_or_insert_default().1)
    }

    /// Replaces the item's open findings with those of its current text.
    /// The caller marks it scanned.
    ///
    /// An item read with its state (`item.state`) may have findings: they
    /// are replaced. A new item read without it usually has none, so the
    /// lookups are left until it has something to record; the lookup by
    /// rowid then gives its state, and the item is skipped if deleted or
    /// its findings replaced if it changed since it was written.
    pub(super) fn scan_item(
        &mut self,
        conn: &Write,
        item: &findings::ItemView,
        summary: &mut ScanSummary,
    ) -> Result<()> {
        let deleted = item.state.is_some_and(|s| s.deleted);
        if !deleted {
            summary.items += 1;
        }
        let mut ids = Ids { item, owned: None };
        // The dismissed fingerprints, once the item's earlier findings
        // have been dealt with.
        let mut dismissed: Option<Vec<String>> = None;
        if item.state.is_some() {
            dismissed = Some(replace_open(conn, ids.get(conn)?.item_id)?);
        }
        if deleted {
            return Ok(());
        }
        let now = self.now;
        for (field, text) in fields(item) {
            summary.bytes += text.len() as u64;
            // The customer's own contacts only matter when the text
            // holds an email or a phone number: read them only then.
            let (mut found, national) = pii::detect_hinted(text, &NO_CONTACTS);
            // A national number of another region is found only in the
            // customer's region: read their contacts for a text with
            // enough digits, when any customer or the account is abroad.
            if found.is_empty() {
                if !national || !self.foreign(conn)? {
                    continue;
                }
                let customer = ids.get(conn)?.customer_id.to_string();
                found = pii::detect(text, self.known(conn, &customer)?);
                if found.is_empty() {
                    continue;
                }
            }
            let owner = ids.get(conn)?;
            let dismissed = match &mut dismissed {
                Some(d) => d,
                slot @ None => {
                    // Looked up by rowid, so the state is known; were it
                    // not, replacing is the safe choice.
                    let state = owner.state.unwrap_or(findings::ItemState {
                        changed: true,
                        ..Default::default()
                    });
                    if state.deleted {
                        return Ok(());
                    }
                    slot.insert(if state.changed || state.behind {
                        replace_open(conn, owner.item_id)?
                    } else {
                        Vec::new()
                    })
                }
            };
            let key = if dismissed.is_empty() {
                None
            } else {
                if self.key.is_none() {
                    self.key = Some(read_key(conn)?);
                }
                self.key.flatten()
            };
            if found
                .iter()
                .any(|d| matches!(d.kind, Kind::Email | Kind::Phone))
            {
                let known = self.known(conn, owner.customer_id)?;
                found = pii::detect(text, known);
            }
            for d in found {
                if let Some(key) = &key {
                    if dismissed.contains(&fingerprint(key, d.kind, &text[d.start..d.end])) {
                        summary.suppressed += 1;
                        continue;
                    }
                }
                findings::insert(conn, &new_finding(owner, field, &d, now))?;
                *summary.found.entry(d.kind).or_default() += 1;
            }
        }
        Ok(())
    }
}

/// Removes the item's open findings (its text is about to be scanned
/// again) and returns the fingerprints of its dismissed ones.
pub(super) fn replace_open(conn: &Write, item_id: &str) -> Result<Vec<String>> {
    findings::delete_open(conn, item_id)?;
    findings::dismissed_fingerprints(conn, item_id)
}

/// An item's ID and customer ID: lent by the row when it was read with
/// them, else looked up once by rowid, with the item's time (which then
/// saves each finding a lookup by ID) and state.
pub(super) struct Ids<'a> {
    item: &'a findings::ItemView<'a>,
    owned: Option<findings::ItemIds>,
}

/// Whose finding it is: the item, its customer, the item's time and state
/// if looked up.
#[derive(Clone, Copy)]
pub(super) struct Owner<'a> {
    item_id: &'a str,
    customer_id: &'a str,
    item_at: Option<Millis>,
    state: Option<findings::ItemState>,
}

impl Ids<'_> {
    pub(super) fn get(&mut self, conn: &Read) -> Result<Owner<'_>> {
        if let (Some(item_id), Some(customer_id)) = (self.item.id, self.item.customer_id) {
            return Ok(Owner {
                item_id,
                customer_id,
                item_at: None,
                state: self.item.state,
            });
        }
        let ids = match &mut self.owned {
            Some(owned) => owned,
            slot @ None => slot.insert(findings::item_ids(conn, self.item.rowid)?),
        };
        Ok(Owner {
            item_id: &ids.id,
            customer_id: &ids.customer_id,
            item_at: Some(ids.at),
            state: Some(ids.state),
        })
    }
}

/// The account setting naming the region of national phone numbers for
/// customers whose own phones do not say (`lethe account phone-region`).
pub const PHONE_REGION: &str = "phone_region";

/// The customer's own contacts, and the region their messages' national
/// phone numbers are read in: their own phone's country, else their first
/// address's, else the account's `phone-region`, else North America.
pub fn known_contacts(conn: &Read, customer_id: &str) -> Result<KnownContacts> {
    let account = crate::store::get_setting(conn, PHONE_REGION)?;
    let mut known = findings::known_contacts(conn, customer_id)?;
    known.region = region(conn, customer_id, &known, account)?;
    Ok(known)
}

/// The region of a customer whose contacts are `known`; the address is
/// read only when no phone of theirs names a country.
fn region(
    conn: &Read,
    customer_id: &str,
    known: &KnownContacts,
    account: Option<String>,
) -> Result<Option<String>> {
    if let Some(r) = crate::pii::phone::region_of(&known.phones_e164) {
        return Ok(Some(r.to_string()));
    }
    let address =
        findings::address_country(conn, customer_id)?.filter(|c| crate::pii::phone::is_region(c));
    Ok(address.or(account))
}

pub(super) static NO_CONTACTS: KnownContacts = KnownContacts {
    emails: Vec::new(),
    phones_e164: Vec::new(),
    region: None,
};

pub(super) fn new_finding<'a>(
    owner: Owner<'a>,
    field: Field,
    d: &'a Detection,
    now: Millis,
) -> NewFinding<'a> {
    NewFinding {
        item_id: owner.item_id,
        customer_id: owner.customer_id,
        item_at: owner.item_at,
        field,
        start: d.start,
        end: d.end,
        kind: d.kind,
        confidence: d.confidence,
        preview: &d.preview,
        found_at: now,
    }
}

pub(super) fn fields<'a>(item: &findings::ItemView<'a>) -> impl Iterator<Item = (Field, &'a str)> {
    [(Field::Subject, item.subject), (Field::Body, item.body)]
        .into_iter()
        .filter_map(|(f, t)| t.filter(|t| !t.is_empty()).map(|t| (f, t)))
}
