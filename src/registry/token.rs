//! Registry token fetches (the Docker registry token protocol): OAuth2
//! `POST` first, `GET` with basic auth as the fallback, anonymous `GET`
//! without credentials, as BuildKit's client does (containerd's
//! `remotes/docker/auth` for the requests). Used by the session's
//! `Auth.FetchToken` and by [`Registry`](super::Registry) on a Bearer
//! challenge.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

/// How long one token request may take, connection included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// BuildKit's client id in token requests.
const CLIENT_ID: &str = "buildkit-client";

/// What a token request needs.
#[derive(Default)]
pub(crate) struct TokenOptions {
    pub(crate) realm: String,
    pub(crate) service: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) username: String,
    pub(crate) secret: String,
}

/// A token and its lifetime (seconds; `issued_at` in Unix seconds, 0 if
/// the server did not say).
#[derive(Debug, Default)]
pub(crate) struct Token {
    pub(crate) token: String,
    pub(crate) expires_in: i64,
    pub(crate) issued_at: i64,
}

/// Why a token could not be fetched. Never holds a credential.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The realm is not an http(s) URL.
    #[error("invalid token auth challenge realm {0:?}")]
    Realm(String),
    /// The token server answered with an error status.
    #[error("unexpected status from {method} request to {url}: {}", status_text(*.status))]
    Status {
        /// `GET` or `POST`.
        method: &'static str,
        /// The realm (without the query).
        url: String,
        /// The HTTP status code, e.g. 401.
        status: u16,
    },
    /// The server could not be reached or the exchange broke (Go's
    /// `net/http` words: `Post "URL": dial tcp ADDR: connect: ...`).
    #[error("{} {url:?}: {reason}", go_method(method))]
    Transport {
        /// `GET` or `POST`.
        method: &'static str,
        /// The realm.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The answer is not the token JSON.
    #[error("unable to decode token response: {0}")]
    Decode(String),
    /// The answer has no token.
    #[error("authorization server did not include a token in the response")]
    NoToken,
    /// A wrapper naming which kind of fetch failed.
    #[error("{what}: {source}")]
    Context {
        /// `failed to fetch oauth token` or `failed to fetch anonymous token`.
        what: &'static str,
        /// The failure.
        #[source]
        source: Box<TokenError>,
    },
}

impl TokenError {
    /// The HTTP status the token server answered with, when that is what
    /// failed.
    pub fn status(&self) -> Option<u16> {
        match self {
            TokenError::Status { status, .. } => Some(*status),
            TokenError::Context { source, .. } => source.status(),
            _ => None,
        }
    }
}

/// A status as Go's `net/http` prints it: `401 Unauthorized`.
pub(crate) fn status_text(code: u16) -> String {
    let reason = http::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{code} {reason}").trim_end().to_string()
}

fn go_method(m: &str) -> &'static str {
    match m {
        "POST" => "Post",
        _ => "Get",
    }
}

/// Fetches a token as BuildKit's client does: with a secret, an OAuth2
/// `POST` (password or refresh-token grant) and, when the server does not
/// do OAuth (404, 401, or 405 with a user name), a `GET` with basic auth;
/// without one, an anonymous `GET`.
pub(crate) async fn fetch(o: &TokenOptions) -> Result<Token, TokenError> {
    if o.secret.is_empty() {
        return get(o).await.map_err(|e| TokenError::Context {
            what: "failed to fetch anonymous token",
            source: Box::new(e),
        });
    }
    let r = match post(o).await {
        Err(TokenError::Status { status, .. })
            if status == 404 || status == 401 || (status == 405 && !o.username.is_empty()) =>
        {
            get(o).await
        }
        r => r,
    };
    r.map_err(|e| TokenError::Context {
        what: "failed to fetch oauth token",
        source: Box::new(e),
    })
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY).to_string()
}

/// What Go's `url.QueryEscape` leaves as it is (space aside, which it
/// writes as `+`; `%20` is read the same by every server).
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

async fn post(o: &TokenOptions) -> Result<Token, TokenError> {
    let mut form = Vec::new();
    if !o.scopes.is_empty() {
        form.push(("scope", o.scopes.join(" ")));
    }
    form.push(("service", o.service.clone()));
    form.push(("client_id", CLIENT_ID.to_string()));
    if o.username.is_empty() {
        form.push(("grant_type", "refresh_token".into()));
        form.push(("refresh_token", o.secret.clone()));
    } else {
        form.push(("grant_type", "password".into()));
        form.push(("username", o.username.clone()));
        form.push(("password", o.secret.clone()));
    }
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let uri = parse_realm(&o.realm)?;
    let req = http::Request::post(uri.clone())
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(Full::new(Bytes::from(body.join("&"))))
        .map_err(|e| TokenError::Realm(format!("{}: {e}", o.realm)))?;
    let json = send("POST", &o.realm, uri, req).await?;
    decode(&json, true)
}

