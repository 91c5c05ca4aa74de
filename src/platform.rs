//! OCI platforms (`os/arch[/variant]`), parsed, validated and normalised
//! as containerd's `platforms.Parse`, `Normalize` and `Format` do for
//! buildx 0.13 (containerd 1.7), with the same error messages.

use crate::proto::pb::Platform;

/// Why a platform specifier was refused; the messages are containerd's
/// (as buildx prints them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    /// `*` appears in the specifier.
    #[error("{}: wildcards not yet supported: invalid argument", q(.specifier))]
    Wildcard {
        /// The specifier as given.
        specifier: String,
    },
    /// The first component is not `os` or `os(version)`.
    #[error(
        "{} is an invalid OS component of {}: OSAndVersion specifier component must match {}: invalid argument",
        q(.component), q(.specifier), q(OS_AND_VERSION_RE)
    )]
    InvalidOs {
        /// The component.
        component: String,
        /// The specifier as given.
        specifier: String,
    },
    /// A later component has characters other than `[A-Za-z0-9_-]`.
    #[error(
        "{} is an invalid component of {}: platform specifier component must match {}: invalid argument",
        q(.component), q(.specifier), q(SPECIFIER_RE)
    )]
    InvalidComponent {
        /// The component.
        component: String,
        /// The specifier as given.
        specifier: String,
    },
    /// A single component that is neither a known OS nor a known
    /// architecture.
    #[error("{}: unknown operating system or architecture: invalid argument", q(.specifier))]
    Unknown {
        /// The specifier as given.
        specifier: String,
    },
    /// More than three components.
    #[error("{}: cannot parse platform specifier: invalid argument", q(.specifier))]
    TooManyComponents {
        /// The specifier as given.
        specifier: String,
    },
}

const OS_AND_VERSION_RE: &str = r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$";
const SPECIFIER_RE: &str = "^[A-Za-z0-9_-]+$";

fn q(s: &str) -> String {
    crate::go::strconv::quote(s.as_bytes())
}

/// Go's `GOOS` values containerd knows (`isKnownOS`).
const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
];

/// Go's `GOARCH` values containerd knows (`isKnownArch`).
const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// A parsed platform specifier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Spec {
    /// Operating system, normalised (`macos` → `darwin`, lower case).
    pub os: String,
    /// OS version from `os(version)`, if given.
    pub os_version: String,
    /// Architecture, normalised (`x86_64` → `amd64`).
    pub architecture: String,
    /// Variant, normalised (`arm64/v8` → no variant).
    pub variant: String,
}

impl std::fmt::Display for Spec {
    /// containerd's `Format`: `os/arch[/variant]`, without the OS version.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [&self.os, &self.architecture, &self.variant];
        let mut first = true;
        for p in parts.into_iter().filter(|p| !p.is_empty()) {
            if !first {
                f.write_str("/")?;
            }
            f.write_str(p)?;
            first = false;
        }
        Ok(())
    }
}

/// Formats a platform as `os/arch[/variant]`.
pub(crate) fn format(p: &Platform) -> String {
    if p.variant.is_empty() {
        format!("{}/{}", p.os, p.architecture)
    } else {
        format!("{}/{}/{}", p.os, p.architecture, p.variant)
    }
}

/// containerd's `normalizeOS`.
fn normalize_os(os: &str) -> String {
    let os = os.to_ascii_lowercase();
    if os == "macos" {
        "darwin".into()
    } else {
        os
    }
}

/// containerd's `normalizeArch`.
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

fn is_component(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `os` or `os(version)`, as containerd's OS-and-version pattern.
fn os_and_version(s: &str) -> Option<(&str, &str)> {
    let (os, version) = match s.find('(') {
        Some(i) => {
            let version = s[i + 1..].strip_suffix(')')?;
            let ok = version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if !ok {
                return None;
            }
            (&s[..i], version)
        }
        None => (s, ""),
    };
    is_component(os).then_some((os, version))
}

/// The client's own platform (containerd's `DefaultSpec`).
pub(crate) fn host() -> Spec {
    let (architecture, variant) = normalize_arch(go_arch(), "");
    Spec {
        os: std::env::consts::OS.to_string(),
        os_version: String::new(),
        architecture,
        variant,
    }
}

/// `GOARCH` for this build's architecture.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        other => other,
    }
}

