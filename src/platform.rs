//! OCI platforms (`os/arch[/variant]`), parsed and normalised as
//! containerd's `platforms.Parse` + `Format` do for buildx.

use crate::error::{Error, Result};
use crate::proto::pb::Platform;

/// Formats a platform as `os/arch[/variant]`.
pub fn format(p: &Platform) -> String {
    if p.variant.is_empty() {
        format!("{}/{}", p.os, p.architecture)
    } else {
        format!("{}/{}/{}", p.os, p.architecture, p.variant)
    }
}

fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let a = arch.to_ascii_lowercase();
    let v = variant.to_ascii_lowercase();
    match a.as_str() {
        "i386" => ("386".into(), String::new()),
        "x86_64" | "x86-64" | "amd64" => {
            let v = if v == "v1" { String::new() } else { v };
            ("amd64".into(), v)
        }
        "aarch64" | "arm64" => {
            let v = if v == "8" || v == "v8" {
                String::new()
            } else {
                v
            };
            ("arm64".into(), v)
        }
        "armhf" => ("arm".into(), "v7".into()),
        "armel" => ("arm".into(), "v6".into()),
        "arm" => {
            let v = match v.as_str() {
                "" | "7" => "v7".to_string(),
                "5" | "6" | "8" => format!("v{v}"),
                _ => v,
            };
            ("arm".into(), v)
        }
        _ => (a, v),
    }
}

/// Parses and normalises a `--platform` value (`linux/arm64/v8` →
/// `linux/arm64`, `linux/x86_64` → `linux/amd64`, `arm64` → `linux/arm64`).
pub fn normalize(s: &str) -> Result<String> {
    let bad = || {
        Error::Other(format!(
            "invalid platform {s:?}: expected os/arch[/variant]"
        ))
    };
    let t = s.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if t == "local" {
        let (arch, variant) = normalize_arch(std::env::consts::ARCH, "");
        return Ok(if variant.is_empty() {
            format!("{}/{arch}", std::env::consts::OS)
        } else {
            format!("{}/{arch}/{variant}", std::env::consts::OS)
        });
    }
    let parts: Vec<&str> = t.split('/').collect();
    let (os, arch, variant) = match parts.as_slice() {
        [one] => {
            // A bare OS or architecture, as containerd accepts.
            let l = one.to_ascii_lowercase();
            if matches!(l.as_str(), "linux" | "windows" | "darwin" | "freebsd") {
                (l, std::env::consts::ARCH.to_string(), String::new())
            } else {
                ("linux".to_string(), l, String::new())
            }
        }
        [os, arch] => (os.to_ascii_lowercase(), arch.to_string(), String::new()),
        [os, arch, variant] => (
            os.to_ascii_lowercase(),
            arch.to_string(),
            variant.to_string(),
        ),
        _ => return Err(bad()),
    };
    if os.is_empty() || arch.is_empty() || !os.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad());
    }
    let (arch, variant) = normalize_arch(&arch, &variant);
    let os = if os == "macos" {
        "darwin".to_string()
    } else {
        os
    };
    Ok(if variant.is_empty() {
        format!("{os}/{arch}")
    } else {
        format!("{os}/{arch}/{variant}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_containerd() {
        for (i, o) in [
            ("linux/amd64", "linux/amd64"),
            ("linux/x86_64", "linux/amd64"),
            ("Linux/AMD64", "linux/amd64"),
            ("linux/arm64/v8", "linux/arm64"),
            ("linux/aarch64", "linux/arm64"),
            ("linux/arm", "linux/arm/v7"),
            ("linux/armhf", "linux/arm/v7"),
            ("linux/arm/v6", "linux/arm/v6"),
            ("linux/386", "linux/386"),
            ("arm64", "linux/arm64"),
            ("linux/amd64/v3", "linux/amd64/v3"),
        ] {
            assert_eq!(normalize(i).unwrap(), o, "{i}");
        }
        assert!(normalize("").is_err());
        assert!(normalize("a/b/c/d").is_err());
    }
}
