//! A read-only statement stepped through SQLite's C interface.
//!
//! For the one loop where rusqlite's checks cost more than the work they
//! guard: the PII scan reads every item row (ten million on a large
//! database) and four columns of each. Through rusqlite each column read
//! asks SQLite for the column count and the value's type before the value;
//! here a row costs one call per value, which saves about a tenth of the
//! scan's instructions. Everything else goes through rusqlite.

use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;

use rusqlite::{ffi, Connection};

use crate::error::Result;

/// A prepared statement borrowed from its connection. Values read from the
/// current row borrow the statement, so the borrow checker keeps them from
/// outliving the next [`RawRows::step`], just as SQLite requires.
pub(crate) struct RawRows<'c> {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    _conn: PhantomData<&'c Connection>,
}

impl<'c> RawRows<'c> {
    /// Prepares one SQL statement on `conn`.
    pub(crate) fn prepare(conn: &'c Connection, sql: &str) -> Result<RawRows<'c>> {
        // SAFETY: the handle stays valid while `conn` is borrowed, which
        // the lifetime 'c ties this value to.
        let db = unsafe { conn.handle() };
        let mut stmt = std::ptr::null_mut();
        let len = c_int::try_from(sql.len()).expect("SQL text under 2 GB");
        // SAFETY: `sql` is valid for `len` bytes; `stmt` receives the new
        // statement or stays null.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                db,
                sql.as_ptr() as *const c_char,
                len,
                0,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        let rows = RawRows {
            db,
            stmt,
            _conn: PhantomData,
        };
        rows.check(rc)?;
        if stmt.is_null() {
            // Only for text with no statement in it: a caller's mistake.
            return Err(rusqlite::Error::InvalidQuery.into());
        }
        Ok(rows)
    }

    /// Binds an integer to parameter `index` (from 1).
    pub(crate) fn bind(&mut self, index: c_int, value: i64) -> Result<()> {
        // SAFETY: `stmt` is a live statement owned by this value.
        let rc = unsafe { ffi::sqlite3_bind_int64(self.stmt, index, value) };
        self.check(rc)
    }

    /// Moves to the next row; false when there is none.
    pub(crate) fn step(&mut self) -> Result<bool> {
        // SAFETY: as in `bind`; `&mut self` means no value of the previous
        // row is still borrowed.
        match unsafe { ffi::sqlite3_step(self.stmt) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            rc => self.check(rc).map(|()| false),
        }
    }

    /// Column `col` of the current row as an integer; NULL reads as 0.
    pub(crate) fn int(&self, col: c_int) -> i64 {
        // SAFETY: `stmt` is live and on a row (callers read after a `step`
        // that returned true); an out-of-range column reads as NULL.
        unsafe { ffi::sqlite3_column_int64(self.stmt, col) }
    }

    /// Column `col` of the current row as text: None for NULL. Text that
    /// is not valid UTF-8 (no Lethe writer stores it, but another program
    /// may have) is read with each invalid byte as U+FFFD, never dropped.
    pub(crate) fn text(&self, col: c_int) -> Result<Option<std::borrow::Cow<'_, str>>> {
        // SAFETY: as in `int`. SQLite keeps the bytes unchanged until the
        // next step or finalize, both of which need `&mut self` or drop,
        // so the slice cannot outlive them.
        unsafe {
            let p = ffi::sqlite3_column_text(self.stmt, col);
            if p.is_null() {
                // NULL, or no memory to convert the value: tell them apart.
                let rc = ffi::sqlite3_errcode(self.db);
                return if rc == ffi::SQLITE_NOMEM {
                    self.check(rc).map(|()| None)
                } else {
                    Ok(None)
                };
            }
            let n = ffi::sqlite3_column_bytes(self.stmt, col);
            let bytes = std::slice::from_raw_parts(p, n as usize);
            Ok(Some(String::from_utf8_lossy(bytes)))
        }
    }

    fn check(&self, rc: c_int) -> Result<()> {
        if rc == ffi::SQLITE_OK {
            return Ok(());
        }
        // SAFETY: `db` is live; SQLite's message is copied before any other
        // call on the connection could change it.
        let message = unsafe {
            let m = ffi::sqlite3_errmsg(self.db);
            (!m.is_null()).then(|| CStr::from_ptr(m).to_string_lossy().into_owned())
        };
        Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message).into())
    }
}

impl Drop for RawRows<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is finalized once, here; null is a no-op.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_integers_text_and_nulls() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (n INTEGER, s TEXT);
             INSERT INTO t VALUES (1, 'one'), (2, NULL), (NULL, 'héllo'),
                 (3, CAST(x'6261ff64' AS TEXT));",
        )
        .unwrap();
        let mut rows = RawRows::prepare(&conn, "SELECT n, s FROM t WHERE rowid > ?1").unwrap();
        rows.bind(1, 0).unwrap();
        let mut seen = Vec::new();
        while rows.step().unwrap() {
            seen.push((rows.int(0), rows.text(1).unwrap().map(|t| t.into_owned())));
        }
        assert_eq!(
            seen,
            [
                (1, Some("one".to_string())),
                (2, None),
                (0, Some("héllo".to_string())),
                // Not UTF-8: read, with the bad byte as U+FFFD.
                (3, Some("ba\u{fffd}d".to_string()))
            ]
        );
    }

    #[test]
    fn errors_carry_sqlites_message() {
        let conn = Connection::open_in_memory().unwrap();
        let Err(e) = RawRows::prepare(&conn, "SELECT nope FROM nowhere") else {
            panic!("prepared a query on a missing table");
        };
        assert!(e.to_string().contains("no such table: nowhere"), "{e}");
        let mut rows = RawRows::prepare(&conn, "SELECT ?1").unwrap();
        let e = rows.bind(2, 1).unwrap_err();
        assert!(e.to_string().contains("range"), "{e}");
    }
}
