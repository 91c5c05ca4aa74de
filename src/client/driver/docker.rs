//! The `docker` driver: dockerd's embedded BuildKit, reached through the
//! docker API's `POST /grpc` upgrade, with the session on `POST /session`
//! (buildx's docker driver).

use std::time::Duration;

use super::{within, BoxFuture, Driver, DriverKind, Features, LoadPath};
use crate::client::addr::{Endpoint, Target};
use crate::client::transport::{self, BoxIo};
use crate::client::Client;
use crate::error::Result;

/// dockerd's embedded BuildKit at a docker API endpoint.
#[derive(Debug, Clone)]
pub struct DockerDriver {
    endpoint: Endpoint,
}

impl DockerDriver {
    /// The builder inside the docker daemon at `endpoint`.
    pub fn new(endpoint: Endpoint) -> DockerDriver {
        DockerDriver { endpoint }
    }

    /// The builder inside the daemon of a `DOCKER_HOST`-style address
    /// (`unix://`, `tcp://`).
    pub fn for_docker_host(host: &str) -> Result<DockerDriver> {
        Ok(DockerDriver::new(
            Target::docker_host(host)?.endpoint().clone(),
        ))
    }
}

impl Driver for DockerDriver {
    fn name(&self) -> &'static str {
        DriverKind::Docker.name()
    }

    fn address(&self) -> String {
        format!("docker+{}", self.endpoint)
    }

    /// buildx 0.13's docker driver without the containerd image store.
    fn features(&self) -> Features {
        Features {
            oci_exporter: false,
            docker_exporter: false,
            cache_export: false,
            multi_platform: false,
            default_load: true,
            load: LoadPath::Moby,
        }
    }

    fn is_local(&self) -> bool {
        self.endpoint.is_local()
    }

    fn dial(&self, timeout: Duration) -> BoxFuture<'_, Result<BoxIo>> {
        Box::pin(async move {
            let addr = self.address();
            let fut = transport::engine::upgrade(&self.endpoint, "/grpc", &[], timeout);
            within(&addr, timeout, async {
                fut.await.map_err(|e| e.with_addr(addr.clone()))
            })
            .await
        })
    }

    fn grpc_uri(&self, _tls: bool) -> String {
        "http://docker".to_string()
    }

    /// dockerd's `/session` upgrade: one plain h2c connection (measured
    /// faster than `Control.Session` on large transfers).
    fn open_session<'a>(
        &'a self,
        client: &'a Client,
        headers: &'a [(String, String)],
    ) -> BoxFuture<'a, Result<BoxIo>> {
        Box::pin(transport::engine::upgrade(
            &self.endpoint,
            "/session",
            headers,
            client.options().timeout,
        ))
    }

    fn docker_api(&self) -> Option<&Endpoint> {
        Some(&self.endpoint)
    }
}