async fn get(o: &TokenOptions) -> Result<Token, TokenError> {
    let mut url = o.realm.clone();
    let mut params = Vec::new();
    if !o.service.is_empty() {
        params.push(format!("service={}", encode(&o.service)));
    }
    for s in &o.scopes {
        params.push(format!("scope={}", encode(s)));
    }
    if !params.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&params.join("&"));
    }
    let uri = parse_realm(&url)?;
    let mut req = http::Request::get(uri.clone());
    if !o.secret.is_empty() {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", o.username, o.secret));
        req = req.header(http::header::AUTHORIZATION, format!("Basic {basic}"));
    }
    let req = req
        .body(Full::new(Bytes::new()))
        .map_err(|e| TokenError::Realm(format!("{}: {e}", o.realm)))?;
    let json = send("GET", &o.realm, uri, req).await?;
    decode(&json, false)
}

fn parse_realm(s: &str) -> Result<http::Uri, TokenError> {
    let uri: http::Uri = s.parse().map_err(|_| TokenError::Realm(s.to_string()))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(_)) => Ok(uri),
        _ => Err(TokenError::Realm(s.to_string())),
    }
}

fn decode(body: &[u8], oauth: bool) -> Result<Token, TokenError> {
    #[derive(serde::Deserialize)]
    struct Resp {
        #[serde(default)]
        token: String,
        #[serde(default)]
        access_token: String,
        #[serde(default)]
        expires_in: i64,
        #[serde(default)]
        issued_at: Option<String>,
    }
    let r: Resp = serde_json::from_slice(body).map_err(|e| TokenError::Decode(e.to_string()))?;
    let token = if oauth || !r.access_token.is_empty() {
        if r.access_token.is_empty() && !oauth {
            r.token
        } else {
            r.access_token
        }
    } else {
        r.token
    };
    if token.is_empty() {
        return Err(TokenError::NoToken);
    }
    let issued_at = r
        .issued_at
        .as_deref()
        .and_then(crate::go::time::parse_rfc3339_unix)
        .unwrap_or(0);
    Ok(Token {
        token,
        expires_in: r.expires_in,
        issued_at,
    })
}

async fn send(
    method: &'static str,
    realm: &str,
    uri: http::Uri,
    req: http::Request<Full<Bytes>>,
) -> Result<Vec<u8>, TokenError> {
    let url = realm.split('?').next().unwrap_or(realm).to_string();
    let fail = |reason: String| TokenError::Transport {
        method,
        url: url.clone(),
        reason,
    };
    let a = super::client::exchange(uri, req, FETCH_TIMEOUT)
        .await
        .map_err(fail)?;
    if !(200..400).contains(&a.status.as_u16()) {
        return Err(TokenError::Status {
            method,
            url,
            status: a.status.as_u16(),
        });
    }
    Ok(a.body.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_json() {
        let t = decode(
            br#"{"token":"t","expires_in":300,"issued_at":"2026-12-01T10:00:00Z"}"#,
            false,
        )
        .unwrap();
        assert_eq!((t.token.as_str(), t.expires_in), ("t", 300));
        assert_eq!(t.issued_at, 1796119200);
        let t = decode(br#"{"token":"t","access_token":"a"}"#, false).unwrap();
        assert_eq!(t.token, "a");
        let t = decode(br#"{"access_token":"a"}"#, true).unwrap();
        assert_eq!(t.token, "a");
        assert!(matches!(decode(b"{}", false), Err(TokenError::NoToken)));
        assert!(matches!(
            decode(b"<html>", false),
            Err(TokenError::Decode(_))
        ));
    }

    #[test]
    fn statuses_as_go_prints_them() {
        assert_eq!(status_text(401), "401 Unauthorized");
        assert_eq!(status_text(599), "599");
        let e = TokenError::Context {
            what: "failed to fetch oauth token",
            source: Box::new(TokenError::Status {
                method: "POST",
                url: "https://auth.example/token".into(),
                status: 405,
            }),
        };
        assert_eq!(
            e.to_string(),
            "failed to fetch oauth token: unexpected status from POST request to https://auth.example/token: 405 Method Not Allowed"
        );
        assert_eq!(e.status(), Some(405));
    }

    #[test]
    fn realms() {
        assert!(parse_realm("https://auth.example/token").is_ok());
        assert!(parse_realm("ftp://x/").is_err());
        assert!(parse_realm("/token").is_err());
        assert_eq!(
            encode("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
    }

    #[tokio::test]
    async fn unreachable_token_server_fails_in_bounded_time() {
        let o = TokenOptions {
            realm: "http://127.0.0.1:1/token".into(),
            ..Default::default()
        };
        let e = fetch(&o).await.unwrap_err().to_string();
        assert_eq!(
            e,
            r#"failed to fetch anonymous token: Get "http://127.0.0.1:1/token": dial tcp 127.0.0.1:1: connect: connection refused"#
        );
    }
}
