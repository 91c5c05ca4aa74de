//! A static HTTP server on loopback for remote contexts: git repositories
//! over git's "dumb" HTTP protocol (bare repositories after `git
//! update-server-info`) and tarballs. Paths under `/private/` need the
//! `Authorization` header BuildKit's git source sends for a token
//! (`basic base64("x-access-token:TOKEN")`). Every request is logged.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub path: String,
    pub authorization: String,
    pub status: u16,
}

pub struct StaticServer {
    pub port: u16,
    pub root: tempfile::TempDir,
    log: Arc<Mutex<Vec<Logged>>>,
}

impl StaticServer {
    /// Serves a new temporary directory; `/private/` needs `token`.
    pub fn start(token: &str) -> StaticServer {
        let root = tempfile::Builder::new()
            .prefix("rkbuild-http-")
            .tempdir()
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (dir, l) = (root.path().to_path_buf(), log.clone());
        use base64::Engine;
        let want = format!(
            "basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{token}"))
        );
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (dir, l, want) = (dir.clone(), l.clone(), want.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &dir, &l, &want);
                });
            }
        });
        StaticServer { port, root, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(
    conn: TcpStream,
    root: &std::path::Path,
    log: &Mutex<Vec<Logged>>,
    want: &str,
) -> std::io::Result<()> {
    let mut r = BufReader::new(conn.try_clone()?);
    let mut w = conn;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut auth = String::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.trim().eq_ignore_ascii_case("authorization") {
                    auth = v.trim().to_string();
                }
            }
        }
        let path = target.split('?').next().unwrap_or("/").to_string();
        let file = root.join(path.trim_start_matches('/'));
        let allowed = !path.starts_with("/private/") || auth.eq_ignore_ascii_case(want);
        let (status, body): (u16, Vec<u8>) = if path.contains("..") {
            (400, Vec::new())
        } else if !allowed {
            (401, b"token required".to_vec())
        } else {
            match std::fs::read(&file) {
                Ok(b) if file.is_file() => (200, b),
                _ => (404, Vec::new()),
            }
        };
        log.lock().unwrap().push(Logged {
            path: target.clone(),
            authorization: auth.clone(),
            status,
        });
        let reason = match status {
            200 => "OK",
            401 => "Unauthorized",
            404 => "Not Found",
            _ => "Bad Request",
        };
        let extra = if status == 401 {
            "WWW-Authenticate: Basic realm=\"rkbuild-test\"\r\n"
        } else {
            ""
        };
        write!(
            w,
            "HTTP/1.1 {status} {reason}\r\n{extra}Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )?;
        w.write_all(&body)?;
        w.flush()?;
    }
}
