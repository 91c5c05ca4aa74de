//! What buildx does through the docker daemon's own API after a solve on
//! the docker driver: `--push` of the images the `moby` exporter stored
//! (`POST /images/NAME/push`, one progress step "pushing NAME with docker"
//! per name, sub-statuses "pushing layer ID"), and the pushed digest in the
//! exporter response.

use std::collections::BTreeMap;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::client::transport::engine::{stream, JsonMessages};
use crate::client::Endpoint;
use crate::docker::CredentialStore;
use crate::error::{ExportError, Result};
use crate::progress::event::{SolveStatus, Timestamp, VertexStatus};
use crate::progress::local::LocalVertex;

use super::export::Export;

/// The `X-Registry-Auth` header for `name`'s registry: base64url of the
/// docker CLI's `AuthConfig` JSON (empty fields left out).
pub(crate) async fn registry_auth(name: &str, creds: Option<&CredentialStore>) -> Result<String> {
    use base64::Engine;
    let named = crate::reference::parse_normalized_named(name).map_err(|source| {
        ExportError::Reference {
            name: name.to_string(),
            source,
        }
    })?;
    let mut m = serde_json::Map::new();
    if let Some(c) = creds {
        let host = named.domain.clone();
        let ac = c.get(&host).await?;
        if !ac.is_empty() {
            for (k, v) in [
                ("username", &ac.username),
                ("password", &ac.password),
                ("identitytoken", &ac.identity_token),
                ("registrytoken", &ac.registry_token),
            ] {
                if !v.is_empty() {
                    m.insert(k.into(), v.clone().into());
                }
            }
            m.insert(
                "serveraddress".into(),
                CredentialStore::key_for(&host).to_string().into(),
            );
        }
    }
    let json = serde_json::Value::Object(m).to_string();
    Ok(base64::engine::general_purpose::URL_SAFE.encode(json))
}

/// Pushes the `moby` exports marked `push=true`, as buildx does on the
/// docker driver, and puts the pushed digest of the first name in
/// `response` (`containerimage.digest`; the config digest kept).
pub(crate) async fn push_exports(
    api: &Endpoint,
    exports: &[Export],
    creds: Option<&CredentialStore>,
    tx: Option<mpsc::Sender<SolveStatus>>,
    response: &mut BTreeMap<String, String>,
) -> Result<()> {
    for e in exports {
        let push = e
            .attrs
            .get("push")
            .and_then(|p| crate::go::strconv::parse_bool(p.as_bytes()))
            .unwrap_or(false);
        if e.kind != "moby" || !push {
            continue;
        }
        let names = e.attrs.get("name").cloned().unwrap_or_default();
        if names.is_empty() {
            return Err(ExportError::TagRequired.into());
        }
        let list: Vec<&str> = names.split(',').collect();
        let mut first = None;
        for name in &list {
            let v = LocalVertex::start(tx.clone(), &format!("pushing {name} with docker")).await;
            match push_one(api, name, creds, &v).await {
                Ok(d) => {
                    v.done(None).await;
                    first = first.or(Some(d));
                }
                Err(err) => {
                    v.done(Some(&err.to_string())).await;
                    return Err(err);
                }
            }
        }
        if let Some(Some(remote)) = first {
            if !response.contains_key("containerimage.config.digest") {
                if let Some(d) = response.get("containerimage.digest").cloned() {
                    response.insert("containerimage.config.digest".into(), d);
                }
            }
            response.insert("containerimage.digest".into(), remote);
        }
    }
    Ok(())
}

async fn push_one(
    api: &Endpoint,
    name: &str,
    creds: Option<&CredentialStore>,
    v: &LocalVertex,
) -> Result<Option<String>> {
    let named = crate::reference::parse_normalized_named(name).map_err(|source| {
        ExportError::Reference {
            name: name.to_string(),
            source,
        }
    })?;
    let auth = registry_auth(name, creds).await?;
    let repo = {
        let mut n = named.clone();
        n.tag = None;
        n.digest = None;
        n.familiar()
    };
    let tag = named.tag.clone().unwrap_or_else(|| "latest".into());
    let path = format!(
        "/images/{repo}/push?tag={}",
        percent_encoding::utf8_percent_encode(&tag, percent_encoding::NON_ALPHANUMERIC)
    );
    let body = stream(
        api,
        "POST",
        &path,
        &[("X-Registry-Auth", auth)],
        http_body_util::Empty::<Bytes>::new(),
    )
    .await?;
    let mut started: BTreeMap<String, VertexStatus> = BTreeMap::new();
    let mut error: Option<String> = None;
    let mut digest = None;
    let mut msgs = JsonMessages::new(body);
    while let Some(m) = msgs.next().await? {
        if let Some(aux) = &m.aux {
            if let Some(d) = aux.get("Digest").and_then(|d| d.as_str()) {
                digest = Some(d.to_string());
            }
        }
        if !m.id.is_empty() {
            let id = format!("pushing layer {}", m.id);
            if !started.contains_key(&id) {
                // Go's *JSONProgress: any progressDetail, even `{}`.
                if m.progress.is_some() || m.status == "Pushed" {
                    started.insert(
                        id.clone(),
                        VertexStatus {
                            id: id.clone(),
                            started: Some(Timestamp::now()),
                            ..Default::default()
                        },
                    );
                } else {
                    continue;
                }
            }
            if let Some(st) = started.get_mut(&id) {
                st.timestamp = Timestamp::now();
                if let Some(p) = &m.progress {
                    st.current = p.current;
                    st.total = p.total;
                }
                if m.error().is_some() {
                    st.completed = Some(Timestamp::now());
                }
                if m.status == "Pushed" {
                    st.completed = Some(Timestamp::now());
                    st.current = st.total;
                }
                v.status(st.clone()).await;
            }
        }
        if let Some(e) = m.error() {
            error = Some(e);
        }
    }
    for st in started.values_mut() {
        if st.completed.is_none() {
            st.completed = Some(Timestamp::now());
            v.status(st.clone()).await;
        }
    }
    if let Some(e) = error {
        return Err(ExportError::Push {
            name: name.to_string(),
            message: e,
        }
        .into());
    }
    Ok(digest)
}
