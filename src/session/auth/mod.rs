//! moby.filesync.v1.Auth: registry credentials and tokens for the daemon,
//! from the docker CLI's configuration ([`CredentialStore`]).
//!
//! As BuildKit's own client does, the service offers a token authority
//! (`GetTokenAuthority`, `VerifyTokenAuthority`): a daemon that sees it
//! asks `FetchToken` for each registry token, and the client fetches the
//! token itself, so that passwords and identity tokens stay here and only
//! short-lived tokens reach the daemon. Daemons without that support (or
//! registries with basic auth) use `Credentials`.
//!
//! Nothing here logs or echoes a secret; errors name the registry, the
//! helper or the token server, never what was sent to them.

mod seed;
mod token;

use std::path::PathBuf;

use tonic::{Request, Response, Status};

use crate::docker::{AuthConfig, CredentialError, CredentialStore};
use crate::proto::moby::filesync::v1::{
    auth_server::{Auth, AuthServer},
    CredentialsRequest, CredentialsResponse, FetchTokenRequest, FetchTokenResponse,
    GetTokenAuthorityRequest, GetTokenAuthorityResponse, VerifyTokenAuthorityRequest,
    VerifyTokenAuthorityResponse,
};

pub use crate::registry::TokenError;

/// Serves registry credentials and tokens.
#[derive(Clone)]
pub struct AuthService {
    creds: CredentialStore,
    seeds: seed::TokenSeeds,
    client_tokens: bool,
    progress: Option<tokio::sync::mpsc::Sender<crate::progress::event::SolveStatus>>,
    shared: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl std::fmt::Debug for AuthService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService")
            .field("creds", &self.creds)
            .finish_non_exhaustive()
    }
}

impl AuthService {
    /// Credentials from the docker config directory `config_dir`
    /// (`config.json`, its helpers; the token seeds in `.token_seed`). A
    /// `config.json` that cannot be read counts as empty here; the CLI
    /// reports a broken one before it builds.
    pub fn new(config_dir: PathBuf) -> Self {
        let creds = CredentialStore::from_dir(&config_dir)
            .unwrap_or_else(|_| CredentialStore::new(Default::default()));
        Self::with_store(creds, config_dir)
    }

    /// Credentials from `creds`; token seeds kept in `config_dir`.
    pub fn with_store(creds: CredentialStore, config_dir: PathBuf) -> Self {
        // BuildKit's BUILDKIT_NO_CLIENT_TOKEN: the daemon fetches tokens
        // itself with the credentials.
        let no_client_token = std::env::var("BUILDKIT_NO_CLIENT_TOKEN")
            .ok()
            .and_then(|v| crate::go::strconv::parse_bool(v.as_bytes()))
            .unwrap_or(false);
        AuthService {
            creds,
            seeds: seed::TokenSeeds::new(config_dir),
            client_tokens: !no_client_token,
            progress: None,
            shared: Default::default(),
        }
    }

    /// Shows BuildKit's client-side `[auth]` steps (credentials shared,
    /// tokens fetched) in the build's progress.
    pub(crate) fn with_progress(
        mut self,
        tx: Option<tokio::sync::mpsc::Sender<crate::progress::event::SolveStatus>>,
    ) -> Self {
        self.progress = tx;
        self
    }

    /// A finished `[auth]` step named `name`, failed with `error`.
    async fn step(&self, name: String, error: Option<String>) {
        if self.progress.is_some() {
            let v = crate::progress::local::LocalVertex::start(self.progress.clone(), &name).await;
            v.done(error.as_deref()).await;
        }
    }

    /// The service, ready to attach to a session.
    pub fn attachable(self) -> super::Service<AuthServer<AuthService>> {
        super::Service::new(
            AuthServer::new(self),
            &[
                "Credentials",
                "FetchToken",
                "GetTokenAuthority",
                "VerifyTokenAuthority",
            ],
        )
    }

    /// The credentials for a registry host (BuildKit's authprovider maps
    /// `registry-1.docker.io` to Docker Hub's config key).
    pub async fn lookup(&self, host: &str) -> Result<AuthConfig, CredentialError> {
        self.creds.get(host).await
    }

    /// The Ed25519 key of `host`'s token authority: HMAC-SHA256 keyed by
    /// `salt` over the host's seed (over nothing without credentials).
    async fn authority_key(
        &self,
        host: &str,
        salt: &[u8],
    ) -> Result<ring::signature::Ed25519KeyPair, Status> {
        if !self.client_tokens {
            return Err(Status::unavailable("client side tokens disabled"));
        }
        let creds = self.lookup(host).await.map_err(credential_status)?;
        let seeds = self.seeds.clone();
        let h = host.to_string();
        let seed = tokio::task::spawn_blocking(move || seeds.get(&h))
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, salt);
        let data: &[u8] = if secret(&creds).is_empty() {
            &[]
        } else {
            &seed
        };
        let sum = ring::hmac::sign(&key, data);
        ring::signature::Ed25519KeyPair::from_seed_unchecked(&sum.as_ref()[..32])
            .map_err(|_| Status::internal("cannot derive the token authority key"))
    }
}

/// What BuildKit's authprovider sends as the secret: the identity token,
/// else the password.
fn secret(c: &AuthConfig) -> &str {
    if c.identity_token.is_empty() {
        &c.password
    } else {
        &c.identity_token
    }
}

/// A plain error, as BuildKit's client returns it (the daemon shows the
/// message without a code).
fn credential_status(e: CredentialError) -> Status {
    Status::unknown(e.to_string())
}

