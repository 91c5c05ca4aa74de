//! moby.sshforward.v1.SSH: `--ssh` agent forwarding, as BuildKit's
//! `sshprovider` serves it.
//!
//! Each id (`default` unless named) is either one agent socket (`--ssh
//! default` is `$SSH_AUTH_SOCK`) or a set of private key files. The daemon
//! opens one `ForwardAgent` stream per connection to the socket it mounts
//! in a `RUN --mount=type=ssh` step, naming the id in the gRPC metadata key
//! `buildkit.ssh.id`; the bytes are the SSH agent protocol.
//!
//! - A socket is forwarded read-only, as BuildKit's client does: requests
//!   to add, remove or lock keys, and extensions, are answered with the
//!   agent protocol's failure without reaching the agent.
//! - Key files are served by an agent here (listing and signing; RSA keys
//!   sign with `rsa-sha2-512`). Keys with a passphrase are refused when
//!   the flag is read, in BuildKit's words.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::moby::sshforward::v1::{
    ssh_server::{Ssh, SshServer},
    BytesMessage, CheckAgentRequest, CheckAgentResponse,
};

/// The id of `--ssh default` and of a mount without `id=`.
pub const DEFAULT_ID: &str = "default";

/// The gRPC metadata key naming the id of a `ForwardAgent` stream.
const ID_KEY: &str = "buildkit.ssh.id";

/// Agent protocol message numbers (draft-miller-ssh-agent).
mod msg {
    pub(super) const FAILURE: u8 = 5;
    pub(super) const REQUEST_IDENTITIES: u8 = 11;
    pub(super) const IDENTITIES_ANSWER: u8 = 12;
    pub(super) const SIGN_REQUEST: u8 = 13;
    pub(super) const SIGN_RESPONSE: u8 = 14;
    /// What a read-only agent refuses: add, remove, remove all, smartcard
    /// add and remove, lock, constrained adds, extensions.
    pub(super) const REFUSED: &[u8] = &[17, 18, 19, 20, 21, 22, 25, 26, 27];
    pub(super) const RSA_SHA2_512: u32 = 4;
}

/// The largest agent message accepted (OpenSSH's limit).
const MAX_MESSAGE: usize = 256 * 1024;

/// One `--ssh` value: `ID[=PATH[,PATH...]]` (buildx's `ParseSSHSpecs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSpec {
    /// The id (`default` when empty).
    pub id: String,
    /// Agent socket or key files; none means `$SSH_AUTH_SOCK`.
    pub paths: Vec<String>,
}

impl SshSpec {
    /// Parses `default`, `default=/path/to/socket`, `id=key1,key2`.
    pub fn parse(s: &str) -> SshSpec {
        match s.split_once('=') {
            Some((id, paths)) => SshSpec {
                id: id.to_string(),
                paths: paths.split(',').map(str::to_string).collect(),
            },
            None => SshSpec {
                id: s.to_string(),
                paths: Vec::new(),
            },
        }
    }
}

/// Why an `--ssh` value cannot be served (BuildKit's `sshprovider` words).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SshError {
    /// `default` without `$SSH_AUTH_SOCK`.
    #[error("invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set")]
    NoSocket,
    /// The same id twice.
    #[error("invalid duplicate ID {0}")]
    DuplicateId(String),
    /// A path that cannot be examined.
    #[error("stat {path}: {}", crate::go::syscall::error_text(.source))]
    Stat {
        /// The path.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// More than one path where the first is a socket.
    #[error("only single socket allowed")]
    SingleSocket,
    /// Keys and sockets in one id.
    #[error("invalid combination of keys and sockets")]
    Mixed,
    /// A key file that cannot be read.
    #[error("failed to read {path}: read {path}: {}", crate::go::syscall::error_text(.source))]
    Read {
        /// The path.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A key file that is not a usable private key.
    #[error("failed to parse {path}: ssh: {reason}")]
    Parse {
        /// The path.
        path: String,
        /// Why (`this private key is passphrase protected`, ...).
        reason: String,
    },
}

#[derive(Clone)]
enum Source {
    Socket(PathBuf),
    Keys(Arc<Vec<ssh_key::PrivateKey>>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Socket(p) => f.debug_tuple("Socket").field(p).finish(),
            Source::Keys(k) => f.debug_tuple("Keys").field(&k.len()).finish(),
        }
    }
}

