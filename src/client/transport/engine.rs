//! The Docker Engine API (dockerd's HTTP API): `/_ping`, `/version`, the
//! connection upgrades (`POST /grpc`, `POST /session`) that carry HTTP/2 to
//! the embedded BuildKit, streaming calls and exec hijacks.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;

use super::{dial_endpoint, BoxIo};
use crate::client::addr::Endpoint;
use crate::error::{DockerError, Error, Result};

/// How long a plain API call may take.
const API_TIMEOUT: Duration = Duration::from_secs(20);

fn host_header(ep: &Endpoint) -> String {
    match ep {
        Endpoint::Unix(_) => "docker".to_string(),
        // The docker CLI names a helper-reached daemon `docker.example.com`.
        Endpoint::Command { .. } => "docker.example.com".to_string(),
        Endpoint::Tcp { host, port } | Endpoint::TcpTls { host, port, .. } => {
            format!("{host}:{port}")
        }
    }
}

/// An error and its sources, `a: b: c` (hyper's own text is only its
/// kind, such as "connection error").
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let t = x.to_string();
        if !s.contains(&t) {
            s = format!("{s}: {t}");
        }
        src = x.source();
    }
    s
}

fn not_docker(ep: &Endpoint, detail: impl Into<String>) -> Error {
    Error::NotDocker {
        addr: ep.to_string(),
        detail: detail.into(),
    }
}

/// A fresh HTTP/1.1 connection to the daemon, driven in the background
/// (upgrades allowed); dialling is limited to `timeout`.
async fn connect<B>(
    ep: &Endpoint,
    timeout: Duration,
) -> Result<hyper::client::conn::http1::SendRequest<B>>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let io = dial_endpoint(ep, timeout).await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| not_docker(ep, format!("HTTP handshake failed: {e}")))?;
    tokio::spawn(async move {
        let _ = conn.with_upgrades().await;
    });
    Ok(sender)
}

/// Sends one HTTP/1.1 request on a fresh connection and returns the response
/// with the connection still driven in the background (upgrades allowed).
async fn send<B>(
    ep: &Endpoint,
    req: Request<B>,
    timeout: Duration,
) -> Result<hyper::Response<hyper::body::Incoming>>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut sender = connect(ep, timeout).await?;
    let path = req.uri().to_string();
    match tokio::time::timeout(timeout, sender.send_request(req)).await {
        Ok(Ok(resp)) => Ok(resp),
        Ok(Err(e)) => Err(not_docker(ep, format!("{path}: {}", chain(&e)))),
        Err(_) => Err(Error::Timeout {
            addr: ep.to_string(),
            secs: timeout.as_secs_f64(),
        }),
    }
}

fn request(ep: &Endpoint, method: &str, path: &str) -> Result<http::request::Builder> {
    Ok(Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, host_header(ep))
        .header(
            hyper::header::USER_AGENT,
            concat!("rkbuild/", env!("CARGO_PKG_VERSION")),
        ))
}

fn build(ep: &Endpoint, b: http::request::Builder) -> Result<Request<Empty<Bytes>>> {
    b.body(Empty::new())
        .map_err(|e| not_docker(ep, format!("bad request: {e}")))
}

