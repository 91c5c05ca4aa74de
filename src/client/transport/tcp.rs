//! TCP (`tcp://host:port`); TLS is layered on top by the gRPC channel.

use std::path::PathBuf;

use tokio::net::TcpStream;

use super::classify_connect;
use crate::error::{Error, Result};

/// Connects to `host:port`, with `TCP_NODELAY` set.
pub(crate) async fn dial(host: &str, port: u16) -> Result<TcpStream> {
    let addr = format!("tcp://{host}:{port}");
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| classify_connect(&addr, e))?;
    stream.set_nodelay(true).map_err(|e| Error::Transport {
        context: format!("setting TCP_NODELAY on {addr}"),
        source: e,
    })?;
    Ok(stream)
}

/// TLS settings for a `tcp://` builder (buildx's `cacert`, `cert`, `key`,
/// `servername` driver options).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM file with the CA certificate(s) to trust.
    pub ca_cert: Option<PathBuf>,
    /// PEM file with the client certificate (for mTLS).
    pub cert: Option<PathBuf>,
    /// PEM file with the client key (for mTLS).
    pub key: Option<PathBuf>,
    /// Server name to verify instead of the host name.
    pub server_name: Option<String>,
}

impl TlsOptions {
    /// Builds tonic's TLS configuration, reading the PEM files.
    pub(crate) fn to_tonic(&self, host: &str) -> Result<tonic::transport::ClientTlsConfig> {
        use tonic::transport::{Certificate, ClientTlsConfig, Identity};
        let read = |p: &PathBuf| {
            std::fs::read(p).map_err(|e| Error::Io {
                path: p.clone(),
                source: e,
            })
        };
        // buildkitd serves gRPC on a plain TLS listener without ALPN:
        // HTTP/2 is assumed when the server names no protocol (as Go's
        // gRPC client does).
        let mut cfg = ClientTlsConfig::new()
            .assume_http2(true)
            .domain_name(self.server_name.clone().unwrap_or_else(|| host.to_string()));
        match &self.ca_cert {
            Some(ca) => cfg = cfg.ca_certificate(Certificate::from_pem(read(ca)?)),
            None => {
                return Err(Error::Tls {
                    addr: host.to_string(),
                    detail: "a CA certificate is required for TLS (no system roots are used)"
                        .into(),
                })
            }
        }
        match (&self.cert, &self.key) {
            (Some(c), Some(k)) => cfg = cfg.identity(Identity::from_pem(read(c)?, read(k)?)),
            (None, None) => {}
            _ => {
                return Err(Error::Tls {
                    addr: host.to_string(),
                    detail: "a client certificate and key must be given together".into(),
                })
            }
        }
        Ok(cfg)
    }
}
