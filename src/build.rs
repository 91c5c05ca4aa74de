//! One-call builds: [`Client::build`] runs a build of [`BuildOptions`] and
//! returns a [`Build`]: a stream of typed progress events that resolves to
//! the result. The session, its services, temporary files and the node
//! identity are owned inside.

use std::future::{Future, IntoFuture};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::client::{driver, Client, ConnectOptions};
use crate::docker::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::progress::event::SolveStatus;
use crate::session::{Attachable, SharedService};
use crate::solve::options::BuildOptions;
use crate::solve::{OutputWriter, SolveResponse};

/// The client side of a build's session: where credentials and the node
/// identity come from, the session's name, extra services, and the writer
/// for an output to standard output.
#[derive(Debug)]
pub struct BuildSession {
    docker_config_dir: PathBuf,
    node_id: String,
    name: String,
    services: Vec<Box<dyn Attachable + Send>>,
    stdout: Option<OutputWriter>,
    credentials: bool,
}

impl BuildSession {
    /// A session with registry credentials from `docker_config_dir`'s
    /// `config.json` and buildx's node identity from its `buildx`
    /// directory, named `name` (buildx: the working directory's base name).
    pub fn new(docker_config_dir: impl Into<PathBuf>, name: impl Into<String>) -> BuildSession {
        let docker_config_dir = docker_config_dir.into();
        let node_id = docker::node_identifier(&docker_config_dir.join("buildx"));
        BuildSession::with_node_id(docker_config_dir, node_id, name.into())
    }

    fn with_node_id(docker_config_dir: PathBuf, node_id: String, name: String) -> BuildSession {
        BuildSession {
            docker_config_dir,
            node_id,
            name,
            services: Vec::new(),
            stdout: None,
            credentials: true,
        }
    }

    /// The session buildx would have here: the docker config directory of
    /// `DOCKER_CONFIG` (else `~/.docker`), the node identity in
    /// `BUILDX_CONFIG` (else its `buildx` directory), named after the
    /// working directory.
    pub fn from_env() -> BuildSession {
        let dir = docker::config_dir();
        let node_id = docker::node_identifier(&docker::buildx::dir_from_env(&dir));
        // No name: the options' own, else buildx's (the working directory's).
        BuildSession::with_node_id(dir, node_id, String::new())
    }

    /// Adds a service to the session (a secret store, an SSH agent, one of
    /// your own).
    pub fn attach(mut self, svc: impl Attachable + Send + 'static) -> BuildSession {
        self.services.push(Box::new(svc));
        self
    }

    /// Serves no registry credentials (the daemon pulls and pushes
    /// anonymously).
    pub fn without_credentials(mut self) -> BuildSession {
        self.credentials = false;
        self
    }

    /// Where an output to standard output (`-o -`, `type=tar` without a
    /// destination) is written.
    pub fn stdout(mut self, w: impl std::io::Write + Send + 'static) -> BuildSession {
        self.stdout = Some(OutputWriter::new(w));
        self
    }
}

/// A running build: a stream of progress events ([`Build::next`], or
/// [`futures_util::Stream`]) that resolves to the result when awaited.
/// Dropping it cancels the build on the daemon. `T` is the result: one
/// solve's response ([`Client::build`]), or each target's
/// ([`BuildPlan::start`](crate::builder::BuildPlan::start)).
#[derive(Debug)]
pub struct Build<T = SolveResponse> {
    events: Option<mpsc::Receiver<SolveStatus>>,
    task: Option<JoinHandle<Result<T>>>,
}

impl<T: Send + 'static> Build<T> {
    /// Runs `run` as a task, its progress sent into the channel it is
    /// given.
    pub(crate) fn spawn<F>(run: impl FnOnce(mpsc::Sender<SolveStatus>) -> F) -> Build<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(64);
        Build {
            events: Some(rx),
            task: Some(tokio::spawn(run(tx))),
        }
    }
}

