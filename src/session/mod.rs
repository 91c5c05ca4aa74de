//! The build session: gRPC services the daemon calls back into while it
//! builds (file sync, outputs, credentials, OCI layout content, health).
//!
//! The daemon is the HTTP/2 *client* of a session; rkbuild serves. The
//! connection is the driver's to open ([`Driver::open_session`]): dockerd's
//! `POST /session` upgrade (one plain h2c connection, no extra framing) or
//! BuildKit's `Control.Session` byte stream (every other driver).
//!
//! The services rkbuild serves itself (file sync both ways, uploads, OCI
//! layout content, health) are attached by [`solve`](crate::solve()); the
//! public ones here ([`auth`], [`secrets`]) and any [`Attachable`] of the
//! caller's go in [`SolveOptions::session`](crate::SolveOptions::session)
//! or [`BuildSession::attach`](crate::BuildSession::attach).
//!
//! [`Driver::open_session`]: crate::client::Driver::open_session

pub mod auth;
pub(crate) mod content;
pub(crate) mod filesend;
pub(crate) mod filesync;
pub(crate) mod health;
pub mod secrets;
pub mod ssh;
pub mod upload;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo};
use tonic::server::NamedService;

use crate::client::transport::BoxIo;
use crate::client::Client;
use crate::error::{Error, Result, SessionError};

/// Session headers, as BuildKit's session manager expects them.
pub(crate) const HEADER_ID: &str = "X-Docker-Expose-Session-Uuid";
pub(crate) const HEADER_NAME: &str = "X-Docker-Expose-Session-Name";
pub(crate) const HEADER_SHARED_KEY: &str = "X-Docker-Expose-Session-Sharedkey";
pub(crate) const HEADER_METHOD: &str = "X-Docker-Expose-Session-Grpc-Method";

/// HTTP/2 windows of the session connection: large, because file contents
/// flow from rkbuild to the daemon on it.
const STREAM_WINDOW: u32 = 8 << 20;
const CONN_WINDOW: u32 = 16 << 20;
const MAX_FRAME: u32 = 1 << 20;

/// How the session connection reaches the daemon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Transport {
    /// The driver's own way ([`Driver::open_session`]: dockerd's
    /// `/session` upgrade on the docker driver, `Control.Session`
    /// otherwise).
    ///
    /// [`Driver::open_session`]: crate::client::Driver::open_session
    #[default]
    Auto,
    /// Always `Control.Session` (HTTP/2 tunnelled in a gRPC stream).
    ControlStream,
}

/// A service that can be exposed on a session.
pub trait Attachable {
    /// The gRPC methods the daemon may call (`/pkg.Service/Method`).
    fn methods(&self) -> Vec<String>;
    /// Adds the service to the session's routes.
    fn register(self: Box<Self>, routes: &mut Routes);
}

impl std::fmt::Debug for dyn Attachable + Send {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Attachable").field(&self.methods()).finish()
    }
}

/// A session service that every session of a build gets its own instance
/// of (a build on several nodes has one session per node):
/// [`BuildOptions::session`](crate::BuildOptions::session).
#[derive(Clone)]
pub struct SharedService(Arc<dyn Fn() -> Option<Box<dyn Attachable + Send>> + Send + Sync>);

impl SharedService {
    /// Each session gets a clone of `svc` (e.g.
    /// `SecretsService::new(secrets).attachable()`).
    pub fn new(svc: impl Attachable + Clone + Send + Sync + 'static) -> SharedService {
        SharedService(Arc::new(move || Some(Box::new(svc.clone()))))
    }

    /// Each session gets what `make` makes.
    pub fn from_fn(
        make: impl Fn() -> Box<dyn Attachable + Send> + Send + Sync + 'static,
    ) -> SharedService {
        SharedService(Arc::new(move || Some(make())))
    }

    /// The first session alone gets `svc` (a service that cannot be
    /// copied, for builds of one session).
    pub(crate) fn once(svc: Box<dyn Attachable + Send>) -> SharedService {
        let slot = std::sync::Mutex::new(Some(svc));
        SharedService(Arc::new(move || {
            slot.lock().ok().and_then(|mut s| s.take())
        }))
    }

    /// The instance for one session (`None`: a [`once`](Self::once)
    /// service already given away).
    pub(crate) fn attachable(&self) -> Option<Box<dyn Attachable + Send>> {
        (self.0)()
    }
}

impl std::fmt::Debug for SharedService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedService")
    }
}

/// Makes an [`Attachable`] from a tonic server and its method names.
#[derive(Clone)]
pub struct Service<S> {
    svc: S,
    methods: &'static [&'static str],
}

impl<S> Service<S> {
    /// Wraps `svc`, advertising `methods` (bare method names).
    pub fn new(svc: S, methods: &'static [&'static str]) -> Self {
        Service { svc, methods }
    }
}

impl<S> Attachable for Service<S>
where
    S: tower::Service<
            http::Request<tonic::body::Body>,
            Response = http::Response<tonic::body::Body>,
            Error = Infallible,
        > + NamedService
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    fn methods(&self) -> Vec<String> {
        self.methods
            .iter()
            .map(|m| format!("/{}/{}", S::NAME, m))
            .collect()
    }

    fn register(self: Box<Self>, routes: &mut Routes) {
        routes.add(S::NAME, self.svc);
    }
}

/// A build session: an id, a name, a shared key and the services on it.
pub struct Session {
    id: String,
    name: String,
    shared_key: String,
    services: Vec<Box<dyn Attachable + Send>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("shared_key", &self.shared_key)
            .field("services", &self.services.len())
            .finish()
    }
}

pub use crate::id::new_id;

