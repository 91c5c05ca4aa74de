//! `Auth.FetchToken`: the registry token the daemon asks for, fetched on
//! the client with the host's credentials ([`crate::registry::token`]
//! makes the requests), or the credentials' own registry token.

use tonic::Status;

use crate::proto::moby::filesync::v1::{FetchTokenRequest, FetchTokenResponse};
use crate::registry::token::{self, Token, TokenOptions};

use super::{credential_status, secret, AuthService};

impl AuthService {
    /// Answers `FetchToken`; a fetch with credentials is shown as an
    /// `[auth]` step, as BuildKit's client shows it.
    pub(super) async fn token(&self, req: FetchTokenRequest) -> Result<FetchTokenResponse, Status> {
        let c = self.lookup(&req.host).await.map_err(credential_status)?;
        let tok = if !c.registry_token.is_empty() {
            Token {
                token: c.registry_token.clone(),
                ..Default::default()
            }
        } else {
            let opts = TokenOptions {
                realm: req.realm,
                service: req.service,
                scopes: req.scopes,
                username: if c.identity_token.is_empty() {
                    c.username.clone()
                } else {
                    String::new()
                },
                secret: secret(&c).to_string(),
            };
            if !opts.secret.is_empty() {
                let scopes: Vec<&str> = opts
                    .scopes
                    .iter()
                    .map(|s| s.strip_prefix("repository:").unwrap_or(s))
                    .collect();
                self.step(
                    format!("[auth] {} token for {}", scopes.join(" "), req.host),
                    None,
                )
                .await;
            }
            token::fetch(&opts)
                .await
                .map_err(|e| Status::unknown(e.to_string()))?
        };
        Ok(FetchTokenResponse {
            token: tok.token,
            expires_in: if tok.expires_in == 0 {
                60
            } else {
                tok.expires_in
            },
            issued_at: tok.issued_at,
        })
    }
}
