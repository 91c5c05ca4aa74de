//! Builder addresses: where BuildKit is and how to reach it.
//!
//! The string forms follow `BUILDKIT_HOST` (`unix://`, `tcp://`) and add
//! `docker+unix://` / `docker+tcp://` for a docker daemon whose embedded
//! BuildKit is reached through the `/grpc` upgrade (buildx's docker driver).

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// A stream endpoint: a unix socket path or a TCP host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A unix domain socket.
    Unix(PathBuf),
    /// A TCP host and port.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// Port number.
        port: u16,
    },
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(p) => write!(f, "unix://{}", p.display()),
            Endpoint::Tcp { host, port } => {
                if host.contains(':') {
                    write!(f, "tcp://[{host}]:{port}")
                } else {
                    write!(f, "tcp://{host}:{port}")
                }
            }
        }
    }
}

impl Endpoint {
    /// Whether the endpoint is on this machine: a unix socket, or TCP to
    /// a loopback address.
    pub fn is_local(&self) -> bool {
        match self {
            Endpoint::Unix(_) => true,
            Endpoint::Tcp { host, .. } => {
                host == "localhost"
                    || host
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
        }
    }
}

/// Where the builder is: the address grammar of `BUILDKIT_HOST` and
/// `--addr`. Which [`Driver`](crate::client::driver::Driver) serves an
/// address is decided in [`driver::for_address`](crate::client::driver::for_address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// BuildKit's own gRPC socket (`unix://` or `tcp://`).
    Buildkit(Endpoint),
    /// A docker daemon; its embedded BuildKit is reached with `POST /grpc`
    /// upgraded to h2c.
    Docker(Endpoint),
}

impl Target {
    /// Whether the daemon is on this machine (see [`Endpoint::is_local`]).
    pub fn is_local(&self) -> bool {
        self.endpoint().is_local()
    }

    /// Parses an address string.
    ///
    /// Accepted forms: `unix:///path`, `tcp://host:port` (BuildKit),
    /// `docker+unix:///path`, `docker+tcp://host:port` (docker daemon).
    pub fn parse(addr: &str) -> Result<Target> {
        if let Some(rest) = addr.strip_prefix("docker+") {
            return Ok(Target::Docker(parse_endpoint(rest, addr, 2375)?));
        }
        Ok(Target::Buildkit(parse_endpoint(addr, addr, 1234)?))
    }

    /// Parses a `DOCKER_HOST`-style address (`unix://`, `tcp://`) as a
    /// docker daemon target.
    pub fn docker_host(host: &str) -> Result<Target> {
        Ok(Target::Docker(parse_endpoint(host, host, 2375)?))
    }

    /// The stream endpoint behind the target.
    pub fn endpoint(&self) -> &Endpoint {
        match self {
            Target::Buildkit(e) | Target::Docker(e) => e,
        }
    }

    /// True when the target is a docker daemon.
    pub fn is_docker(&self) -> bool {
        matches!(self, Target::Docker(_))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Buildkit(e) => write!(f, "{e}"),
            Target::Docker(e) => write!(f, "docker+{e}"),
        }
    }
}

fn invalid(addr: &str, reason: impl Into<String>) -> Error {
    Error::InvalidAddress {
        addr: addr.to_string(),
        reason: reason.into(),
    }
}