impl Session {
    /// A new session. `name` is informational (buildx uses the working
    /// directory's base name); `shared_key` scopes the daemon's cache of
    /// synced directories (buildx: `<context base name>:<node id>`).
    pub fn new(name: impl Into<String>, shared_key: impl Into<String>) -> Session {
        Session {
            id: new_id(),
            name: name.into(),
            shared_key: shared_key.into(),
            services: vec![Box::new(health::HealthService::attachable())],
        }
    }

    /// The session id to put in `SolveRequest.session`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Exposes a service on the session.
    pub fn allow(&mut self, svc: impl Attachable + Send + 'static) {
        self.services.push(Box::new(svc));
    }

    /// Exposes a boxed service on the session (as [`allow`](Self::allow)).
    pub fn attach(&mut self, svc: Box<dyn Attachable + Send>) {
        self.services.push(svc);
    }

    /// All advertised methods.
    pub fn methods(&self) -> Vec<String> {
        self.services.iter().flat_map(|s| s.methods()).collect()
    }

    fn headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            (HEADER_ID.to_string(), self.id.clone()),
            (HEADER_NAME.to_string(), header_safe(&self.name)),
            (HEADER_SHARED_KEY.to_string(), header_safe(&self.shared_key)),
        ];
        for m in self.methods() {
            h.push((HEADER_METHOD.to_string(), m));
        }
        h
    }

    /// Connects the session to the daemon and serves it until the daemon
    /// closes it or `shutdown` resolves.
    pub async fn run(
        self,
        client: &Client,
        transport: Transport,
        shutdown: impl Future<Output = ()>,
    ) -> Result<()> {
        let headers = self.headers();
        let io = match transport {
            Transport::Auto => client.driver().open_session(client, &headers).await?,
            Transport::ControlStream => {
                crate::client::transport::tunnel::dial(client, &headers).await?
            }
        };
        self.serve(io, shutdown).await
    }

    /// Serves the session's services on an established connection.
    pub async fn serve(self, io: BoxIo, shutdown: impl Future<Output = ()>) -> Result<()> {
        let mut routes = Routes::default();
        for s in self.services {
            s.register(&mut routes);
        }
        let svc = hyper_util::service::TowerToHyperService::new(tower::ServiceExt::map_request(
            routes,
            |req: http::Request<hyper::body::Incoming>| req.map(tonic::body::Body::new),
        ));
        let conn = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONN_WINDOW)
            .max_frame_size(MAX_FRAME)
            .serve_connection(TokioIo::new(io), svc);
        tokio::pin!(conn);
        tokio::pin!(shutdown);
        tokio::select! {
            r = conn.as_mut() => return r.map_err(|e| session_err(&e)),
            _ = &mut shutdown => {}
        }
        conn.as_mut().graceful_shutdown();
        // Give in-flight calls a moment to finish, then drop the connection.
        match tokio::time::timeout(std::time::Duration::from_secs(2), conn).await {
            Ok(r) => r.map_err(|e| session_err(&e)),
            Err(_) => Ok(()),
        }
    }
}

type BoxSvc = tower::util::BoxCloneSyncService<
    http::Request<tonic::body::Body>,
    http::Response<tonic::body::Body>,
    Infallible,
>;

/// Dispatches `/<service>/<method>` to the service's handler; unknown
/// services answer gRPC `Unimplemented`.
#[derive(Clone, Default)]
pub struct Routes {
    services: std::sync::Arc<std::collections::HashMap<&'static str, BoxSvc>>,
}

impl Routes {
    fn add<S>(&mut self, name: &'static str, svc: S)
    where
        S: tower::Service<
                http::Request<tonic::body::Body>,
                Response = http::Response<tonic::body::Body>,
                Error = Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        std::sync::Arc::make_mut(&mut self.services).insert(name, BoxSvc::new(svc));
    }
}

impl tower::Service<http::Request<tonic::body::Body>> for Routes {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = std::result::Result<Self::Response, Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::result::Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<tonic::body::Body>) -> Self::Future {
        let name = req
            .uri()
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        match self.services.get(name) {
            Some(svc) => {
                let mut svc = svc.clone();
                Box::pin(async move { tower::ServiceExt::oneshot(&mut svc, req).await })
            }
            None => {
                let resp =
                    tonic::Status::unimplemented(format!("unknown service {name}")).into_http();
                Box::pin(async move { Ok(resp) })
            }
        }
    }
}

fn session_err(e: &hyper::Error) -> Error {
    SessionError::Connection(e.to_string()).into()
}

/// HTTP header values must be visible ASCII; BuildKit url-escapes others.
fn header_safe(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Serves `sess` on a loopback HTTP/2 connection, the way the daemon sees
/// a session, and returns a channel to call its services on.
#[cfg(test)]
pub(crate) async fn serve_on_loopback(sess: Session) -> tonic::transport::Channel {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let _ = sess
            .serve(Box::new(stream), std::future::pending::<()>())
            .await;
    });
    tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_buildkit_ids() {
        let a = new_id();
        assert_eq!(a.len(), 25);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
        assert_ne!(a, new_id());
    }

    #[test]
    fn advertises_health() {
        let s = Session::new("x", "x:y");
        let m = s.methods();
        assert!(
            m.contains(&"/grpc.health.v1.Health/Check".to_string()),
            "{m:?}"
        );
        let h = s.headers();
        assert!(h.iter().any(|(k, v)| k == HEADER_SHARED_KEY && v == "x:y"));
    }

    #[test]
    fn header_values_are_escaped() {
        assert_eq!(header_safe("ctx"), "ctx");
        assert_eq!(header_safe("dé"), "d%C3%A9");
    }
}