/// Parses a platform specifier as containerd's `platforms.Parse`:
/// `os[(version)]`, `arch`, or `os[(version)]/arch[/variant]`. A single
/// component must be a known OS (the architecture is the client's) or a
/// known architecture (the OS is the client's). The result is not yet
/// normalised (see [`normalize`]).
pub(crate) fn parse(specifier: &str) -> Result<Spec, PlatformError> {
    if specifier.contains('*') {
        return Err(PlatformError::Wildcard {
            specifier: specifier.into(),
        });
    }
    // At most four parts (Go's `SplitN(specifier, "/", 4)`): the fourth
    // keeps any further slashes, and fails the component check.
    let parts: Vec<&str> = specifier.splitn(4, '/').collect();
    let mut p = Spec::default();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some((os, version)) = os_and_version(part) else {
                return Err(PlatformError::InvalidOs {
                    component: part.to_string(),
                    specifier: specifier.into(),
                });
            };
            p.os = normalize_os(os);
            p.os_version = version.to_string();
        } else if !is_component(part) {
            return Err(PlatformError::InvalidComponent {
                component: part.to_string(),
                specifier: specifier.into(),
            });
        }
    }
    match parts.as_slice() {
        [one] => {
            if KNOWN_OS.contains(&p.os.as_str()) {
                let h = host();
                p.architecture = h.architecture;
                p.variant = h.variant;
                return Ok(p);
            }
            let (arch, variant) = normalize_arch(one, "");
            if KNOWN_ARCH.contains(&arch.as_str()) {
                let variant = if arch == "arm" && variant == "v7" {
                    String::new()
                } else {
                    variant
                };
                return Ok(Spec {
                    os: std::env::consts::OS.to_string(),
                    os_version: String::new(),
                    architecture: arch,
                    variant,
                });
            }
            Err(PlatformError::Unknown {
                specifier: specifier.into(),
            })
        }
        [_, arch] => {
            let (a, v) = normalize_arch(arch, "");
            p.architecture = a;
            p.variant = if p.architecture == "arm" && v == "v7" {
                String::new()
            } else {
                v
            };
            Ok(p)
        }
        [_, arch, variant] => {
            let (a, v) = normalize_arch(arch, variant);
            p.architecture = a;
            p.variant = if p.architecture == "arm64" && v.is_empty() {
                "v8".into()
            } else {
                v
            };
            Ok(p)
        }
        _ => Err(PlatformError::TooManyComponents {
            specifier: specifier.into(),
        }),
    }
}

/// containerd's `Normalize`: canonical OS, architecture and variant
/// (`arm64/v8` → `arm64`, `arm` → `arm/v7`).
pub(crate) fn normalize_spec(mut p: Spec) -> Spec {
    p.os = normalize_os(&p.os);
    let (a, v) = normalize_arch(&p.architecture, &p.variant);
    p.architecture = a;
    p.variant = v;
    p
}