fn parse_endpoint(s: &str, whole: &str, default_port: u16) -> Result<Endpoint> {
    let Some((scheme, rest)) = s.split_once("://") else {
        return Err(invalid(
            whole,
            "expected a scheme such as unix:///path or tcp://host:port",
        ));
    };
    match scheme {
        "unix" => {
            if rest.is_empty() {
                return Err(invalid(whole, "unix:// needs a socket path"));
            }
            // `unix:///abs/path` gives "/abs/path"; `unix://rel` is accepted
            // as a relative path like Go's net/url-based parsers do.
            Ok(Endpoint::Unix(PathBuf::from(rest)))
        }
        "tcp" | "http" => {
            let hostport = rest.trim_end_matches('/');
            if hostport.contains('/') {
                return Err(invalid(whole, "tcp:// takes host:port without a path"));
            }
            let (host, port) = split_host_port(hostport, whole, default_port)?;
            if host.is_empty() {
                return Err(invalid(whole, "missing host"));
            }
            Ok(Endpoint::Tcp { host, port })
        }
        "npipe" => Err(invalid(whole, "named pipes exist only on Windows")),
        "ssh" => Err(invalid(whole, "ssh:// builders are not supported yet")),
        other => Err(invalid(
            whole,
            format!("unsupported scheme {other:?} (use unix:// or tcp://)"),
        )),
    }
}

fn split_host_port(hp: &str, whole: &str, default_port: u16) -> Result<(String, u16)> {
    if let Some(rest) = hp.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(invalid(whole, "unclosed '[' in IPv6 address"));
        };
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p, whole)?,
            None if after.is_empty() => default_port,
            None => return Err(invalid(whole, "unexpected text after ']'")),
        };
        return Ok((host.to_string(), port));
    }
    match hp.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Ok((h.to_string(), parse_port(p, whole)?)),
        Some(_) => Err(invalid(
            whole,
            "IPv6 addresses must be written as [addr]:port",
        )),
        None => Ok((hp.to_string(), default_port)),
    }
}

fn parse_port(p: &str, whole: &str) -> Result<u16> {
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(invalid(whole, format!("invalid port {p:?}"))),
        Ok(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_targets() {
        for addr in [
            "unix:///run/buildkit/buildkitd.sock",
            "docker+unix:///var/run/docker.sock",
            "tcp://127.0.0.1:1234",
            "tcp://localhost:1234",
            "tcp://[::1]:1234",
            "docker+tcp://127.0.0.2:2375",
        ] {
            assert!(Target::parse(addr).unwrap().is_local(), "{addr}");
        }
        for addr in [
            "tcp://10.0.0.1:1234",
            "tcp://buildkit.example:1234",
            "docker+tcp://192.168.1.2:2375",
        ] {
            assert!(!Target::parse(addr).unwrap().is_local(), "{addr}");
        }
    }

    #[test]
    fn unix_socket() {
        assert_eq!(
            Target::parse("unix:///run/buildkit/buildkitd.sock").unwrap(),
            Target::Buildkit(Endpoint::Unix("/run/buildkit/buildkitd.sock".into()))
        );
    }

    #[test]
    fn tcp_with_and_without_port() {
        assert_eq!(
            Target::parse("tcp://10.0.0.1:8888").unwrap(),
            Target::Buildkit(Endpoint::Tcp {
                host: "10.0.0.1".into(),
                port: 8888
            })
        );
        assert_eq!(
            Target::parse("tcp://builder").unwrap().endpoint(),
            &Endpoint::Tcp {
                host: "builder".into(),
                port: 1234
            }
        );
        assert_eq!(
            Target::parse("tcp://[::1]:99").unwrap().to_string(),
            "tcp://[::1]:99"
        );
    }

    #[test]
    fn docker_forms() {
        assert_eq!(
            Target::parse("docker+unix:///var/run/docker.sock").unwrap(),
            Target::Docker(Endpoint::Unix("/var/run/docker.sock".into()))
        );
        assert_eq!(
            Target::docker_host("tcp://127.0.0.1").unwrap().to_string(),
            "docker+tcp://127.0.0.1:2375"
        );
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "/run/buildkit.sock",
            "unix://",
            "tcp://",
            "tcp://host:0",
            "tcp://host:99999",
            "tcp://host:1/path",
            "tcp://::1:5",
            "ftp://x",
            "npipe:////./pipe/docker",
            "tcp://[::1",
        ] {
            let err = Target::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidAddress { .. }), "{bad}: {err}");
            assert!(err.to_string().starts_with("invalid address"), "{err}");
        }
    }
}
