//! The `docker-container` driver: BuildKit in a container that the driver
//! makes on a docker daemon (buildx 0.13's `driver/docker-container`).
//!
//! - the container is `buildx_buildkit_<node>`, from the `image` driver
//!   option (default `moby/buildkit:buildx-stable-1`), privileged, with
//!   docker's init, restart policy `unless-stopped`, the state volume
//!   `buildx_buildkit_<node>_state` on `/var/lib/buildkit`, the node's
//!   buildkitd flags as its command, and on a cgroupfs daemon the cgroup
//!   parent `/docker/buildx` (or the `cgroup-parent` option);
//! - a `buildkitd.toml` given at `create` is copied to
//!   `/etc/buildkit/buildkitd.toml` and named with `--config`;
//! - booting (`[internal] booting buildkit`) pulls the image (falling back
//!   to a local one), creates and starts the container, then waits for
//!   `buildctl debug workers` to answer inside it;
//! - BuildKit's gRPC is reached through `buildctl dial-stdio` exec'd in the
//!   container: the exec is hijacked over the docker API and its output is
//!   docker's multiplexed stream, demultiplexed here (stdout is the gRPC
//!   connection; stderr is dropped).

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, BytesMut};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

use super::{BoxFuture, Driver, DriverKind, Features, Status};
use crate::client::addr::Endpoint;
use crate::client::transport::{engine as api, BoxIo};
use crate::error::{Error, Result};
use crate::progress::event::{SolveStatus, Timestamp, VertexStatus};
use crate::progress::local::LocalVertex;

/// buildx's default image for the driver.
pub const DEFAULT_IMAGE: &str = "moby/buildkit:buildx-stable-1";
/// buildx's container name prefix.
pub const NAME_PREFIX: &str = "buildx_buildkit_";
const STATE_SUFFIX: &str = "_state";
const API_TIMEOUT: Duration = Duration::from_secs(20);

/// The container settings from the node's driver options (buildx's
/// factory accepts these and refuses any other).
#[derive(Debug, Clone, Default)]
pub struct ContainerOptions {
    /// `image`.
    pub image: String,
    /// `network`.
    pub network: String,
    /// `cgroup-parent`.
    pub cgroup_parent: String,
    /// `restart-policy` (default `unless-stopped`).
    pub restart_policy: String,
    /// `env.NAME=value` options, as `NAME=value`.
    pub env: Vec<String>,
    /// `memory`, `memory-swap`, `cpu-*`, `cpuset-*`: docker's HostConfig
    /// resource fields and their values.
    pub resources: BTreeMap<&'static str, serde_json::Value>,
}

impl ContainerOptions {
    /// Reads the driver options as buildx's docker-container factory does.
    pub fn from_driver_opts(o: &BTreeMap<String, String>) -> std::result::Result<Self, String> {
        let mut c = ContainerOptions {
            restart_policy: "unless-stopped".into(),
            ..Default::default()
        };
        let int = |_k: &str, v: &str| {
            v.parse::<i64>().map_err(|_| {
                format!(
                    "strconv.ParseInt: parsing {}: invalid syntax",
                    crate::go::strconv::quote(v.as_bytes())
                )
            })
        };
        for (k, v) in o {
            match k.as_str() {
                "network" => c.network = v.clone(),
                "image" => c.image = v.clone(),
                "cgroup-parent" => c.cgroup_parent = v.clone(),
                "restart-policy" => c.restart_policy = v.clone(),
                "memory" | "memory-swap" => {
                    let n = crate::go::units::ram_in_bytes(v).map_err(|e| e.to_string())?;
                    let key = if k == "memory" {
                        "Memory"
                    } else {
                        "MemorySwap"
                    };
                    c.resources.insert(key, n.into());
                }
                "cpu-period" => {
                    c.resources.insert("CpuPeriod", int(k, v)?.into());
                }
                "cpu-quota" => {
                    c.resources.insert("CpuQuota", int(k, v)?.into());
                }
                "cpu-shares" => {
                    c.resources.insert("CpuShares", int(k, v)?.into());
                }
                "cpuset-cpus" => {
                    c.resources.insert("CpusetCpus", v.clone().into());
                }
                "cpuset-mems" => {
                    c.resources.insert("CpusetMems", v.clone().into());
                }
                _ if k.starts_with("env.") => {
                    let name = &k[4..];
                    if name.is_empty() {
                        return Err(format!("invalid env option {k:?}, expecting env.FOO=bar"));
                    }
                    c.env.push(format!("{name}={v}"));
                }
                _ => {
                    return Err(format!(
                        "invalid driver option {k} for docker-container driver"
                    ))
                }
            }
        }
        Ok(c)
    }
}

