//! Extra standalone BuildKit daemons for builder tests: the test
//! environment's buildkitd binary (v0.13.2) started on a socket or on
//! loopback TCP with mTLS (certificates made with openssl), advertising the
//! platforms a test asks for. Stopped (and their state removed) on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TestEnv;

/// A CA, a server certificate for 127.0.0.1 / `buildkitd.test`, and a
/// client certificate, made with openssl.
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::Builder::new()
            .prefix("rk-pki-")
            .tempdir()
            .unwrap();
        let d = dir.path();
        let ossl = |args: &[&str]| {
            let o = Command::new("openssl")
                .current_dir(d)
                .args(args)
                .output()
                .expect("openssl");
            assert!(
                o.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        };
        std::fs::write(
            d.join("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:buildkitd.test\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(d.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        for (ca, cn) in [("ca", "rk test CA"), ("otherca", "rk other CA")] {
            ossl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                &format!("{ca}-key.pem"),
                "-out",
                &format!("{ca}.pem"),
                "-subj",
                &format!("/CN={cn}"),
            ]);
        }
        for who in ["server", "client"] {
            ossl(&[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{who}-key.pem"),
                "-out",
                &format!("{who}.csr"),
                "-subj",
                &format!("/CN={who}"),
            ]);
            ossl(&[
                "x509",
                "-req",
                "-in",
                &format!("{who}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &format!("{who}.pem"),
                "-extfile",
                &format!("{who}.ext"),
            ]);
        }
        Pki { dir }
    }

    pub fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }
}

/// A running buildkitd.
pub struct Buildkitd {
    child: Child,
    root: tempfile::TempDir,
    /// `unix:///...` or `tcp://127.0.0.1:PORT`.
    pub addr: String,
    pub log: PathBuf,
}

pub enum Listen<'a> {
    Unix,
    Tls(&'a Pki),
}

impl Buildkitd {
    /// Starts buildkitd advertising `platforms` (empty: its defaults) and
    /// waits until it answers `buildctl debug workers`.
    pub fn start(env: &TestEnv, listen: Listen, platforms: &[&str]) -> Buildkitd {
        let bin = env
            .vars
            .get("RKBUILD_TEST_BUILDKITD")
            .cloned()
            .unwrap_or_default();
        let ctl = env
            .vars
            .get("RKBUILD_TEST_BUILDCTL")
            .cloned()
            .unwrap_or_default();
        assert!(
            !bin.is_empty() && Path::new(&bin).exists(),
            "no buildkitd in the test environment (RKBUILD_TEST_BUILDKITD={bin:?}): run `scripts/testenv up`"
        );
        // Unix socket paths must stay short: the root lives in /tmp.
        let root = tempfile::Builder::new()
            .prefix("rkbk-")
            .tempdir_in("/tmp")
            .unwrap();
        let log = root.path().join("log");
        let mut cmd = Command::new(&bin);
        cmd.arg("--root")
            .arg(root.path().join("state"))
            .args(["--oci-worker=true", "--containerd-worker=false"])
            .args(["--oci-worker-snapshotter=native"]);
        let addr = match listen {
            Listen::Unix => {
                let a = format!("unix://{}", root.path().join("s.sock").display());
                cmd.arg("--addr").arg(&a);
                a
            }
            Listen::Tls(pki) => {
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port();
                let a = format!("tcp://127.0.0.1:{port}");
                cmd.arg("--addr")
                    .arg(&a)
                    .arg("--tlscacert")
                    .arg(pki.path("ca.pem"))
                    .arg("--tlscert")
                    .arg(pki.path("server.pem"))
                    .arg("--tlskey")
                    .arg(pki.path("server-key.pem"));
                a
            }
        };
        // The test environment's registry settings (plain HTTP loopback).
        let toml = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/testenv/buildkitd.toml");
        if toml.exists() {
            cmd.arg("--config").arg(toml);
        }
        for p in platforms {
            cmd.arg("--oci-worker-platform").arg(p);
        }
        // A private gRPC debug address would clash; none is opened by default.
        let logf = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(logf.try_clone().unwrap())
            .stderr(logf)
            .spawn()
            .expect("start buildkitd");
        let bk = Buildkitd {
            child,
            root,
            addr: addr.clone(),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut c = Command::new(&ctl);
            c.arg("--addr").arg(&addr);
            if let Listen::Tls(pki) = listen {
                c.arg("--tlscacert")
                    .arg(pki.path("ca.pem"))
                    .arg("--tlscert")
                    .arg(pki.path("client.pem"))
                    .arg("--tlskey")
                    .arg(pki.path("client-key.pem"));
            }
            let ok = c
                .args(["debug", "workers"])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            if ok {
                return bk;
            }
            assert!(
                Instant::now() < deadline,
                "buildkitd at {addr} did not answer within 30 s: {}",
                std::fs::read_to_string(&bk.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Buildkitd {
    fn drop(&mut self) {
        // SIGTERM, then wait; buildkitd unmounts what it mounted.
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = &self.root;
    }
}
