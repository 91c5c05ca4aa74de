//! moby.filesync.v1.Auth: registry credentials for the daemon, from the
//! docker CLI's config.json (`auths`, `credsStore`, `credHelpers`).
//!
//! Only `Credentials` is advertised, so the daemon fetches registry tokens
//! itself with the credentials it gets here (BuildKit falls back to that when
//! the session does not offer `FetchToken`).

use std::path::PathBuf;

use tonic::{Request, Response, Status};

use crate::proto::moby::filesync::v1::{
    auth_server::{Auth, AuthServer},
    CredentialsRequest, CredentialsResponse, FetchTokenRequest, FetchTokenResponse,
    GetTokenAuthorityRequest, GetTokenAuthorityResponse, VerifyTokenAuthorityRequest,
    VerifyTokenAuthorityResponse,
};

/// Serves credentials from `DIR/config.json`.
#[derive(Debug, Clone)]
pub struct AuthService {
    config_dir: PathBuf,
}

impl AuthService {
    /// Credentials from the docker config directory `config_dir`.
    pub fn new(config_dir: PathBuf) -> Self {
        AuthService { config_dir }
    }

    /// The service, ready to attach to a session.
    pub fn attachable(self) -> super::Service<AuthServer<AuthService>> {
        super::Service::new(AuthServer::new(self), &["Credentials"])
    }

    /// Looks up credentials for a registry host (`docker.io` is
    /// `https://index.docker.io/v1/` in config.json, as in the docker CLI).
    pub fn lookup(&self, host: &str) -> Result<Option<(String, String)>, String> {
        let server = if host == "docker.io" || host == "registry-1.docker.io" {
            "https://index.docker.io/v1/"
        } else {
            host
        };
        let path = self.config_dir.join("config.json");
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        use docker_credential::{CredentialRetrievalError as E, DockerCredential as C};
        match docker_credential::get_credential_from_reader(std::io::BufReader::new(file), server) {
            Ok(C::UsernamePassword(u, p)) => Ok(Some((u, p))),
            Ok(C::IdentityToken(t)) => Ok(Some((String::new(), t))),
            Err(E::NoCredentialConfigured) => Ok(None),
            // Never echo a helper's output: it may contain secrets.
            Err(E::HelperFailure { helper, .. }) => {
                Err(format!("credential helper {helper} failed for {host}"))
            }
            Err(e) => Err(format!("credentials for {host}: {e}")),
        }
    }
}

#[tonic::async_trait]
impl Auth for AuthService {
    async fn credentials(
        &self,
        req: Request<CredentialsRequest>,
    ) -> Result<Response<CredentialsResponse>, Status> {
        let host = req.into_inner().host;
        let this = self.clone();
        let found = tokio::task::spawn_blocking(move || this.lookup(&host))
            .await
            .map_err(|e| Status::internal(e.to_string()))?
            .map_err(Status::unavailable)?;
        let (username, secret) = found.unwrap_or_default();
        Ok(Response::new(CredentialsResponse { username, secret }))
    }

    async fn fetch_token(
        &self,
        _req: Request<FetchTokenRequest>,
    ) -> Result<Response<FetchTokenResponse>, Status> {
        Err(Status::unimplemented("FetchToken is not offered"))
    }

    async fn get_token_authority(
        &self,
        _req: Request<GetTokenAuthorityRequest>,
    ) -> Result<Response<GetTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("GetTokenAuthority is not offered"))
    }

    async fn verify_token_authority(
        &self,
        _req: Request<VerifyTokenAuthorityRequest>,
    ) -> Result<Response<VerifyTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("VerifyTokenAuthority is not offered"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_auths_and_maps_docker_hub() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("config.json"),
            r#"{"auths":{"127.0.0.1:5000":{"auth":"dXNlcjpwYXNz"},"https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="}}}"#,
        )
        .unwrap();
        let a = AuthService::new(d.path().to_path_buf());
        assert_eq!(
            a.lookup("127.0.0.1:5000").unwrap(),
            Some(("user".into(), "pass".into()))
        );
        assert_eq!(
            a.lookup("docker.io").unwrap(),
            Some(("hub".into(), "secret".into()))
        );
        assert_eq!(a.lookup("other:1").unwrap(), None);
    }

    #[test]
    fn failing_helper_does_not_leak_output() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("config.json"),
            r#"{"credsStore":"rkbuild-test-nonexistent-helper"}"#,
        )
        .unwrap();
        let a = AuthService::new(d.path().to_path_buf());
        let err = a.lookup("127.0.0.1:5000").unwrap_err();
        assert!(err.contains("127.0.0.1:5000"), "{err}");
    }
}
