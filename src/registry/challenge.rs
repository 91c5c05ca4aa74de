//! `WWW-Authenticate` challenges of a registry's `401` answers.

use std::collections::BTreeMap;

/// A challenge: its scheme (`Basic`, `Bearer`) and its parameters, keys
/// lower-cased (`realm`, `service`, `scope`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) scheme: String,
    pub(crate) params: BTreeMap<String, String>,
}

impl Challenge {
    /// Parses `Scheme key="value", key2="value2"`.
    pub(crate) fn parse(header: &str) -> Challenge {
        let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
        Challenge {
            scheme: scheme.to_string(),
            params: parse_params(params),
        }
    }

    /// Whether the scheme is `scheme` (any case).
    pub(crate) fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// A parameter's value, empty when absent.
    pub(crate) fn param(&self, key: &str) -> String {
        self.params.get(key).cloned().unwrap_or_default()
    }
}

/// `key="value", key2="value2"` of a `WWW-Authenticate` header.
fn parse_params(s: &str) -> BTreeMap<String, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let p = parse_params(
            r#"realm="http://127.0.0.1:1/token",service="reg",scope="repository:a:pull""#,
        );
        assert_eq!(p["realm"], "http://127.0.0.1:1/token");
        assert_eq!(p["service"], "reg");
        assert_eq!(p["scope"], "repository:a:pull");
    }

    #[test]
    fn schemes() {
        let c = Challenge::parse(r#"Bearer realm="https://auth.example/token", Service=reg"#);
        assert!(c.is("bearer") && !c.is("basic"));
        assert_eq!(c.param("realm"), "https://auth.example/token");
        assert_eq!(c.param("service"), "reg");
        assert_eq!(c.param("scope"), "");
        let c = Challenge::parse("Basic");
        assert!(c.is("BASIC"));
        assert!(c.params.is_empty());
    }
}
