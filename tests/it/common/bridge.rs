//! Test-only bridges: a real BuildKit on a plain unix socket or TCP port,
//! made by forwarding each accepted connection through dockerd's `/grpc`
//! upgrade (the docker driver's own connection). Runs on its own thread so
//! it outlives any one test runtime.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rkbuild::client::driver::docker::DockerDriver;
use rkbuild::client::Endpoint;
use rkbuild::Driver;

/// A unix socket that speaks BuildKit's gRPC API.
pub struct UnixBridge {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl UnixBridge {
    pub fn start(docker_sock: &Path) -> UnixBridge {
        let dir = tempfile::Builder::new()
            .prefix("rkb-")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let path = dir.path().join("buildkitd.sock");
        let std_listener = std::os::unix::net::UnixListener::bind(&path).expect("bind bridge");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let docker = DockerDriver::new(Endpoint::Unix(docker_sock.to_path_buf()));
        spawn_runtime(move || async move {
            let listener = tokio::net::UnixListener::from_std(std_listener).expect("listener");
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let docker = docker.clone();
                tokio::spawn(async move {
                    if let Ok(mut up) = docker.dial(Duration::from_secs(10)).await {
                        let _ = tokio::io::copy_bidirectional(&mut conn, &mut up).await;
                    }
                });
            }
        });
        UnixBridge { dir, path }
    }

    pub fn addr(&self) -> String {
        format!("unix://{}", self.path.display())
    }
}

/// A TCP port on 127.0.0.1 that speaks BuildKit's gRPC API, optionally
/// behind TLS (the acceptor wraps each connection).
pub struct TcpBridge {
    pub port: u16,
}

pub type Wrap = std::sync::Arc<
    dyn Fn(
            tokio::net::TcpStream,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Option<rkbuild::client::transport::BoxIo>> + Send>,
        > + Send
        + Sync,
>;

impl TcpBridge {
    pub fn start(docker_sock: &Path, wrap: Option<Wrap>) -> TcpBridge {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let port = std_listener.local_addr().expect("addr").port();
        let docker = DockerDriver::new(Endpoint::Unix(docker_sock.to_path_buf()));
        spawn_runtime(move || async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
            loop {
                let Ok((conn, _)) = listener.accept().await else {
                    return;
                };
                let docker = docker.clone();
                let wrap = wrap.clone();
                tokio::spawn(async move {
                    let mut conn: rkbuild::client::transport::BoxIo = match wrap {
                        Some(w) => match w(conn).await {
                            Some(c) => c,
                            None => return,
                        },
                        None => Box::new(conn),
                    };
                    if let Ok(mut up) = docker.dial(Duration::from_secs(10)).await {
                        let _ = tokio::io::copy_bidirectional(&mut conn, &mut up).await;
                    }
                });
            }
        });
        TcpBridge { port }
    }
}

fn spawn_runtime<F, Fut>(f: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(f());
    });
}

/// A unix socket anyone may open that forwards raw bytes to the docker
/// socket: lets a test run a client as an unprivileged user against the
/// root-only test daemon.
pub struct OpenDockerProxy {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl OpenDockerProxy {
    pub fn start(docker_sock: &Path) -> OpenDockerProxy {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("rkp-")
            .tempdir_in("/tmp")
            .expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.path().join("docker.sock");
        let std_listener = std::os::unix::net::UnixListener::bind(&path).expect("bind proxy");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        std_listener.set_nonblocking(true).expect("nonblocking");
        let target = docker_sock.to_path_buf();
        spawn_runtime(move || async move {
            let listener = tokio::net::UnixListener::from_std(std_listener).expect("listener");
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let target = target.clone();
                tokio::spawn(async move {
                    if let Ok(mut up) = tokio::net::UnixStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut conn, &mut up).await;
                    }
                });
            }
        });
        OpenDockerProxy { dir, path }
    }
}
