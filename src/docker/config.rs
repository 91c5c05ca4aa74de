//! `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`).
//!
//! Unknown keys are kept as they are; only what rkbuild needs is typed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The docker configuration directory: `$DOCKER_CONFIG`, else `~/.docker`.
pub fn config_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    dirs::home_dir()
        .unwrap_or_else(|| PathBuf::from("/"))
        .join(".docker")
}

/// Proxy settings for one daemon host (`proxies.default`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ProxyConfig {
    /// `httpProxy`.
    #[serde(rename = "httpProxy", default)]
    pub http_proxy: String,
    /// `httpsProxy`.
    #[serde(rename = "httpsProxy", default)]
    pub https_proxy: String,
    /// `noProxy`.
    #[serde(rename = "noProxy", default)]
    pub no_proxy: String,
    /// `ftpProxy`.
    #[serde(rename = "ftpProxy", default)]
    pub ftp_proxy: String,
    /// `allProxy`.
    #[serde(rename = "allProxy", default)]
    pub all_proxy: String,
}

/// One `auths` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct AuthEntry {
    /// base64 of `user:password`.
    #[serde(default)]
    pub auth: String,
    /// User name (alternative to `auth`).
    #[serde(default)]
    pub username: String,
    /// Password (alternative to `auth`).
    #[serde(default)]
    pub password: String,
    /// Identity token (OAuth refresh token).
    #[serde(rename = "identitytoken", default)]
    pub identity_token: String,
    /// Registry token.
    #[serde(rename = "registrytoken", default)]
    pub registry_token: String,
}

/// The parts of config.json rkbuild reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigFile {
    /// `auths`: per-registry credentials.
    #[serde(default)]
    pub auths: BTreeMap<String, AuthEntry>,
    /// `credsStore`: default credential helper.
    #[serde(rename = "credsStore", default)]
    pub creds_store: String,
    /// `credHelpers`: per-registry credential helpers.
    #[serde(rename = "credHelpers", default)]
    pub cred_helpers: BTreeMap<String, String>,
    /// `currentContext`.
    #[serde(rename = "currentContext", default)]
    pub current_context: String,
    /// `proxies`, keyed by daemon host or `default`.
    #[serde(default)]
    pub proxies: BTreeMap<String, ProxyConfig>,
    /// `aliases` (e.g. `builder` → `rkbuild`).
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Where the file was read from (not part of the JSON).
    #[serde(skip)]
    pub path: PathBuf,
}

impl ConfigFile {
    /// Loads `config.json` from the docker config directory. A missing file
    /// is an empty configuration; a broken one is an error naming the file.
    pub fn load() -> Result<ConfigFile> {
        Self::load_from(&config_dir())
    }

    /// Loads `DIR/config.json`.
    pub fn load_from(dir: &Path) -> Result<ConfigFile> {
        let path = dir.join("config.json");
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConfigFile {
                    path,
                    ..Default::default()
                })
            }
            Err(e) => return Err(Error::Io { path, source: e }),
        };
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(ConfigFile {
                path,
                ..Default::default()
            });
        }
        let mut cfg: ConfigFile = serde_json::from_slice(&data).map_err(|e| {
            Error::Config(format!(
                "{} is not valid JSON ({e}); fix or remove it",
                path.display()
            ))
        })?;
        cfg.path = path;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_empty_files_are_empty_configs() {
        let d = tempfile::tempdir().unwrap();
        assert!(ConfigFile::load_from(d.path()).unwrap().auths.is_empty());
        std::fs::write(d.path().join("config.json"), "  \n").unwrap();
        assert!(ConfigFile::load_from(d.path()).unwrap().auths.is_empty());
    }

    #[test]
    fn broken_file_names_itself() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("config.json"), "{\"auths\": ").unwrap();
        let err = ConfigFile::load_from(d.path()).unwrap_err().to_string();
        assert!(err.contains("config.json is not valid JSON"), "{err}");
    }

    #[test]
    fn reads_known_keys_and_ignores_others() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("config.json"),
            r#"{"auths":{"r.example":{"auth":"dTpw"}},"credsStore":"pass",
               "currentContext":"ctx","aliases":{"builder":"rkbuild"},
               "proxies":{"default":{"httpProxy":"http://p:3128"}},"plugins":{"x":{}}}"#,
        )
        .unwrap();
        let c = ConfigFile::load_from(d.path()).unwrap();
        assert_eq!(c.auths["r.example"].auth, "dTpw");
        assert_eq!(c.creds_store, "pass");
        assert_eq!(c.current_context, "ctx");
        assert_eq!(c.aliases["builder"], "rkbuild");
        assert_eq!(c.proxies["default"].http_proxy, "http://p:3128");
    }
}
