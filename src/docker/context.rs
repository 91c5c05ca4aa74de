//! Which docker daemon to use: `-H`, `DOCKER_HOST`, `--context`,
//! `DOCKER_CONTEXT`, `currentContext`, then the default socket — the docker
//! CLI's order.

use std::path::Path;

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
    if let Some(h) = host_flag {
        return Ok(DockerHost {
            context: "default".into(),
            host: h.to_string(),
        });
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let ctx = match context_flag {
        Some(c) => Some(c.to_string()),
        None => {
            if let Some(h) = env("DOCKER_HOST") {
                return Ok(DockerHost {
                    context: "default".into(),
                    host: h,
                });
            }
            env("DOCKER_CONTEXT")
                .or_else(|| Some(config.current_context.clone()).filter(|c| !c.is_empty()))
        }
    };
    match ctx.as_deref() {
        None | Some("default") => Ok(DockerHost {
            context: "default".into(),
            host: env("DOCKER_HOST").unwrap_or_else(|| DEFAULT_DOCKER_HOST.into()),
        }),
        Some(name) => {
            let host = context_host(config_dir, name)?;
            Ok(DockerHost {
                context: name.to_string(),
                host,
            })
        }
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
    let id = hex::encode(Sha256::digest(name.as_bytes()));
    let path = config_dir
        .join("contexts")
        .join("meta")
        .join(id)
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
    match meta.endpoints.get("docker") {
        Some(ep) if !ep.host.is_empty() => Ok(ep.host.clone()),
        _ => Err(Error::Config(format!(
            "context {name:?} has no docker endpoint"
        ))),
    }
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