#[tonic::async_trait]
impl Auth for AuthService {
    async fn credentials(
        &self,
        req: Request<CredentialsRequest>,
    ) -> Result<Response<CredentialsResponse>, Status> {
        let host = req.into_inner().host;
        let found = self.lookup(&host).await;
        // BuildKit's client names the first sharing (or failure) per host.
        let first = self
            .shared
            .lock()
            .map(|mut s| s.insert(host.clone()))
            .unwrap_or(false);
        let shares = match &found {
            Ok(c) => !secret(c).is_empty(),
            Err(_) => true,
        };
        if first && shares {
            let err = found.as_ref().err().map(|e| e.to_string());
            self.step(format!("[auth] sharing credentials for {host}"), err)
                .await;
        }
        let c = found.map_err(credential_status)?;
        let resp = if c.identity_token.is_empty() {
            CredentialsResponse {
                username: c.username,
                secret: c.password,
            }
        } else {
            CredentialsResponse {
                username: String::new(),
                secret: c.identity_token,
            }
        };
        Ok(Response::new(resp))
    }

    async fn fetch_token(
        &self,
        req: Request<FetchTokenRequest>,
    ) -> Result<Response<FetchTokenResponse>, Status> {
        self.token(req.into_inner()).await.map(Response::new)
    }

    async fn get_token_authority(
        &self,
        req: Request<GetTokenAuthorityRequest>,
    ) -> Result<Response<GetTokenAuthorityResponse>, Status> {
        let req = req.into_inner();
        let key = self.authority_key(&req.host, &req.salt).await?;
        use ring::signature::KeyPair;
        Ok(Response::new(GetTokenAuthorityResponse {
            public_key: key.public_key().as_ref().to_vec().into(),
        }))
    }

    async fn verify_token_authority(
        &self,
        req: Request<VerifyTokenAuthorityRequest>,
    ) -> Result<Response<VerifyTokenAuthorityResponse>, Status> {
        let req = req.into_inner();
        let key = self.authority_key(&req.host, &req.salt).await?;
        // NaCl's sign.Sign: the signature, then the message.
        let mut signed = key.sign(&req.payload).as_ref().to_vec();
        signed.extend_from_slice(&req.payload);
        Ok(Response::new(VerifyTokenAuthorityResponse {
            signed: signed.into(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(json: &str) -> (tempfile::TempDir, AuthService) {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("config.json"), json).unwrap();
        let a = AuthService::new(d.path().to_path_buf());
        (d, a)
    }

    #[tokio::test]
    async fn credentials_for_exactly_the_host_asked() {
        let (_d, a) = service(
            r#"{"auths":{"127.0.0.1:5000":{"auth":"dXNlcjpwYXNz"},
                "id.example":{"identitytoken":"idt"}}}"#,
        );
        let ask = |h: &str| a.credentials(Request::new(CredentialsRequest { host: h.into() }));
        let r = ask("127.0.0.1:5000").await.unwrap().into_inner();
        assert_eq!((r.username.as_str(), r.secret.as_str()), ("user", "pass"));
        let r = ask("127.0.0.1:5001").await.unwrap().into_inner();
        assert_eq!((r.username.as_str(), r.secret.as_str()), ("", ""));
        let r = ask("id.example").await.unwrap().into_inner();
        assert_eq!((r.username.as_str(), r.secret.as_str()), ("", "idt"));
    }

    #[tokio::test]
    async fn token_authority_signs_with_a_stable_key() {
        let (d, a) = service(r#"{"auths":{"r.example":{"auth":"dXNlcjpwYXNz"}}}"#);
        let pk = |salt: &'static [u8]| {
            a.get_token_authority(Request::new(GetTokenAuthorityRequest {
                host: "r.example".into(),
                salt: salt.to_vec().into(),
            }))
        };
        let k1 = pk(b"salt").await.unwrap().into_inner().public_key;
        let k2 = pk(b"salt").await.unwrap().into_inner().public_key;
        let k3 = pk(b"other").await.unwrap().into_inner().public_key;
        assert_eq!(k1.len(), 32);
        assert_eq!(k1, k2);
        assert_ne!(k1, k3);
        let signed = a
            .verify_token_authority(Request::new(VerifyTokenAuthorityRequest {
                host: "r.example".into(),
                payload: b"payload".to_vec().into(),
                salt: b"salt".to_vec().into(),
            }))
            .await
            .unwrap()
            .into_inner()
            .signed;
        assert_eq!(&signed[64..], b"payload");
        let pubkey = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &k1);
        pubkey.verify(b"payload", &signed[..64]).unwrap();
        // The seed is kept beside config.json, private to the user.
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(d.path().join(".token_seed")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let seeds: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.path().join(".token_seed")).unwrap()).unwrap();
        assert!(seeds["r.example"]["Seed"].is_string(), "{seeds}");
    }

    #[tokio::test]
    async fn registry_tokens_are_returned_without_a_fetch() {
        let (_d, a) = service(r#"{"auths":{"r.example":{"registrytoken":"rt"}}}"#);
        let r = a
            .fetch_token(Request::new(FetchTokenRequest {
                host: "r.example".into(),
                realm: "http://127.0.0.1:1/token".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!((r.token.as_str(), r.expires_in, r.issued_at), ("rt", 60, 0));
    }

    #[tokio::test]
    async fn failing_helper_is_an_error_naming_it() {
        let (_d, a) = service(r#"{"credsStore":"rkbuild-test-nonexistent-helper"}"#);
        let err = a
            .credentials(Request::new(CredentialsRequest {
                host: "127.0.0.1:5000".into(),
            }))
            .await
            .unwrap_err();
        let m = err.message();
        assert!(
            m.contains("docker-credential-rkbuild-test-nonexistent-helper")
                && m.contains("127.0.0.1:5000"),
            "{m}"
        );
    }
}
