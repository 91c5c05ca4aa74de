//! `--build-context NAME=oci-layout://PATH[:TAG][@DIGEST]`: a named
//! context taken from a local OCI image layout, resolved the way buildx
//! 0.13 resolves it.
//!
//! The value is cut at the first `@` (digest) and then at the first `:`
//! (tag, `latest` when absent), so a path containing `:` cannot be named,
//! exactly as in buildx. Without a digest, `PATH/index.json` is read (under
//! a shared lock on `index.json.lock`, created and removed again, as
//! BuildKit's `ociindex` does) and the manifest whose
//! `org.opencontainers.image.ref.name` annotation equals the tag is taken;
//! when none matches but the index has exactly one manifest, that one is.
//! The digest is then checked like go-digest does. Nothing else about the
//! layout is checked here: the daemon reads what it needs (blobs under
//! `PATH/blobs/<alg>/<hex>`) through the session's content service, see
//! [`crate::session::content`].
//!
//! The frontend gets `context:NAME=oci-layout://<store id>:<tag>@<digest>`,
//! where the store id is random and the session serves the layout under
//! `oci:<store id>` (BuildKit's `SolveOpt.OCIStores`).
//!
//! Errors read like buildx's, including Go's JSON decoding errors for the
//! type mistakes an index can have (syntax errors keep serde_json's text,
//! except for a truncated document).

pub(crate) use crate::error::{LockFailure, OciLayoutError};

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rustix::fs::FlockOperation;
use rustix::io::Errno;
use serde_json::{Map, Value};

use crate::digest::Digest;
use crate::go::filepath::join as go_join;

/// The scheme of an OCI layout named context.
pub(crate) const SCHEME: &str = "oci-layout://";

/// The tag used when the reference names none.
pub(crate) const DEFAULT_TAG: &str = "latest";

/// The annotation that carries a manifest's tag in `index.json`.
pub(crate) const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";

/// A resolved `oci-layout://` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OciLayoutRef {
    /// The layout directory as written (relative paths are relative to the
    /// working directory).
    pub path: String,
    /// The tag (`latest` when none was given).
    pub tag: String,
    /// The manifest (or index) digest: given, or resolved from the tag.
    pub digest: String,
}

impl OciLayoutRef {
    /// Parses `reference` (`oci-layout://PATH[:TAG][@DIGEST]`; the scheme
    /// may be left out) and resolves the tag to a digest when no digest is
    /// given.
    pub(crate) fn resolve(reference: &str) -> Result<OciLayoutRef, OciLayoutError> {
        let rest = reference.strip_prefix(SCHEME).unwrap_or(reference);
        let (rest, digest) = match rest.split_once('@') {
            Some((p, d)) => (p, Some(d)),
            None => (rest, None),
        };
        let (path, tag) = rest.split_once(':').unwrap_or((rest, DEFAULT_TAG));
        let digest = match digest {
            Some(d) => d.to_string(),
            None => {
                let manifests = read_index(path)?;
                let tagged = manifests
                    .iter()
                    .find(|m| m.ref_name.as_deref() == Some(tag));
                let single = || match manifests.as_slice() {
                    [only] => Some(only),
                    _ => None,
                };
                match tagged.or_else(single) {
                    Some(m) => m.digest.clone(),
                    None => {
                        return Err(OciLayoutError::Unresolved {
                            reference: reference.to_string(),
                        })
                    }
                }
            }
        };
        if let Err(source) = Digest::parse(&digest) {
            return Err(OciLayoutError::InvalidDigest { digest, source });
        }
        Ok(OciLayoutRef {
            path: path.to_string(),
            tag: tag.to_string(),
            digest,
        })
    }

    /// The frontend's `context:NAME` value for the layout served as
    /// content store `store_id` (buildx's form).
    pub(crate) fn context_value(&self, store_id: &str) -> String {
        format!("{SCHEME}{store_id}:{}@{}", self.tag, self.digest)
    }

