//! Connecting to BuildKit and the Control service's calls.
//!
//! [`Client::connect`] takes a builder address (see [`Target::parse`]); the
//! [`driver`] behind it is chosen from the address: BuildKit's own socket
//! (`unix://`, `tcp://` with optional mTLS: [`driver::remote`]), or a
//! docker daemon's embedded BuildKit reached through the `/grpc` upgrade
//! (`docker+unix://`, `docker+tcp://`: [`driver::docker`]).
//! [`Client::connect_driver`] takes any [`Driver`].

mod addr;
mod disk_usage;
pub mod driver;
pub mod transport;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tonic::transport::{Channel, Endpoint as TonicEndpoint};

pub use addr::{Endpoint, Target};
pub use disk_usage::{CacheRecord, PruneOptions, Pruned};

pub use driver::{Driver, Features, LoadPath};
pub use transport::tcp::TlsOptions;

use crate::error::{Error, Result};
use crate::proto::moby::buildkit::v1 as control;
use control::control_client::ControlClient;

/// Largest gRPC message either side may send (BuildKit accepts 16 MiB).
pub const MAX_MESSAGE_SIZE: usize = 16 << 20;

/// HTTP/2 stream window: large, so file transfers are not throttled by
/// round trips.
const STREAM_WINDOW: u32 = 8 << 20;
/// HTTP/2 connection window.
const CONN_WINDOW: u32 = 16 << 20;

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Limit for establishing the connection.
    pub timeout: Duration,
    /// TLS for `tcp://` BuildKit targets.
    pub tls: Option<TlsOptions>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            timeout: Duration::from_secs(20),
            tls: None,
        }
    }
}

/// A connection to BuildKit's Control service.
#[derive(Clone, Debug)]
pub struct Client {
    driver: Arc<dyn Driver>,
    opts: ConnectOptions,
    control: ControlClient<Channel>,
}

/// BuildKit's version (Control.Info).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BuildkitVersion {
    /// Package, e.g. `github.com/moby/buildkit`.
    pub package: String,
    /// Version, e.g. `v0.13.2`.
    pub version: String,
    /// VCS revision.
    pub revision: String,
}

/// One BuildKit worker (Control.ListWorkers).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct WorkerInfo {
    /// Worker id.
    pub id: String,
    /// Worker labels (`org.mobyproject.buildkit.worker.*`).
    pub labels: BTreeMap<String, String>,
    /// Platforms in `os/arch[/variant]` form.
    pub platforms: Vec<String>,
    /// Garbage collection rules.
    pub gc_policy: Vec<GcPolicy>,
}

/// One garbage collection rule of a worker.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GcPolicy {
    /// The rule applies to all records.
    pub all: bool,
    /// Filters (`type==source.local`, ...).
    pub filters: Vec<String>,
    /// Keep records used within this many nanoseconds.
    pub keep_duration: i64,
    /// Keep this many bytes.
    pub keep_bytes: i64,
}

impl Client {
    /// Connects to the builder at `addr` with default options.
    ///
    /// ```no_run
    /// # async fn f() -> rkbuild::Result<()> {
    /// let client = rkbuild::Client::connect("docker+unix:///var/run/docker.sock").await?;
    /// println!("{}", client.info().await?.version);
    /// # Ok(()) }
    /// ```
    pub async fn connect(addr: &str) -> Result<Client> {
        Client::connect_driver(driver::for_address(addr)?, ConnectOptions::default()).await
    }

    /// Connects to `target` (the driver its address form names).
    pub async fn connect_with(target: Target, opts: ConnectOptions) -> Result<Client> {
        Client::connect_driver(driver::for_target(target), opts).await
    }

    /// Connects through `driver`.
    pub async fn connect_driver(driver: Arc<dyn Driver>, opts: ConnectOptions) -> Result<Client> {
        let channel = channel(&driver, &opts).await?;
        let control = ControlClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        Ok(Client {
            driver,
            opts,
            control,
        })
    }