/// The SSH forwarding service of a session.
#[derive(Debug, Clone, Default)]
pub struct SshService {
    sources: Arc<BTreeMap<String, Source>>,
}

impl SshService {
    /// Serves `specs`: sockets checked to exist, key files read and parsed
    /// now, so that a bad value fails before the build. `auth_sock` is
    /// `$SSH_AUTH_SOCK` for specs without paths.
    pub fn new(specs: &[SshSpec], auth_sock: Option<&str>) -> Result<SshService, SshError> {
        let mut sources = BTreeMap::new();
        for s in specs {
            let id = if s.id.is_empty() {
                DEFAULT_ID.to_string()
            } else {
                s.id.clone()
            };
            if sources.contains_key(&id) {
                return Err(SshError::DuplicateId(id));
            }
            let mut paths = s.paths.clone();
            if paths.is_empty() || (paths.len() == 1 && paths[0].is_empty()) {
                paths = vec![auth_sock.unwrap_or_default().to_string()];
            }
            if paths[0].is_empty() {
                return Err(SshError::NoSocket);
            }
            sources.insert(id, source(&paths)?);
        }
        Ok(SshService {
            sources: Arc::new(sources),
        })
    }

    /// The service, ready to attach to a session.
    pub fn attachable(self) -> super::Service<SshServer<SshService>> {
        super::Service::new(SshServer::new(self), &["CheckAgent", "ForwardAgent"])
    }
}

fn source(paths: &[String]) -> Result<Source, SshError> {
    use std::os::unix::fs::FileTypeExt;
    let mut keys = Vec::new();
    let mut socket = None;
    for p in paths {
        if socket.is_some() {
            return Err(SshError::SingleSocket);
        }
        let md = std::fs::metadata(p).map_err(|e| SshError::Stat {
            path: p.clone(),
            source: e,
        })?;
        if md.file_type().is_socket() {
            if !keys.is_empty() {
                return Err(SshError::Mixed);
            }
            socket = Some(PathBuf::from(p));
            continue;
        }
        let data = read_limited(Path::new(p)).map_err(|e| SshError::Read {
            path: p.clone(),
            source: e,
        })?;
        let key = ssh_key::PrivateKey::from_openssh(&data).map_err(|e| SshError::Parse {
            path: p.clone(),
            reason: e.to_string(),
        })?;
        if key.is_encrypted() {
            return Err(SshError::Parse {
                path: p.clone(),
                reason: "this private key is passphrase protected".into(),
            });
        }
        keys.push(key);
    }
    Ok(match socket {
        Some(s) => Source::Socket(s),
        None => Source::Keys(Arc::new(keys)),
    })
}

/// At most 100 KiB, as BuildKit reads key files.
fn read_limited(p: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(p)?
        .take(100 * 1024)
        .read_to_end(&mut out)?;
    Ok(out)
}

type ForwardStream = Pin<Box<dyn Stream<Item = Result<BytesMessage, Status>> + Send>>;

#[tonic::async_trait]
impl Ssh for SshService {
    async fn check_agent(
        &self,
        req: Request<CheckAgentRequest>,
    ) -> Result<Response<CheckAgentResponse>, Status> {
        let mut id = req.into_inner().id;
        if id.is_empty() {
            id = DEFAULT_ID.into();
        }
        if !self.sources.contains_key(&id) {
            return Err(Status::unknown(format!("unset ssh forward key {id}")));
        }
        Ok(Response::new(CheckAgentResponse {}))
    }

    type ForwardAgentStream = ForwardStream;