    /// The layout directory, absolute (the content store's root).
    pub(crate) fn store_root(&self) -> PathBuf {
        let p = Path::new(&self.path);
        if p.as_os_str().is_empty() {
            return std::env::current_dir().unwrap_or_default();
        }
        std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
    }
}

/// One entry of `index.json`'s `manifests`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Manifest {
    digest: String,
    ref_name: Option<String>,
}

/// A shared `flock` on `index.json.lock`; dropping it unlocks and removes
/// the file, as BuildKit's `ociindex` does after reading.
struct IndexLock {
    file: std::fs::File,
    path: String,
}

impl IndexLock {
    fn acquire(path: String) -> Result<IndexLock, OciLayoutError> {
        // O_RDONLY|O_CREAT, 0600: what gofrs/flock opens for a read lock.
        let file = match std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_CREAT)
            .mode(0o600)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) => {
                return Err(OciLayoutError::Lock {
                    path,
                    failure: Some(LockFailure::Open(e)),
                })
            }
        };
        if let Err(e) = rustix::fs::flock(&file, FlockOperation::NonBlockingLockShared) {
            let failure = if e == Errno::WOULDBLOCK {
                None
            } else {
                Some(LockFailure::Flock(e.into()))
            };
            return Err(OciLayoutError::Lock { path, failure });
        }
        Ok(IndexLock { file, path })
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        let _ = rustix::fs::flock(&self.file, FlockOperation::Unlock);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The digest of the manifest tagged `tag` in `<layout>/index.json`
/// (BuildKit's `ociindex.Get`), if any.
pub(crate) fn digest_for_tag(layout: &str, tag: &str) -> Result<Option<String>, OciLayoutError> {
    Ok(read_index(layout)?
        .into_iter()
        .find(|m| m.ref_name.as_deref() == Some(tag))
        .map(|m| m.digest))
}

/// Reads and decodes `<layout>/index.json`.
fn read_index(layout: &str) -> Result<Vec<Manifest>, OciLayoutError> {
    let index_path = go_join(layout, "index.json");
    let lock = IndexLock::acquire(format!("{index_path}.lock"))?;
    let read_err = |op, source| OciLayoutError::Read {
        path: index_path.clone(),
        op,
        source,
    };
    let mut file = std::fs::File::open(&index_path).map_err(|e| read_err("open", e))?;
    let mut content = Vec::new();
    file.read_to_end(&mut content)
        .map_err(|e| read_err("read", e))?;
    drop(lock);
    decode_index(&content).map_err(|reason| OciLayoutError::Unmarshal {
        path: index_path.clone(),
        content,
        reason,
    })
}

/// Decodes an OCI index as Go's `json.Unmarshal` into `v1.Index` would:
/// keys match field names without regard to case, `null` leaves a field
/// empty, and a value of the wrong type fails with Go's message.
fn decode_index(content: &[u8]) -> Result<Vec<Manifest>, String> {
    let value: Value = serde_json::from_slice(content).map_err(|e| {
        if e.is_eof() {
            "unexpected end of JSON input".to_string()
        } else {
            e.to_string()
        }
    })?;
    let obj = match &value {
        Value::Null => return Ok(Vec::new()),
        Value::Object(o) => o,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type v1.Index",
                go_kind(other)
            ))
        }
    };
    let mut manifests = Vec::new();
    for (key, v) in fields(obj) {
        match key {
            "schemaVersion" => check_int(v, "Index.Versioned.schemaVersion", "int")?,
            "mediaType" => check_string(v, "Index.mediaType", "string")?,
            "artifactType" => check_string(v, "Index.artifactType", "string")?,
            "annotations" => check_string_map(v, "Index.annotations")?,
            "manifests" => manifests = decode_manifests(v)?,
            _ => {}
        }
    }
    Ok(manifests)
}

