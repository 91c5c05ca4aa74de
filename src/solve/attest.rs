//! `--attest`, `--sbom`, `--provenance` and `--annotation`, with buildx
//! 0.13's parsing (its `util/buildflags/attests.go` and `export.go`).
//!
//! Attestations become frontend attributes `attest:TYPE` holding the flag's
//! text as given (BuildKit parses it again); a disabled one is kept as
//! "present, off", which suppresses the default provenance. Annotations
//! become exporter attributes (`annotation.KEY`,
//! `annotation-manifest[linux/amd64].KEY`, ...).

use std::collections::BTreeMap;

use crate::error::{CsvOption, OptionError, Result};

/// Attestations by type: `Some(attrs)` requested, `None` turned off.
pub type Attests = BTreeMap<String, Option<String>>;

/// What buildx's default provenance is (only on drivers that can attach
/// attestations, unless `BUILDX_NO_DEFAULT_ATTESTATIONS` is true).
pub const DEFAULT_PROVENANCE: &str = "mode=min,inline-only=true";

/// buildx's `CanonicalizeAttest`: `--sbom=true` is
/// `type=sbom,disabled=false`, `--provenance=mode=max` is
/// `type=provenance,mode=max`; empty is nothing.
pub fn canonicalize(kind: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    Some(match crate::go::strconv::parse_bool(value.as_bytes()) {
        Some(b) => format!("type={kind},disabled={}", !b),
        None => format!("type={kind},{value}"),
    })
}

/// Parses `--attest` values (and the canonical forms of `--provenance` and
/// `--sbom`, after them): one per type.
pub fn parse_attests(list: &[String]) -> Result<Attests> {
    let mut out = Attests::new();
    for s in list {
        // buildx 0.13.1 crashes on an empty --attest; say what is wrong.
        if s.is_empty() {
            return Err(OptionError::AttestType.into());
        }
        let fields = crate::go::csv::read_record_str(s).map_err(|e| OptionError::Csv {
            option: CsvOption::Attest,
            reason: e.to_string(),
        })?;
        let mut kind = String::new();
        let mut disabled = false;
        for f in &fields {
            let Some((k, v)) = f.split_once('=') else {
                return Err(OptionError::NotKeyValue {
                    option: CsvOption::Attest,
                    field: f.clone(),
                }
                .into());
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "type" => kind = v.to_string(),
                "disabled" => {
                    disabled = crate::go::strconv::parse_bool(v.as_bytes()).ok_or_else(|| {
                        OptionError::AttestDisabled {
                            field: f.clone(),
                            value: v.to_string(),
                        }
                    })?
                }
                _ => {}
            }
        }
        if kind.is_empty() {
            return Err(OptionError::AttestType.into());
        }
        if out.contains_key(&kind) {
            return Err(OptionError::DuplicateAttest(kind).into());
        }
        out.insert(kind, (!disabled).then(|| s.clone()));
    }
    Ok(out)
}

/// Parses `--annotation` values into exporter attributes, as buildx 0.13.1
/// does (`[TYPE[\[PLATFORM\]]:]KEY=VALUE`, TYPE one of `index`,
/// `index-descriptor`, `manifest`, `manifest-descriptor`).
///
/// buildx 0.13.1 reads a list of types (`index,manifest:k=v`) as a plain
/// key; so does this, for the same results.
pub fn parse_annotations(list: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for a in list {
        let Some((key, value)) = a.split_once('=') else {
            return Err(OptionError::Annotation(a.clone()).into());
        };
        let bad = || OptionError::AnnotationFormat(a.clone());
        if key.is_empty() || key.chars().any(char::is_whitespace) {
            return Err(bad().into());
        }
        // ^(?:([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?:)?(\S+)$ : the type group
        // matches only where what precedes the first ':' has that shape.
        let (kind, platform, name) = match split_type(key) {
            Some((k, p, n)) => (k, p, n),
            None => ("", None, key),
        };
        let attr = match kind {
            "" => format!("annotation.{name}"),
            "manifest" | "manifest-descriptor" => match platform {
                Some(p) => {
                    let p = crate::platform::normalize(p).map_err(|source| {
                        OptionError::AnnotationPlatform {
                            platform: p.to_string(),
                            source,
                        }
                    })?;
                    format!("annotation-{kind}[{p}].{name}")
                }
                None => format!("annotation-{kind}.{name}"),
            },
            "index" | "index-descriptor" => format!("annotation-{kind}.{name}"),
            other => return Err(OptionError::AnnotationType(other.to_string()).into()),
        };
        out.insert(attr, value.to_string());
    }
    Ok(out)
}

