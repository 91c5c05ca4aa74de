//! Registry credentials as the docker CLI finds them: `credHelpers`, then
//! `credsStore`, then the `auths` entries of `config.json`.
//!
//! Hand-written rather than through the `docker_credential` crate: the
//! docker CLI's order (a `credsStore` hides `auths`), its host matching
//! (`https://host/v1/` keys), its "credentials not found" = anonymous, and
//! `registrytoken` / `<token>` usernames are behaviour rkbuild must match,
//! and a failing helper must be reported with its exit status and what it
//! said (redacted), within a time limit. The crate does none of these.
//!
//! Lookups are cached per registry host for the life of a
//! [`CredentialStore`] (one build): a helper runs at most once per host.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::config::{AuthEntry, ConfigFile};

/// What Docker Hub's credentials are stored under.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// How long a credential helper may take before the lookup fails.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// Credentials for one registry (the docker CLI's `AuthConfig`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthConfig {
    /// User name (empty with an identity token).
    pub username: String,
    /// Password.
    pub password: String,
    /// Identity token (an OAuth refresh token; `<token>` from a helper).
    pub identity_token: String,
    /// A bearer token for the registry itself (`registrytoken`).
    pub registry_token: String,
}

impl AuthConfig {
    /// No credentials at all (anonymous access).
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.password.is_empty()
            && self.identity_token.is_empty()
            && self.registry_token.is_empty()
    }
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |s: &str| if s.is_empty() { "" } else { "<redacted>" };
        f.debug_struct("AuthConfig")
            .field("username", &self.username)
            .field("password", &set(&self.password))
            .field("identity_token", &set(&self.identity_token))
            .field("registry_token", &set(&self.registry_token))
            .finish()
    }
}

/// Why credentials could not be found. Messages never hold a secret.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    /// The helper could not be started (not on `PATH`, not executable).
    #[error("credential helper {helper} for {registry} could not be run: {reason}; install it or remove it from {config}")]
    Spawn {
        /// The helper binary (`docker-credential-NAME`).
        helper: String,
        /// The registry asked for.
        registry: String,
        /// Why it did not start.
        reason: String,
        /// The config file naming it.
        config: String,
    },
    /// The helper ran and failed.
    #[error("credential helper {helper} failed for {registry}: {status}{}", said(.output))]
    Failed {
        /// The helper binary.
        helper: String,
        /// The registry asked for.
        registry: String,
        /// `exit status N` or `killed by signal N`.
        status: String,
        /// The first line it printed (stderr, else stdout), redacted.
        output: String,
    },
    /// The helper did not answer in time.
    #[error("credential helper {helper} did not answer for {registry} within {}s", .secs)]
    Timeout {
        /// The helper binary.
        helper: String,
        /// The registry asked for.
        registry: String,
        /// The limit.
        secs: u64,
    },
    /// The helper answered something that is not its JSON.
    #[error(
        "credential helper {helper} gave an answer for {registry} that is not credentials JSON"
    )]
    Malformed {
        /// The helper binary.
        helper: String,
        /// The registry asked for.
        registry: String,
    },
    /// An `auths` entry's `auth` is not base64 of `user:password`.
    #[error("the auths entry for {registry} in {config} is not valid base64 of user:password; log in again")]
    BadAuth {
        /// The registry.
        registry: String,
        /// The config file.
        config: String,
    },
}

fn said(output: &str) -> String {
    if output.is_empty() {
        ", and printed nothing".into()
    } else {
        format!(": {output}")
    }
}

/// Registry credentials from one docker configuration, looked up as the
/// docker CLI does and cached per host.
#[derive(Clone)]
pub struct CredentialStore {
    cfg: Arc<ConfigFile>,
    timeout: Duration,
    helper_dir: Option<std::path::PathBuf>,
    cache: Arc<Mutex<HashMap<String, Arc<tokio::sync::OnceCell<CredResult>>>>>,
}

type CredResult = std::result::Result<AuthConfig, CredentialError>;

impl std::fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialStore")
            .field("config", &self.cfg.path)
            .finish_non_exhaustive()
    }
}