fn decode_manifests(v: &Value) -> Result<Vec<Manifest>, String> {
    const FIELD: &str = "Index.manifests";
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(a) => a,
        other => return Err(type_error(other, FIELD, "[]v1.Descriptor")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let obj = match item {
            Value::Null => {
                out.push(Manifest {
                    digest: String::new(),
                    ref_name: None,
                });
                continue;
            }
            Value::Object(o) => o,
            other => return Err(type_error(other, FIELD, "v1.Descriptor")),
        };
        let mut m = Manifest {
            digest: String::new(),
            ref_name: None,
        };
        for (key, v) in fields(obj) {
            match key {
                "mediaType" => check_string(v, "Descriptor.manifests.mediaType", "string")?,
                "artifactType" => check_string(v, "Descriptor.manifests.artifactType", "string")?,
                "size" => check_int(v, "Descriptor.manifests.size", "int64")?,
                "urls" => check_string_list(v, "Descriptor.manifests.urls")?,
                "digest" => {
                    check_string(v, "Descriptor.manifests.digest", "digest.Digest")?;
                    if let Value::String(s) = v {
                        m.digest = s.clone();
                    }
                }
                "annotations" => {
                    check_string_map(v, "Descriptor.manifests.annotations")?;
                    if let Some(Value::String(s)) = v.get(REF_NAME_ANNOTATION) {
                        m.ref_name = Some(s.clone());
                    } else if v.get(REF_NAME_ANNOTATION).is_some() {
                        // `null` in a map[string]string stores "".
                        m.ref_name = Some(String::new());
                    }
                }
                _ => {}
            }
        }
        out.push(m);
    }
    Ok(out)
}

/// The object's entries under the Go field names they match (`Manifests`
/// fills `manifests`); entries matching no known field are skipped.
fn fields(obj: &Map<String, Value>) -> impl Iterator<Item = (&'static str, &Value)> {
    const KNOWN: &[&str] = &[
        "schemaVersion",
        "mediaType",
        "artifactType",
        "annotations",
        "manifests",
        "size",
        "urls",
        "digest",
    ];
    obj.iter().filter_map(|(k, v)| {
        KNOWN
            .iter()
            .find(|name| name.eq_ignore_ascii_case(k))
            .map(|name| (*name, v))
    })
}

fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(v: &Value, field: &str, ty: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go struct field {field} of type {ty}",
        go_kind(v)
    )
}

fn check_string(v: &Value, field: &str, ty: &str) -> Result<(), String> {
    match v {
        Value::Null | Value::String(_) => Ok(()),
        other => Err(type_error(other, field, ty)),
    }
}

fn check_int(v: &Value, field: &str, ty: &str) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Number(n) if n.as_i64().is_some() => Ok(()),
        // Go names the offending number.
        Value::Number(n) => Err(format!(
            "json: cannot unmarshal number {n} into Go struct field {field} of type {ty}"
        )),
        other => Err(type_error(other, field, ty)),
    }
}

fn check_string_map(v: &Value, field: &str) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Object(o) => o
            .values()
            .try_for_each(|x| check_string(x, field, "string")),
        other => Err(type_error(other, field, "map[string]string")),
    }
}