    /// The driver this client talks through.
    pub fn driver(&self) -> &Arc<dyn Driver> {
        &self.driver
    }

    /// What the builder can do ([`Driver::features`]).
    pub fn features(&self) -> Features {
        self.driver.features()
    }

    /// The options used to connect.
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// A handle on the raw Control service client.
    pub fn control(&self) -> ControlClient<Channel> {
        self.control.clone()
    }

    /// Control.Info: the daemon's BuildKit version.
    pub async fn info(&self) -> Result<BuildkitVersion> {
        let resp = self
            .control
            .clone()
            .info(control::InfoRequest {})
            .await
            .map_err(|s| self.rpc_error("Control.Info", s))?
            .into_inner();
        let v = resp.buildkit_version.unwrap_or_default();
        Ok(BuildkitVersion {
            package: v.package,
            version: v.version,
            revision: v.revision,
        })
    }

    /// BuildKit's version, degrading as buildx does for a BuildKit without
    /// `Control.Info` (before 0.11, as in dockerd 20.10): the docker
    /// driver's version from the daemon's (buildx's table of the BuildKit
    /// in each dockerd release), an empty one elsewhere. Not an error.
    pub async fn buildkit_version(&self) -> Result<BuildkitVersion> {
        match self.info().await {
            Err(Error::NotBuildkit { .. }) => {
                let version = match self.driver.docker_api() {
                    Some(ep) => transport::engine::version(ep)
                        .await
                        .map(|v| crate::go::mobyversion::buildkit_of(&v.version))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                Ok(BuildkitVersion {
                    version,
                    ..Default::default()
                })
            }
            r => r,
        }
    }

    /// The IP `host-gateway` stands for in `--add-host`: the worker label
    /// `org.mobyproject.buildkit.worker.moby.host-gateway-ip` that dockerd's
    /// BuildKit sets (none elsewhere).
    pub async fn host_gateway_ip(&self) -> Result<Option<String>> {
        Ok(self.workers().await?.into_iter().find_map(|w| {
            w.labels
                .get("org.mobyproject.buildkit.worker.moby.host-gateway-ip")
                .filter(|v| !v.is_empty())
                .cloned()
        }))
    }

    /// Whether the daemon keeps build records (`Control.ListenBuildHistory`),
    /// asked as buildx asks it: a listen for a ref that does not exist, with
    /// early exit, that ends cleanly. Any error means no.
    pub async fn history_api_supported(&self) -> bool {
        let req = control::BuildHistoryRequest {
            active_only: true,
            r#ref: "buildx-test-history-api-feature".into(),
            early_exit: true,
            ..Default::default()
        };
        let Ok(resp) = self.control.clone().listen_build_history(req).await else {
            return false;
        };
        let mut stream = resp.into_inner();
        loop {
            match stream.message().await {
                Ok(None) => return true,
                Ok(Some(_)) => {}
                Err(_) => return false,
            }
        }
    }

    /// Control.ListWorkers: the workers and their platforms.
    pub async fn workers(&self) -> Result<Vec<WorkerInfo>> {
        let resp = self
            .control
            .clone()
            .list_workers(control::ListWorkersRequest { filter: vec![] })
            .await
            .map_err(|s| self.rpc_error("Control.ListWorkers", s))?
            .into_inner();
        Ok(resp
            .record
            .into_iter()
            .map(|w| WorkerInfo {
                id: w.id,
                labels: w.labels.into_iter().collect(),
                platforms: w.platforms.iter().map(crate::platform::format).collect(),
                gc_policy: w
                    .gc_policy
                    .into_iter()
                    .map(|g| GcPolicy {
                        all: g.all,
                        filters: g.filters,
                        keep_duration: g.keep_duration,
                        keep_bytes: g.keep_bytes,
                    })
                    .collect(),
            })
            .collect())
    }

    /// Turns a gRPC status into a typed error, recognising peers that do
    /// not speak BuildKit's API.
    pub(crate) fn rpc_error(&self, call: &'static str, status: tonic::Status) -> Error {
        classify_status(
            &self.driver.address(),
            self.opts.tls.is_some(),
            call,
            status,
        )
    }
}

pub(crate) fn classify_status(
    addr: &str,
    tls: bool,
    call: &'static str,
    status: tonic::Status,
) -> Error {
    use tonic::Code;
    // A status made by the client's own transport (not sent by the peer)
    // carries the transport error as its source.
    let transport_failure = matches!(
        status.code(),
        Code::Unknown | Code::Unavailable | Code::Internal | Code::Cancelled
    ) && std::error::Error::source(&status)
        .is_some_and(|e| e.is::<tonic::transport::Error>() || e.is::<hyper::Error>());
    if status.code() == Code::Unimplemented {
        return Error::NotBuildkit {
            addr: addr.to_string(),
            detail: format!("{call} is not implemented there"),
        };
    }
    if transport_failure {
        // Over a helper program (ssh, kubectl, docker exec): what it said.
        if let Some(why) = transport::command::last_failure(addr) {
            return Error::NotListening {
                addr: addr.to_string(),
                detail: why,
            };
        }
        let mut detail = status.message().to_string();
        let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&status);
        while let Some(e) = src {
            let s = e.to_string();
            if !detail.contains(&s) {
                detail = format!("{detail}: {s}");
            }
            src = e.source();
        }
        if tls {
            return Error::Tls {
                addr: addr.to_string(),
                detail: format!(
                    "the connection failed after the handshake; was the client certificate refused? ({detail})"
                ),
            };
        }
        return Error::NotBuildkit {
            addr: addr.to_string(),
            detail: format!("HTTP/2 exchange failed ({detail})"),
        };
    }
    Error::rpc(call, status)
}

