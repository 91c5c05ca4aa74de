//! Which builder a command talks to: `--addr`/`BUILDKIT_HOST`, else
//! buildx's builder (`--builder`, `BUILDX_BUILDER`, the one `use`
//! selected, the docker context's own) from buildx's store
//! ([`crate::builder::Builder`]); and the progress display of what a
//! builder boots.

use std::time::Duration;

use crate::builder::{Builder, TargetNodes};
use crate::docker::builders::DockerCli;
use crate::docker::ConfigFile;
use crate::progress::{DisplayEnv, Printer, PrinterOptions, ProgressMode, Summary};
use crate::{ConnectOptions, SolveStatus, TlsOptions};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::args::GlobalOpts;
use super::error::CliResult;
use super::plugin::DockerGlobals;

/// The docker CLI's view from the plugin's globals.
pub fn docker_cli(docker: &DockerGlobals) -> CliResult<DockerCli> {
    let dir = crate::docker::config_dir();
    Ok(DockerCli {
        config: ConfigFile::load_from(&dir)?,
        config_dir: dir,
        host_flag: docker.host.clone(),
        context_flag: docker.context.clone(),
        tls: docker.tls.clone(),
    })
}

/// The connect limit of `--connect-timeout`.
pub fn connect_timeout(g: &GlobalOpts) -> Duration {
    Duration::from_secs(g.connect_timeout.max(1))
}

/// docker's `--debug` or the plugin's `-D`.
pub fn debug(g: &GlobalOpts, docker: &DockerGlobals) -> bool {
    g.debug || docker.debug
}

/// The builder of a build (and of `version`, `du`, `prune`) from flags,
/// environment and docker config.
pub fn resolve(g: &GlobalOpts, docker: &DockerGlobals) -> CliResult<Builder> {
    let timeout = connect_timeout(g);
    if let Some(addr) = g.addr.as_deref().filter(|a| !a.is_empty()) {
        let tls = (g.tlscacert.is_some() || g.tlscert.is_some() || g.tlskey.is_some()).then(|| {
            TlsOptions {
                ca_cert: g.tlscacert.clone(),
                cert: g.tlscert.clone(),
                key: g.tlskey.clone(),
                server_name: g.tlsservername.clone(),
            }
        });
        let opts = ConnectOptions { timeout, tls };
        return Ok(Builder::for_address(addr, opts, docker_cli(docker).ok())?);
    }
    let cli = docker_cli(docker)?;
    Ok(Builder::resolve(&cli, g.builder.as_deref(), timeout)?)
}

/// Builder `name` (`--builder` when `None`), else the current one, from
/// buildx's store or the docker contexts (`inspect`, `stop`).
pub fn find(cli: &DockerCli, name: Option<&str>, g: &GlobalOpts) -> CliResult<Builder> {
    let name = name.or(g.builder.as_deref());
    Ok(Builder::find(cli, name, connect_timeout(g))?)
}

/// A progress display on stderr that starts when the builder's progress
/// does (nothing is drawn for a command that fails before).
pub struct Display {
    mode: ProgressMode,
    task: Option<JoinHandle<Summary>>,
}

impl Display {
    /// A display in `mode`, not started.
    pub fn new(mode: ProgressMode) -> Display {
        Display { mode, task: None }
    }

    /// Starts the display with `opts` (and the environment's display
    /// settings).
    pub fn open(&mut self, mut opts: PrinterOptions) -> crate::Result<mpsc::Sender<SolveStatus>> {
        opts.env = DisplayEnv::from_env();
        let (tx, task) = Printer::stderr(self.mode, opts)?.spawn();
        self.task = Some(task);
        Ok(tx)
    }

    /// Starts the display of a build on `builder`: buildx's descriptions,
    /// and which node builds what when several do.
    pub fn open_build(
        &mut self,
        builder: &Builder,
        shares: &[TargetNodes],
    ) -> crate::Result<mpsc::Sender<SolveStatus>> {
        let driver = builder.driver()?.name();
        let mut opts = PrinterOptions::for_builder(builder.name(), driver);
        for t in shares.iter().filter(|t| t.nodes.len() > 1) {
            for n in &t.nodes {
                opts.text_desc.push_str(&format!(
                    "\n#0 node {} builds {}",
                    n.node,
                    n.platforms.join(", ")
                ));
            }
        }
        self.open(opts)
    }

    /// Waits for the display to end (every sender dropped) and returns
    /// what it learnt.
    pub async fn finish(self) -> Summary {
        match self.task {
            Some(t) => t.await.unwrap_or_default(),
            None => Summary::default(),
        }
    }
}

/// `--bootstrap`: boots the nodes of `builder` that are not running
/// (its progress on stderr in auto mode), then checks that every node
/// answers.
pub async fn bootstrap(builder: &Builder) -> CliResult {
    boot(builder).await?;
    builder.load().await.check_bootstrapped()?;
    Ok(())
}

/// Boots the nodes of `builder` that are not running (buildx's
/// `Builder.Boot`, its progress on stderr in auto mode).
pub async fn boot(builder: &Builder) -> CliResult {
    let mut display = Display::new(ProgressMode::resolve(
        ProgressMode::Auto.as_str(),
        false,
        None,
    )?);
    let booted = builder
        .boot(|| display.open(PrinterOptions::default()))
        .await;
    display.finish().await;
    booted?;
    Ok(())
}