/// Upgrades `POST path` to h2c and returns the raw stream. `headers` are
/// extra request headers (the session's `X-Docker-Expose-Session-*`).
pub(crate) async fn upgrade(
    ep: &Endpoint,
    path: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<BoxIo> {
    upgrade_to(ep, path, "h2c", headers, Bytes::new(), timeout).await
}

/// `POST path` with upgrade `protocol` (`h2c` for BuildKit's endpoints,
/// `tcp` for the docker CLI's hijacked `exec`), `json` as its body (none:
/// `Content-Length: 0`); the raw stream after the daemon's 101.
async fn upgrade_to(
    ep: &Endpoint,
    path: &str,
    protocol: &'static str,
    headers: &[(String, String)],
    json: Bytes,
    timeout: Duration,
) -> Result<BoxIo> {
    let mut b = request(ep, "POST", path)?
        .header(hyper::header::CONNECTION, "Upgrade")
        .header(hyper::header::UPGRADE, protocol);
    b = if json.is_empty() {
        b.header(hyper::header::CONTENT_LENGTH, "0")
    } else {
        b.header(hyper::header::CONTENT_TYPE, "application/json")
    };
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let req = b
        .body(http_body_util::Full::new(json))
        .map_err(|e| not_docker(ep, format!("bad request: {e}")))?;
    let resp = send(ep, req, timeout).await?;
    let status = resp.status();
    if status != StatusCode::SWITCHING_PROTOCOLS {
        let body = read_body(resp).await.unwrap_or_default();
        let msg = docker_message(&body);
        return Err(if status == StatusCode::NOT_FOUND && protocol == "h2c" {
            Error::NotBuildkit {
                addr: format!("docker+{ep}"),
                detail: format!(
                    "the daemon has no {path} endpoint (needs dockerd 23 or later with BuildKit): {msg}"
                ),
            }
        } else {
            Error::DockerApi {
                path: path.to_string(),
                status: status.as_u16(),
                message: msg,
            }
        });
    }
    let upgraded = hyper::upgrade::on(resp)
        .await
        .map_err(|e| not_docker(ep, format!("upgrade of {path} failed: {e}")))?;
    Ok(Box::new(TokioIo::new(upgraded)))
}

/// One API call with an optional JSON body; returns the status and body
/// whatever the status (the caller reads the daemon's answer).
pub(crate) async fn call(
    ep: &Endpoint,
    method: &str,
    path: &str,
    json: Option<Vec<u8>>,
    timeout: Duration,
) -> Result<(u16, Bytes)> {
    let mut sender = connect::<http_body_util::Full<Bytes>>(ep, timeout).await?;
    let mut b = request(ep, method, path)?;
    let body = match json {
        Some(j) => {
            b = b.header(hyper::header::CONTENT_TYPE, "application/json");
            Bytes::from(j)
        }
        None => Bytes::new(),
    };
    let req = b
        .body(http_body_util::Full::new(body))
        .map_err(|e| not_docker(ep, format!("bad request: {e}")))?;
    let fut = async {
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| not_docker(ep, format!("{method} {path}: {}", chain(&e))))?;
        let status = resp.status().as_u16();
        Ok((status, read_body(resp).await?))
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(Error::Timeout {
            addr: ep.to_string(),
            secs: timeout.as_secs_f64(),
        }),
    }
}

/// The daemon's message in an error answer.
pub(crate) fn message_of(body: &[u8]) -> String {
    docker_message(body)
}

/// `POST path` with a JSON body, hijacked as the docker CLI does for
/// `exec` (`Upgrade: tcp`): the raw stream after the daemon's 101.
pub(crate) async fn hijack(
    ep: &Endpoint,
    path: &str,
    json: Vec<u8>,
    timeout: Duration,
) -> Result<BoxIo> {
    upgrade_to(ep, path, "tcp", &[], Bytes::from(json), timeout).await
}

async fn read_body(resp: hyper::Response<hyper::body::Incoming>) -> Result<Bytes> {
    resp.into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| {
            DockerError::Read {
                what: "response",
                reason: e.to_string(),
            }
            .into()
        })
}

fn docker_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Msg {
        message: String,
    }
    match serde_json::from_slice::<Msg>(body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    }
}

/// `GET path` returning the body, failing on non-2xx.
pub(crate) async fn get(ep: &Endpoint, path: &str) -> Result<Bytes> {
    let resp = send(ep, build(ep, request(ep, "GET", path)?)?, API_TIMEOUT).await?;
    let status = resp.status();
    let is_docker = resp.headers().contains_key("api-version")
        || resp.headers().contains_key("docker-experimental");
    let body = read_body(resp).await?;
    if !status.is_success() {
        if !is_docker {
            return Err(not_docker(ep, format!("GET {path} answered {status}")));
        }
        return Err(Error::DockerApi {
            path: path.to_string(),
            status: status.as_u16(),
            message: docker_message(&body),
        });
    }
    Ok(body)
}

