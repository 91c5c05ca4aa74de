//! `--cache-from` / `--cache-to`: buildx 0.13's parsing (its
//! `util/buildflags/cache.go`) and BuildKit's client side of the cache
//! backends (`client/solve.go`): `type=local` directories served to the
//! daemon as content stores `local:<dir>`, their `index.json` read on
//! import and updated after an export.
//!
//! Every other type (`registry`, `inline`, `gha`, `s3`, `azblob`, ...)
//! goes to the daemon as given; `gha` takes its URL and token from
//! `ACTIONS_CACHE_URL` / `ACTIONS_RUNTIME_TOKEN` when not given, and is
//! left out without them, as buildx does. For `s3`, buildx fills missing
//! keys from the AWS SDK's default chain; here the environment part of it
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{CacheError, CsvOption, Error, OptionError, Result};
use crate::go::json::to_go_json as go_json;

/// One cache import or export (BuildKit's `CacheOptionsEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// `registry`, `local`, `inline`, `gha`, `s3`, `azblob`, ...
    pub kind: String,
    /// Its attributes (`ref`, `mode`, `dest`, `src`, ...).
    pub attrs: BTreeMap<String, String>,
}

impl CacheEntry {
    fn new(kind: &str, attrs: &[(&str, &str)]) -> CacheEntry {
        CacheEntry {
            kind: kind.into(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

/// Parses `--cache-from` or `--cache-to` values as buildx does: a value
/// without `=` is a list of registry references (`user/app:cache`),
/// otherwise CSV `type=...,key=value`.
pub fn parse_cache_entries(list: &[String]) -> Result<Vec<CacheEntry>> {
    let mut out = Vec::new();
    for s in list {
        let fields = crate::go::csv::read_record_str(s).map_err(|e| OptionError::Csv {
            option: CsvOption::Cache,
            reason: e.to_string(),
        })?;
        if !fields.is_empty() && fields.iter().all(|f| !f.contains('=')) {
            for f in fields {
                out.push(CacheEntry::new("registry", &[("ref", &f)]));
            }
            continue;
        }
        let mut e = CacheEntry {
            kind: String::new(),
            attrs: BTreeMap::new(),
        };
        for f in &fields {
            let Some((k, v)) = f.split_once('=') else {
                return Err(OptionError::NotKeyValue {
                    option: CsvOption::Cache,
                    field: f.clone(),
                }
                .into());
            };
            let k = k.to_ascii_lowercase();
            if k == "type" {
                e.kind = v.to_string();
            } else {
                e.attrs.insert(k, v.to_string());
            }
        }
        if e.kind.is_empty() {
            return Err(OptionError::CacheType(s.clone()).into());
        }
        if e.kind == "gha" && !add_github_token(&mut e) {
            continue;
        }
        if e.kind == "s3" {
            add_aws_credentials(&mut e);
        }
        out.push(e);
    }
    Ok(out)
}

fn add_github_token(e: &mut CacheEntry) -> bool {
    for (attr, var) in [
        ("token", "ACTIONS_RUNTIME_TOKEN"),
        ("url", "ACTIONS_CACHE_URL"),
    ] {
        if !e.attrs.contains_key(attr) {
            if let Ok(v) = std::env::var(var) {
                e.attrs.insert(attr.into(), v);
            }
        }
    }
    e.attrs.get("token").is_some_and(|t| !t.is_empty())
        && e.attrs.get("url").is_some_and(|u| !u.is_empty())
}

fn add_aws_credentials(e: &mut CacheEntry) {
    if e.attrs.contains_key("access_key_id") && e.attrs.contains_key("secret_access_key") {
        return;
    }
    let (Ok(id), Ok(secret)) = (
        std::env::var("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY"),
    ) else {
        return;
    };
    e.attrs.entry("access_key_id".into()).or_insert(id);
    e.attrs.entry("secret_access_key".into()).or_insert(secret);
    if let Some(t) = std::env::var("AWS_SESSION_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
    {
        e.attrs.entry("session_token".into()).or_insert(t);
    }
}

/// What the cache entries need from the session: local directories served
/// as content stores, and where to record exported caches.
#[derive(Debug, Default, Clone)]
pub struct LocalCaches {
    /// Stores the daemon reads (`local:<src>`).
    pub imports: BTreeMap<String, PathBuf>,
    /// Stores the daemon writes, with the tag to record in `index.json`.
    pub exports: BTreeMap<String, (PathBuf, String)>,
}

impl LocalCaches {
    /// Records an export's result (`cache.manifest` of the exporter
    /// response, a JSON descriptor) in each export directory's
    /// `index.json` under its tag, as BuildKit's client does.
    pub fn record(&self, exporter_response: &BTreeMap<String, String>) -> Result<()> {
        let Some(desc) = exporter_response
            .get("cache.manifest")
            .filter(|d| !d.is_empty())
        else {
            return Ok(());
        };
        let desc: serde_json::Value = serde_json::from_str(desc).map_err(CacheError::Manifest)?;
        for (dir, tag) in self.exports.values() {
            put_index(dir, tag, &desc)?;
        }
        Ok(())
    }
}

/// Makes `dest`/`src` absolute, opens the local stores, fills the import
/// digests from `index.json`, and checks what BuildKit's client checks.
/// Local imports that cannot be read are dropped with a warning in
/// `warnings`, as BuildKit's client logs and skips them.
pub(crate) fn prepare(
    imports: &mut Vec<CacheEntry>,
    exports: &mut [CacheEntry],
    warnings: &mut Vec<String>,
) -> Result<LocalCaches> {
    let mut local = LocalCaches::default();
    for e in exports.iter_mut() {
        match e.kind.as_str() {
            "local" => {
                let dest = e.attrs.get("dest").filter(|d| !d.is_empty()).cloned();
                let Some(dest) = dest else {
                    return Err(CacheError::LocalExportDest.into());
                };
                let dir = absolute(&dest);
                e.attrs.insert("dest".into(), dir.display().to_string());
                std::fs::create_dir_all(dir.join("ingest")).map_err(|source| Error::Io {
                    path: dir.clone(),
                    source,
                })?;
                let tag = e
                    .attrs
                    .get("tag")
                    .cloned()
                    .unwrap_or_else(|| "latest".into());
                local
                    .exports
                    .insert(format!("local:{}", dir.display()), (dir, tag));
            }
            "registry" if !e.attrs.contains_key("ref") => {
                return Err(CacheError::RegistryExportRef.into())
            }
            _ => {}
        }
    }
    let mut kept = Vec::new();
    for mut e in std::mem::take(imports) {
        match e.kind.as_str() {
            "local" => {
                let src = e.attrs.get("src").filter(|d| !d.is_empty()).cloned();
                let Some(src) = src else {
                    return Err(CacheError::LocalImportSrc.into());
                };
                let dir = absolute(&src);
                e.attrs.insert("src".into(), dir.display().to_string());
                if !e.attrs.contains_key("digest") {
                    let tag = e
                        .attrs
                        .get("tag")
                        .cloned()
                        .unwrap_or_else(|| "latest".into());
                    let layout = dir.display().to_string();
                    match super::ocilayout::digest_for_tag(&layout, &tag) {
                        Ok(Some(d)) => {
                            e.attrs.insert("digest".into(), d);
                        }
                        Ok(None) => {}
                        Err(err) => {
                            warnings.push(format!(
                                "local cache import at {layout} not found due to err: {err}"
                            ));
                            continue;
                        }
                    }
                }
                if !e.attrs.contains_key("digest") {
                    return Err(CacheError::LocalImportDigest.into());
                }
                local
                    .imports
                    .insert(format!("local:{}", dir.display()), dir);
            }
            "registry" if !e.attrs.contains_key("ref") => {
                return Err(CacheError::RegistryImportRef.into())
            }
            _ => {}
        }
        kept.push(e);
    }
    *imports = kept;
    Ok(local)
}

/// Sets the `cache-imports` frontend attribute when there are imports, as
/// BuildKit's client does for a frontend.
pub(crate) fn finish_imports(so: &mut super::SolveOptions) {
    if so.cache_imports.is_empty() {
        return;
    }
    let entries: Vec<CacheEntry> = so
        .cache_imports
        .iter()
        .map(|(k, a)| CacheEntry {
            kind: k.clone(),
            attrs: a.clone(),
        })
        .collect();
    so.frontend_attrs
        .insert("cache-imports".into(), imports_attr(&entries));
}

/// The `cache-imports` frontend attribute: Go's JSON of
/// `[]*CacheOptionsEntry` (`Type`, `Attrs` with sorted keys).
pub(crate) fn imports_attr(imports: &[CacheEntry]) -> String {
    let list: Vec<String> = imports
        .iter()
        .map(|e| {
            let mut parts = Vec::new();
            if !e.kind.is_empty() {
                parts.push(format!("\"Type\":{}", go_json(&e.kind)));
            }
            if !e.attrs.is_empty() {
                let attrs: serde_json::Map<String, serde_json::Value> = e
                    .attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect();
                parts.push(format!("\"Attrs\":{}", go_json(&attrs)));
            }
            format!("{{{}}}", parts.join(","))
        })
        .collect();
    format!("[{}]", list.join(","))
}

/// A descriptor in Go's field order, empty optional fields left out.
fn descriptor_json(d: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    for k in [
        "mediaType",
        "digest",
        "size",
        "urls",
        "annotations",
        "data",
        "platform",
        "artifactType",
    ] {
        let Some(v) = d.get(k) else { continue };
        let empty = v.is_null()
            || v.as_str().is_some_and(str::is_empty)
            || v.as_array().is_some_and(Vec::is_empty)
            || v.as_object().is_some_and(|o| o.is_empty());
        if empty && k != "mediaType" && k != "digest" && k != "size" {
            continue;
        }
        let v = if k == "platform" {
            platform_json(v)
        } else {
            go_json(v)
        };
        parts.push(format!("\"{k}\":{v}"));
    }
    format!("{{{}}}", parts.join(","))
}

fn platform_json(p: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    for k in ["architecture", "os", "os.version", "os.features", "variant"] {
        match p.get(k) {
            Some(v) if k == "architecture" || k == "os" => {
                parts.push(format!("\"{k}\":{}", go_json(v)))
            }
            Some(v)
                if !(v.is_null()
                    || v.as_str() == Some("")
                    || v.as_array().is_some_and(Vec::is_empty)) =>
            {
                parts.push(format!("\"{k}\":{}", go_json(v)))
            }
            _ => {}
        }
    }
    format!("{{{}}}", parts.join(","))
}

fn absolute(p: &str) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| PathBuf::from(p))
}

/// BuildKit's `ociindex.Put`: `oci-layout`, then `index.json` with the
/// earlier entries of `tag` replaced by `desc`, under `index.json.lock`.
fn put_index(dir: &Path, tag: &str, desc: &serde_json::Value) -> Result<()> {
    use rustix::fs::FlockOperation;
    let io = |path: PathBuf| move |source| Error::Io { path, source };
    let lock_path = dir.join("index.json.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io(lock_path.clone()))?;
    let _ = rustix::fs::flock(&lock, FlockOperation::LockExclusive);
    let layout = dir.join("oci-layout");
    std::fs::write(&layout, br#"{"imageLayoutVersion":"1.0.0"}"#).map_err(io(layout))?;
    let index_path = dir.join("index.json");
    let mut index: serde_json::Value = match std::fs::read(&index_path) {
        Ok(d) => serde_json::from_slice(&d).unwrap_or_else(|_| serde_json::json!({})),
        Err(_) => serde_json::json!({}),
    };
    if !index.is_object() {
        index = serde_json::json!({});
    }
    index["schemaVersion"] = 2.into();
    let name_key = super::ocilayout::REF_NAME_ANNOTATION;
    let mut manifests: Vec<serde_json::Value> = index
        .get("manifests")
        .and_then(|m| m.as_array())
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m["annotations"][name_key].as_str() != Some(tag))
        .collect();
    let mut d = desc.clone();
    if !d["annotations"].is_object() {
        d["annotations"] = serde_json::json!({});
    }
    d["annotations"][name_key] = tag.into();
    manifests.push(d);
    // Go's struct order (image-spec v1.Index and Descriptor).
    let mut text = String::from("{\"schemaVersion\":2");
    if let Some(mt) = index
        .get("mediaType")
        .filter(|m| m.as_str().is_some_and(|s| !s.is_empty()))
    {
        text.push_str(&format!(",\"mediaType\":{}", go_json(mt)));
    }
    let list: Vec<String> = manifests.iter().map(descriptor_json).collect();
    text.push_str(&format!(",\"manifests\":[{}]", list.join(",")));
    if let Some(a) = index
        .get("annotations")
        .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))
    {
        text.push_str(&format!(",\"annotations\":{}", go_json(a)));
    }
    text.push('}');
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(index_path.clone()))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io(index_path.clone()))?;
    tmp.persist(&index_path).map_err(|e| Error::Io {
        path: index_path.clone(),
        source: e.error,
    })?;
    let _ = rustix::fs::flock(&lock, FlockOperation::Unlock);
    let _ = std::fs::remove_file(&lock_path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn entries_as_buildx_parses_them() {
        let e = parse_cache_entries(&v(&["user/app:cache", "a,b"])).unwrap();
        assert_eq!(
            e,
            [
                CacheEntry::new("registry", &[("ref", "user/app:cache")]),
                CacheEntry::new("registry", &[("ref", "a")]),
                CacheEntry::new("registry", &[("ref", "b")]),
            ]
        );
        let e = parse_cache_entries(&v(&["type=local,Dest=/x,mode=max"])).unwrap();
        assert_eq!(
            e,
            [CacheEntry::new("local", &[("dest", "/x"), ("mode", "max")])]
        );
        let err = |s: &str| parse_cache_entries(&v(&[s])).unwrap_err().to_string();
        assert_eq!(err("mode=max"), r#"type required form> "mode=max""#);
        assert_eq!(err("type=local,x"), "invalid value x");
        assert_eq!(err(""), "EOF");
        // gha without a token is left out, as buildx does.
        if std::env::var_os("ACTIONS_RUNTIME_TOKEN").is_none() {
            assert!(parse_cache_entries(&v(&["type=gha"])).unwrap().is_empty());
            assert_eq!(
                parse_cache_entries(&v(&["type=gha,url=http://x,token=t"]))
                    .unwrap()
                    .len(),
                1
            );
        }
    }

    #[test]
    fn local_stores_and_index() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("c");
        let mut imports = vec![CacheEntry::new("local", &[("src", dest.to_str().unwrap())])];
        let mut exports = vec![CacheEntry::new(
            "local",
            &[("dest", dest.to_str().unwrap())],
        )];
        let mut warnings = Vec::new();
        let l = prepare(&mut Vec::new(), &mut exports, &mut warnings).unwrap();
        assert!(dest.join("ingest").is_dir());
        let id = format!("local:{}", dest.display());
        assert!(l.exports.contains_key(&id));
        // No index.json yet: the import is skipped with BuildKit's warning.
        let l2 = prepare(&mut imports, &mut [], &mut warnings).unwrap();
        assert!(imports.is_empty() && l2.imports.is_empty());
        assert!(
            warnings[0].starts_with("local cache import at "),
            "{warnings:?}"
        );
        let desc = r#"{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:aa","size":3}"#;
        let resp = BTreeMap::from([("cache.manifest".to_string(), desc.to_string())]);
        l.record(&resp).unwrap();
        l.record(&resp).unwrap();
        let text = std::fs::read_to_string(dest.join("index.json")).unwrap();
        assert_eq!(
            text,
            r#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:aa","size":3,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}"#
        );
        let index: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
        assert_eq!(
            index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
            "latest"
        );
        let mut imports = vec![CacheEntry::new("local", &[("src", dest.to_str().unwrap())])];
        let l3 = prepare(&mut imports, &mut [], &mut warnings).unwrap();
        assert_eq!(imports[0].attrs["digest"], "sha256:aa");
        assert!(l3.imports.contains_key(&id));
        assert_eq!(
            imports_attr(&imports),
            format!(
                r#"[{{"Type":"local","Attrs":{{"digest":"sha256:aa","src":"{}"}}}}]"#,
                dest.display()
            )
        );
    }
}
