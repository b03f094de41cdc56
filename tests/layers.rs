//! The layers hold: three crates whose dependencies point one way, SQL only
//! in the store, `unsafe` only in the store's tuning module.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The normal (not dev) dependencies of a workspace package, by name.
fn dependencies(meta: &serde_json::Value, package: &str) -> Vec<String> {
    let p = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == package)
        .unwrap_or_else(|| panic!("package {package} is in the workspace"));
    p["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"].is_null())
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Source lines, comments left out.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

#[test]
fn the_workspace_has_three_crates_whose_dependencies_point_one_way() {
    let meta = metadata();
    let mut names: Vec<&str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["lethe", "lethe-core", "lethe-store"]);

    let refuse = |package: &str, banned: &[&str]| {
        let deps = dependencies(&meta, package);
        for b in banned {
            assert!(!deps.iter().any(|d| d == b), "{package} depends on {b}");
        }
        deps
    };
    let core = refuse(
        "lethe-core",
        &[
            "rusqlite",
            "ratatui",
            "crossterm",
            "clap",
            "anyhow",
            "lethe",
        ],
    );
    assert!(core.iter().any(|d| d == "lethe-store"));
    refuse(
        "lethe-store",
        &[
            "lethe-core",
            "lethe",
            "ratatui",
            "crossterm",
            "clap",
            "anyhow",
        ],
    );

    let bin = dependencies(&meta, "lethe");
    assert!(bin.iter().any(|d| d == "lethe-core"));
    assert!(
        !bin.iter().any(|d| d == "rusqlite" || d == "lethe-store"),
        "the binary reaches the database only through the core: {bin:?}"
    );
}

#[test]
fn no_file_outside_the_store_holds_sql() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("crates/core/src"), &mut files);
    let sql = regex::Regex::new(
        r"\b(SELECT .* FROM|INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM|PRAGMA \w+|SAVEPOINT|BEGIN (IMMEDIATE|DEFERRED))\b",
    )
    .unwrap();
    let mut found = Vec::new();
    for f in &files {
        for (n, line) in code_lines(f) {
            if sql.is_match(&line) {
                found.push(format!("{}:{n}: {}", f.display(), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL outside the store:\n{}",
        found.join("\n")
    );
}

#[test]
fn unsafe_lives_only_in_the_store_s_tuning_module() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("crates"), &mut files);
    let tuning = root().join("crates/store/src/tuning");
    // The keyword, before a block, a function, an impl, a trait or an extern
    // block ("unsafe_code" in a lint attribute is another word).
    let keyword = regex::Regex::new(r"\bunsafe\s*(\{|fn\b|impl\b|trait\b|extern\b)").unwrap();
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(&tuning)) {
        for (n, line) in code_lines(f) {
            if keyword.is_match(&line) {
                found.push(format!("{}:{n}: {}", f.display(), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "unsafe outside tuning:\n{}",
        found.join("\n")
    );
}

/// Files of pure data (tables of names and the like) may be longer.
const DATA_TABLES: &[&str] = &["crates/core/src/demo/names.rs"];

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("crates"), &mut files);
    let mut long = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if DATA_TABLES.contains(&rel.as_str()) || rel.ends_with("/tests.rs") {
            continue;
        }
        let n = std::fs::read_to_string(f).unwrap().lines().count();
        if n > 600 {
            long.push(format!("{rel}: {n} lines"));
        }
    }
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

/// The console's shared widgets draw the data and the theme they are given:
/// they import no screen and never take the whole app state.
#[test]
fn shared_widgets_import_no_screen() {
    let mut files = Vec::new();
    rust_files(&root().join("src/tui/widgets"), &mut files);
    assert!(!files.is_empty());
    let mut found = Vec::new();
    for f in &files {
        for (n, line) in code_lines(f) {
            if line.contains("screens::") || line.contains("&App") || line.contains("app::App") {
                found.push(format!("{}:{n}: {}", f.display(), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "widgets reaching into screens:\n{}",
        found.join("\n")
    );
}

/// Each screen edits its own state and the shared shell only: it never
/// sees the whole app or another screen. A jump to another screen is an
/// `Effect::Jump` that the app carries out.
#[test]
fn screens_touch_only_their_own_state() {
    let dir = root().join("src/tui/screens");
    let screens = [
        "audit",
        "customers",
        "help",
        "requests",
        "retention",
        "triage",
    ];
    let mut found = Vec::new();
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().to_string();
        if rel == "mod.rs" {
            continue;
        }
        let own = rel.split(['/', '.']).next().unwrap_or_default().to_string();
        for (n, line) in code_lines(f) {
            let mut bad =
                line.contains("&App") || line.contains("app::App") || line.contains("&mut App");
            for other in screens.iter().filter(|s| **s != own) {
                let sibling = format!("super::{other}");
                bad |= line.contains(&format!("screens::{other}"))
                    || line.match_indices(&sibling).any(|(at, _)| {
                        let next = line[at + sibling.len()..].chars().next();
                        matches!(next, Some(':' | ',' | ';' | '}') | None)
                    });
            }
            if bad {
                found.push(format!("{rel}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(!files.is_empty());
    assert!(
        found.is_empty(),
        "screens reaching past their own state:\n{}",
        found.join("\n")
    );
}
