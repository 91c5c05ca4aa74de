//! Manifest lists made on the client, as buildx 0.13's `util/imagetools`
//! makes them after a multi-node push: each node pushed its platforms by
//! digest; [`combine`] reads their manifests from the registry and builds
//! one index, [`push`] puts it under each tag.
//!
//! The registry client is the distribution API's few calls this needs
//! (`GET`/`HEAD`/`PUT /v2/<repo>/manifests/<ref>`), over HTTP/1.1, with
//! Basic or Bearer-token auth from the docker credentials (tokens fetched
//! as the session's `Auth.FetchToken` fetches them). Loopback registries
//! are spoken to in plain HTTP, as containerd's resolver does for
//! localhost; others over TLS with the system's roots.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde::{Deserialize, Serialize};

use crate::docker::CredentialStore;
use crate::error::{Error, Result};
use crate::reference::{self, Named};

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// How long one registry request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

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
    reg.put_manifest(name, &tag, &desc.media_type, body).await
}

/// A registry host and how to authenticate to it.
pub(crate) struct Registry {
    host: String,
    plain_http: bool,
    creds: Option<CredentialStore>,
    auth: Option<String>,
}

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
        creds: Option<CredentialStore>,
        insecure: bool,
    ) -> Registry {
        let host = match name.domain.as_str() {
            reference::DEFAULT_DOMAIN | "" => "registry-1.docker.io".to_string(),
            d => d.to_string(),
        };
        let bare = host
            .rsplit_once(':')
            .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
            .map(|(h, _)| h)
            .unwrap_or(&host)
            .trim_matches(['[', ']']);
        let loopback = bare == "localhost"
            || bare
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        Registry {
            plain_http: insecure || loopback,
            host,
            creds,
            auth: None,
        }
    }

    async fn manifest(&mut self, repo: &Named, reference: &str) -> Result<(String, Bytes)> {
        let accept = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(", ");
        let path = format!("/v2/{}/manifests/{reference}", repo.path);
        let r = self
            .send(
                "GET",
                &path,
                &[("Accept", accept)],
                Bytes::new(),
                &repo.path,
                "pull",
            )
            .await?;
        if r.status != 200 {
            return Err(self.status_error("GET", &path, &r));
        }
        let mt = r
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(OCI_MANIFEST)
            .to_string();
        Ok((mt, r.body))
    }

    async fn blob(&mut self, repo: &Named, digest: &str) -> Result<Bytes> {
        let path = format!("/v2/{}/blobs/{digest}", repo.path);
        let mut r = self
            .send("GET", &path, &[], Bytes::new(), &repo.path, "pull")
            .await?;
        // Registries may redirect blob reads to storage.
        if (300..400).contains(&r.status) {
            if let Some(loc) = r
                .headers
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
            {
                let uri: http::Uri = loc
                    .parse()
                    .map_err(|_| Error::Other(format!("bad redirect {loc:?} for {path}")))?;
                r = exchange("GET", uri, Vec::new(), Bytes::new()).await?;
            }
        }
        if r.status != 200 {
            return Err(self.status_error("GET", &path, &r));
        }
        Ok(r.body)
    }

    async fn put_manifest(&mut self, name: &Named, tag: &str, mt: &str, body: &[u8]) -> Result<()> {
        let path = format!("/v2/{}/manifests/{tag}", name.path);
        let r = self
            .send(
                "PUT",
                &path,
                &[("Content-Type", mt.to_string())],
                Bytes::copy_from_slice(body),
                &name.path,
                "pull,push",
            )
            .await?;
        if r.status != 201 && r.status != 200 {
            return Err(self.status_error("PUT", &path, &r));
        }
        Ok(())
    }

    fn status_error(&self, method: &str, path: &str, r: &Reply) -> Error {
        let detail = String::from_utf8_lossy(&r.body);
        let detail: String = detail.chars().take(300).collect();
        Error::Other(format!(
            "{method} {}://{}{path}: unexpected status {}: {}",
            if self.plain_http { "http" } else { "https" },
            self.host,
            r.status,
            detail.trim()
        ))
    }

    async fn send(
        &mut self,
        method: &'static str,
        path: &str,
        headers: &[(&str, String)],
        body: Bytes,
        repo: &str,
        actions: &str,
    ) -> Result<Reply> {
        let scheme = if self.plain_http { "http" } else { "https" };
        let uri: http::Uri = format!("{scheme}://{}{path}", self.host)
            .parse()
            .map_err(|e| Error::Other(format!("bad registry URL for {}: {e}", self.host)))?;
        let mut hs: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        if let Some(a) = &self.auth {
            hs.push(("Authorization".into(), a.clone()));
        }
        let r = exchange(method, uri.clone(), hs.clone(), body.clone()).await?;
        if r.status != 401 || self.auth.is_some() {
            return Ok(r);
        }
        let Some(challenge) = r
            .headers
            .get(http::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
        else {
            return Ok(r);
        };
        let creds = match &self.creds {
            Some(c) => c
                .get(&self.host)
                .await
                .map_err(|e| Error::Other(e.to_string()))?,
            None => Default::default(),
        };
        let (kind, params) = challenge
            .split_once(' ')
            .unwrap_or((challenge.as_str(), ""));
        let params = parse_challenge(params);
        let auth = if kind.eq_ignore_ascii_case("basic") {
            use base64::Engine;
            let raw = format!("{}:{}", creds.username, creds.password);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        } else if kind.eq_ignore_ascii_case("bearer") {
            let secret = if creds.identity_token.is_empty() {
                creds.password.clone()
            } else {
                creds.identity_token.clone()
            };
            let token = crate::session::auth::fetch_token(
                params.get("realm").cloned().unwrap_or_default(),
                params.get("service").cloned().unwrap_or_default(),
                vec![format!("repository:{repo}:{actions}")],
                creds.username.clone(),
                secret,
            )
            .await
            .map_err(|e| Error::Other(e.to_string()))?;
            format!("Bearer {token}")
        } else {
            return Ok(r);
        };
        self.auth = Some(auth.clone());
        let mut hs: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        hs.push(("Authorization".into(), auth));
        exchange(method, uri, hs, body).await
    }
}

