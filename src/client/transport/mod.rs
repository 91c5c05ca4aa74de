//! Byte-stream transports to a builder.
//!
//! Each transport produces a [`BoxIo`]: an ordered, reliable byte stream on
//! which the caller speaks HTTP/2 (gRPC). Errors are classified into the
//! typed [`Error`] variants so that the CLI can say exactly what is wrong.

pub(crate) mod command;
pub(crate) mod engine;
pub(crate) mod tcp;
pub(crate) mod tunnel;
pub(crate) mod unix;

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use super::addr::Endpoint;
use crate::error::{Error, Result};

/// An async byte stream that can carry HTTP/2.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A boxed [`Io`].
pub type BoxIo = Box<dyn Io>;

/// Opens a raw stream to an endpoint (no protocol spoken yet).
pub async fn dial_endpoint(endpoint: &Endpoint, timeout: Duration) -> Result<BoxIo> {
    let fut = async {
        match endpoint {
            Endpoint::Unix(path) => unix::dial(path).await.map(|s| Box::new(s) as BoxIo),
            Endpoint::Tcp { host, port } => {
                tcp::dial(host, *port).await.map(|s| Box::new(s) as BoxIo)
            }
            Endpoint::TcpTls {
                host,
                port,
                tls,
                insecure,
            } => tcp::dial_tls(host, *port, tls, *insecure)
                .await
                .map(|s| Box::new(s) as BoxIo),
            Endpoint::Command {
                program,
                args,
                address,
                ..
            } => command::spawn(program, args, address).map(|s| Box::new(s) as BoxIo),
        }
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(Error::Timeout {
            addr: endpoint.to_string(),
            secs: timeout.as_secs_f64(),
        }),
    }
}

/// Maps a connect error to a typed error.
pub(crate) fn classify_connect(addr: &str, err: io::Error) -> Error {
    match err.kind() {
        io::ErrorKind::NotFound => Error::NotListening {
            addr: addr.to_string(),
            detail: "no such socket".into(),
        },
        io::ErrorKind::ConnectionRefused => Error::NotListening {
            addr: addr.to_string(),
            detail: "connection refused (is the daemon running?)".into(),
        },
        io::ErrorKind::PermissionDenied => Error::PermissionDenied {
            addr: addr.to_string(),
        },
        io::ErrorKind::TimedOut => Error::Timeout {
            addr: addr.to_string(),
            secs: 0.0,
        },
        _ => Error::NotListening {
            addr: addr.to_string(),
            detail: err.to_string(),
        },
    }
}