impl CredentialStore {
    /// Credentials from `cfg` (see [`ConfigFile::load_from`]).
    pub fn new(cfg: ConfigFile) -> CredentialStore {
        CredentialStore {
            cfg: Arc::new(cfg),
            timeout: HELPER_TIMEOUT,
            helper_dir: None,
            cache: Arc::default(),
        }
    }

    /// Credentials from `DIR/config.json`; a missing file means none.
    pub fn from_dir(dir: &Path) -> crate::error::Result<CredentialStore> {
        Ok(Self::new(ConfigFile::load_from(dir)?))
    }

    /// The docker configuration directory the credentials come from.
    pub fn config_dir(&self) -> std::path::PathBuf {
        self.cfg
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(super::config_dir)
    }

    /// Sets the time limit for each helper run.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Runs helpers from `dir` instead of looking them up in `PATH`.
    pub fn helpers_in(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.helper_dir = Some(dir.into());
        self
    }

    /// The docker CLI's key for a registry host: Docker Hub's hosts are
    /// [`DOCKER_HUB_KEY`], others are themselves.
    pub fn key_for(host: &str) -> &str {
        match host {
            "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB_KEY,
            h => h,
        }
    }

    /// Credentials for `host` (e.g. `127.0.0.1:5000`, `docker.io`); empty
    /// when none are configured or the helper has none.
    pub async fn get(&self, host: &str) -> CredResult {
        let key = Self::key_for(host).to_string();
        let cell = {
            let mut m = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            m.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(|| self.lookup(key)).await.clone()
    }

    async fn lookup(&self, key: String) -> CredResult {
        let helper = self
            .cfg
            .cred_helpers
            .get(&key)
            .filter(|h| !h.is_empty())
            .or(Some(&self.cfg.creds_store).filter(|h| !h.is_empty()));
        match helper {
            Some(h) => self.run_helper(h, &key).await,
            None => self.file_entry(&key),
        }
    }

    fn file_entry(&self, key: &str) -> CredResult {
        let entry = self.cfg.auths.get(key).or_else(|| {
            self.cfg
                .auths
                .iter()
                .find(|(k, _)| convert_to_hostname(k) == key)
                .map(|(_, v)| v)
        });
        let Some(e) = entry else {
            return Ok(AuthConfig::default());
        };
        decode_entry(e).ok_or_else(|| CredentialError::BadAuth {
            registry: key.to_string(),
            config: self.cfg.path.display().to_string(),
        })
    }

    async fn run_helper(&self, name: &str, key: &str) -> CredResult {
        let helper = format!("docker-credential-{name}");
        let spawn_err = |reason: String| CredentialError::Spawn {
            helper: helper.clone(),
            registry: key.to_string(),
            reason,
            config: self.cfg.path.display().to_string(),
        };
        let program = match &self.helper_dir {
            Some(d) => d.join(&helper),
            None => helper.clone().into(),
        };
        let mut child = tokio::process::Command::new(program)
            .arg("get")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                spawn_err(match e.kind() {
                    std::io::ErrorKind::NotFound => "not found in PATH".into(),
                    _ => e.to_string(),
                })
            })?;
        let run = async {
            use tokio::io::AsyncWriteExt;
            if let Some(mut stdin) = child.stdin.take() {
                // A helper that exits without reading stdin is not an error
                // here; its exit status says what happened.
                let _ = stdin.write_all(key.as_bytes()).await;
            }
            child.wait_with_output().await
        };
        let out = match tokio::time::timeout(self.timeout, run).await {
            Err(_) => {
                return Err(CredentialError::Timeout {
                    helper,
                    registry: key.to_string(),
                    secs: self.timeout.as_secs(),
                })
            }
            Ok(Err(e)) => return Err(spawn_err(e.to_string())),
            Ok(Ok(out)) => out,
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            // docker-credential-helpers' ErrCredentialsNotFound message:
            // the registry is simply not in the store (anonymous).
            if stdout.trim() == "credentials not found in native keychain" {
                return Ok(AuthConfig::default());
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            let line = first_line(&stderr).or_else(|| first_line(&stdout));
            return Err(CredentialError::Failed {
                helper,
                registry: key.to_string(),
                status: exit_status(&out.status),
                output: line.map(redact).unwrap_or_default(),
            });
        }
        #[derive(serde::Deserialize)]
        struct Creds {
            #[serde(rename = "Username", default)]
            username: String,
            #[serde(rename = "Secret", default)]
            secret: String,
        }
        let c: Creds =
            serde_json::from_slice(&out.stdout).map_err(|_| CredentialError::Malformed {
                helper: helper.clone(),
                registry: key.to_string(),
            })?;
        Ok(if c.username == "<token>" {
            AuthConfig {
                identity_token: c.secret,
                ..Default::default()
            }
        } else {
            AuthConfig {
                username: c.username,
                password: c.secret,
                ..Default::default()
            }
        })
    }
}

