//! Image references (`[domain/]path[:tag][@digest]`), parsed and normalized
//! as the Go module `github.com/distribution/reference` v0.5 does (what
//! buildx 0.13 links): [`parse`] is its `Parse` (a reference as written,
//! what buildx checks `--tag` values with), [`parse_normalized_named`] its
//! `ParseNormalizedNamed`, [`Named::familiar`] its `FamiliarString`, and
//! the errors carry its texts.
//!
//! The grammar, written out here as plain matching instead of regular
//! expressions:
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [ domain "/" ] path-component ( "/" path-component )*
//! domain           := host [ ":" [0-9]+ ]
//! host             := domain-component ( "." domain-component )* | "[" [a-fA-F0-9:]+ "]"
//! domain-component := [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
//! path-component   := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag              := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest           := alg-component ( [-_+.] alg-component )* ":" [0-9a-fA-F]{32,}
//! alg-component    := [A-Za-z] [A-Za-z0-9]*
//! ```

use crate::digest::{Digest, DigestError};

/// Docker Hub's domain in normalized names.
pub(crate) const DEFAULT_DOMAIN: &str = "docker.io";

/// The legacy Docker Hub domain, normalized to [`DEFAULT_DOMAIN`].
const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";

/// The namespace of Docker Hub's official images.
const OFFICIAL_REPO_PREFIX: &str = "library/";

/// The longest repository path (without the domain) a reference may have.
pub(crate) const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// Why a reference was refused; the texts are distribution/reference's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// Not a reference at all.
    #[error("invalid reference format")]
    InvalidFormat,
    /// The empty string.
    #[error("repository name must have at least one component")]
    NameEmpty,
    /// The repository part (before any `:`) has upper-case letters.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    RepositoryNotLowercase(String),
    /// Only lower-casing the reference would make it valid.
    #[error("repository name must be lowercase")]
    ContainsUppercase,
    /// The name is longer than [`NAME_TOTAL_LENGTH_MAX`].
    #[error("repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")]
    NameTooLong,
    /// A bare 64-character hex string, which would read as an image ID.
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    Identifier(String),
    /// The digest is well-formed but not valid (go-digest's check).
    #[error(transparent)]
    Digest(#[from] DigestError),
}

/// A named reference. From [`parse_normalized_named`] it is normalized
/// (Docker Hub's domain is `docker.io`, its official images are under
/// `library/`); from [`parse`] it is as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Named {
    /// `docker.io`, `localhost:5000`, `[::1]:5000`, ...; empty when the
    /// reference has none ([`parse`] of `alpine`), or when the
    /// first component looked like a domain (it has a `.`) but is not one
    /// and reads as a path component instead (`a_b.c/d`).
    pub domain: String,
    /// The repository path, e.g. `library/alpine`.
    pub path: String,
    /// The tag, if one was given.
    pub tag: Option<String>,
    /// The digest, if one was given.
    pub digest: Option<String>,
}

impl Named {
    /// The full name, `domain/path` (or `path` without a domain).
    pub(crate) fn name(&self) -> String {
        if self.domain.is_empty() {
            self.path.clone()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// The name as the docker CLI shows it (distribution/reference's
    /// `FamiliarString`): without `docker.io/`, and without `library/`
    /// for official images; tag and digest kept.
    pub(crate) fn familiar(&self) -> String {
        let mut out = if self.domain == DEFAULT_DOMAIN {
            match self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
                Some(rest) if !rest.contains('/') => rest.to_string(),
                _ => self.path.clone(),
            }
        } else {
            self.name()
        };
        if let Some(t) = &self.tag {
            out.push(':');
            out.push_str(t);
        }
        if let Some(d) = &self.digest {
            out.push('@');
            out.push_str(d);
        }
        out
    }
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Parses a reference as the docker CLI takes it (`alpine`,
/// `alpine:3.19`, `localhost:5000/x@sha256:...`), filling in Docker Hub's
/// domain and `library/` namespace (`ParseNormalizedNamed`).
pub(crate) fn parse_normalized_named(s: &str) -> Result<Named, ReferenceError> {
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ReferenceError::Identifier(s.to_string()));
    }
    let (domain, remainder) = split_docker_domain(s);
    let repository = remainder.split(':').next().unwrap_or_default();
    if repository.to_lowercase() != repository {
        return Err(ReferenceError::RepositoryNotLowercase(
            repository.to_string(),
        ));
    }
    parse(&format!("{domain}/{remainder}"))
}

/// distribution/reference's `splitDockerDomain`: the first component is a
/// domain when it has a `.` or `:`, is `localhost`, or has upper-case
/// letters (which a path component cannot).
fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut remainder) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_lowercase() != first =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => (DEFAULT_DOMAIN.to_string(), name.to_string()),
    };
    if domain == LEGACY_DEFAULT_DOMAIN {
        domain = DEFAULT_DOMAIN.to_string();
    }
    if domain == DEFAULT_DOMAIN && !remainder.contains('/') {
        remainder = format!("{OFFICIAL_REPO_PREFIX}{remainder}");
    }
    (domain, remainder)
}

