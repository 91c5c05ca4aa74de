//! The registry calls the client makes itself (the distribution API and
//! the Docker registry token protocol), over one shared HTTP client.
//!
//! - Token fetches, as BuildKit's client makes them: the session's
//!   `Auth.FetchToken` answers the daemon with them, so that passwords
//!   and identity tokens stay on the client (OAuth2 `POST` first, `GET`
//!   with basic auth as the fallback, anonymous `GET` without
//!   credentials). Failures are a [`TokenError`].
//! - The few manifest and blob calls of a manifest list made on the client
//!   after a multi-node push (`GET`/`PUT /v2/<repo>/manifests/<ref>`,
//!   `GET /v2/<repo>/blobs/<digest>`), with Basic or Bearer-token auth
//!   when the registry challenges, from the caller's credentials (the
//!   docker CLI's, in a solve). Failures are a [`RegistryError`] that names
//!   the registry host, the [`Call`] and, for an answer refused, the
//!   status code; [`Error::Registry`](crate::error::Error::Registry)
//!   carries it.
//!
//! Requests are HTTP/1.1, one per connection, each with a time limit.
//! Loopback registries (`localhost`, `127.0.0.1`, `[::1]`) are spoken to
//! in plain HTTP, as containerd's resolver does; others over TLS with the
//! system's root certificates, read once per process.
//!
//! The module uses only the crate's leaf modules (Go formats, image
//! references), not the docker configuration: credentials come through a
//! source the caller gives, so that the crate's error type can carry
//! registry errors without a cycle.

mod challenge;
mod client;
mod error;
pub(crate) mod token;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

use crate::reference::{self, Named};

pub use error::{Call, RegistryError};
pub use token::TokenError;

/// The manifest media types the calls ask for and tell apart.
pub(crate) mod media {
    /// An OCI image index.
    pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// An OCI image manifest.
    pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// A docker manifest list.
    pub(crate) const DOCKER_LIST: &str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
    /// A docker image manifest.
    pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
}

/// How long one registry request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A registry host's credentials, as a challenge is answered with them.
#[derive(Debug, Default, Clone)]
pub(crate) struct Credentials {
    /// User name (empty with an identity token).
    pub(crate) username: String,
    /// Password.
    pub(crate) password: String,
    /// Identity token (an OAuth refresh token), sent instead of the
    /// password to a token server.
    pub(crate) identity_token: String,
}

/// Why a [`CredentialSource`] could not answer.
pub(crate) type CredentialLookupError = Box<dyn std::error::Error + Send + Sync>;

/// What [`CredentialSource::credentials`] returns.
pub(crate) type CredentialFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialLookupError>> + Send + 'a>>;

/// Where a [`Registry`] finds a host's credentials when it is challenged
/// (the docker CLI's credential store, for the solve).
pub(crate) trait CredentialSource: Send + Sync {
    /// The credentials for `host` (empty when there are none).
    fn credentials<'a>(&'a self, host: &'a str) -> CredentialFuture<'a>;
}

/// A registry host and how to authenticate to it: the first challenge
/// answered gives the `Authorization` of every later call.
pub(crate) struct Registry {
    host: String,
    plain_http: bool,
    creds: Option<Arc<dyn CredentialSource>>,
    auth: Option<String>,
}

/// A registry's answer, read whole.
struct Reply {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Registry {
    /// The registry of `name` (Docker Hub's is `registry-1.docker.io`);
    /// `insecure` forces plain HTTP.
    pub(crate) fn for_name(
        name: &Named,
        creds: Option<Arc<dyn CredentialSource>>,
        insecure: bool,
    ) -> Registry {
        let host = match name.domain.as_str() {
            reference::DEFAULT_DOMAIN | "" => "registry-1.docker.io".to_string(),
            d => d.to_string(),
        };
        let plain_http = insecure || is_loopback(&host);
        Registry {
            plain_http,
            host,
            creds,
            auth: None,
        }
    }

    /// A manifest or index of `repo` by tag or digest: its media type (the
    /// `Content-Type`, an OCI manifest when none) and its bytes.
    pub(crate) async fn manifest(
        &mut self,
        repo: &Named,
        reference: &str,
    ) -> Result<(String, Bytes), RegistryError> {
        use media::*;
        let call = Call::GetManifest {
            repository: repo.path.clone(),
            reference: reference.to_string(),
        };
        let accept = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(", ");
        let r = self
            .send(&call, &[("Accept", accept)], Bytes::new())
            .await?;
        if r.status != 200 {
            return Err(self.status_error(call, &r));
        }
        let mt = r
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(OCI_MANIFEST)
            .to_string();
        Ok((mt, r.body))
    }

