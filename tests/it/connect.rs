//! Foundation: every transport against the real daemon, and the errors of
//! bad addresses.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::bridge::{TcpBridge, UnixBridge};
use common::*;
use rkbuild::{Client, ConnectOptions, Error, Target, TlsOptions};

async fn check_client(client: &Client) {
    let v = client.info().await.expect("Control.Info");
    assert!(!v.version.is_empty(), "empty BuildKit version: {v:?}");
    let workers = client.workers().await.expect("Control.ListWorkers");
    assert!(!workers.is_empty(), "no workers");
    let w = &workers[0];
    assert!(!w.id.is_empty());
    assert!(
        w.platforms.iter().any(|p| p.starts_with("linux/")),
        "platforms: {:?}",
        w.platforms
    );
    assert!(
        w.labels
            .keys()
            .any(|k| k.starts_with("org.mobyproject.buildkit.worker.")),
        "labels: {:?}",
        w.labels
    );
}

#[tokio::test]
async fn info_and_workers_over_docker_grpc_upgrade() {
    let env = daemon!();
    let client = Client::connect(&format!("docker+{}", env.docker_host))
        .await
        .expect("connect");
    check_client(&client).await;
    // dockerd's embedded BuildKit (Debian build) reports this version.
    let v = client.info().await.unwrap();
    assert_eq!(v.version, "v0.0.0+unknown", "{v:?}");
}

#[tokio::test]
async fn info_and_workers_over_plain_unix_socket() {
    let env = daemon!();
    let bridge = UnixBridge::start(&env.docker_sock);
    let client = Client::connect(&bridge.addr()).await.expect("connect");
    check_client(&client).await;
}

#[tokio::test]
async fn info_and_workers_over_tcp() {
    let env = daemon!();
    let bridge = TcpBridge::start(&env.docker_sock, None);
    let client = Client::connect(&format!("tcp://127.0.0.1:{}", bridge.port))
        .await
        .expect("connect");
    check_client(&client).await;
}

struct Pki {
    dir: tempfile::TempDir,
    server: Arc<tokio_rustls::rustls::ServerConfig>,
}

fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    use tokio_rustls::rustls;
    let dir = tempfile::tempdir().unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(vec![]).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let srv_key = KeyPair::generate().unwrap();
    let srv = CertificateParams::new(vec!["buildkitd.test".into()])
        .unwrap()
        .signed_by(&srv_key, &issuer)
        .unwrap();
    let cli_key = KeyPair::generate().unwrap();
    let cli = CertificateParams::new(vec!["client".into()])
        .unwrap()
        .signed_by(&cli_key, &issuer)
        .unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.path().join("cert.pem"), cli.pem()).unwrap();
    std::fs::write(dir.path().join("key.pem"), cli_key.serialize_pem()).unwrap();
    // ring, as rkbuild's own connections use (rustls 0.23.48 deprecates it
    // for having no post-quantum key exchange).
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
        .build()
        .unwrap();
    let mut server = rustls::ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![srv.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(srv_key.serialize_der()).unwrap(),
        )
        .unwrap();
    server.alpn_protocols = vec![b"h2".to_vec()];
    Pki {
        dir,
        server: Arc::new(server),
    }
}

fn tls_bridge(env: &TestEnv, server: Arc<tokio_rustls::rustls::ServerConfig>) -> TcpBridge {
    let acceptor = tokio_rustls::TlsAcceptor::from(server);
    let wrap: common::bridge::Wrap = Arc::new(move |tcp| {
        let acceptor = acceptor.clone();
        Box::pin(async move {
            acceptor
                .accept(tcp)
                .await
                .ok()
                .map(|s| Box::new(s) as rkbuild::client::transport::BoxIo)
        })
    });
    TcpBridge::start(&env.docker_sock, Some(wrap))
}