/// BuildKit in container `buildx_buildkit_<node>` on a docker daemon.
#[derive(Debug, Clone)]
pub struct DockerContainerDriver {
    api: Endpoint,
    name: String,
    opts: ContainerOptions,
    flags: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
}

#[derive(Deserialize)]
struct Inspect {
    #[serde(rename = "State")]
    state: State,
}

#[derive(Deserialize)]
struct State {
    #[serde(rename = "Running", default)]
    running: bool,
}

#[derive(Deserialize)]
struct ExecCreated {
    #[serde(rename = "Id")]
    id: String,
}

#[derive(Deserialize)]
struct ExecInspect {
    #[serde(rename = "ExitCode", default)]
    exit_code: i64,
    #[serde(rename = "Running", default)]
    running: bool,
}

impl DockerContainerDriver {
    /// The driver of node `node` on the docker daemon at `api`.
    pub fn new(
        api: Endpoint,
        node: &str,
        opts: ContainerOptions,
        flags: Vec<String>,
        files: BTreeMap<String, Vec<u8>>,
    ) -> DockerContainerDriver {
        DockerContainerDriver {
            api,
            name: format!("{NAME_PREFIX}{node}"),
            opts,
            flags,
            files,
        }
    }

    /// The container's name.
    pub fn container(&self) -> &str {
        &self.name
    }