/// `TYPE[PLATFORM]:NAME` where TYPE is `[a-z-]+` and PLATFORM
/// `[A-Za-z0-9_/-]+`, NAME non-empty.
fn split_type(key: &str) -> Option<(&str, Option<&str>, &str)> {
    let end = key.find(|c: char| !(c.is_ascii_lowercase() || c == '-'))?;
    if end == 0 {
        return None;
    }
    let kind = &key[..end];
    let rest = &key[end..];
    let (platform, rest) = if let Some(r) = rest.strip_prefix('[') {
        let close = r.find(']')?;
        let p = &r[..close];
        if p.is_empty()
            || !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_/-".contains(c))
        {
            return None;
        }
        (Some(p), &r[close + 1..])
    } else {
        (None, rest)
    };
    let name = rest.strip_prefix(':')?;
    if name.is_empty() {
        return None;
    }
    Some((kind, platform, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn attests_as_buildx_parses_them() {
        assert_eq!(
            canonicalize("sbom", "true").as_deref(),
            Some("type=sbom,disabled=false")
        );
        assert_eq!(
            canonicalize("provenance", "false").as_deref(),
            Some("type=provenance,disabled=true")
        );
        assert_eq!(
            canonicalize("provenance", "mode=max").as_deref(),
            Some("type=provenance,mode=max")
        );
        assert_eq!(canonicalize("sbom", ""), None);
        let a = parse_attests(&v(&[
            "type=sbom,generator=x",
            "type=provenance,disabled=true",
        ]))
        .unwrap();
        assert_eq!(a["sbom"].as_deref(), Some("type=sbom,generator=x"));
        assert_eq!(a["provenance"], None);
        let err = |l: &[&str]| parse_attests(&v(l)).unwrap_err().to_string();
        assert_eq!(
            err(&["type=sbom", "type=sbom,disabled=true"]),
            "duplicate attestation field sbom"
        );
        assert_eq!(err(&["mode=max"]), "attestation type not specified");
        assert_eq!(err(&["type=sbom,x"]), "invalid value x");
        assert_eq!(
            err(&["type=sbom,disabled=maybe"]),
            r#"invalid value disabled=maybe: strconv.ParseBool: parsing "maybe": invalid syntax"#
        );
    }

    #[test]
    fn annotations_as_buildx_0_13_reads_them() {
        let a = parse_annotations(&v(&[
            "a=1",
            "manifest:b=2",
            "manifest[linux/arm64/v8]:c=3",
            "index:d=4",
            "index,manifest:e=5",
            "org.opencontainers.image.url=https://x=y",
        ]))
        .unwrap();
        assert_eq!(a["annotation.a"], "1");
        assert_eq!(a["annotation-manifest.b"], "2");
        assert_eq!(a["annotation-manifest[linux/arm64].c"], "3");
        assert_eq!(a["annotation-index.d"], "4");
        assert_eq!(a["annotation.index,manifest:e"], "5");
        assert_eq!(a["annotation.org.opencontainers.image.url"], "https://x=y");
        let err = |s: &str| parse_annotations(&v(&[s])).unwrap_err().to_string();
        assert_eq!(err("k"), r#"invalid annotation "k", expected key=value"#);
        assert_eq!(
            err("a b=1"),
            r#"invalid annotation format, expected <type>:<key>=<value>, got "a b=1""#
        );
        assert_eq!(err("foo:k=1"), r#"unknown annotation type "foo""#);
    }
}
