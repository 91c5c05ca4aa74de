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
    /// A TCP host and port spoken to over TLS by the client itself (a
    /// docker daemon's `--tlsverify` API).
    TcpTls {
        /// Host name or IP address.
        host: String,
        /// Port number.
        port: u16,
        /// CA, client certificate and key, server name.
        tls: crate::client::TlsOptions,
        /// Whether the server's certificate goes unchecked.
        insecure: bool,
    },
    /// A helper program whose stdin and stdout carry the stream (the
    /// docker CLI's and BuildKit's connection helpers: `ssh ... docker
    /// system dial-stdio`, `kubectl exec ... buildctl dial-stdio`, `docker
    /// exec ... buildctl dial-stdio`).
    Command {
        /// The address as written (`ssh://user@host`, `kube-pod://pod`).
        address: String,
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Whether the far end is on this machine.
        local: bool,
    },
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Command { address, .. } => f.write_str(address),
            Endpoint::TcpTls { host, port, .. } => {
                if host.contains(':') {
                    write!(f, "tcp://[{host}]:{port}")
                } else {
                    write!(f, "tcp://{host}:{port}")
                }
            }
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
    /// The same address spoken to over TLS (docker daemons on `tcp://`);
    /// other forms are returned as they are.
    pub fn with_tls(self, tls: crate::client::TlsOptions, insecure: bool) -> Endpoint {
        match self {
            Endpoint::Tcp { host, port } => Endpoint::TcpTls {
                host,
                port,
                tls,
                insecure,
            },
            other => other,
        }
    }

    /// Whether the endpoint is on this machine: a unix socket, or TCP to
    /// a loopback address.
    pub fn is_local(&self) -> bool {
        match self {
            Endpoint::Command { local, .. } => *local,
            Endpoint::TcpTls { host, port, .. } => Endpoint::Tcp {
                host: host.clone(),
                port: *port,
            }
            .is_local(),
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
            if rest.starts_with("ssh://") {
                return Ok(Target::Docker(ssh_docker_host(rest)?));
            }
            return Ok(Target::Docker(parse_endpoint(rest, addr, 2375)?));
        }
        if addr.starts_with("kube-pod://") {
            return Ok(Target::Buildkit(kube_pod(addr)?));
        }
        if addr.starts_with("docker-container://") {
            return Ok(Target::Buildkit(docker_container(addr)?));
        }
        Ok(Target::Buildkit(parse_endpoint(addr, addr, 1234)?))
    }

    /// Parses a `DOCKER_HOST`-style address (`unix://`, `tcp://`,
    /// `ssh://[user@]host[:port][/socket]`) as a docker daemon target.
    pub fn docker_host(host: &str) -> Result<Target> {
        if host.starts_with("ssh://") {
            return Ok(Target::Docker(ssh_docker_host(host)?));
        }
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
        "ssh" => Err(invalid(
            whole,
            "ssh:// is a docker host form: use DOCKER_HOST=ssh://... or a docker context",
        )),
        other => Err(invalid(
            whole,
            format!("unsupported scheme {other:?} (use unix:// or tcp://)"),
        )),
    }
}

/// The query of `scheme://authority?query` as key/value pairs.
fn query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

fn get<'a>(q: &'a [(String, String)], k: &str) -> &'a str {
    q.iter()
        .find(|(a, _)| a == k)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The docker CLI's `ssh://` hosts (its `connhelper/ssh` as buildx 0.13.1
/// vendors it): `ssh -o ConnectTimeout=30 [-l user] [-p port] -- host
/// docker [--host unix://PATH] system dial-stdio` (later docker CLIs add
/// `-T`).
fn ssh_docker_host(addr: &str) -> Result<Endpoint> {
    let rest = addr.strip_prefix("ssh://").unwrap_or(addr);
    if rest.contains('?') || rest.contains('#') {
        return Err(invalid(
            addr,
            "ssh host connection is not valid: extra query after the host is not supported",
        ));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (u, h),
        None => ("", authority),
    };
    if user.contains(':') {
        return Err(invalid(
            addr,
            "ssh host connection is not valid: plain-text password is not supported",
        ));
    }
    let (host, port) = match hostport.strip_prefix('[') {
        Some(r) => match r.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':').unwrap_or("")),
            None => return Err(invalid(addr, "unclosed '[' in IPv6 address")),
        },
        None => match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => (hostport, ""),
        },
    };
    if host.is_empty() {
        return Err(invalid(
            addr,
            "ssh host connection is not valid: no host specified",
        ));
    }
    let mut args: Vec<String> = vec!["-o ConnectTimeout=30".into()];
    if !user.is_empty() {
        args.extend(["-l".to_string(), user.to_string()]);
    }
    if !port.is_empty() {
        args.extend(["-p".to_string(), port.to_string()]);
    }
    args.extend(["--".to_string(), host.to_string(), "docker".to_string()]);
    if !path.is_empty() && path != "/" {
        args.extend(["--host".to_string(), format!("unix://{path}")]);
    }
    args.extend(["system".to_string(), "dial-stdio".to_string()]);
    Ok(Endpoint::Command {
        address: addr.to_string(),
        program: "ssh".into(),
        args,
        local: false,
    })
}