/// Parses a reference as written, without normalizing it
/// (distribution/reference's `Parse`): `alpine` stays `alpine`, with no
/// domain; [`Named`]'s `Display` gives back the input. buildx checks
/// `--tag` values with it.
pub(crate) fn parse(s: &str) -> Result<Named, ReferenceError> {
    if s.is_empty() {
        return Err(ReferenceError::NameEmpty);
    }
    let Some((name, tag, digest)) = split_reference(s) else {
        let lower = s.to_lowercase();
        if lower != s && split_reference(&lower).is_some() {
            return Err(ReferenceError::ContainsUppercase);
        }
        return Err(ReferenceError::InvalidFormat);
    };
    let (domain, path) = split_name(name).unwrap_or((None, name));
    // Despite the constant's name, only the path counts (the domain does
    // not), as in distribution/reference since v0.5.
    if path.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    if let Some(d) = digest {
        Digest::parse(d)?;
    }
    Ok(Named {
        domain: domain.unwrap_or_default().to_string(),
        path: path.to_string(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    })
}

/// Splits a whole reference into name, tag and digest; `None` when it does
/// not match the grammar. No name component can hold `@`, and a `:` after
/// the last `/` can only start the tag (a domain's port is always followed
/// by a `/`), so the split is unique.
fn split_reference(s: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => {
            if !is_digest_pattern(d) {
                return None;
            }
            (r, Some(d))
        }
        None => (s, None),
    };
    let last_slash = rest.rfind('/');
    let (name, tag) = match rest.rfind(':') {
        Some(i) if last_slash.is_none_or(|j| i > j) => {
            let tag = &rest[i + 1..];
            if !is_tag(tag) {
                return None;
            }
            (&rest[..i], Some(tag))
        }
        _ => (rest, None),
    };
    split_name(name)?;
    Some((name, tag, digest))
}

/// Splits a name into its optional domain and its path; `None` when it is
/// not a name. The first component is taken as the domain whenever the
/// rest still forms a path, as the regular expression's greedy optional
/// group does.
fn split_name(name: &str) -> Option<(Option<&str>, &str)> {
    if let Some((first, rest)) = name.split_once('/') {
        if is_domain(first) && rest.split('/').all(is_path_component) {
            return Some((Some(first), rest));
        }
    }
    name.split('/')
        .all(is_path_component)
        .then_some((None, name))
}

/// `host [":" port]`.
fn is_domain(d: &str) -> bool {
    let (host, port) = if let Some(inner) = d.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return false;
        };
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        match after {
            "" => return true,
            _ => ("", after.strip_prefix(':')),
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    } else if d.starts_with('[') {
        // Something other than `:port` after the brackets.
        return false;
    }
    d.starts_with('[') || host.split('.').all(is_domain_component)
}

fn is_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        }
        _ => false,
    }
}

/// Runs of `[a-z0-9]` separated by `.`, `_`, `__` or any number of `-`.
fn is_path_component(c: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let b = c.as_bytes();
    if !(b.first().is_some_and(|x| alnum(*x)) && b.last().is_some_and(|x| alnum(*x))) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|x| word(*x) || matches!(x, b'.' | b'-'))
}