    async fn forward_agent(
        &self,
        req: Request<Streaming<BytesMessage>>,
    ) -> Result<Response<Self::ForwardAgentStream>, Status> {
        let id = req
            .metadata()
            .get(ID_KEY)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .unwrap_or(DEFAULT_ID)
            .to_string();
        let Some(src) = self.sources.get(&id).cloned() else {
            return Err(Status::unknown(format!("unset ssh forward key {id}")));
        };
        let agent = match &src {
            Source::Socket(p) => {
                let conn = tokio::time::timeout(
                    Duration::from_secs(2),
                    tokio::net::UnixStream::connect(p),
                )
                .await;
                match conn {
                    Ok(Ok(c)) => Some(c),
                    _ => {
                        return Err(Status::unknown(format!(
                            "failed to connect to {}",
                            p.display()
                        )))
                    }
                }
            }
            Source::Keys(_) => None,
        };
        let inbound = req.into_inner();
        let (tx, rx) = mpsc::channel(8);
        tokio::spawn(async move {
            let _ = serve(inbound, tx, src, agent).await;
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }
}

/// Reads agent requests from the daemon's stream and answers each.
async fn serve(
    mut inbound: Streaming<BytesMessage>,
    tx: mpsc::Sender<Result<BytesMessage, Status>>,
    src: Source,
    mut agent: Option<tokio::net::UnixStream>,
) -> Result<(), String> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        while let Some(frame) = take_frame(&mut buf)? {
            let reply = match (&src, agent.as_mut()) {
                (Source::Socket(_), Some(conn)) => forward(conn, &frame).await?,
                (Source::Keys(keys), _) => answer(keys, &frame),
                _ => return Err("no agent".into()),
            };
            let mut out = (reply.len() as u32).to_be_bytes().to_vec();
            out.extend_from_slice(&reply);
            for chunk in out.chunks(32 * 1024) {
                if tx
                    .send(Ok(BytesMessage {
                        data: chunk.to_vec().into(),
                    }))
                    .await
                    .is_err()
                {
                    return Ok(());
                }
            }
        }
        match inbound.next().await {
            Some(Ok(m)) => buf.extend_from_slice(&m.data),
            Some(Err(s)) => return Err(s.message().to_string()),
            None => return Ok(()),
        }
    }
}

/// One complete message (without its length) from the front of `buf`.
fn take_frame(buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>, String> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if len > MAX_MESSAGE {
        return Err(format!("agent message of {len} bytes is too large"));
    }
    if buf.len() < 4 + len {
        return Ok(None);
    }
    let frame = buf[4..4 + len].to_vec();
    buf.drain(..4 + len);
    Ok(Some(frame))
}

/// Forwards one request to the agent socket, read-only.
async fn forward(conn: &mut tokio::net::UnixStream, frame: &[u8]) -> Result<Vec<u8>, String> {
    if frame.first().is_some_and(|t| msg::REFUSED.contains(t)) {
        return Ok(vec![msg::FAILURE]);
    }
    let mut out = (frame.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(frame);
    conn.write_all(&out).await.map_err(|e| e.to_string())?;
    let mut len = [0u8; 4];
    conn.read_exact(&mut len).await.map_err(|e| e.to_string())?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_MESSAGE {
        return Err(format!("agent answered {len} bytes"));
    }
    let mut reply = vec![0u8; len];
    conn.read_exact(&mut reply)
        .await
        .map_err(|e| e.to_string())?;
    Ok(reply)
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn get_string<'a>(b: &mut &'a [u8]) -> Option<&'a [u8]> {
    if b.len() < 4 {
        return None;
    }
    let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    if b.len() < 4 + len {
        return None;
    }
    let s = &b[4..4 + len];
    *b = &b[4 + len..];
    Some(s)
}