/// A `--platform` value as buildx reads it (`local` is the client's own
/// platform), normalised and formatted: `linux/arm64/v8` → `linux/arm64`,
/// `linux/x86_64` → `linux/amd64`, `arm64` → `linux/arm64`. Invalid
/// specifiers fail with containerd's message.
pub(crate) fn normalize(s: &str) -> Result<String, PlatformError> {
    let p = if s.eq_ignore_ascii_case("local") {
        host()
    } else {
        parse(s)?
    };
    Ok(normalize_spec(p).to_string())
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
            ("LINUX/AMD64", "linux/amd64"),
            ("linux/arm64/v8", "linux/arm64"),
            ("Linux/arm64/V8", "linux/arm64"),
            ("linux/arm64/v9", "linux/arm64/v9"),
            ("linux/aarch64", "linux/arm64"),
            ("linux/arm", "linux/arm/v7"),
            ("linux/armhf", "linux/arm/v7"),
            ("linux/armel", "linux/arm/v6"),
            ("linux/arm/v6", "linux/arm/v6"),
            ("linux/arm/6", "linux/arm/v6"),
            ("linux/386", "linux/386"),
            ("linux/i386", "linux/386"),
            ("arm64", "linux/arm64"),
            ("AARCH64", "linux/arm64"),
            ("arm", "linux/arm/v7"),
            ("linux/amd64/v3", "linux/amd64/v3"),
            ("linux/amd64/v1", "linux/amd64"),
            ("linux/amd64/v9", "linux/amd64/v9"),
            ("linux/x", "linux/x"),
            ("foo/bar", "foo/bar"),
            ("macos/arm64", "darwin/arm64"),
            ("windows(10.0.17763)/amd64", "windows/amd64"),
            ("linux()/amd64", "linux/amd64"),
            ("linux/amd_64", "linux/amd_64"),
        ] {
            assert_eq!(normalize(i).unwrap(), o, "{i}");
        }
        // The single-OS forms and `local` take the client's architecture.
        if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
            for (i, o) in [
                ("darwin", "darwin/amd64"),
                ("MacOS", "darwin/amd64"),
                ("linux(1.0)", "linux/amd64"),
                ("local", "linux/amd64"),
                ("LOCAL", "linux/amd64"),
            ] {
                assert_eq!(normalize(i).unwrap(), o, "{i}");
            }
        }
    }

    #[test]
    fn refuses_like_containerd() {
        let os_re = r#""^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.-]*)\\))?$""#;
        let re = r#""^[A-Za-z0-9_-]+$""#;
        for (i, msg) in [
            (
                "x",
                r#""x": unknown operating system or architecture: invalid argument"#.to_string(),
            ),
            (
                "-x",
                r#""-x": unknown operating system or architecture: invalid argument"#.into(),
            ),
            (
                "wasip1",
                r#""wasip1": unknown operating system or architecture: invalid argument"#.into(),
            ),
            (
                "x(1)",
                r#""x(1)": unknown operating system or architecture: invalid argument"#.into(),
            ),
            (
                "",
                format!(
                    r#""" is an invalid OS component of "": OSAndVersion specifier component must match {os_re}: invalid argument"#
                ),
            ),
            (
                " linux/amd64",
                format!(
                    r#"" linux" is an invalid OS component of " linux/amd64": OSAndVersion specifier component must match {os_re}: invalid argument"#
                ),
            ),
            (
                "a.b",
                format!(
                    r#""a.b" is an invalid OS component of "a.b": OSAndVersion specifier component must match {os_re}: invalid argument"#
                ),
            ),
            (
                "linux/",
                format!(
                    r#""" is an invalid component of "linux/": platform specifier component must match {re}: invalid argument"#
                ),
            ),
            (
                "linux/amd64 ",
                format!(
                    r#""amd64 " is an invalid component of "linux/amd64 ": platform specifier component must match {re}: invalid argument"#
                ),
            ),
            (
                "linux/amd64/v1.2",
                format!(
                    r#""v1.2" is an invalid component of "linux/amd64/v1.2": platform specifier component must match {re}: invalid argument"#
                ),
            ),
            (
                "a/b/c/d",
                r#""a/b/c/d": cannot parse platform specifier: invalid argument"#.into(),
            ),
            (
                "a/b/c/d/e",
                format!(
                    r#""d/e" is an invalid component of "a/b/c/d/e": platform specifier component must match {re}: invalid argument"#
                ),
            ),
            (
                "linux(1.0",
                format!(
                    r#""linux(1.0" is an invalid OS component of "linux(1.0": OSAndVersion specifier component must match {os_re}: invalid argument"#
                ),
            ),
            (
                "linux/*",
                r#""linux/*": wildcards not yet supported: invalid argument"#.into(),
            ),
        ] {
            assert_eq!(normalize(i).unwrap_err().to_string(), msg, "{i:?}");
        }
    }

    #[test]
    fn every_go_os_and_arch_alone_is_known() {
        for s in KNOWN_OS.iter().chain(KNOWN_ARCH) {
            assert!(parse(s).is_ok(), "{s}");
            assert!(parse(&s.to_ascii_uppercase()).is_ok(), "{s}");
        }
        for s in [
            "i386", "x86_64", "x86-64", "aarch64", "armhf", "armel", "macos",
        ] {
            assert!(parse(s).is_ok(), "{s}");
        }
    }
}
