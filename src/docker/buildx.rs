//! buildx's own state: the directory `$BUILDX_CONFIG`, else
//! `$DOCKER_CONFIG/buildx`, and the node identifier in it.

use std::path::{Path, PathBuf};

/// buildx's directory: `$BUILDX_CONFIG` when set and not empty, else
/// `buildx` in the docker config directory `docker_config_dir`.
pub fn dir_from_env(docker_config_dir: &Path) -> PathBuf {
    std::env::var_os("BUILDX_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| docker_config_dir.join("buildx"))
}

/// buildx's node identifier in the buildx directory `dir` (see
/// [`dir_from_env`]): file `.buildNodeID` (16 hex characters), created if
/// missing. Sharing it with buildx means sharing the daemon's
/// incremental-transfer state.
pub fn node_identifier(dir: &Path) -> String {
    let file = dir.join(".buildNodeID");
    if let Ok(s) = std::fs::read_to_string(&file) {
        let s = s.trim();
        if !s.is_empty() {
            return s.to_string();
        }
    }
    let mut b = [0u8; 8];
    crate::id::random_bytes(&mut b);
    let id = hex::encode(b);
    // Written whole or not at all, 0600 as buildx writes it.
    if std::fs::create_dir_all(dir).is_ok() {
        if let Ok(mut tmp) = tempfile::Builder::new()
            .prefix(".buildNodeID.")
            .tempfile_in(dir)
        {
            use std::io::Write;
            if tmp.write_all(id.as_bytes()).is_ok() {
                let _ = tmp.persist(&file);
            }
        }
    }
    // Another process may have won the race: prefer what is on disk.
    std::fs::read_to_string(&file)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_id_is_created_once_and_kept() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("buildx");
        let id = node_identifier(&dir);
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(node_identifier(&dir), id);
        assert_eq!(
            std::fs::read_to_string(dir.join(".buildNodeID")).unwrap(),
            id
        );
    }
}
