//! The token server of the test environment's token-auth registry: the
//! Docker registry token protocol (`GET /token` with basic auth, the
//! OAuth2 `POST /token` form), issuing RS256 JWTs whose `x5c` is the
//! certificate the registry trusts (`scripts/testenv` made both). It runs
//! in the test process, on the port the registry's `realm` names, and logs
//! every request so that tests can tell who asked for a token with what.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;

use super::TestEnv;

/// One token request as the server saw it.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The client's `User-Agent`.
    pub user_agent: String,
    /// The user name sent (basic auth or the form), if any.
    pub user: Option<String>,
    /// Whether a password or refresh token came with it.
    pub had_secret: bool,
    /// Whether the credentials were right.
    pub authorized: bool,
    /// The scopes asked for.
    pub scopes: Vec<String>,
}

pub struct TokenServer {
    log: Arc<Mutex<Vec<TokenRequest>>>,
}

impl TokenServer {
    /// The server for this test process, started on first use.
    pub fn get(env: &TestEnv) -> &'static TokenServer {
        static S: OnceLock<TokenServer> = OnceLock::new();
        S.get_or_init(|| start(env))
    }

    /// Forgets what was logged so far.
    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }

    /// What was logged since the last [`clear`](Self::clear).
    pub fn requests(&self) -> Vec<TokenRequest> {
        self.log.lock().unwrap().clone()
    }
}

struct Issuer {
    key: PathBuf,
    x5c: String,
    service: String,
    issuer: String,
    user: String,
    pass: String,
}

fn start(env: &TestEnv) -> TokenServer {
    let get = |k: &str| {
        env.vars
            .get(k)
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| {
                panic!("{k} is missing from the test environment: run `scripts/testenv up`")
            })
    };
    let port = get("RKBUILD_TEST_TOKEN_SERVER_PORT");
    let cert = get("RKBUILD_TEST_TOKEN_CERT");
    let der = std::process::Command::new("openssl")
        .args(["x509", "-in", &cert, "-outform", "DER"])
        .output()
        .expect("openssl x509");
    assert!(der.status.success(), "openssl x509 failed");
    let issuer = Arc::new(Issuer {
        key: PathBuf::from(get("RKBUILD_TEST_TOKEN_KEY")),
        x5c: base64::engine::general_purpose::STANDARD.encode(&der.stdout),
        service: get("RKBUILD_TEST_TOKEN_SERVICE"),
        issuer: get("RKBUILD_TEST_TOKEN_ISSUER"),
        user: env.auth_user.clone(),
        pass: env.auth_pass.clone(),
    });
    let listener = TcpListener::bind(format!("127.0.0.1:{port}"))
        .unwrap_or_else(|e| panic!("token server: cannot listen on 127.0.0.1:{port}: {e}"));
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let (issuer, log) = (issuer.clone(), l.clone());
            std::thread::spawn(move || {
                let _ = serve(conn, &issuer, &log);
            });
        }
    });
    TokenServer { log }
}

fn url_decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn params(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (url_decode(k), url_decode(v))
        })
        .collect()
}

fn serve(conn: TcpStream, issuer: &Issuer, log: &Mutex<Vec<TokenRequest>>) -> std::io::Result<()> {
    let mut r = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |k: &str| {
        headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut form = params(query);
    if method == "POST" {
        form.extend(params(&String::from_utf8_lossy(&body)));
    }
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut scopes: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "scope")
        .flat_map(|(_, v)| v.split(' ').map(str::to_string).collect::<Vec<_>>())
        .filter(|s| !s.is_empty())
        .collect();
    scopes.sort();
    let (user, secret) = if method == "POST" {
        match field("grant_type").as_deref() {
            Some("password") => (field("username"), field("password")),
            Some("refresh_token") => (None, field("refresh_token")),
            _ => (None, None),
        }
    } else {
        match header("authorization").strip_prefix("Basic ") {
            Some(b) => {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .unwrap_or_default();
                let s = String::from_utf8_lossy(&raw).into_owned();
                let (u, p) = s.split_once(':').unwrap_or((&s, ""));
                (Some(u.to_string()), Some(p.to_string()))
            }
            None => (None, None),
        }
    };
    let authorized = user.as_deref() == Some(issuer.user.as_str())
        && secret.as_deref() == Some(issuer.pass.as_str());
    let had_secret = secret.as_deref().is_some_and(|s| !s.is_empty());
    log.lock().unwrap().push(TokenRequest {
        method: method.clone(),
        user_agent: header("user-agent"),
        user: user.clone(),
        had_secret,
        authorized,
        scopes: scopes.clone(),
    });
    let mut w = conn;
    if path != "/token" {
        return respond(&mut w, "404 Not Found", "{}");
    }
    if had_secret && !authorized {
        return respond(
            &mut w,
            "401 Unauthorized",
            r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
        );
    }
    // Access: everything asked for when authorized, nothing anonymously.
    let access: Vec<serde_json::Value> = if authorized {
        scopes
            .iter()
            .filter_map(|s| {
                let (kind, rest) = s.split_once(':')?;
                let (name, actions) = rest.rsplit_once(':')?;
                Some(serde_json::json!({
                    "type": kind, "name": name,
                    "actions": actions.split(',').collect::<Vec<_>>(),
                }))
            })
            .collect()
    } else {
        Vec::new()
    };
    let token = jwt(issuer, user.as_deref().unwrap_or(""), &access);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = serde_json::json!({
        "token": token, "access_token": token, "expires_in": 300,
        "issued_at": rfc3339(now),
    });
    respond(&mut w, "200 OK", &body.to_string())
}

fn respond(w: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    write!(
        w,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    w.flush()
}

fn rfc3339(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn jwt(issuer: &Issuer, sub: &str, access: &[serde_json::Value]) -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5c": [issuer.x5c]});
    let claims = serde_json::json!({
        "iss": issuer.issuer, "sub": sub, "aud": issuer.service,
        "exp": now + 300, "nbf": now - 10, "iat": now,
        "jti": format!("{now}-{}", std::process::id()),
        "access": access,
    });
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut child = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&issuer.key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("openssl dgst");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("openssl dgst");
    assert!(out.status.success(), "openssl dgst -sign failed");
    format!("{input}.{}", b64(&out.stdout))
}