fn check_string_list(v: &Value, field: &str) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Array(a) => a.iter().try_for_each(|x| check_string(x, field, "string")),
        other => Err(type_error(other, field, "[]string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    fn layout(index: &str) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("index.json"), index).unwrap();
        d
    }

    fn two_tags() -> String {
        format!(
            r#"{{"schemaVersion":2,"manifests":[
              {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D1}","size":400,
                "annotations":{{"org.opencontainers.image.ref.name":"latest"}}}},
              {{"digest":"{D2}","size":401,
                "annotations":{{"io.containerd.image.name":"latest","org.opencontainers.image.ref.name":"v2"}}}}]}}"#
        )
    }

    fn reference(dir: &Path, suffix: &str) -> String {
        format!("{SCHEME}{}{suffix}", dir.display())
    }

    #[test]
    fn tag_defaults_to_latest() {
        let d = layout(&two_tags());
        let r = OciLayoutRef::resolve(&reference(d.path(), "")).unwrap();
        assert_eq!(r.tag, "latest");
        assert_eq!(r.digest, D1);
        assert_eq!(r.path, d.path().to_str().unwrap());
        assert_eq!(
            r.context_value("store1"),
            format!("oci-layout://store1:latest@{D1}")
        );
        // The lock file is gone again.
        assert!(!d.path().join("index.json.lock").exists());
    }

    #[test]
    fn tag_looked_up_by_ref_name_only() {
        let d = layout(&two_tags());
        // io.containerd.image.name is not looked at (BuildKit 0.13's ociindex).
        let r = OciLayoutRef::resolve(&reference(d.path(), ":v2")).unwrap();
        assert_eq!((r.tag.as_str(), r.digest.as_str()), ("v2", D2));
    }

    #[test]
    fn digest_given_skips_the_index() {
        let missing = Path::new("/nonexistent/rkbuild-layout");
        let r = OciLayoutRef::resolve(&reference(missing, &format!("@{D2}"))).unwrap();
        assert_eq!(
            r,
            OciLayoutRef {
                path: "/nonexistent/rkbuild-layout".into(),
                tag: "latest".into(),
                digest: D2.into(),
            }
        );
        let r = OciLayoutRef::resolve(&reference(missing, &format!(":v9@{D1}"))).unwrap();
        assert_eq!((r.tag.as_str(), r.digest.as_str()), ("v9", D1));
        assert_eq!(r.context_value("s"), format!("oci-layout://s:v9@{D1}"));
    }

    #[test]
    fn single_manifest_answers_any_tag() {
        let d = layout(&format!(r#"{{"manifests":[{{"digest":"{D1}"}}]}}"#));
        let r = OciLayoutRef::resolve(&reference(d.path(), ":nope")).unwrap();
        assert_eq!((r.tag.as_str(), r.digest.as_str()), ("nope", D1));
    }

    #[test]
    fn unknown_tag() {
        let d = layout(&two_tags());
        let reference = reference(d.path(), ":nope");
        let e = OciLayoutRef::resolve(&reference).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("oci-layout reference \"{reference}\" could not be resolved")
        );
        let empty = layout(r#"{"manifests":null}"#);
        assert!(matches!(
            OciLayoutRef::resolve(&super::tests::reference(empty.path(), "")),
            Err(OciLayoutError::Unresolved { .. })
        ));
    }

    #[test]
    fn missing_layout_and_missing_index() {
        let e = OciLayoutRef::resolve("oci-layout:///nonexistent/rkbuild-layout:latest")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "could not lock /nonexistent/rkbuild-layout/index.json.lock: \
             open /nonexistent/rkbuild-layout/index.json.lock: no such file or directory"
        );
        let d = tempfile::tempdir().unwrap();
        let dir = format!("{}/./", d.path().display());
        let e = OciLayoutRef::resolve(&format!("oci-layout://{dir}"))
            .unwrap_err()
            .to_string();
        let index = d.path().join("index.json");
        assert_eq!(
            e,
            format!(
                "could not read {0}: open {0}: no such file or directory",
                index.display()
            )
        );
        assert!(!d.path().join("index.json.lock").exists());
    }

    #[test]
    fn held_lock_is_refused() {
        let d = layout(&two_tags());
        let lock_path = d.path().join("index.json.lock");
        let holder = std::fs::File::create(&lock_path).unwrap();
        rustix::fs::flock(&holder, FlockOperation::NonBlockingLockExclusive).unwrap();
        let e = OciLayoutRef::resolve(&reference(d.path(), "")).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("could not lock {}", lock_path.display())
        );
    }

    #[test]
    fn invalid_digests() {
        let d = layout(
            r#"{"manifests":[{"digest":"sha256:bad","annotations":{"org.opencontainers.image.ref.name":"bad"}}]}"#,
        );
        let e = OciLayoutRef::resolve(&reference(d.path(), ":bad")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid oci-layout digest sha256:bad: invalid checksum digest length"
        );
        let e = OciLayoutRef::resolve("oci-layout:///x@md5:abc").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid oci-layout digest md5:abc: unsupported digest algorithm"
        );
        let e = OciLayoutRef::resolve("oci-layout:///x@").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid oci-layout digest : invalid checksum digest format"
        );
        // A null manifest is an empty descriptor.
        let d = layout(r#"{"manifests":[null]}"#);
        let e = OciLayoutRef::resolve(&reference(d.path(), "")).unwrap_err();
        assert!(matches!(e, OciLayoutError::InvalidDigest { .. }), "{e}");
    }

    /// Messages buildx 0.13.1 printed for these index.json contents.
    #[test]
    fn decoding_errors_read_like_go() {
        let cases = [
            ("", "unexpected end of JSON input"),
            ("[]", "json: cannot unmarshal array into Go value of type v1.Index"),
            (
                r#"{"manifests":{}}"#,
                "json: cannot unmarshal object into Go struct field Index.manifests of type []v1.Descriptor",
            ),
            (
                r#"{"manifests":[1]}"#,
                "json: cannot unmarshal number into Go struct field Index.manifests of type v1.Descriptor",
            ),
            (
                r#"{"manifests":[{"digest":5}]}"#,
                "json: cannot unmarshal number into Go struct field Descriptor.manifests.digest of type digest.Digest",
            ),
            (
                r#"{"manifests":[{"annotations":[]}]}"#,
                "json: cannot unmarshal array into Go struct field Descriptor.manifests.annotations of type map[string]string",
            ),
            (
                r#"{"manifests":[{"annotations":{"org.opencontainers.image.ref.name":1}}]}"#,
                "json: cannot unmarshal number into Go struct field Descriptor.manifests.annotations of type string",
            ),
            (
                r#"{"manifests":[{"size":"x"}]}"#,
                "json: cannot unmarshal string into Go struct field Descriptor.manifests.size of type int64",
            ),
            (
                r#"{"manifests":[{"size":1.5}]}"#,
                "json: cannot unmarshal number 1.5 into Go struct field Descriptor.manifests.size of type int64",
            ),
            (
                r#"{"schemaVersion":"2"}"#,
                "json: cannot unmarshal string into Go struct field Index.Versioned.schemaVersion of type int",
            ),
            (
                r#"{"mediaType":1}"#,
                "json: cannot unmarshal number into Go struct field Index.mediaType of type string",
            ),
            (
                r#"{"annotations":[]}"#,
                "json: cannot unmarshal array into Go struct field Index.annotations of type map[string]string",
            ),
        ];
        for (content, want) in cases {
            let d = layout(content);
            let e = OciLayoutRef::resolve(&reference(d.path(), "")).unwrap_err();
            let index = d.path().join("index.json");
            assert_eq!(
                e.to_string(),
                format!(
                    "could not unmarshal {} ({}): {want}",
                    index.display(),
                    crate::go::strconv::quote(content.as_bytes())
                ),
                "{content}"
            );
        }
    }

    #[test]
    fn keys_match_without_case_and_null_is_empty() {
        let d = layout(&format!(
            r#"{{"Manifests":[{{"Digest":"{D2}","ANNOTATIONS":{{"org.opencontainers.image.ref.name":"x"}}}}, {{"digest":"{D1}"}}]}}"#
        ));
        let r = OciLayoutRef::resolve(&reference(d.path(), ":x")).unwrap();
        assert_eq!(r.digest, D2);
        assert!(decode_index(b"null").unwrap().is_empty());
    }

    #[test]
    fn store_root_is_absolute() {
        let r = OciLayoutRef {
            path: "rel/layout".into(),
            tag: "latest".into(),
            digest: D1.into(),
        };
        assert!(r.store_root().is_absolute());
        assert!(r.store_root().ends_with("rel/layout"));
    }
}
