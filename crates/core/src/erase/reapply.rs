//! Erasures applied again from the erasure ledger, when a backup is
//! restored (`backup::restore`).

use super::*;
use crate::ledger::Kind;

/// Applies one erasure the ledger lists, in the caller's transaction: the
/// wipes the erasure ran, at its original time. The checks that allowed it
/// then (no open conversation, no hold, the operator's role) are not asked
/// again: it was made, and a restore must not bring it back. Returns
/// whether the restored database held what it names (a profile or item
/// created after the backup is not in it).
pub(crate) fn reapply(conn: &Write, operator: &str, kind: Kind, e: &ledger::Entry) -> Result<bool> {
    let (id, reason, at) = (e.id.as_str(), e.reason.as_str(), e.at);
    Ok(match kind {
        Kind::Profile => match db::customer(conn, id)? {
            None => false,
            Some(row) if row.deleted_at.is_some() => true,
            Some(row) => {
                // The ledger only ever holds the two reasons; anything
                // else was written by hand and counts as a manual erasure.
                let reason = Reason::parse(reason).unwrap_or(Reason::Manual);
                db::wipe_profile(conn, &row, reason.as_str(), at)?;
                true
            }
        },
        Kind::Item => {
            let found = db::item(conn, id)?.is_some();
            if found {
                db::wipe_item(conn, id, at)?;
            }
            found
        }
        Kind::Attachment => {
            let found = db::attachment(conn, id)?.is_some();
            if found {
                db::wipe_attachment(conn, id, at)?;
            }
            found
        }
        Kind::Recording => match db::recording(conn, id)? {
            None => false,
            Some(r) => {
                db::wipe_recording(conn, id, at)?;
                // As the deletion did: a voicemail's transcript goes with it.
                if let Some(i) = db::item(conn, &r.item_id)? {
                    if i.kind == ContentType::Voicemail.as_str() && i.deleted_at.is_none() {
                        db::wipe_transcript(conn, &i.id)?;
                    }
                }
                true
            }
        },
        Kind::Redaction => {
            let found = db::item(conn, id)?.is_some();
            if found {
                let kinds = match reason {
                    "all" => None,
                    list => Some(
                        list.split(',')
                            .filter_map(crate::pii::Kind::parse)
                            .collect::<Vec<_>>(),
                    ),
                };
                crate::triage::redact_in(conn, operator, id, kinds.as_deref(), at)?;
            }
            found
        }
    })
}
