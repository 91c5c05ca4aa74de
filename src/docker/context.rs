//! Which docker daemon to use: `-H`, `DOCKER_HOST`, `--context`,
//! `DOCKER_CONTEXT`, `currentContext`, then the default socket — the docker
//! CLI's order — and how to speak TLS to it: `--tls`, `--tlsverify`,
//! `DOCKER_TLS_VERIFY`, `--tlscacert`/`--tlscert`/`--tlskey` and
//! `DOCKER_CERT_PATH` for the default context; a context's own files under
//! `contexts/tls/<sha256(name)>/docker/` and its `SkipTLSVerify`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::config::ConfigFile;
use crate::error::{Error, Result};

/// The default daemon socket on Linux.
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";

/// A resolved docker daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerHost {
    /// Context name (`default` when none is selected).
    pub context: String,
    /// Daemon address, e.g. `unix:///var/run/docker.sock`.
    pub host: String,
    /// TLS to speak to it, when configured.
    pub tls: Option<DockerTls>,
}

/// TLS to a docker daemon (the docker CLI's `TLSOptions`/`TLSData`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DockerTls {
    /// CA certificate (PEM); the system roots when `None`.
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM).
    pub cert: Option<PathBuf>,
    /// Client key (PEM).
    pub key: Option<PathBuf>,
    /// The server's certificate is not checked (`--tls` without
    /// `--tlsverify`, a context's `SkipTLSVerify`).
    pub skip_verify: bool,
}

/// The docker CLI's global TLS flags as given to the plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFlags {
    /// `--tls`.
    pub tls: bool,
    /// `--tlsverify` (given, with its value).
    pub verify: Option<bool>,
    /// `--tlscacert`.
    pub ca: Option<String>,
    /// `--tlscert`.
    pub cert: Option<String>,
    /// `--tlskey`.
    pub key: Option<String>,
}

impl DockerHost {
    /// The daemon's endpoint, with its TLS.
    pub fn endpoint(&self) -> Result<crate::client::Endpoint> {
        let ep = crate::client::Target::docker_host(&self.host)?
            .endpoint()
            .clone();
        Ok(match &self.tls {
            Some(t) => ep.with_tls(
                crate::client::TlsOptions {
                    ca_cert: t.ca.clone(),
                    cert: t.cert.clone(),
                    key: t.key.clone(),
                    server_name: None,
                },
                t.skip_verify,
            ),
            None => ep,
        })
    }
}

/// The docker CLI's TLS for the default context: on with `--tls`,
/// `--tlsverify` or `DOCKER_TLS_VERIFY`; files from the flags, else
/// `ca.pem`, `cert.pem`, `key.pem` in `DOCKER_CERT_PATH` (default: the
/// config directory) when they exist; verification unless only `--tls`.
fn default_tls(flags: &TlsFlags, config_dir: &Path) -> Option<DockerTls> {
    let env_verify = std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty());
    let verify = flags.verify.unwrap_or(env_verify);
    if !(flags.tls || flags.verify.is_some() || verify) {
        return None;
    }
    let cert_dir = std::env::var_os("DOCKER_CERT_PATH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| config_dir.to_path_buf());
    let pick = |flag: &Option<String>, name: &str| -> Option<PathBuf> {
        match flag {
            Some(f) => Some(PathBuf::from(f)),
            None => Some(cert_dir.join(name)).filter(|p| p.exists()),
        }
    };
    Some(DockerTls {
        ca: pick(&flags.ca, "ca.pem"),
        cert: pick(&flags.cert, "cert.pem"),
        key: pick(&flags.key, "key.pem"),
        skip_verify: !verify,
    })
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::BTreeMap<String, MetaEndpoint>,
}

#[derive(Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: String,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

/// Resolves the daemon from explicit flags, the environment and config.
///
/// `host_flag` is docker's `-H/--host`, `context_flag` its `--context`.
pub fn resolve_docker_host(
    host_flag: Option<&str>,
    context_flag: Option<&str>,
    config_dir: &Path,
    config: &ConfigFile,
) -> Result<DockerHost> {
    resolve_docker_host_tls(
        host_flag,
        context_flag,
        &TlsFlags::default(),
        config_dir,
        config,
    )
}