    fn image(&self) -> &str {
        if self.opts.image.is_empty() {
            DEFAULT_IMAGE
        } else {
            &self.opts.image
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        json: Option<serde_json::Value>,
    ) -> Result<(u16, bytes::Bytes)> {
        let body = json.map(|j| serde_json::to_vec(&j).unwrap_or_default());
        api::call(&self.api, method, path, body, API_TIMEOUT).await
    }

    fn api_error(path: &str, status: u16, body: &[u8]) -> Error {
        Error::DockerApi {
            path: path.to_string(),
            status,
            message: api::message_of(body),
        }
    }

    /// The container's state: `Inactive` when there is none.
    async fn state(&self) -> Result<Status> {
        let path = format!("/containers/{}/json", self.name);
        let (st, body) = self.call("GET", &path, None).await?;
        match st {
            404 => Ok(Status::Inactive),
            200 => {
                let i: Inspect = serde_json::from_slice(&body).map_err(|source| {
                    crate::error::DockerError::Decode {
                        what: format!("inspecting {}", self.name),
                        source,
                    }
                })?;
                Ok(if i.state.running {
                    Status::Running
                } else {
                    Status::Stopped
                })
            }
            _ => Err(Self::api_error(&path, st, &body)),
        }
    }

    /// buildkitd's command line: `--config /etc/buildkit/buildkitd.toml`
    /// first when a config file was given, then the node's flags.
    fn command(&self) -> Vec<String> {
        let mut c = Vec::new();
        if self.files.contains_key("buildkitd.toml") {
            c.push("--config".to_string());
            c.push("/etc/buildkit/buildkitd.toml".to_string());
        }
        c.extend(self.flags.iter().cloned());
        c
    }

    async fn create(&self, v: &LocalVertex) -> Result<()> {
        let image = self.image().to_string();
        let pull = sub(v, &format!("pulling image {image}")).await;
        let (repo, tag) = split_image(&image);
        let path = format!("/images/create?fromImage={}&tag={}", enc(&repo), enc(&tag));
        let pulled = match api::stream(
            &self.api,
            "POST",
            &path,
            &[],
            http_body_util::Empty::<bytes::Bytes>::new(),
        )
        .await
        {
            Ok(body) => {
                let mut msgs = api::JsonMessages::new(body);
                let mut err = None;
                while let Ok(Some(m)) = msgs.next().await {
                    if let Some(e) = m.error() {
                        err = Some(e);
                    }
                }
                err.is_none()
            }
            Err(_) => false,
        };
        pull.done(v).await;
        if !pulled {
            let (st, body) = self
                .call("GET", &format!("/images/{}/json", enc(&image)), None)
                .await?;
            if st != 200 {
                return Err(Error::Config(format!(
                    "pulling image {image} failed and there is no local image of that name: {}",
                    api::message_of(&body)
                )));
            }
            sub(v, &format!("pulling failed, using local image {image}"))
                .await
                .done(v)
                .await;
        }
        let s = sub(v, &format!("creating container {}", self.name)).await;
        let info = self.call("GET", "/info", None).await.ok();
        let info: serde_json::Value = info
            .and_then(|(_, b)| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let mut hc = serde_json::json!({
            "Privileged": true,
            "RestartPolicy": {"Name": self.opts.restart_policy},
            "Mounts": [{
                "Type": "volume",
                "Source": format!("{}{STATE_SUFFIX}", self.name),
                "Target": "/var/lib/buildkit",
            }],
            "Init": true,
        });
        if !self.opts.network.is_empty() {
            hc["NetworkMode"] = self.opts.network.clone().into();
        }
        for (k, val) in &self.opts.resources {
            hc[*k] = val.clone();
        }
        if info["CgroupDriver"] == "cgroupfs" {
            hc["CgroupParent"] = if self.opts.cgroup_parent.is_empty() {
                "/docker/buildx".into()
            } else {
                self.opts.cgroup_parent.clone().into()
            };
        }
        if info["SecurityOptions"].as_array().is_some_and(|a| {
            a.iter()
                .any(|o| o.as_str().is_some_and(|s| s.contains("name=userns")))
        }) {
            hc["UsernsMode"] = "host".into();
        }
        let cfg = serde_json::json!({
            "Image": image,
            "Env": self.opts.env,
            "Cmd": self.command(),
            "HostConfig": hc,
        });
        let path = format!("/containers/create?name={}", enc(&self.name));
        // The step ends (its error is the boot's) however it went.
        let r = async {
            let (st, body) = self.call("POST", &path, Some(cfg)).await?;
            match st {
                200 | 201 => {
                    self.copy_files().await?;
                    self.start().await?;
                }
                // Made meanwhile by someone else: wait for it.
                409 => {}
                _ => return Err(Self::api_error(&path, st, &body)),
            }
            self.wait().await
        }
        .await;
        s.done(v).await;
        r
    }

    async fn copy_files(&self) -> Result<()> {
        if self.files.is_empty() {
            return Ok(());
        }
        let mut b = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o755);
        dir.set_uid(0);
        dir.set_gid(0);
        dir.set_size(0);
        let tar_err = crate::error::DockerError::Pack;
        b.append_data(&mut dir, "buildkit/", io::empty())
            .map_err(tar_err)?;
        for (name, data) in &self.files {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o644);
            h.set_uid(0);
            h.set_gid(0);
            h.set_size(data.len() as u64);
            b.append_data(&mut h, format!("buildkit/{name}"), data.as_slice())
                .map_err(tar_err)?;
        }
        let tarball = b.into_inner().map_err(tar_err)?;
        let path = format!("/containers/{}/archive?path=%2Fetc", enc(&self.name));
        let body = http_body_util::Full::new(bytes::Bytes::from(tarball));
        let answer = api::stream(
            &self.api,
            "PUT",
            &path,
            &[("Content-Type", "application/x-tar".into())],
            body,
        )
        .await?;
        use http_body_util::BodyExt;
        let _ = answer.collect().await;
        Ok(())
    }

    async fn start(&self) -> Result<()> {
        let path = format!("/containers/{}/start", enc(&self.name));
        let (st, body) = self.call("POST", &path, None).await?;
        match st {
            204 | 304 => Ok(()),
            _ => Err(Self::api_error(&path, st, &body)),
        }
    }