/// Connects to a TLS bridge with the test PKI's files; `client_cert` picks
/// whether the client certificate is presented.
async fn connect_tls(
    env: &TestEnv,
    client_cert: bool,
    server_name: &str,
) -> rkbuild::Result<Client> {
    let pki = pki();
    let bridge = tls_bridge(env, pki.server.clone());
    let p = |f: &str| client_cert.then(|| pki.dir.path().join(f));
    let opts = ConnectOptions {
        tls: Some(TlsOptions {
            ca_cert: Some(pki.dir.path().join("ca.pem")),
            cert: p("cert.pem"),
            key: p("key.pem"),
            server_name: Some(server_name.into()),
        }),
        ..Default::default()
    };
    let target = Target::parse(&format!("tcp://127.0.0.1:{}", bridge.port)).unwrap();
    let client = Client::connect_with(target, opts).await?;
    // The first call completes the handshake's consequences (TLS 1.3
    // reports a refused client certificate only after it).
    client.info().await?;
    Ok(client)
}

#[tokio::test]
async fn info_and_workers_over_mtls() {
    let env = daemon!();
    let client = connect_tls(env, true, "buildkitd.test")
        .await
        .expect("mTLS connect");
    check_client(&client).await;
}

#[tokio::test]
async fn mtls_without_client_certificate_is_a_tls_error() {
    let env = daemon!();
    let err = connect_tls(env, false, "buildkitd.test")
        .await
        .expect_err("server must refuse a client without a certificate");
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_server_name_is_a_tls_error() {
    let env = daemon!();
    let err = connect_tls(env, true, "other.test")
        .await
        .expect_err("must fail");
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
}

#[tokio::test]
async fn nothing_listening_is_a_clear_error() {
    let err = Client::connect("unix:///nonexistent/buildkitd.sock")
        .await
        .expect_err("must fail");
    assert!(matches!(err, Error::NotListening { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot connect to unix:///nonexistent/buildkitd.sock: no such socket"
    );
    // A closed TCP port: connection refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = Client::connect(&format!("tcp://127.0.0.1:{port}"))
        .await
        .expect_err("must fail");
    assert!(matches!(err, Error::NotListening { .. }), "{err:?}");
}

#[tokio::test]
async fn permission_denied_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    let _l = std::os::unix::net::UnixListener::bind(&path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root ignores file modes: run the probe as nobody through setpriv when root.
    if nix_is_root() {
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(rkbuild_bin())
            .args(["--addr", &format!("unix://{}", path.display()), "version"])
            .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND")
            .output()
            .expect("setpriv");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("permission denied"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    } else {
        let err = Client::connect(&format!("unix://{}", path.display()))
            .await
            .expect_err("must fail");
        assert!(matches!(err, Error::PermissionDenied { .. }), "{err:?}");
    }
}

fn nix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A peer that speaks HTTP/1.1 only: not BuildKit, not docker.
fn http1_server() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("http.sock");
    let l = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = c.read(&mut buf);
                let _ = c.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n",
                );
            });
        }
    });
    (dir, path)
}

#[tokio::test]
async fn not_a_buildkit_or_docker_endpoint() {
    let (_d, path) = http1_server();
    let err = match Client::connect(&format!("unix://{}", path.display())).await {
        Ok(c) => c.info().await.expect_err("must fail"),
        Err(e) => e,
    };
    assert!(matches!(err, Error::NotBuildkit { .. }), "{err:?}");
    let err = Client::connect(&format!("docker+unix://{}", path.display()))
        .await
        .expect_err("must fail");
    assert!(
        matches!(err, Error::NotBuildkit { .. } | Error::NotDocker { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn silent_peer_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent.sock");
    let l = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let _keep = std::thread::spawn(move || {
        let conns: Vec<_> = l.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(10));
        drop(conns);
    });
    let target = Target::parse(&format!("docker+unix://{}", path.display())).unwrap();
    let opts = ConnectOptions {
        timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let start = Instant::now();
    let err = Client::connect_with(target, opts)
        .await
        .expect_err("must time out");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}
