//! Which builder a command talks to.

use std::sync::Arc;
use std::time::Duration;

use rkbuild::client::driver::{self, docker::DockerDriver};
use rkbuild::docker::{resolve_docker_host, ConfigFile};
use rkbuild::{Client, ConnectOptions, Driver, TlsOptions};

use super::args::GlobalOpts;
use super::error::{CliError, CliResult};
use super::plugin::DockerGlobals;

/// A resolved builder.
#[derive(Debug, Clone)]
pub struct Builder {
    /// Builder name as buildx would show it.
    pub name: String,
    /// How it is reached.
    pub driver: Arc<dyn Driver>,
    /// How to connect.
    pub opts: ConnectOptions,
    /// docker's `--debug` or the plugin's `-D`.
    pub debug: bool,
    /// The docker daemon of the current docker context (where `--load`
    /// loads images), when one is configured.
    pub docker_api: Option<rkbuild::client::Endpoint>,
}

impl Builder {
    /// Resolves the builder from flags, environment and docker config.
    pub fn resolve(g: &GlobalOpts, docker: &DockerGlobals) -> CliResult<Builder> {
        let tls = if g.tlscacert.is_some() || g.tlscert.is_some() || g.tlskey.is_some() {
            Some(TlsOptions {
                ca_cert: g.tlscacert.clone(),
                cert: g.tlscert.clone(),
                key: g.tlskey.clone(),
                server_name: g.tlsservername.clone(),
            })
        } else {
            None
        };
        let opts = ConnectOptions {
            timeout: Duration::from_secs(g.connect_timeout.max(1)),
            tls,
        };
        let dir = rkbuild::docker::config_dir();
        let docker_host = |cfg: &ConfigFile| {
            resolve_docker_host(docker.host.as_deref(), docker.context.as_deref(), &dir, cfg)
        };
        if let Some(addr) = g.addr.as_deref().filter(|a| !a.is_empty()) {
            let docker_api = ConfigFile::load_from(&dir)
                .ok()
                .and_then(|cfg| docker_host(&cfg).ok())
                .and_then(|h| DockerDriver::for_docker_host(&h.host).ok())
                .and_then(|d| d.docker_api().cloned());
            return Ok(Builder {
                name: addr.to_string(),
                driver: driver::for_address(addr)?,
                opts,
                debug: g.debug || docker.debug,
                docker_api,
            });
        }
        let cfg = ConfigFile::load_from(&dir)?;
        let host = docker_host(&cfg)?;
        if let Some(b) = g.builder.as_deref().filter(|b| !b.is_empty()) {
            if b != host.context && b != "default" {
                return Err(CliError::new(format!("no builder {b:?} found")).hint(
                    "only the docker daemon's own builder (\"default\" or the context name) and --addr are supported so far",
                ));
            }
        }
        let driver = DockerDriver::for_docker_host(&host.host)?;
        Ok(Builder {
            name: host.context.clone(),
            docker_api: driver.docker_api().cloned(),
            driver: Arc::new(driver),
            opts,
            debug: g.debug || docker.debug,
        })
    }

    /// Connects.
    pub async fn connect(&self) -> CliResult<Client> {
        Ok(Client::connect_driver(self.driver.clone(), self.opts.clone()).await?)
    }
}