    /// Runs `cmd` in the container; its stdout and stderr and exit code.
    async fn run(&self, cmd: &[&str]) -> Result<(Vec<u8>, Vec<u8>, i64)> {
        let (id, io) = self.exec(cmd).await?;
        let mut demux = Demux::new(io);
        let mut out = Vec::new();
        let mut err = Vec::new();
        demux.read_all(&mut out, &mut err).await;
        let path = format!("/exec/{id}/json");
        // The exit code is set once the process is reaped.
        for _ in 0..50 {
            let (st, body) = self.call("GET", &path, None).await?;
            if st != 200 {
                return Err(Self::api_error(&path, st, &body));
            }
            let i: ExecInspect = serde_json::from_slice(&body).map_err(|source| {
                crate::error::DockerError::Decode {
                    what: "exec inspect".into(),
                    source,
                }
            })?;
            if !i.running {
                return Ok((out, err, i.exit_code));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok((out, err, -1))
    }

    async fn exec(&self, cmd: &[&str]) -> Result<(String, BoxIo)> {
        let path = format!("/containers/{}/exec", enc(&self.name));
        let cfg = serde_json::json!({
            "Cmd": cmd,
            "AttachStdin": true,
            "AttachStdout": true,
            "AttachStderr": true,
        });
        let (st, body) = self.call("POST", &path, Some(cfg)).await?;
        if st != 201 && st != 200 {
            return Err(match st {
                404 => Error::NotListening {
                    addr: format!("docker-container://{}", self.name),
                    detail: format!("no container {} ({})", self.name, api::message_of(&body)),
                },
                409 => Error::NotListening {
                    addr: format!("docker-container://{}", self.name),
                    detail: format!("container {} is not running", self.name),
                },
                _ => Self::api_error(&path, st, &body),
            });
        }
        let created: ExecCreated =
            serde_json::from_slice(&body).map_err(|source| crate::error::DockerError::Decode {
                what: "exec create".into(),
                source,
            })?;
        if created.id.is_empty() {
            return Err(crate::error::DockerError::EmptyExecId.into());
        }
        let start = format!("/exec/{}/start", created.id);
        let io = api::hijack(
            &self.api,
            &start,
            br#"{"Detach":false,"Tty":false}"#.to_vec(),
            API_TIMEOUT,
        )
        .await?;
        Ok((created.id, io))
    }

    /// buildx's wait: `buildctl debug workers` in the container, 15 tries
    /// 120 ms apart, growing.
    async fn wait(&self) -> Result<()> {
        let mut last = String::new();
        for attempt in 1..=16u64 {
            match self.run(&["buildctl", "debug", "workers"]).await {
                Ok((_, _, 0)) => return Ok(()),
                Ok((_, err, code)) => {
                    last = format!("exit code {code}: {}", String::from_utf8_lossy(&err).trim())
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(attempt * 120)).await;
        }
        let logs = self.logs().await;
        Err(Error::Config(format!(
            "buildkitd in container {} did not answer: {last}{}",
            self.name,
            if logs.is_empty() {
                String::new()
            } else {
                format!("; its last log line: {logs}")
            }
        )))
    }

    async fn logs(&self) -> String {
        let path = format!(
            "/containers/{}/logs?stdout=1&stderr=1&tail=5",
            enc(&self.name)
        );
        match self.call("GET", &path, None).await {
            Ok((200, body)) => {
                let mut out = Vec::new();
                let mut err = Vec::new();
                demux_bytes(&body, &mut out, &mut err);
                let all = [out, err].concat();
                String::from_utf8_lossy(&all)
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
                    .to_string()
            }
            _ => String::new(),
        }
    }

    /// `buildkitd --version` in the container: its third word.
    pub async fn version(&self) -> Result<String> {
        let (out, err, code) = self.run(&["buildkitd", "--version"]).await?;
        if code != 0 {
            return Err(crate::error::DockerError::Exit {
                code,
                stderr: String::from_utf8_lossy(&err).trim().to_string(),
            }
            .into());
        }
        let s = String::from_utf8_lossy(&out).to_string();
        let w: Vec<&str> = s.split_whitespace().collect();
        w.get(2)
            .map(|v| v.to_string())
            .ok_or_else(|| crate::error::DockerError::VersionFormat(s.clone()).into())
    }
}

struct Sub {
    st: VertexStatus,
}

async fn sub(v: &LocalVertex, name: &str) -> Sub {
    let st = VertexStatus {
        id: name.to_string(),
        name: name.to_string(),
        timestamp: Timestamp::now(),
        started: Some(Timestamp::now()),
        ..Default::default()
    };
    v.status(st.clone()).await;
    Sub { st }
}

impl Sub {
    async fn done(mut self, v: &LocalVertex) {
        self.st.completed = Some(Timestamp::now());
        self.st.timestamp = Timestamp::now();
        v.status(self.st).await;
    }
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `repo[:tag]` → (repo, tag); `latest` when no tag; a digest is kept in
/// the tag slot as docker's `fromImage`/`tag` take it.
fn split_image(image: &str) -> (String, String) {
    if let Some((r, d)) = image.split_once('@') {
        return (r.to_string(), d.to_string());
    }
    match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
        _ => (image.to_string(), "latest".to_string()),
    }
}

impl Driver for DockerContainerDriver {
    fn name(&self) -> &'static str {
        DriverKind::DockerContainer.name()
    }

    fn address(&self) -> String {
        format!("docker-container://{}", self.name)
    }

    /// buildx 0.13's docker-container driver.
    fn features(&self) -> Features {
        Features::buildkit()
    }

    fn is_local(&self) -> bool {
        self.api.is_local()
    }

    fn dial(&self, timeout: Duration) -> BoxFuture<'_, Result<BoxIo>> {
        Box::pin(async move {
            let addr = self.address();
            super::within(&addr, timeout, async {
                let (_, io) = self.exec(&["buildctl", "dial-stdio"]).await?;
                Ok(Box::new(Demux::new(io)) as BoxIo)
            })
            .await
        })
    }

    fn docker_api(&self) -> Option<&Endpoint> {
        None
    }

    fn status(&self) -> BoxFuture<'_, Result<Option<Status>>> {
        Box::pin(async move { self.state().await.map(Some) })
    }

