//! Manifest lists made on the client, as buildx 0.13's `util/imagetools`
//! makes them after a multi-node push: each node pushed its platforms by
//! digest; [`combine`] reads their manifests from the registry and builds
//! one index, [`push`] puts it under each tag.
//!
//! The registry calls (manifests, blobs, auth) are the [`registry`]
//! module's.
//!
//! [`registry`]: crate::registry

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::reference::{self, Named};
use crate::registry::media::{DOCKER_LIST, OCI_INDEX};
use crate::registry::{CredentialFuture, CredentialSource, Credentials, Registry};

/// The docker CLI's credentials answer a registry's challenges.
impl CredentialSource for crate::docker::CredentialStore {
    fn credentials<'a>(&'a self, host: &'a str) -> CredentialFuture<'a> {
        Box::pin(async move {
            let c = self.get(host).await?;
            Ok(Credentials {
                username: c.username,
                password: c.password,
                identity_token: c.identity_token,
            })
        })
    }
}

/// An OCI descriptor in the image spec's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Descriptor {
    /// Media type.
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    /// `sha256:...`.
    pub digest: String,
    /// Size in bytes.
    pub size: i64,
    /// URLs (foreign layers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Embedded data (base64).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data: String,
    /// The platform of an image manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<crate::docker::store::StorePlatform>,
    /// Artifact type.
    #[serde(
        rename = "artifactType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub artifact_type: String,
}

#[derive(Serialize, Deserialize)]
struct Index {
    #[serde(rename = "schemaVersion")]
    schema_version: i32,
    #[serde(
        rename = "mediaType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    media_type: String,
    #[serde(default)]
    manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Manifest {
    config: Descriptor,
}

#[derive(Deserialize)]
struct ImageConfig {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: String,
    #[serde(rename = "os.version", default)]
    os_version: String,
}

/// buildx's `Combine`: one index of the sources' manifests (an index's
/// manifests are taken over; a single manifest gets its platform from its
/// config). Docker media types throughout give a docker manifest list,
/// anything else an OCI index. Returns the index's bytes (Go's
/// `MarshalIndent` with two spaces) and its descriptor.
pub(crate) async fn combine(
    reg: &mut Registry,
    repo: &Named,
    sources: &[Descriptor],
) -> Result<(Vec<u8>, Descriptor)> {
    let mut descs: Vec<Descriptor> = Vec::new();
    let add = |d: Descriptor, descs: &mut Vec<Descriptor>| {
        if let Some(e) = descs.iter_mut().find(|x| x.digest == d.digest) {
            e.annotations.extend(d.annotations);
        } else {
            descs.push(d);
        }
    };
    for src in sources {
        let (mt, body) = reg.manifest(repo, &src.digest).await?;
        let mt = if src.media_type.is_empty() {
            mt
        } else {
            src.media_type.clone()
        };
        match mt.as_str() {
            OCI_INDEX | DOCKER_LIST => {
                let idx: Index = serde_json::from_slice(&body).map_err(|e| {
                    Error::Other(format!("index {} of {}: {e}", src.digest, repo.name()))
                })?;
                for d in idx.manifests {
                    add(d, &mut descs);
                }
            }
            _ => {
                let mut d = src.clone();
                d.media_type = mt.clone();
                if d.platform.is_none() {
                    let m: Manifest = serde_json::from_slice(&body).map_err(|e| {
                        Error::Other(format!("manifest {} of {}: {e}", src.digest, repo.name()))
                    })?;
                    let cfg = reg.blob(repo, &m.config.digest).await?;
                    let c: ImageConfig = serde_json::from_slice(&cfg).map_err(|e| {
                        Error::Other(format!(
                            "config {} of {}: {e}",
                            m.config.digest,
                            repo.name()
                        ))
                    })?;
                    d.platform = Some(crate::docker::store::StorePlatform {
                        architecture: c.architecture,
                        os: c.os,
                        os_version: c.os_version,
                        os_features: Vec::new(),
                        variant: c.variant,
                    });
                }
                add(d, &mut descs);
            }
        }
    }
    let docker = descs
        .iter()
        .all(|d| d.media_type.starts_with("application/vnd.docker."));
    let mt = if docker { DOCKER_LIST } else { OCI_INDEX };
    let idx = Index {
        schema_version: 2,
        media_type: mt.to_string(),
        manifests: descs,
        annotations: BTreeMap::new(),
    };
    let mut bytes = crate::go::json::to_go_json_indented(&idx)
        .map_err(|e| Error::Other(format!("encoding the manifest list: {e}")))?;
    // MarshalIndent: no trailing newline (the Encoder adds one).
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    let desc = Descriptor {
        media_type: mt.to_string(),
        digest: {
            use sha2::Digest as _;
            format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)))
        },
        size: bytes.len() as i64,
        urls: Vec::new(),
        annotations: BTreeMap::new(),
        data: String::new(),
        platform: None,
        artifact_type: String::new(),
    };
    Ok((bytes, desc))
}

/// Puts the index `body` under `name`'s tag (`latest` when it has none).
pub(crate) async fn push(
    reg: &mut Registry,
    name: &Named,
    desc: &Descriptor,
    body: &[u8],
) -> Result<()> {
    let tag = name.tag.clone().unwrap_or_else(|| "latest".into());
    Ok(reg.put_manifest(name, &tag, &desc.media_type, body).await?)
}

/// Parses a descriptor as BuildKit returns it in `containerimage.descriptor`
/// (base64 of its JSON).
pub(crate) fn descriptor_from_response(b64: &str) -> Result<Descriptor> {
    let raw = crate::go::json::b64_decode(b64)
        .map_err(|e| Error::Other(format!("bad containerimage.descriptor: {e}")))?;
    serde_json::from_slice(&raw)
        .map_err(|e| Error::Other(format!("failed to unmarshal descriptor {b64}: {e}")))
}

/// A name as buildx's `ParseNormalizedNamed` gives it.
pub(crate) fn parse_name(s: &str) -> Result<Named> {
    reference::parse_normalized_named(s).map_err(|e| Error::Other(format!("{s}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::media::OCI_MANIFEST;

    #[test]
    fn index_json_as_go_marshal_indent() {
        let idx = Index {
            schema_version: 2,
            media_type: OCI_INDEX.into(),
            manifests: vec![Descriptor {
                media_type: OCI_MANIFEST.into(),
                digest: "sha256:aa".into(),
                size: 3,
                urls: vec![],
                annotations: BTreeMap::new(),
                data: String::new(),
                platform: Some(crate::docker::store::StorePlatform {
                    architecture: "arm64".into(),
                    os: "linux".into(),
                    ..Default::default()
                }),
                artifact_type: String::new(),
            }],
            annotations: BTreeMap::new(),
        };
        let b = crate::go::json::to_go_json_indented(&idx).unwrap();
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n  \"manifests\": [\n    {\n      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n      \"digest\": \"sha256:aa\",\n      \"size\": 3,\n      \"platform\": {\n        \"architecture\": \"arm64\",\n        \"os\": \"linux\"\n      }\n    }\n  ]\n}\n"
        );
    }
}