/// The in-process agent of key files: identities and signatures.
fn answer(keys: &[ssh_key::PrivateKey], frame: &[u8]) -> Vec<u8> {
    let fail = vec![msg::FAILURE];
    match frame.first() {
        Some(&msg::REQUEST_IDENTITIES) => {
            let mut out = vec![msg::IDENTITIES_ANSWER];
            let blobs: Vec<(Vec<u8>, &str)> = keys
                .iter()
                // BuildKit adds key files to its keyring without comments.
                .filter_map(|k| Some((k.public_key().to_bytes().ok()?, "")))
                .collect();
            out.extend_from_slice(&(blobs.len() as u32).to_be_bytes());
            for (blob, comment) in blobs {
                put_string(&mut out, &blob);
                put_string(&mut out, comment.as_bytes());
            }
            out
        }
        Some(&msg::SIGN_REQUEST) => {
            let mut rest = &frame[1..];
            let (Some(blob), Some(data)) = (get_string(&mut rest), get_string(&mut rest)) else {
                return fail;
            };
            let flags = if rest.len() >= 4 {
                u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]])
            } else {
                0
            };
            let Some(key) = keys
                .iter()
                .find(|k| k.public_key().to_bytes().ok().as_deref() == Some(blob))
            else {
                return fail;
            };
            // As Go's agent keyring: flags are for RSA keys only; RSA signs
            // with SHA-512 here (what OpenSSH asks for first).
            let rsa = matches!(key.algorithm(), ssh_key::Algorithm::Rsa { .. });
            if (!rsa && flags != 0) || (rsa && flags & msg::RSA_SHA2_512 == 0) {
                return fail;
            }
            use signature::Signer;
            let Ok(sig) = key.try_sign(data) else {
                return fail;
            };
            // The signature blob: algorithm name, then the signature.
            let mut encoded = Vec::new();
            put_string(&mut encoded, sig.algorithm().as_str().as_bytes());
            put_string(&mut encoded, sig.as_bytes());
            let mut out = vec![msg::SIGN_RESPONSE];
            put_string(&mut out, &encoded);
            out
        }
        _ => fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_as_buildx_parses_them() {
        assert_eq!(
            SshSpec::parse("default"),
            SshSpec {
                id: "default".into(),
                paths: vec![]
            }
        );
        assert_eq!(SshSpec::parse("k=/a,/b").paths, ["/a", "/b"]);
        let e = SshService::new(&[SshSpec::parse("default")], None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set"
        );
        let e = SshService::new(
            &[SshSpec::parse("a=/nonexistent-rk"), SshSpec::parse("a=/x")],
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "stat /nonexistent-rk: no such file or directory"
        );
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("notakey");
        std::fs::write(&f, "hello").unwrap();
        let e = SshService::new(&[SshSpec::parse(&format!("k={}", f.display()))], None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("failed to parse {}: ssh: ", f.display())),
            "{e}"
        );
        let sock = d.path().join("s");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let s = sock.display().to_string();
        let e = SshService::new(&[SshSpec::parse(&format!("k={s},{s}"))], None).unwrap_err();
        assert_eq!(e.to_string(), "only single socket allowed");
        let e = SshService::new(
            &[
                SshSpec::parse(&format!("default={s}")),
                SshSpec::parse("default"),
            ],
            Some(&s),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "invalid duplicate ID default");
    }

    #[test]
    fn key_agent_lists_and_signs() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("id");
        let ok = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "rk-test", "-f"])
            .arg(&path)
            .status();
        let Ok(st) = ok else {
            // No OpenSSH here: the integration tests cover agents.
            return;
        };
        assert!(st.success());
        let svc =
            SshService::new(&[SshSpec::parse(&format!("k={}", path.display()))], None).unwrap();
        let Source::Keys(keys) = &svc.sources["k"] else {
            panic!("not keys")
        };
        let ids = answer(keys, &[msg::REQUEST_IDENTITIES]);
        assert_eq!(ids[0], msg::IDENTITIES_ANSWER);
        assert_eq!(&ids[1..5], &1u32.to_be_bytes());
        let mut rest = &ids[5..];
        let blob = get_string(&mut rest).unwrap().to_vec();
        assert_eq!(get_string(&mut rest).unwrap(), b"");
        let mut req = vec![msg::SIGN_REQUEST];
        put_string(&mut req, &blob);
        put_string(&mut req, b"data");
        req.extend_from_slice(&0u32.to_be_bytes());
        let sig = answer(keys, &req);
        assert_eq!(sig[0], msg::SIGN_RESPONSE);
        let mut rest = &sig[1..];
        let mut blob_rest = get_string(&mut rest).unwrap();
        let alg = get_string(&mut blob_rest).unwrap();
        let raw = get_string(&mut blob_rest).unwrap();
        let parsed = ssh_key::Signature::new(
            ssh_key::Algorithm::new(std::str::from_utf8(alg).unwrap()).unwrap(),
            raw.to_vec(),
        )
        .unwrap();
        use signature::Verifier;
        Verifier::verify(keys[0].public_key(), b"data", &parsed).unwrap();
        // Flags are for RSA keys only.
        let mut flagged = req.clone();
        let n = flagged.len();
        flagged[n - 4..].copy_from_slice(&4u32.to_be_bytes());
        assert_eq!(answer(keys, &flagged), [msg::FAILURE]);
        // Refusals of a read-only agent, and unknown keys.
        assert_eq!(answer(keys, &[17]), [msg::FAILURE]);
        let mut req = vec![msg::SIGN_REQUEST];
        put_string(&mut req, b"other");
        put_string(&mut req, b"data");
        assert_eq!(answer(keys, &req), [msg::FAILURE]);
    }
}