/// [`resolve_docker_host`] with docker's TLS flags.
pub fn resolve_docker_host_tls(
    host_flag: Option<&str>,
    context_flag: Option<&str>,
    tls: &TlsFlags,
    config_dir: &Path,
    config: &ConfigFile,
) -> Result<DockerHost> {
    let default = |host: String| DockerHost {
        context: "default".into(),
        host,
        tls: default_tls(tls, config_dir),
    };
    if let Some(h) = host_flag {
        return Ok(default(h.to_string()));
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let ctx = match context_flag {
        Some(c) => Some(c.to_string()),
        None => {
            if let Some(h) = env("DOCKER_HOST") {
                return Ok(default(h));
            }
            env("DOCKER_CONTEXT")
                .or_else(|| Some(config.current_context.clone()).filter(|c| !c.is_empty()))
        }
    };
    match ctx.as_deref() {
        None | Some("default") => {
            let t = default_tls(tls, config_dir);
            let fallback = if t.is_some() {
                "tcp://localhost:2376".to_string()
            } else {
                DEFAULT_DOCKER_HOST.to_string()
            };
            Ok(DockerHost {
                context: "default".into(),
                host: env("DOCKER_HOST").unwrap_or(fallback),
                tls: t,
            })
        }
        Some(name) => context_endpoint(config_dir, name),
    }
}

/// The names of the stored docker contexts (`contexts/meta/*/meta.json`),
/// unsorted; unreadable entries are skipped.
pub fn list_contexts(config_dir: &Path) -> Vec<String> {
    #[derive(Deserialize)]
    struct Named {
        #[serde(rename = "Name", default)]
        name: String,
    }
    let Ok(rd) = std::fs::read_dir(config_dir.join("contexts").join("meta")) else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path().join("meta.json")).ok())
        .filter_map(|d| serde_json::from_slice::<Named>(&d).ok())
        .map(|n| n.name)
        .filter(|n| !n.is_empty())
        .collect()
}

/// Reads the docker endpoint of context `name` from
/// `contexts/meta/<sha256(name)>/meta.json`.
pub fn context_host(config_dir: &Path, name: &str) -> Result<String> {
    Ok(context_endpoint(config_dir, name)?.host)
}

/// Context `name`'s docker endpoint: its host from
/// `contexts/meta/<sha256(name)>/meta.json`, its TLS files from
/// `contexts/tls/<sha256(name)>/docker/` and its `SkipTLSVerify`.
pub fn context_endpoint(config_dir: &Path, name: &str) -> Result<DockerHost> {
    let id = hex::encode(Sha256::digest(name.as_bytes()));
    let path = config_dir
        .join("contexts")
        .join("meta")
        .join(&id)
        .join("meta.json");
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Config(format!(
                "context {name:?} does not exist; list contexts with `docker context ls`"
            )))
        }
        Err(e) => return Err(Error::Io { path, source: e }),
    };
    let meta: Meta = serde_json::from_slice(&data)
        .map_err(|e| Error::Config(format!("{} is not valid JSON ({e})", path.display())))?;
    let Some(ep) = meta
        .endpoints
        .get("docker")
        .filter(|ep| !ep.host.is_empty())
    else {
        return Err(Error::Config(format!(
            "context {name:?} has no docker endpoint"
        )));
    };
    let tls_dir = config_dir
        .join("contexts")
        .join("tls")
        .join(&id)
        .join("docker");
    let file = |n: &str| Some(tls_dir.join(n)).filter(|p| p.exists());
    let (ca, cert, key) = (file("ca.pem"), file("cert.pem"), file("key.pem"));
    let any = ca.is_some() || cert.is_some() || key.is_some() || ep.skip_tls_verify;
    let tls = any.then_some(DockerTls {
        ca,
        cert,
        key,
        skip_verify: ep.skip_tls_verify,
    });
    Ok(DockerHost {
        context: name.to_string(),
        host: ep.host.clone(),
        tls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_host_wins() {
        let d = tempfile::tempdir().unwrap();
        let h =
            resolve_docker_host(Some("tcp://h:1"), None, d.path(), &ConfigFile::default()).unwrap();
        assert_eq!(h.host, "tcp://h:1");
    }

    #[test]
    fn named_context_is_read_from_meta() {
        let d = tempfile::tempdir().unwrap();
        let id = hex::encode(Sha256::digest(b"remote"));
        let dir = d.path().join("contexts/meta").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("meta.json"),
            r#"{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.1.2.3:2375","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        let h =
            resolve_docker_host(None, Some("remote"), d.path(), &ConfigFile::default()).unwrap();
        assert_eq!(h.host, "tcp://10.1.2.3:2375");
        assert_eq!(h.context, "remote");
        let err =
            resolve_docker_host(None, Some("nope"), d.path(), &ConfigFile::default()).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
