//! The token authority's per-registry seeds: `DIR/.token_seed`, a JSON map
//! `host → {"Seed": base64 of 16 random bytes}` (mode 0600), guarded by a
//! lock on `DIR/.token_seed.lock`: the file and layout BuildKit's client
//! uses, so both keep the same keys.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(super) struct TokenSeeds {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Seed {
    #[serde(rename = "Seed", with = "b64")]
    seed: Vec<u8>,
}

mod b64 {
    use base64::Engine;
    pub(super) fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

impl TokenSeeds {
    pub(super) fn new(dir: PathBuf) -> Self {
        TokenSeeds { dir }
    }

    /// The seed for `host`, made and saved on first use. A directory that
    /// cannot be written (read-only, not ours) gives a seed for this run
    /// only, as BuildKit's client tolerates.
    pub(super) fn get(&self, host: &str) -> Vec<u8> {
        let _ = std::fs::create_dir_all(&self.dir);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(".token_seed.lock"))
            .ok();
        if let Some(l) = &lock {
            let _ = rustix::fs::flock(l, rustix::fs::FlockOperation::LockExclusive);
        }
        let path = self.dir.join(".token_seed");
        let mut seeds: BTreeMap<String, Seed> = std::fs::read(&path)
            .ok()
            .and_then(|d| serde_json::from_slice(&d).ok())
            .unwrap_or_default();
        if let Some(s) = seeds.get(host).filter(|s| !s.seed.is_empty()) {
            return s.seed.clone();
        }
        let mut seed = vec![0u8; 16];
        crate::id::random_bytes(&mut seed);
        seeds.insert(host.to_string(), Seed { seed: seed.clone() });
        if let Ok(text) = serde_json::to_vec_pretty(&seeds) {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            let written = tempfile::Builder::new()
                .prefix(".token_seed")
                .permissions(std::fs::Permissions::from_mode(0o600))
                .tempfile_in(&self.dir)
                .and_then(|mut t| {
                    t.write_all(&text)?;
                    t.persist(&path).map_err(|e| e.error)?;
                    Ok(())
                });
            if written.is_err() {
                // Last resort: write in place (still 0600 when new).
                let _ = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(true)
                    .write(true)
                    .mode(0o600)
                    .open(&path)
                    .and_then(|mut f| f.write_all(&text));
            }
        }
        seed
    }
}
