//! Docker's CLI-plugin protocol: metadata, argv as the docker CLI passes it,
//! and the plugin socket whose EOF means "cancel".

use std::ffi::OsString;

/// Plugin metadata (`docker-rkbuild docker-cli-plugin-metadata`).
pub const METADATA: &str = include_str!("../../plugin-metadata/metadata.json");

/// The name under which the docker CLI runs the plugin.
pub const PLUGIN_NAME: &str = "rkbuild";

/// docker's global flags, as seen before the plugin name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DockerGlobals {
    /// `-H/--host`.
    pub host: Option<String>,
    /// `-c/--context`.
    pub context: Option<String>,
    /// `--config` directory.
    pub config: Option<String>,
    /// `-D/--debug`.
    pub debug: bool,
    /// `--tls`, `--tlsverify`, `--tlscacert`, `--tlscert`, `--tlskey`.
    pub tls: crate::docker::TlsFlags,
}

/// Global docker flags that take a value.
const VALUE_FLAGS: &[&str] = &[
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
];
/// Global docker flags without a value.
const BOOL_FLAGS: &[&str] = &["-D", "--debug", "--tls", "--tlsverify"];

/// Splits argv into docker's global flags and the plugin's own arguments.
///
/// The docker CLI runs a plugin as `docker-rkbuild [GLOBAL FLAGS] rkbuild
/// ARGS...` (and `help rkbuild` for `docker help rkbuild`); standalone use is
/// `docker-rkbuild ARGS...`. The returned argv starts with the program name.
pub fn split_argv(argv: Vec<OsString>, under_docker: bool) -> (DockerGlobals, Vec<OsString>) {
    if !under_docker {
        return (DockerGlobals::default(), argv);
    }
    let mut it = argv.into_iter();
    let prog = it
        .next()
        .unwrap_or_else(|| OsString::from("docker-rkbuild"));
    let rest: Vec<OsString> = it.collect();
    let mut g = DockerGlobals::default();
    let mut i = 0;
    while i < rest.len() {
        let Some(a) = rest[i].to_str() else { break };
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        if VALUE_FLAGS.contains(&flag) {
            let v = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    match rest.get(i).and_then(|v| v.to_str()) {
                        Some(v) => v.to_string(),
                        None => break,
                    }
                }
            };
            match flag {
                "-H" | "--host" => g.host = Some(v),
                "-c" | "--context" => g.context = Some(v),
                "--config" => g.config = Some(v),
                "--tlscacert" => g.tls.ca = Some(v),
                "--tlscert" => g.tls.cert = Some(v),
                "--tlskey" => g.tls.key = Some(v),
                _ => {}
            }
            i += 1;
        } else if BOOL_FLAGS.contains(&flag) {
            let on = inline
                .as_deref()
                .map(|v| crate::go::strconv::parse_bool(v.as_bytes()).unwrap_or(false))
                .unwrap_or(true);
            match flag {
                "-D" | "--debug" => g.debug = on,
                "--tls" => g.tls.tls = on,
                "--tlsverify" => g.tls.verify = Some(on),
                _ => {}
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut args: Vec<OsString> = rest[i..].to_vec();
    if args.first().is_some_and(|a| a == PLUGIN_NAME) {
        args.remove(0);
    } else if args.first().is_some_and(|a| a == "help")
        && args.get(1).is_some_and(|a| a == PLUGIN_NAME)
    {
        args = vec![OsString::from("--help")];
    }
    let mut out = vec![prog];
    out.extend(args);
    (g, out)
}

/// Connects to `DOCKER_CLI_PLUGIN_SOCKET` (an abstract unix socket named
/// `@...`, or a path) and resolves the returned future when the docker CLI
/// closes it: the user pressed Ctrl-C in the CLI, or the CLI went away.
pub fn watch_plugin_socket() -> Option<impl std::future::Future<Output = ()>> {
    let name = std::env::var("DOCKER_CLI_PLUGIN_SOCKET").ok()?;
    let std_stream = connect_socket(&name)?;
    std_stream.set_nonblocking(true).ok()?;
    let mut stream = tokio::net::UnixStream::from_std(std_stream).ok()?;
    Some(async move {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 64];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
}

fn connect_socket(name: &str) -> Option<std::os::unix::net::UnixStream> {
    #[cfg(target_os = "linux")]
    if let Some(abs) = name.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(abs.as_bytes()).ok()?;
        return std::os::unix::net::UnixStream::connect_addr(&addr).ok();
    }
    std::os::unix::net::UnixStream::connect(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn globals_before_plugin_name() {
        let (g, rest) = split_argv(
            v(&[
                "docker-rkbuild",
                "-H",
                "unix:///x.sock",
                "--debug",
                "--context=c",
                "rkbuild",
                "version",
            ]),
            true,
        );
        assert_eq!(g.host.as_deref(), Some("unix:///x.sock"));
        assert_eq!(g.context.as_deref(), Some("c"));
        assert!(g.debug);
        assert_eq!(rest, v(&["docker-rkbuild", "version"]));
    }

    #[test]
    fn docker_help_plugin() {
        let (_, rest) = split_argv(v(&["docker-rkbuild", "help", "rkbuild"]), true);
        assert_eq!(rest, v(&["docker-rkbuild", "--help"]));
    }

    #[test]
    fn standalone_keeps_args() {
        let (g, rest) = split_argv(
            v(&["docker-rkbuild", "--addr", "unix:///a", "version"]),
            false,
        );
        assert_eq!(g, DockerGlobals::default());
        assert_eq!(
            rest,
            v(&["docker-rkbuild", "--addr", "unix:///a", "version"])
        );
    }

    #[test]
    fn metadata_is_valid_and_versioned() {
        let m: serde_json::Value = serde_json::from_str(METADATA).unwrap();
        assert_eq!(m["SchemaVersion"], "0.1.0");
        assert_eq!(m["Version"], format!("v{}", env!("CARGO_PKG_VERSION")));
        assert!(m["ShortDescription"].as_str().unwrap().len() < 60);
    }
}