    fn boot(&self, progress: Option<mpsc::Sender<SolveStatus>>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let state = self.state().await?;
            if state == Status::Running {
                return Ok(());
            }
            let v = LocalVertex::start(progress, "[internal] booting buildkit").await;
            let r = if state == Status::Inactive {
                self.create(&v).await
            } else {
                let s = sub(&v, &format!("starting container {}", self.name)).await;
                let r = match self.start().await {
                    Ok(()) => self.wait().await,
                    Err(e) => Err(e),
                };
                s.done(&v).await;
                r
            };
            v.done(r.as_ref().err().map(|e| e.to_string()).as_deref())
                .await;
            r
        })
    }

    fn stop(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if self.state().await? != Status::Running {
                return Ok(());
            }
            let path = format!("/containers/{}/stop", enc(&self.name));
            let (st, body) =
                api::call(&self.api, "POST", &path, None, Duration::from_secs(60)).await?;
            match st {
                204 | 304 => Ok(()),
                _ => Err(Self::api_error(&path, st, &body)),
            }
        })
    }

    fn remove(&self, keep_state: bool, keep_daemon: bool) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if keep_daemon || self.state().await? == Status::Inactive {
                return Ok(());
            }
            let path = format!("/containers/{}?v=1&force=1", enc(&self.name));
            let (st, body) = self.call("DELETE", &path, None).await?;
            if st != 204 && st != 404 {
                return Err(Self::api_error(&path, st, &body));
            }
            if !keep_state {
                let path = format!("/volumes/{}{STATE_SUFFIX}", enc(&self.name));
                let (st, body) = self.call("DELETE", &path, None).await?;
                if st != 204 && st != 404 {
                    return Err(Self::api_error(&path, st, &body));
                }
            }
            Ok(())
        })
    }
}

/// docker's multiplexed stream (`stdcopy`): 8-byte headers (stream,
/// 0, 0, 0, big-endian length) before each chunk. Reads give stdout's
/// bytes; writes go to the process's stdin unchanged.
struct Demux {
    io: BoxIo,
    buf: BytesMut,
    /// Bytes of stdout still to hand out from the current frame.
    want: usize,
    /// Bytes of another stream still to skip.
    skip: usize,
    eof: bool,
}

