//! The operating-system account running Lethe, from the password
//! database (`getpwuid_r`, `getpwnam_r`).

#[cfg(unix)]
pub use unix::*;

#[cfg(not(unix))]
pub use other::*;

#[cfg(unix)]
mod unix {
    use std::ffi::{CStr, CString};
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;

    pub struct User {
        pub uid: u32,
        pub name: String,
    }

    pub fn effective_user() -> User {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let uid = unsafe { libc::geteuid() };
        let name = name_of(uid).unwrap_or_else(|| format!("uid-{uid}"));
        User { uid, name }
    }

    pub fn owns(uid: u32, path: &Path) -> bool {
        std::fs::metadata(path).is_ok_and(|m| m.uid() == uid)
    }

    /// The account name for `uid`, through NSS (so LDAP users resolve too).
    fn name_of(uid: libc::uid_t) -> Option<String> {
        lookup(&|pwd, buf, len, result| {
            // SAFETY: every pointer refers to live, correctly sized storage
            // owned by `lookup` for the duration of the call.
            unsafe { libc::getpwuid_r(uid, pwd, buf, len, result) }
        })
    }

    pub fn user_exists(name: &str) -> bool {
        let Ok(cname) = CString::new(name) else {
            return false;
        };
        lookup(&|pwd, buf, len, result| {
            // SAFETY: as above; `cname` is a valid NUL-terminated string.
            unsafe { libc::getpwnam_r(cname.as_ptr(), pwd, buf, len, result) }
        })
        .is_some()
    }

    type Getpw<'a> = &'a dyn Fn(
        *mut libc::passwd,
        *mut libc::c_char,
        libc::size_t,
        *mut *mut libc::passwd,
    ) -> libc::c_int;

    /// Runs a reentrant getpw*_r call, growing the buffer while it is too
    /// small, and returns the entry's name.
    fn lookup(call: Getpw<'_>) -> Option<String> {
        let mut buf: Vec<libc::c_char> = vec![0; 1024];
        loop {
            // SAFETY: passwd is a plain C struct; all-zero is a valid value
            // and getpw*_r overwrites it.
            let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = call(&mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
            if rc == libc::ERANGE && buf.len() < 1 << 20 {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
                return None;
            }
            // SAFETY: on success pw_name points into `buf`, NUL-terminated.
            let name = unsafe { CStr::from_ptr(pwd.pw_name) };
            return Some(name.to_string_lossy().into_owned());
        }
    }
}

#[cfg(not(unix))]
mod other {
    use std::path::Path;

    pub struct User {
        pub uid: u32,
        pub name: String,
    }

    // No sudo and no service-account setup off Unix: the login name only,
    // and uid 1 so that SUDO_USER is never trusted.
    pub fn effective_user() -> User {
        let name = std::env::var("USERNAME")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "unknown".to_string());
        User { uid: 1, name }
    }

    pub fn owns(_uid: u32, _path: &Path) -> bool {
        false
    }

    pub fn user_exists(_name: &str) -> bool {
        true
    }
}
