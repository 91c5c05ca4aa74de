//! The one HTTP client of the registry calls: a single HTTP/1.1 request
//! per connection, over TCP (`http`) or TLS (`https`, the system's root
//! certificates). Token servers and registries are asked rarely and
//! briefly, and hyper, rustls and tokio are already here.
//!
//! The TLS configuration (the native roots read from disk) is built once,
//! on the first `https` request, and shared by every request after it.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http_body_util::Full;
use tokio_rustls::rustls;

/// One HTTP/1.1 request to `uri` (TCP, or TLS with the system's roots for
/// `https`), with `Host` and `User-Agent` set; no time limit (callers
/// bound it). Errors are Go's `net/http` words where they have them
/// (`dial tcp ADDR: connect: connection refused`).
pub(crate) async fn request(
    uri: http::Uri,
    req: http::Request<Full<Bytes>>,
) -> Result<http::Response<hyper::body::Incoming>, String> {
    let host = uri.host().unwrap_or_default().to_string();
    let tls = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let addr = format!("{host}:{port}");
    let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| {
            format!(
                "dial tcp {addr}: connect: {}",
                crate::go::syscall::error_text(&e)
            )
        })?;
    let authority = uri.authority().map(|a| a.to_string()).unwrap_or_default();
    let (mut parts, body) = req.into_parts();
    parts.headers.insert(
        http::header::HOST,
        authority.parse().map_err(|_| "bad host".to_string())?,
    );
    parts.headers.insert(
        http::header::USER_AGENT,
        http::HeaderValue::from_static(concat!("rkbuild/", env!("CARGO_PKG_VERSION"))),
    );
    parts.uri = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .parse()
        .map_err(|_| "bad path".to_string())?;
    let req = http::Request::from_parts(parts, body);
    if tls {
        let stream = tls_connect(&host, tcp).await?;
        send(hyper_util::rt::TokioIo::new(stream), req).await
    } else {
        send(hyper_util::rt::TokioIo::new(tcp), req).await
    }
}

/// What [`exchange`] read: the status, the headers and the whole body.
pub(crate) struct Answer {
    pub(crate) status: http::StatusCode,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

/// One request ([`request`]) and its whole answer, within `limit`; past
/// it, the error says `no answer within Ns`.
pub(crate) async fn exchange(
    uri: http::Uri,
    req: http::Request<Full<Bytes>>,
    limit: std::time::Duration,
) -> Result<Answer, String> {
    use http_body_util::BodyExt;
    let fut = async {
        let resp = request(uri, req).await?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    match tokio::time::timeout(limit, fut).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {}s", limit.as_secs())),
    }
}

async fn send<I>(
    io: I,
    req: http::Request<Full<Bytes>>,
) -> Result<http::Response<hyper::body::Incoming>, String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender.send_request(req).await.map_err(|e| e.to_string())
}

/// The client TLS configuration of every `https` request: the system's
/// roots, read once (or why it could not be built).
fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            let config = rustls::ClientConfig::builder_with_provider(crate::tls::crypto_provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
}

async fn tls_connect(
    host: &str,
    tcp: tokio::net::TcpStream,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    let config = tls_config()?;
    let name =
        rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_config_is_built_once() {
        let a = tls_config().unwrap();
        let b = tls_config().unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }
}
