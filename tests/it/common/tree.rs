//! File-tree snapshots for comparing exported results: paths, types,
//! modes, contents and link targets.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// One entry of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir { mode: u32 },
    File { mode: u32, content: Vec<u8> },
    Symlink { target: String },
    Other { mode: u32 },
}

/// Relative path → entry, for everything below `root`.
pub fn snapshot(root: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Entry>) {
    let rd = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in rd.flatten() {
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let md = std::fs::symlink_metadata(&p).unwrap();
        let mode = md.permissions().mode() & 0o7777;
        let entry = if md.file_type().is_symlink() {
            Entry::Symlink {
                target: std::fs::read_link(&p)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            }
        } else if md.is_dir() {
            walk(root, &p, out);
            Entry::Dir { mode }
        } else if md.is_file() {
            Entry::File {
                mode,
                content: std::fs::read(&p).unwrap(),
            }
        } else {
            Entry::Other { mode: md.mode() }
        };
        out.insert(rel, entry);
    }
}

/// Asserts two trees are identical, listing the differences.
pub fn assert_same(a: &Path, b: &Path) {
    let sa = snapshot(a);
    let sb = snapshot(b);
    let mut diffs = Vec::new();
    for (k, v) in &sa {
        match sb.get(k) {
            None => diffs.push(format!("only in {}: {k}", a.display())),
            Some(w) if w != v => diffs.push(format!("differs: {k}: {} vs {}", brief(v), brief(w))),
            _ => {}
        }
    }
    for k in sb.keys() {
        if !sa.contains_key(k) {
            diffs.push(format!("only in {}: {k}", b.display()));
        }
    }
    assert!(diffs.is_empty(), "trees differ:\n{}", diffs.join("\n"));
}

fn brief(e: &Entry) -> String {
    match e {
        Entry::File { mode, content } => format!("file {mode:o} {} bytes", content.len()),
        other => format!("{other:?}"),
    }
}