/// Builds a gRPC channel whose connections come from the driver.
async fn channel(driver: &Arc<dyn Driver>, opts: &ConnectOptions) -> Result<Channel> {
    let addr = driver.address();
    let tls = match (&opts.tls, driver.tls_host()) {
        (Some(tls), Some(host)) => Some(tls.to_tonic(host)?),
        _ => None,
    };
    let uri = driver.grpc_uri(tls.is_some());
    let mut ep = TonicEndpoint::from_shared(uri)
        .map_err(|e| Error::InvalidAddress {
            addr: addr.clone(),
            reason: e.to_string(),
        })?
        .initial_stream_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONN_WINDOW)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_while_idle(false)
        .connect_timeout(opts.timeout);
    let has_tls = tls.is_some();
    if let Some(tls) = tls {
        ep = ep.tls_config(tls).map_err(|e| Error::Tls {
            addr: addr.clone(),
            detail: e.to_string(),
        })?;
    }
    // The connector records the typed error of a failed dial, so that the
    // caller sees "no such socket" rather than tonic's generic message.
    let last_err: Arc<Mutex<Option<Error>>> = Arc::default();
    let connector = {
        let driver = driver.clone();
        let timeout = opts.timeout;
        let last_err = last_err.clone();
        tower::service_fn(move |_: http::Uri| {
            let driver = driver.clone();
            let last_err = last_err.clone();
            async move {
                match driver.dial(timeout).await {
                    Ok(io) => Ok(TokioIo::new(io)),
                    Err(e) => {
                        let msg = e.to_string();
                        if let Ok(mut slot) = last_err.lock() {
                            *slot = Some(e);
                        }
                        Err(std::io::Error::other(msg))
                    }
                }
            }
        })
    };
    match ep.connect_with_connector(connector).await {
        Ok(ch) => Ok(ch),
        Err(e) => {
            if let Some(err) = last_err.lock().ok().and_then(|mut s| s.take()) {
                return Err(err);
            }
            if let Some(why) = transport::command::last_failure(&addr) {
                return Err(Error::NotListening { addr, detail: why });
            }
            let mut detail = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                detail = format!("{detail}: {s}");
                src = s.source();
            }
            if has_tls {
                Err(Error::Tls { addr, detail })
            } else {
                Err(Error::NotBuildkit { addr, detail })
            }
        }
    }
}