/// BuildKit's `kube-pod://POD?context=&namespace=&container=` (its
/// `connhelper/kubepod`): `kubectl --context=C --namespace=N exec
/// --container=K -i POD -- buildctl dial-stdio`.
fn kube_pod(addr: &str) -> Result<Endpoint> {
    let rest = &addr["kube-pod://".len()..];
    let (pod, q) = rest.split_once('?').unwrap_or((rest, ""));
    let pod = pod.trim_end_matches('/');
    let q = query(q);
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    };
    let (ns, ctr) = (get(&q, "namespace"), get(&q, "container"));
    if !ns.is_empty() && !ok(ns) {
        return Err(invalid(addr, format!("unsupported namespace name: {ns:?}")));
    }
    if pod.is_empty() {
        return Err(invalid(addr, "url lacks pod name"));
    }
    if !ok(pod) {
        return Err(invalid(addr, format!("unsupported pod name: {pod:?}")));
    }
    if !ctr.is_empty() && !ok(ctr) {
        return Err(invalid(
            addr,
            format!("unsupported container name: {ctr:?}"),
        ));
    }
    Ok(Endpoint::Command {
        address: addr.to_string(),
        program: "kubectl".into(),
        args: vec![
            format!("--context={}", get(&q, "context")),
            format!("--namespace={ns}"),
            "exec".into(),
            format!("--container={ctr}"),
            "-i".into(),
            pod.to_string(),
            "--".into(),
            "buildctl".into(),
            "dial-stdio".into(),
        ],
        local: false,
    })
}

/// BuildKit's `docker-container://NAME?context=` (its
/// `connhelper/dockercontainer`): `docker [--context=C] exec -i NAME
/// buildctl dial-stdio`.
fn docker_container(addr: &str) -> Result<Endpoint> {
    let rest = &addr["docker-container://".len()..];
    let (name, q) = rest.split_once('?').unwrap_or((rest, ""));
    let name = name.trim_end_matches('/');
    if name.is_empty() {
        return Err(invalid(addr, "url lacks container name"));
    }
    let q = query(q);
    let mut args = Vec::new();
    let ctx = get(&q, "context");
    if !ctx.is_empty() {
        args.push(format!("--context={ctx}"));
    }
    args.extend(["exec", "-i", name, "buildctl", "dial-stdio"].map(String::from));
    Ok(Endpoint::Command {
        address: addr.to_string(),
        program: "docker".into(),
        args,
        local: ctx.is_empty(),
    })
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
    fn helper_program_forms() {
        let Target::Docker(Endpoint::Command { program, args, .. }) =
            Target::docker_host("ssh://me@example.test:2222").unwrap()
        else {
            panic!()
        };
        assert_eq!(program, "ssh");
        assert_eq!(
            args,
            [
                "-o ConnectTimeout=30",
                "-l",
                "me",
                "-p",
                "2222",
                "--",
                "example.test",
                "docker",
                "system",
                "dial-stdio"
            ]
        );
        let Target::Docker(Endpoint::Command { args, .. }) =
            Target::docker_host("ssh://h/run/d.sock").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            args[1..],
            [
                "--",
                "h",
                "docker",
                "--host",
                "unix:///run/d.sock",
                "system",
                "dial-stdio"
            ]
        );
        assert!(Target::docker_host("ssh://u:pw@h").is_err());
        let t = Target::parse("kube-pod://bk-0?namespace=build&container=buildkitd").unwrap();
        let Target::Buildkit(Endpoint::Command { program, args, .. }) = &t else {
            panic!()
        };
        assert_eq!(program, "kubectl");
        assert_eq!(
            args,
            &[
                "--context=",
                "--namespace=build",
                "exec",
                "--container=buildkitd",
                "-i",
                "bk-0",
                "--",
                "buildctl",
                "dial-stdio"
            ]
        );
        assert_eq!(
            t.to_string(),
            "kube-pod://bk-0?namespace=build&container=buildkitd"
        );
        assert!(Target::parse("kube-pod://Bad_Pod").is_err());
        let Target::Buildkit(Endpoint::Command { program, args, .. }) =
            Target::parse("docker-container://bk?context=other").unwrap()
        else {
            panic!()
        };
        assert_eq!(program, "docker");
        assert_eq!(
            args,
            [
                "--context=other",
                "exec",
                "-i",
                "bk",
                "buildctl",
                "dial-stdio"
            ]
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
