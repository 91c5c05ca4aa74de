//! moby.buildkit.secrets.v1.Secrets: what `RUN --mount=type=secret,id=ID`
//! reads. The values come from a [`SecretSource`]: a map
//! ([`SecretMap`]), or one of the caller's own (a vault, a keyring).
//! Unknown ids are answered `NotFound`, as BuildKit's own store answers
//! them, so that the frontend can tell a missing optional secret from a
//! failure.

use std::collections::BTreeMap;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::proto::moby::buildkit::secrets::v1::{
    secrets_server::{Secrets, SecretsServer},
    GetSecretRequest, GetSecretResponse,
};

/// The largest secret BuildKit takes (its `MaxSecretSize`, 500 KiB).
pub const MAX_SECRET_SIZE: usize = 500 * 1024;

/// Where a build's secrets come from.
pub trait SecretSource: Send + Sync + 'static {
    /// The secret called `id`; `Ok(None)` when there is none. An error's
    /// text reaches the daemon (and its progress): never put the secret in
    /// it.
    fn get(&self, id: &str) -> std::io::Result<Option<Vec<u8>>>;
}

/// Secrets held in memory, by id.
#[derive(Clone, Default)]
pub struct SecretMap(BTreeMap<String, Vec<u8>>);

impl std::fmt::Debug for SecretMap {
    // The ids only: values never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl SecretMap {
    /// An empty map.
    pub fn new() -> SecretMap {
        SecretMap::default()
    }

    /// Adds (or replaces) the secret `id`.
    pub fn insert(&mut self, id: impl Into<String>, value: impl Into<Vec<u8>>) {
        self.0.insert(id.into(), value.into());
    }
}

impl SecretSource for SecretMap {
    fn get(&self, id: &str) -> std::io::Result<Option<Vec<u8>>> {
        Ok(self.0.get(id).cloned())
    }
}

/// The Secrets service of a session, serving one [`SecretSource`].
pub struct SecretsService {
    source: Arc<dyn SecretSource>,
}

impl std::fmt::Debug for SecretsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsService")
    }
}

impl SecretsService {
    /// Serves the secrets of `source`.
    pub fn new(source: impl SecretSource) -> SecretsService {
        SecretsService {
            source: Arc::new(source),
        }
    }

    /// The service, ready to attach to a session.
    pub fn attachable(self) -> super::Service<SecretsServer<SecretsService>> {
        super::Service::new(SecretsServer::new(self), &["GetSecret"])
    }
}

#[tonic::async_trait]
impl Secrets for SecretsService {
    async fn get_secret(
        &self,
        req: Request<GetSecretRequest>,
    ) -> Result<Response<GetSecretResponse>, Status> {
        let id = req.into_inner().id;
        let source = self.source.clone();
        let lookup = id.clone();
        let found = tokio::task::spawn_blocking(move || source.get(&lookup))
            .await
            .map_err(|e| Status::internal(format!("secret {id}: {e}")))?
            .map_err(|e| Status::internal(format!("secret {id}: {e}")))?;
        match found {
            None => Err(Status::not_found(format!("secret {id} not found"))),
            Some(data) if data.len() > MAX_SECRET_SIZE => Err(Status::invalid_argument(format!(
                "invalid secret size {}",
                data.len()
            ))),
            Some(data) => Ok(Response::new(GetSecretResponse { data: data.into() })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::moby::buildkit::secrets::v1::secrets_client::SecretsClient;

    #[tokio::test]
    async fn serves_known_ids_and_refuses_the_rest() {
        let mut m = SecretMap::new();
        m.insert("token", "s3cr3t");
        m.insert("big", vec![0u8; MAX_SECRET_SIZE + 1]);
        assert_eq!(format!("{m:?}"), r#"{"big", "token"}"#);
        let mut sess = crate::session::Session::new("x", "x:y");
        sess.allow(SecretsService::new(m).attachable());
        assert!(sess
            .methods()
            .contains(&"/moby.buildkit.secrets.v1.Secrets/GetSecret".to_string()));
        let mut c = SecretsClient::new(crate::session::serve_on_loopback(sess).await);
        let get = |id: &str| GetSecretRequest {
            id: id.into(),
            annotations: Default::default(),
        };
        let r = c.get_secret(get("token")).await.unwrap().into_inner();
        assert_eq!(&r.data[..], b"s3cr3t");
        let e = c.get_secret(get("nope")).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::NotFound);
        let e = c.get_secret(get("big")).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
    }
}