/// An `auths` entry as the docker CLI's file store returns it: `auth`
/// (base64 of `user:password`) wins over `username`/`password`.
fn decode_entry(e: &AuthEntry) -> Option<AuthConfig> {
    let mut ac = AuthConfig {
        username: e.username.clone(),
        password: e.password.clone(),
        identity_token: e.identity_token.clone(),
        registry_token: e.registry_token.clone(),
    };
    if !e.auth.is_empty() {
        use base64::Engine;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(e.auth.trim())
            .ok()?;
        let s = String::from_utf8(raw).ok()?;
        let (u, p) = s.split_once(':')?;
        ac.username = u.to_string();
        ac.password = p.trim_matches('\0').to_string();
    }
    Some(ac)
}

/// The docker CLI's `ConvertToHostname`: `https://host/v1/` → `host`.
pub fn convert_to_hostname(url: &str) -> &str {
    let s = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or(url);
    s.split('/').next().unwrap_or(s)
}

fn first_line(s: &str) -> Option<&str> {
    s.lines().map(str::trim).find(|l| !l.is_empty())
}

fn exit_status(s: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => "failed".into(),
    }
}

/// Hides what may be a secret in a helper's message: values after
/// password/token/secret/auth-like keys, and long token-like words.
pub fn redact(line: &str) -> String {
    let line: String = line.chars().take(200).collect();
    let mut out = Vec::new();
    let mut hide_next = false;
    for word in line.split(' ') {
        let lower = word.to_ascii_lowercase();
        let sensitive = ["pass", "token", "secret", "auth", "key", "bearer", "basic"]
            .iter()
            .any(|k| lower.contains(k));
        if hide_next && !word.is_empty() {
            out.push("[redacted]".to_string());
            hide_next = false;
            continue;
        }
        if let Some((k, _)) = word.split_once(['=', ':']).filter(|(_, v)| !v.is_empty()) {
            if sensitive {
                out.push(format!("{k}{}[redacted]", &word[k.len()..k.len() + 1]));
                continue;
            }
        }
        let tokenish = word.len() >= 20
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=_.-".contains(c))
            && word.chars().any(|c| c.is_ascii_digit());
        if tokenish {
            out.push("[redacted]".to_string());
            continue;
        }
        if sensitive && (word.ends_with(':') || word.ends_with('=')) {
            hide_next = true;
        }
        out.push(word.to_string());
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(json: &str) -> (tempfile::TempDir, CredentialStore) {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("config.json"), json).unwrap();
        let s = CredentialStore::from_dir(d.path()).unwrap();
        (d, s)
    }

    fn helper(dir: &Path, name: &str, script: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[tokio::test]
    async fn auths_entries_as_the_docker_cli_reads_them() {
        let (_d, s) = store(
            r#"{"auths":{
              "127.0.0.1:5000":{"auth":"dXNlcjpwYXNz"},
              "https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="},
              "https://r.example/v1/":{"username":"u","password":"p"},
              "id.example":{"identitytoken":"tok"},
              "rt.example":{"registrytoken":"rtok"},
              "bad.example":{"auth":"!!"}}}"#,
        );
        let up = |u: &str, p: &str| AuthConfig {
            username: u.into(),
            password: p.into(),
            ..Default::default()
        };
        assert_eq!(s.get("127.0.0.1:5000").await.unwrap(), up("user", "pass"));
        assert_eq!(s.get("docker.io").await.unwrap(), up("hub", "secret"));
        assert_eq!(
            s.get("registry-1.docker.io").await.unwrap(),
            up("hub", "secret")
        );
        assert_eq!(s.get("r.example").await.unwrap(), up("u", "p"));
        assert_eq!(s.get("id.example").await.unwrap().identity_token, "tok");
        assert_eq!(s.get("rt.example").await.unwrap().registry_token, "rtok");
        assert!(s.get("other:1").await.unwrap().is_empty());
        let e = s.get("bad.example").await.unwrap_err().to_string();
        assert!(
            e.contains("bad.example") && e.contains("log in again"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn helpers_in_docker_cli_order_run_once_per_host() {
        let d = tempfile::tempdir().unwrap();
        let count = d.path().join("count");
        helper(
            d.path(),
            "store",
            &format!(
                "read h; echo x >> {}; case $h in\n\
                 none.example) echo 'credentials not found in native keychain'; exit 1;;\n\
                 tok.example) echo '{{\"ServerURL\":\"'$h'\",\"Username\":\"<token>\",\"Secret\":\"idt\"}}';;\n\
                 *) echo '{{\"ServerURL\":\"'$h'\",\"Username\":\"su\",\"Secret\":\"sp\"}}';;\n\
                 esac",
                count.display()
            ),
        );
        helper(
            d.path(),
            "one",
            "read h; echo '{\"Username\":\"ou\",\"Secret\":\"op\"}'",
        );
        let (_c, s) = store(
            r#"{"credsStore":"store","credHelpers":{"one.example":"one"},
                "auths":{"127.0.0.1:5000":{"auth":"dXNlcjpwYXNz"}}}"#,
        );
        let s = s.helpers_in(d.path());
        // credsStore hides the auths entries, as in the docker CLI.
        assert_eq!(s.get("127.0.0.1:5000").await.unwrap().username, "su");
        assert_eq!(s.get("127.0.0.1:5000").await.unwrap().password, "sp");
        assert_eq!(s.get("one.example").await.unwrap().password, "op");
        assert_eq!(s.get("tok.example").await.unwrap().identity_token, "idt");
        assert!(s.get("none.example").await.unwrap().is_empty());
        assert!(s.get("none.example").await.unwrap().is_empty());
        let runs = std::fs::read_to_string(&count).unwrap().lines().count();
        assert_eq!(runs, 3, "one run per host");
    }

    #[tokio::test]
    async fn failing_helper_is_named_with_its_status_and_redacted_words() {
        let d = tempfile::tempdir().unwrap();
        helper(
            d.path(),
            "boom",
            "echo 'vault locked: token=s3cr3tvalue0123456789 for user' >&2; exit 3",
        );
        helper(d.path(), "slow", "sleep 5");
        helper(d.path(), "junk", "echo not json");
        let cfg = |h: &str| ConfigFile {
            creds_store: h.into(),
            path: d.path().join("config.json"),
            ..Default::default()
        };
        let with_path = |h: &str| CredentialStore::new(cfg(h)).helpers_in(d.path());
        let e = with_path("boom").get("r.example").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "credential helper docker-credential-boom failed for r.example: exit status 3: \
             vault locked: token=[redacted] for user"
        );
        let e = with_path("slow")
            .timeout(Duration::from_millis(300))
            .get("r.example")
            .await
            .unwrap_err();
        assert!(matches!(e, CredentialError::Timeout { .. }), "{e}");
        let e = with_path("junk").get("r.example").await.unwrap_err();
        assert!(matches!(e, CredentialError::Malformed { .. }), "{e}");
        let e = CredentialStore::new(cfg("rkbuild-test-missing"))
            .get("r.example")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not found in PATH"), "{e}");
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("password: hunter2 ok"), "password: [redacted] ok");
        assert_eq!(
            redact("got ghp_abcdefghijklmnop1234567890"),
            "got [redacted]"
        );
        assert_eq!(redact("no such key"), "no such key");
        assert_eq!(convert_to_hostname("https://r.example/v1/"), "r.example");
        assert_eq!(convert_to_hostname("r.example:5000"), "r.example:5000");
    }
}
