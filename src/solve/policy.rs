//! Source policies (`EXPERIMENTAL_BUILDKIT_SOURCE_POLICY`): a JSON file
//! of rules that allow, deny or convert build sources, sent with the solve
//! as buildx 0.13's `ReadSourcePolicy` sends it.
//!
//! The file is read as Go's `encoding/json` reads it into BuildKit's
//! `sourcepolicy.Policy`: field names as in the proto (`rules`, `action`,
//! `selector`, `identifier`, `match_type`, `constraints`, `updates`,
//! `attrs`, `key`, `value`, `condition`), matched without regard to case;
//! enums as numbers (`action`: 0 allow, 1 deny, 2 convert; `match_type`:
//! 0 wildcard, 1 exact, 2 regex; `condition`: 0 equal, 1 not equal,
//! 2 matches). buildx also accepts the protobuf encoding; so does this.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, OptionError, Result};
use crate::proto::moby::buildkit::v1::sourcepolicy as sp;

fn field<'a>(o: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

fn int(o: &serde_json::Map<String, Value>, name: &str, what: &str) -> Result<i32> {
    match field(o, name) {
        None => Ok(0),
        Some(v) => v
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| bad(format!("{what}.{name} must be a number, not {v}"))),
    }
}

fn string(o: &serde_json::Map<String, Value>, name: &str, what: &str) -> Result<String> {
    match field(o, name) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(bad(format!("{what}.{name} must be a string, not {v}"))),
    }
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| bad(format!("{what} must be an object")))
}

fn list<'a>(o: &'a serde_json::Map<String, Value>, name: &str, what: &str) -> Result<&'a [Value]> {
    match field(o, name) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(bad(format!("{what}.{name} must be a list"))),
    }
}

fn bad(why: String) -> Error {
    OptionError::Policy(why).into()
}

/// Parses a policy file's contents (JSON, else protobuf).
pub fn parse_policy(data: &[u8]) -> Result<sp::Policy> {
    let v: Value = match serde_json::from_slice(data) {
        Ok(v) => v,
        Err(e) => {
            use prost::Message;
            return sp::Policy::decode(data).map_err(|_| bad(e.to_string()));
        }
    };
    let top = object(&v, "the policy")?;
    let mut policy = sp::Policy {
        version: field(top, "version").and_then(Value::as_i64).unwrap_or(0),
        rules: Vec::new(),
    };
    for (i, r) in list(top, "rules", "policy")?.iter().enumerate() {
        let what = format!("rules[{i}]");
        let r = object(r, &what)?;
        let selector = match field(r, "selector") {
            None => None,
            Some(s) => {
                let s = object(s, &format!("{what}.selector"))?;
                let sw = format!("{what}.selector");
                let mut constraints = Vec::new();
                for (j, c) in list(s, "constraints", &sw)?.iter().enumerate() {
                    let cw = format!("{sw}.constraints[{j}]");
                    let c = object(c, &cw)?;
                    constraints.push(sp::AttrConstraint {
                        key: string(c, "key", &cw)?,
                        value: string(c, "value", &cw)?,
                        condition: int(c, "condition", &cw)?,
                    });
                }
                Some(sp::Selector {
                    identifier: string(s, "identifier", &sw)?,
                    match_type: int(s, "match_type", &sw)?,
                    constraints,
                })
            }
        };
        let updates = match field(r, "updates") {
            None => None,
            Some(u) => {
                let uw = format!("{what}.updates");
                let u = object(u, &uw)?;
                let mut attrs = std::collections::HashMap::new();
                if let Some(a) = field(u, "attrs") {
                    for (k, v) in object(a, &format!("{uw}.attrs"))? {
                        let v = v
                            .as_str()
                            .ok_or_else(|| bad(format!("{uw}.attrs.{k} must be a string")))?;
                        attrs.insert(k.clone(), v.to_string());
                    }
                }
                Some(sp::Update {
                    identifier: string(u, "identifier", &uw)?,
                    attrs,
                })
            }
        };
        policy.rules.push(sp::Rule {
            action: int(r, "action", &what)?,
            selector,
            updates,
        });
    }
    Ok(policy)
}

/// Reads the policy file `path` (buildx: "failed to read policy file").
pub fn read_policy(path: &Path) -> Result<sp::Policy> {
    let data = std::fs::read(path).map_err(|source| OptionError::PolicyFile {
        path: path.to_path_buf(),
        source,
    })?;
    parse_policy(&data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_as_go_reads_them() {
        let p = parse_policy(
            br#"{"rules":[{"action":1,"selector":{"identifier":"docker-image://docker.io/library/alpine:*"}},
                {"Action":2,"Selector":{"identifier":"docker-image://a","match_type":1},
                 "updates":{"identifier":"docker-image://b","attrs":{"k":"v"}}}]}"#,
        )
        .unwrap();
        assert_eq!(p.rules.len(), 2);
        assert_eq!(p.rules[0].action, 1);
        assert_eq!(p.rules[1].selector.as_ref().unwrap().match_type, 1);
        assert_eq!(p.rules[1].updates.as_ref().unwrap().attrs["k"], "v");
        let e = parse_policy(br#"{"rules":[{"action":"DENY"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("failed to parse source policy: rules[0].action must be a number"),
            "{e}"
        );
        assert!(read_policy(Path::new("/nonexistent/rk.json"))
            .unwrap_err()
            .to_string()
            .starts_with(
                "failed to read policy file: open /nonexistent/rk.json: no such file or directory"
            ));
    }
}