    /// A blob of `repo`, following a redirect to its storage.
    pub(crate) async fn blob(
        &mut self,
        repo: &Named,
        digest: &str,
    ) -> Result<Bytes, RegistryError> {
        let call = Call::GetBlob {
            repository: repo.path.clone(),
            digest: digest.to_string(),
        };
        let mut r = self.send(&call, &[], Bytes::new()).await?;
        // Registries may redirect blob reads to storage.
        if (300..400).contains(&r.status) {
            if let Some(loc) = r
                .headers
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
            {
                let uri: http::Uri = loc.parse().map_err(|_| RegistryError::Redirect {
                    host: self.host.clone(),
                    call: call.clone(),
                    location: loc.to_string(),
                })?;
                r = self.exchange(&call, uri, Vec::new(), Bytes::new()).await?;
            }
        }
        if r.status != 200 {
            return Err(self.status_error(call, &r));
        }
        Ok(r.body)
    }

    /// Puts `body` (of media type `mt`) as `name`'s manifest `tag`.
    pub(crate) async fn put_manifest(
        &mut self,
        name: &Named,
        tag: &str,
        mt: &str,
        body: &[u8],
    ) -> Result<(), RegistryError> {
        let call = Call::PutManifest {
            repository: name.path.clone(),
            tag: tag.to_string(),
        };
        let r = self
            .send(
                &call,
                &[("Content-Type", mt.to_string())],
                Bytes::copy_from_slice(body),
            )
            .await?;
        if r.status != 201 && r.status != 200 {
            return Err(self.status_error(call, &r));
        }
        Ok(())
    }

    fn url(&self, call: &Call) -> String {
        let scheme = if self.plain_http { "http" } else { "https" };
        format!("{scheme}://{}{}", self.host, call.path())
    }

    fn status_error(&self, call: Call, r: &Reply) -> RegistryError {
        let detail = String::from_utf8_lossy(&r.body);
        let detail: String = detail.chars().take(300).collect();
        RegistryError::Status {
            host: self.host.clone(),
            url: self.url(&call),
            call,
            status: r.status,
            detail: detail.trim().to_string(),
        }
    }

    /// Makes `call`; on a `401` with a challenge (and no authorization
    /// yet), answers it with the credentials and makes the call again.
    async fn send(
        &mut self,
        call: &Call,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<Reply, RegistryError> {
        let uri: http::Uri = self.url(call).parse().map_err(|e| RegistryError::Url {
            host: self.host.clone(),
            call: call.clone(),
            reason: format!("{e}"),
        })?;
        let mut hs: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        if let Some(a) = &self.auth {
            hs.push(("Authorization".into(), a.clone()));
        }
        let r = self
            .exchange(call, uri.clone(), hs.clone(), body.clone())
            .await?;
        if r.status != 401 || self.auth.is_some() {
            return Ok(r);
        }
        let Some(challenge) = r
            .headers
            .get(http::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(challenge::Challenge::parse)
        else {
            return Ok(r);
        };
        let Some(auth) = self.answer(call, &challenge).await? else {
            return Ok(r);
        };
        self.auth = Some(auth.clone());
        let mut hs: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        hs.push(("Authorization".into(), auth));
        self.exchange(call, uri, hs, body).await
    }

    /// The `Authorization` answering `challenge` for `call` (a Bearer token
    /// for the call's repository and actions), `None` for a scheme other
    /// than Basic and Bearer.
    async fn answer(
        &self,
        call: &Call,
        challenge: &challenge::Challenge,
    ) -> Result<Option<String>, RegistryError> {
        let creds =
            match &self.creds {
                Some(c) => c.credentials(&self.host).await.map_err(|source| {
                    RegistryError::Credentials {
                        host: self.host.clone(),
                        call: call.clone(),
                        source,
                    }
                })?,
                None => Default::default(),
            };
        if challenge.is("basic") {
            use base64::Engine;
            let raw = format!("{}:{}", creds.username, creds.password);
            return Ok(Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )));
        }
        if !challenge.is("bearer") {
            return Ok(None);
        }
        let secret = if creds.identity_token.is_empty() {
            creds.password.clone()
        } else {
            creds.identity_token.clone()
        };
        let token = token::fetch(&token::TokenOptions {
            realm: challenge.param("realm"),
            service: challenge.param("service"),
            scopes: vec![format!(
                "repository:{}:{}",
                call.repository(),
                call.actions()
            )],
            username: creds.username.clone(),
            secret,
        })
        .await
        .map_err(|source| RegistryError::Token {
            host: self.host.clone(),
            call: call.clone(),
            source,
        })?;
        Ok(Some(format!("Bearer {}", token.token)))
    }