impl Client {
    /// Resolves the builder as the docker CLI and buildx do without
    /// flags, and connects: `BUILDKIT_HOST` (a BuildKit daemon), else the
    /// docker daemon of `DOCKER_HOST`, `DOCKER_CONTEXT` or `config.json`'s
    /// `currentContext` (its embedded BuildKit).
    pub async fn from_docker_env() -> Result<Client> {
        let opts = ConnectOptions::default();
        if let Some(addr) = std::env::var("BUILDKIT_HOST")
            .ok()
            .filter(|a| !a.is_empty())
        {
            return Client::connect_driver(driver::for_address(&addr)?, opts).await;
        }
        let dir = docker::config_dir();
        let cfg = ConfigFile::load_from(&dir)?;
        let host = docker::resolve_docker_host(None, None, &dir, &cfg)?;
        let d = driver::docker::DockerDriver::for_docker_host(&host.host)?;
        Client::connect_driver(std::sync::Arc::new(d), opts).await
    }

    /// Starts a build of `opts` with the session buildx would have here
    /// ([`BuildSession::from_env`]).
    ///
    /// ```no_run
    /// # async fn f() -> rkbuild::Result<()> {
    /// let client = rkbuild::Client::from_docker_env().await?;
    /// let result = client.build(rkbuild::BuildOptions::dir("."))?.await?;
    /// println!("{:?}", result.digest());
    /// # Ok(()) }
    /// ```
    pub fn build(&self, opts: BuildOptions) -> Result<Build> {
        self.build_with(opts, BuildSession::from_env())
    }

    /// Starts a build of `opts` with `session`. Bad options are refused
    /// here, before anything is sent.
    ///
    /// The session's name, credentials, services and standard output take
    /// the place of the options' own (its services come after theirs).
    pub fn build_with(&self, mut opts: BuildOptions, session: BuildSession) -> Result<Build> {
        if !session.name.is_empty() {
            opts.session_name = session.name;
        }
        opts.credentials = match session.credentials {
            true => Some(crate::docker::CredentialStore::from_dir(
                &session.docker_config_dir,
            )?),
            false => None,
        };
        opts.session
            .extend(session.services.into_iter().map(SharedService::once));
        if session.stdout.is_some() {
            opts.stdout = session.stdout;
        }
        let (so, temps) = opts.to_solve(self.driver().as_ref(), &session.node_id)?;
        let client = self.clone();
        Ok(Build::spawn(|tx| async move {
            let r = crate::solve::solve(&client, so, Some(tx)).await;
            drop(temps);
            r
        }))
    }
}

impl<T> Build<T> {
    /// The next progress event; `None` once the build's progress ended.
    pub async fn next(&mut self) -> Option<SolveStatus> {
        self.events.as_mut()?.recv().await
    }

    /// Waits for the result. Progress not read yet is dropped.
    pub async fn finish(mut self) -> Result<T> {
        self.events = None;
        let Some(task) = self.task.as_mut() else {
            return Err(Error::AlreadyFinished);
        };
        let r = task.await.map_err(|e| Error::TaskFailed {
            task: "the build",
            reason: e.to_string(),
        })?;
        self.task = None;
        r
    }
}

impl<T> futures_util::Stream for Build<T> {
    type Item = SolveStatus;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<SolveStatus>> {
        match self.events.as_mut() {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

impl<T: Send + 'static> IntoFuture for Build<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.finish())
    }
}

impl<T> Drop for Build<T> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl SolveResponse {
    /// The image's digest (`containerimage.digest`), when an image was
    /// exported.
    pub fn digest(&self) -> Option<&str> {
        self.exporter_response
            .get("containerimage.digest")
            .map(String::as_str)
    }

    /// The image configuration's digest (`containerimage.config.digest`):
    /// the image ID `--iidfile` writes.
    pub fn config_digest(&self) -> Option<&str> {
        self.exporter_response
            .get("containerimage.config.digest")
            .map(String::as_str)
    }
}

impl BuildOptions {
    /// A build of the directory `dir` with its `Dockerfile` and buildx's
    /// defaults.
    pub fn dir(dir: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            context: Some(crate::solve::options::BuildContext::Dir(dir.into())),
            ..Default::default()
        }
    }
}
