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

/// Connects to `host:port` and speaks TLS with `tls` (the docker daemon's
/// `--tlsverify` API: the CA checks the server, the certificate and key
/// identify the client; `insecure` skips the server's check, as the docker
/// CLI's `--tls` without `--tlsverify` and a context's `SkipTLSVerify`).
pub(crate) async fn dial_tls(
    host: &str,
    port: u16,
    tls: &TlsOptions,
    insecure: bool,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    use tokio_rustls::rustls;
    let addr = format!("tcp://{host}:{port}");
    let fail = |detail: String| Error::Tls {
        addr: addr.clone(),
        detail,
    };
    let provider = crate::tls::crypto_provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(e.to_string()))?;
    let builder = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(NoVerify(provider)))
    } else {
        let mut roots = rustls::RootCertStore::empty();
        match &tls.ca_cert {
            Some(ca) => {
                for c in read_certs(ca)? {
                    roots
                        .add(c)
                        .map_err(|e| fail(format!("{}: {e}", ca.display())))?;
                }
            }
            None => {
                for c in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(c);
                }
            }
        }
        builder.with_root_certificates(roots)
    };
    let config = match (&tls.cert, &tls.key) {
        (Some(c), Some(k)) => {
            let certs = read_certs(c)?;
            let key = read_key(k)?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| fail(format!("client certificate {}: {e}", c.display())))?
        }
        _ => builder.with_no_client_auth(),
    };
    let name = tls.server_name.clone().unwrap_or_else(|| host.to_string());
    let server = rustls::pki_types::ServerName::try_from(name.trim_matches(['[', ']']).to_string())
        .map_err(|e| fail(format!("server name {name:?}: {e}")))?;
    let tcp = dial(host, port).await?;
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(server, tcp)
        .await
        .map_err(|e| fail(e.to_string()))
}

fn read_certs(
    p: &PathBuf,
) -> Result<Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>> {
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
    let certs: std::result::Result<Vec<_>, _> = CertificateDer::pem_file_iter(p)
        .map_err(|e| Error::Config(format!("{}: {e}", p.display())))?
        .collect();
    let certs = certs.map_err(|e| Error::Config(format!("{}: {e}", p.display())))?;
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "{}: no certificate in it",
            p.display()
        )));
    }
    Ok(certs)
}

fn read_key(p: &PathBuf) -> Result<tokio_rustls::rustls::pki_types::PrivateKeyDer<'static>> {
    use tokio_rustls::rustls::pki_types::{pem::PemObject, PrivateKeyDer};
    PrivateKeyDer::from_pem_file(p).map_err(|e| Error::Config(format!("{}: {e}", p.display())))
}

/// Accepts any server certificate (docker's `--tls` without verification).
#[derive(Debug)]
struct NoVerify(std::sync::Arc<tokio_rustls::rustls::crypto::CryptoProvider>);

impl tokio_rustls::rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &tokio_rustls::rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[tokio_rustls::rustls::pki_types::CertificateDer<'_>],
        _server_name: &tokio_rustls::rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: tokio_rustls::rustls::pki_types::UnixTime,
    ) -> std::result::Result<
        tokio_rustls::rustls::client::danger::ServerCertVerified,
        tokio_rustls::rustls::Error,
    > {
        Ok(tokio_rustls::rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &tokio_rustls::rustls::pki_types::CertificateDer<'_>,
        dss: &tokio_rustls::rustls::DigitallySignedStruct,
    ) -> std::result::Result<
        tokio_rustls::rustls::client::danger::HandshakeSignatureValid,
        tokio_rustls::rustls::Error,
    > {
        tokio_rustls::rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &tokio_rustls::rustls::pki_types::CertificateDer<'_>,
        dss: &tokio_rustls::rustls::DigitallySignedStruct,
    ) -> std::result::Result<
        tokio_rustls::rustls::client::danger::HandshakeSignatureValid,
        tokio_rustls::rustls::Error,
    > {
        tokio_rustls::rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<tokio_rustls::rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
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