/// A request whose answer streams (`POST /images/NAME/push`,
/// `POST /images/load`): only the connection is time-limited; the body
/// (`body`) is sent as it comes and the answer read as the daemon writes
/// it. A non-2xx answer is an error with the daemon's message.
pub(crate) async fn stream<B>(
    ep: &Endpoint,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: B,
) -> Result<hyper::body::Incoming>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut sender = connect(ep, API_TIMEOUT).await?;
    let mut b = request(ep, method, path)?;
    for (k, v) in headers {
        b = b.header(*k, v.as_str());
    }
    let req = b
        .body(body)
        .map_err(|e| not_docker(ep, format!("bad request: {e}")))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| not_docker(ep, format!("{path}: {}", chain(&e))))?;
    let status = resp.status();
    if !status.is_success() {
        let body = read_body(resp).await.unwrap_or_default();
        return Err(Error::DockerApi {
            path: path.to_string(),
            status: status.as_u16(),
            message: docker_message(&body),
        });
    }
    Ok(resp.into_body())
}

/// One message of a docker API progress stream (Go's `jsonmessage`).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct JsonMessage {
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) id: String,
    #[serde(rename = "progressDetail", default)]
    pub(crate) progress: Option<JsonProgress>,
    #[serde(rename = "errorDetail", default)]
    pub(crate) error_detail: Option<JsonError>,
    #[serde(default)]
    pub(crate) error: String,
    #[serde(default)]
    pub(crate) aux: Option<serde_json::Value>,
}

/// `progressDetail`.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct JsonProgress {
    #[serde(default)]
    pub(crate) current: i64,
    #[serde(default)]
    pub(crate) total: i64,
}

/// `errorDetail`.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct JsonError {
    #[serde(default)]
    pub(crate) message: String,
}

impl JsonMessage {
    /// The error the message carries, if any.
    pub(crate) fn error(&self) -> Option<String> {
        match &self.error_detail {
            Some(d) if !d.message.is_empty() => Some(d.message.clone()),
            _ if !self.error.is_empty() => Some(self.error.clone()),
            _ => None,
        }
    }
}

/// Reads a docker API stream of JSON messages, one at a time.
pub(crate) struct JsonMessages {
    body: hyper::body::Incoming,
    buf: Vec<u8>,
    done: bool,
}

impl JsonMessages {
    pub(crate) fn new(body: hyper::body::Incoming) -> Self {
        JsonMessages {
            body,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The next message; `None` at the end of the stream. Lines that are
    /// not JSON messages are skipped.
    pub(crate) async fn next(&mut self) -> Result<Option<JsonMessage>> {
        use http_body_util::BodyExt;
        loop {
            while let Some(nl) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=nl).collect();
                if let Ok(m) = serde_json::from_slice::<JsonMessage>(line.trim_ascii()) {
                    return Ok(Some(m));
                }
            }
            if self.done {
                let rest = std::mem::take(&mut self.buf);
                return Ok(serde_json::from_slice::<JsonMessage>(rest.trim_ascii()).ok());
            }
            match self.body.frame().await {
                None => self.done = true,
                Some(Ok(f)) => {
                    if let Ok(data) = f.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => {
                    return Err(DockerError::Read {
                        what: "stream",
                        reason: e.to_string(),
                    }
                    .into())
                }
            }
        }
    }
}

/// The parts of `GET /version` rkbuild uses.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // all its fields are the CLI's
pub(crate) struct DockerVersion {
    /// Engine version, e.g. `26.1.5+dfsg1`.
    #[serde(default)]
    pub version: String,
    /// Highest API version, e.g. `1.45`.
    #[serde(default)]
    pub api_version: String,
    /// Operating system, e.g. `linux`.
    #[serde(default)]
    pub os: String,
    /// Architecture, e.g. `amd64`.
    #[serde(default)]
    pub arch: String,
}

/// `GET /version`.
pub(crate) async fn version(ep: &Endpoint) -> Result<DockerVersion> {
    let body = get(ep, "/version").await?;
    serde_json::from_slice(&body).map_err(|e| not_docker(ep, format!("bad /version answer: {e}")))
}