    /// One request, read whole, within [`REQUEST_TIMEOUT`].
    async fn exchange(
        &self,
        call: &Call,
        uri: http::Uri,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Result<Reply, RegistryError> {
        let url = uri.to_string();
        let fail = |reason: String| RegistryError::Transport {
            host: self.host.clone(),
            call: call.clone(),
            url: url.clone(),
            reason,
        };
        let mut b = http::Request::builder()
            .method(call.method())
            .uri(uri.clone());
        for (k, v) in &headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let req = b.body(Full::new(body)).map_err(|e| fail(e.to_string()))?;
        let a = client::exchange(uri, req, REQUEST_TIMEOUT)
            .await
            .map_err(fail)?;
        Ok(Reply {
            status: a.status.as_u16(),
            headers: a.headers,
            body: a.body,
        })
    }
}

/// Whether a registry host (`host[:port]`) is this machine's.
fn is_loopback(host: &str) -> bool {
    let bare = host
        .rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
        .trim_matches(['[', ']']);
    bare == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(name: &str) -> Registry {
        let n = reference::parse_normalized_named(name).unwrap();
        Registry::for_name(&n, None, false)
    }

    #[test]
    fn loopback_registries_speak_plain_http() {
        for (n, plain) in [
            ("127.0.0.1:5000/a", true),
            ("localhost:5000/a", true),
            ("[::1]:5000/a", true),
            ("registry.example/a", false),
            ("a", false),
        ] {
            assert_eq!(registry(n).plain_http, plain, "{n}");
        }
    }

    #[test]
    fn urls() {
        let call = Call::GetManifest {
            repository: "library/alpine".into(),
            reference: "latest".into(),
        };
        let r = registry("alpine");
        assert_eq!(r.host, "registry-1.docker.io");
        assert_eq!(
            r.url(&call),
            "https://registry-1.docker.io/v2/library/alpine/manifests/latest"
        );
        let r = registry("127.0.0.1:5000/a");
        assert_eq!(
            r.url(&call),
            "http://127.0.0.1:5000/v2/library/alpine/manifests/latest"
        );
        let n = reference::parse_normalized_named("registry.example/a").unwrap();
        assert!(Registry::for_name(&n, None, true).plain_http);
    }

    #[tokio::test]
    async fn unreachable_registry_names_host_and_call() {
        let n = reference::parse_normalized_named("127.0.0.1:1/a").unwrap();
        let mut r = Registry::for_name(&n, None, false);
        let e = r.manifest(&n, "v1").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "GET http://127.0.0.1:1/v2/a/manifests/v1: dial tcp 127.0.0.1:1: connect: connection refused"
        );
        assert_eq!(e.host(), "127.0.0.1:1");
        assert_eq!(
            e.call(),
            &Call::GetManifest {
                repository: "a".into(),
                reference: "v1".into()
            }
        );
        assert_eq!(e.status(), None);
    }

    struct Fixed(Credentials);

    impl CredentialSource for Fixed {
        fn credentials<'a>(&'a self, _host: &'a str) -> CredentialFuture<'a> {
            let c = self.0.clone();
            Box::pin(async move { Ok(c) })
        }
    }

    /// A registry on loopback answering each connection in turn with one
    /// of `answers`; returns its address and the requests it read.
    async fn serve(answers: Vec<&'static str>) -> (String, tokio::task::JoinHandle<Vec<String>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let seen = tokio::spawn(async move {
            let mut seen = Vec::new();
            for a in answers {
                let (mut c, _) = l.accept().await.unwrap();
                let mut buf = vec![0; 8192];
                let mut n = 0;
                while !buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                    n += c.read(&mut buf[n..]).await.unwrap();
                }
                seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                c.write_all(a.as_bytes()).await.unwrap();
                c.shutdown().await.unwrap();
            }
            seen
        });
        (addr, seen)
    }

    #[tokio::test]
    async fn basic_challenge_is_answered_once_and_kept() {
        let (addr, seen) = serve(vec![
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissing",
        ])
        .await;
        let n = reference::parse_normalized_named(&format!("{addr}/a/b:v1")).unwrap();
        let creds = Fixed(Credentials {
            username: "user".into(),
            password: "pass".into(),
            ..Default::default()
        });
        let mut r = Registry::for_name(&n, Some(Arc::new(creds)), false);
        r.put_manifest(&n, "v1", media::OCI_INDEX, b"{}")
            .await
            .unwrap();
        let e = r.manifest(&n, "sha256:aa").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("GET http://{addr}/v2/a/b/manifests/sha256:aa: unexpected status 404: missing")
        );
        assert_eq!((e.host(), e.status()), (addr.as_str(), Some(404)));
        let seen = seen.await.unwrap();
        assert!(
            seen[0].starts_with("PUT /v2/a/b/manifests/v1 "),
            "{}",
            seen[0]
        );
        assert!(!seen[0].to_ascii_lowercase().contains("authorization"));
        // base64("user:pass")
        assert!(seen[1].contains("Basic dXNlcjpwYXNz"), "{}", seen[1]);
        assert!(seen[2].starts_with("GET /v2/a/b/manifests/sha256:aa "));
        assert!(seen[2].contains("Basic dXNlcjpwYXNz"), "{}", seen[2]);
    }
}
