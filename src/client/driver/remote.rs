//! The `remote` driver: BuildKit's own gRPC socket, `unix://` or
//! `tcp://` (with mTLS when TLS options are given), as buildx's remote
//! driver and `BUILDKIT_HOST` reach it. The session goes through
//! `Control.Session`.

use std::time::Duration;

use super::{BoxFuture, Driver, DriverKind, Features};
use crate::client::addr::Endpoint;
use crate::client::transport::{self, BoxIo};
use crate::error::Result;

/// A BuildKit daemon at its own gRPC endpoint.
#[derive(Debug, Clone)]
pub struct RemoteDriver {
    endpoint: Endpoint,
}

impl RemoteDriver {
    /// The BuildKit daemon at `endpoint`.
    pub fn new(endpoint: Endpoint) -> RemoteDriver {
        RemoteDriver { endpoint }
    }
}

impl Driver for RemoteDriver {
    fn name(&self) -> &'static str {
        DriverKind::Remote.name()
    }

    fn address(&self) -> String {
        self.endpoint.to_string()
    }

    /// buildx 0.13's remote driver (`default-load=false`).
    fn features(&self) -> Features {
        Features::buildkit()
    }

    fn is_local(&self) -> bool {
        self.endpoint.is_local()
    }

    fn dial(&self, timeout: Duration) -> BoxFuture<'_, Result<BoxIo>> {
        Box::pin(transport::dial_endpoint(&self.endpoint, timeout))
    }

    fn grpc_uri(&self, tls: bool) -> String {
        match &self.endpoint {
            Endpoint::Tcp { host, port } => {
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.clone()
                };
                let scheme = if tls { "https" } else { "http" };
                format!("{scheme}://{host}:{port}")
            }
            Endpoint::Unix(_) | Endpoint::Command { .. } | Endpoint::TcpTls { .. } => {
                "http://buildkitd".to_string()
            }
        }
    }

    fn tls_host(&self) -> Option<&str> {
        match &self.endpoint {
            Endpoint::Tcp { host, .. } => Some(host),
            Endpoint::Unix(_) | Endpoint::Command { .. } | Endpoint::TcpTls { .. } => None,
        }
    }
}