impl Demux {
    fn new(io: BoxIo) -> Demux {
        Demux {
            io,
            buf: BytesMut::with_capacity(64 << 10),
            want: 0,
            skip: 0,
            eof: false,
        }
    }

    async fn read_all(&mut self, out: &mut Vec<u8>, err: &mut Vec<u8>) {
        use tokio::io::AsyncReadExt;
        let mut raw = Vec::new();
        let _ = self.io.read_to_end(&mut raw).await;
        demux_bytes(&raw, out, err);
    }
}

fn demux_bytes(mut raw: &[u8], out: &mut Vec<u8>, err: &mut Vec<u8>) {
    while raw.len() >= 8 {
        let n = u32::from_be_bytes([raw[4], raw[5], raw[6], raw[7]]) as usize;
        let end = (8 + n).min(raw.len());
        match raw[0] {
            1 => out.extend_from_slice(&raw[8..end]),
            _ => err.extend_from_slice(&raw[8..end]),
        }
        raw = &raw[end..];
    }
}

impl AsyncRead for Demux {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            // Hand out stdout bytes of the current frame first.
            if this.want > 0 && !this.buf.is_empty() {
                let n = this.want.min(this.buf.len()).min(out.remaining());
                out.put_slice(&this.buf[..n]);
                this.buf.advance(n);
                this.want -= n;
                return Poll::Ready(Ok(()));
            }
            if this.skip > 0 && !this.buf.is_empty() {
                let n = this.skip.min(this.buf.len());
                this.buf.advance(n);
                this.skip -= n;
                continue;
            }
            if this.want == 0 && this.skip == 0 && this.buf.len() >= 8 {
                let n = u32::from_be_bytes([this.buf[4], this.buf[5], this.buf[6], this.buf[7]])
                    as usize;
                let stream = this.buf[0];
                this.buf.advance(8);
                if stream == 1 {
                    this.want = n;
                } else {
                    this.skip = n;
                }
                continue;
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            // Need more bytes.
            let mut tmp = [0u8; 32 << 10];
            let mut rb = ReadBuf::new(&mut tmp);
            match Pin::new(&mut this.io).poll_read(cx, &mut rb) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    if rb.filled().is_empty() {
                        this.eof = true;
                    } else {
                        this.buf.extend_from_slice(rb.filled());
                    }
                }
            }
        }
    }
}

impl AsyncWrite for Demux {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn demultiplexes_docker_streams() {
        let (a, mut b) = tokio::io::duplex(1024);
        let mut d = Demux::new(Box::new(a));
        let mut frames = Vec::new();
        for (s, data) in [(1u8, &b"hel"[..]), (2, b"noise"), (1, b"lo")] {
            frames.push(s);
            frames.extend_from_slice(&[0, 0, 0]);
            frames.extend_from_slice(&(data.len() as u32).to_be_bytes());
            frames.extend_from_slice(data);
        }
        // Split a header across writes.
        b.write_all(&frames[..5]).await.unwrap();
        b.write_all(&frames[5..]).await.unwrap();
        drop(b);
        let mut out = Vec::new();
        d.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, b"hello");
    }

    #[test]
    fn driver_options_as_buildx_reads_them() {
        let mut o = BTreeMap::new();
        o.insert("image".to_string(), "local/bk:1".to_string());
        o.insert("env.FOO".to_string(), "bar".to_string());
        o.insert("memory".to_string(), "1g".to_string());
        let c = ContainerOptions::from_driver_opts(&o).unwrap();
        assert_eq!(c.image, "local/bk:1");
        assert_eq!(c.env, ["FOO=bar"]);
        assert_eq!(c.resources["Memory"], 1073741824i64);
        assert_eq!(c.restart_policy, "unless-stopped");
        o.insert("bogus".to_string(), "1".to_string());
        assert_eq!(
            ContainerOptions::from_driver_opts(&o).unwrap_err(),
            "invalid driver option bogus for docker-container driver"
        );
        assert_eq!(split_image("local/bk:1"), ("local/bk".into(), "1".into()));
        assert_eq!(
            split_image("localhost:5000/bk"),
            ("localhost:5000/bk".into(), "latest".into())
        );
    }
}