/// The digest's shape as the reference grammar has it (go-digest checks
/// the rest afterwards).
fn is_digest_pattern(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|c| {
        let b = c.as_bytes();
        b.first().is_some_and(|f| f.is_ascii_alphabetic())
            && b.iter().all(|x| x.is_ascii_alphanumeric())
    });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn familiar(s: &str) -> Result<String, String> {
        parse_normalized_named(s)
            .map(|n| n.familiar())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn normalizes_like_distribution_reference() {
        let d = format!("sha256:{}", "ab".repeat(32));
        let cases: Vec<(String, &str)> = vec![
            ("alpine".into(), "alpine"),
            ("alpine:latest".into(), "alpine:latest"),
            ("docker.io/library/alpine:3.19".into(), "alpine:3.19"),
            ("index.docker.io/alpine".into(), "alpine"),
            ("docker.io/foo".into(), "foo"),
            ("foo/bar".into(), "foo/bar"),
            ("docker.io/library/a/b".into(), "library/a/b"),
            ("localhost/x".into(), "localhost/x"),
            ("localhost:5000/a/b:v1".into(), "localhost:5000/a/b:v1"),
            ("Example.com/x".into(), "Example.com/x"),
            ("[::1]:5000/x".into(), "[::1]:5000/x"),
            ("a__b.c---d/e_f".into(), "a__b.c---d/e_f"),
            ("localhost:5000".into(), "localhost:5000"),
            (format!("x@{d}"), "x@sha256:"),
            (format!("x:v@{d}"), "x:v@sha256:"),
            ("x:V_1.2-rc".into(), "x:V_1.2-rc"),
        ];
        for (input, want) in cases {
            let got = familiar(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert!(got.starts_with(want), "{input}: {got}");
        }
        let n = parse_normalized_named("alpine").unwrap();
        assert_eq!(n.to_string(), "docker.io/library/alpine");
    }

    #[test]
    fn errors_read_like_distribution_reference() {
        let hex64 = "0123456789abcdef".repeat(4);
        let long = "a".repeat(248);
        let cases: Vec<(String, String)> = vec![
            ("".into(), "invalid reference format".into()),
            (
                "Foo".into(),
                "invalid reference format: repository name (library/Foo) must be lowercase".into(),
            ),
            (
                "foo/Bar:v1".into(),
                "invalid reference format: repository name (foo/Bar) must be lowercase".into(),
            ),
            ("a//b".into(), "invalid reference format".into()),
            ("x:".into(), "invalid reference format".into()),
            ("x:-v".into(), "invalid reference format".into()),
            (
                format!("x:{}", "t".repeat(129)),
                "invalid reference format".into(),
            ),
            ("-x".into(), "invalid reference format".into()),
            ("x_-y".into(), "invalid reference format".into()),
            ("x___y".into(), "invalid reference format".into()),
            ("ex-.com/x".into(), "invalid reference format".into()),
            ("host:port/x".into(), "invalid reference format".into()),
            ("[zz]/x".into(), "invalid reference format".into()),
            ("x@sha256:abc".into(), "invalid reference format".into()),
            ("x@sha256:ab@cd".into(), "invalid reference format".into()),
            (
                hex64.clone(),
                format!(
                    "invalid repository name ({hex64}), cannot specify 64-byte hexadecimal strings"
                ),
            ),
            (
                format!("x@sha256:{}", "ab".repeat(20)),
                "invalid checksum digest length".into(),
            ),
            (
                format!("x@sha256:{}", "AB".repeat(32)),
                "invalid checksum digest format".into(),
            ),
            (
                format!("x@md5:{}", "ab".repeat(16)),
                "unsupported digest algorithm".into(),
            ),
            (
                long.clone(),
                "repository name must not be more than 255 characters".into(),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(familiar(&input), Err(want), "{input}");
        }
        // The limit is on the path: `library/` counts, the domain does not.
        assert_eq!(familiar(&"a".repeat(247)).unwrap(), "a".repeat(247));
        let path = "a".repeat(255);
        assert_eq!(
            familiar(&format!("r.io/{path}")).unwrap(),
            format!("r.io/{path}")
        );
        assert!(familiar(&format!("r.io/{path}a")).is_err());
        // Upper case outside the repository part (a domain, a tag) is fine.
        assert_eq!(familiar("Reg.io:5000/x:TAG").unwrap(), "Reg.io:5000/x:TAG");
    }

    /// `Parse` (what buildx checks `--tag` with) keeps the reference as
    /// written; its errors differ from `ParseNormalizedNamed`'s.
    #[test]
    fn parse_keeps_the_reference_as_written() {
        let d = format!("sha256:{}", "ab".repeat(32));
        for s in [
            "alpine".to_string(),
            "me/app:v1".into(),
            "docker.io/library/alpine:latest".into(),
            "localhost:5000/a/b:V_1".into(),
            "a_b.c/d".into(),
            "Reg.io/x:TAG".into(),
            format!("x:v@{d}"),
            "a".repeat(129),
            "a".repeat(255),
            format!("x:{}", "t".repeat(128)),
        ] {
            let r = parse(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(r.to_string(), s);
        }
        let r = parse("localhost:5000/a/b:v1").unwrap();
        assert_eq!(
            (r.domain.as_str(), r.path.as_str(), r.tag.as_deref()),
            ("localhost:5000", "a/b", Some("v1"))
        );
        // As in Go, the first of several components is read as a domain
        // whenever it can be one; only a single component has none.
        let r = parse("me/app").unwrap();
        assert_eq!((r.domain.as_str(), r.path.as_str()), ("me", "app"));
        let r = parse("alpine").unwrap();
        assert_eq!((r.domain.as_str(), r.path.as_str()), ("", "alpine"));

        let err = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(err(""), "repository name must have at least one component");
        assert_eq!(err("UPPER"), "repository name must be lowercase");
        assert_eq!(err("me/App:v1"), "repository name must be lowercase");
        for bad in [
            "a b",
            ":x",
            "x:",
            "-foo",
            "--",
            "x:-v",
            "x@sha256:abc",
            "x\ty",
        ] {
            assert_eq!(err(bad), "invalid reference format", "{bad}");
        }
        assert_eq!(
            err(&format!("x:{}", "t".repeat(129))),
            "invalid reference format"
        );
        assert_eq!(
            err(&"a".repeat(256)),
            "repository name must not be more than 255 characters"
        );
        assert_eq!(
            err(&format!("x@sha256:{}", "ab".repeat(20))),
            "invalid checksum digest length"
        );
    }

    #[test]
    fn path_components() {
        for ok in ["a", "a1", "a.b", "a_b", "a__b", "a-b", "a---b", "a.b-c_d"] {
            assert!(is_path_component(ok), "{ok}");
        }
        for bad in ["", "A", "a.", ".a", "a..b", "a___b", "a._b", "a-_b", "a/b"] {
            assert!(!is_path_component(bad), "{bad}");
        }
    }
}