/// `key="value", key2="value2"` of a `WWW-Authenticate` header.
fn parse_challenge(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some((k, v)) = rest.split_once('=') else {
            break;
        };
        let k = k.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let v = v.trim_start();
        let (val, after) = if let Some(q) = v.strip_prefix('"') {
            match q.find('"') {
                Some(i) => (&q[..i], &q[i + 1..]),
                None => (q, ""),
            }
        } else {
            match v.find(',') {
                Some(i) => (&v[..i], &v[i..]),
                None => (v, ""),
            }
        };
        out.insert(k, val.to_string());
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

async fn exchange(
    method: &'static str,
    uri: http::Uri,
    headers: Vec<(String, String)>,
    body: Bytes,
) -> Result<Reply> {
    let url = uri.to_string();
    let fail = |reason: String| Error::Other(format!("{method} {url}: {reason}"));
    let fut = async {
        let mut b = http::Request::builder().method(method).uri(uri.clone());
        for (k, v) in &headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let req = b.body(Full::new(body)).map_err(|e| fail(e.to_string()))?;
        let resp = crate::session::auth::http_request(uri, req)
            .await
            .map_err(fail)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| fail(e.to_string()))?
            .to_bytes();
        Ok(Reply {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(REQUEST_TIMEOUT, fut).await {
        Ok(r) => r,
        Err(_) => Err(fail(format!(
            "no answer within {}s",
            REQUEST_TIMEOUT.as_secs()
        ))),
    }
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

    #[test]
    fn challenges() {
        let p = parse_challenge(
            r#"realm="http://127.0.0.1:1/token",service="reg",scope="repository:a:pull""#,
        );
        assert_eq!(p["realm"], "http://127.0.0.1:1/token");
        assert_eq!(p["service"], "reg");
        assert_eq!(p["scope"], "repository:a:pull");
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
            let r = Registry::for_name(&parse_name(n).unwrap(), None, false);
            assert_eq!(r.plain_http, plain, "{n}");
        }
    }

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
