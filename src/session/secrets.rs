//! moby.buildkit.secrets.v1.Secrets: what `RUN --mount=type=secret,id=ID`
//! reads. The values come from a [`SecretSource`]: a map
//! ([`SecretMap`]), files and environment variables as `--secret` names
//! them ([`SecretSpec`], [`FileSecrets`]), or one of the caller's own (a
//! vault, a keyring).
//! Unknown ids are answered `NotFound`, as BuildKit's own store answers
//! them, so that the frontend can tell a missing optional secret from a
//! failure.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::proto::moby::buildkit::secrets::v1::{
    secrets_server::{Secrets, SecretsServer},
    GetSecretRequest, GetSecretResponse,
};

/// The largest secret BuildKit takes (its `MaxSecretSize`, 500 KiB).
pub const MAX_SECRET_SIZE: usize = 500 * 1024;

/// Where a build's secrets come from.
pub trait SecretSource: Send + Sync + 'static {
    /// The secret called `id`; `Ok(None)` when there is none. An error's
    /// text reaches the daemon (and its progress): never put the secret in
    /// it.
    fn get(&self, id: &str) -> std::io::Result<Option<Vec<u8>>>;
}

/// Secrets held in memory, by id.
#[derive(Clone, Default)]
pub struct SecretMap(BTreeMap<String, Vec<u8>>);

impl std::fmt::Debug for SecretMap {
    // The ids only: values never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl SecretMap {
    /// An empty map.
    pub fn new() -> SecretMap {
        SecretMap::default()
    }

    /// Adds (or replaces) the secret `id`.
    pub fn insert(&mut self, id: impl Into<String>, value: impl Into<Vec<u8>>) {
        self.0.insert(id.into(), value.into());
    }
}

impl SecretSource for SecretMap {
    fn get(&self, id: &str) -> std::io::Result<Option<Vec<u8>>> {
        Ok(self.0.get(id).cloned())
    }
}

pub use crate::error::SecretError;

/// One `--secret` value: an id and where its value comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSpec {
    /// The id `RUN --mount=type=secret,id=...` asks for.
    pub id: String,
    /// A file to read (`src=`/`source=`).
    pub file: Option<PathBuf>,
    /// An environment variable to read (`env=`, or `src=` with `type=env`).
    pub env: Option<String>,
}

/// Build secrets for private git contexts, from the environment: for each
/// http(s) git URL among `urls` (the build context, named contexts), the
/// variables `GIT_AUTH_TOKEN.<host>`, `GIT_AUTH_HEADER.<host>`,
/// `GIT_AUTH_TOKEN` and `GIT_AUTH_HEADER` that are set become secrets of
/// the same id, read from those variables: BuildKit's git source asks the
/// session for exactly these, so a token never has to be in the URL.
/// `given` ids (explicit `--secret`s) are left alone.
pub fn git_auth_from_env(urls: &[&str], given: &[String]) -> Vec<SecretSpec> {
    let mut ids: Vec<String> = Vec::new();
    for u in urls {
        let host = if u.starts_with("github.com/") {
            "github.com".to_string()
        } else {
            let Some((scheme, rest)) = u.split_once("://") else {
                continue;
            };
            if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
                continue;
            }
            let authority = rest.split(['/', '#', '?']).next().unwrap_or_default();
            authority.rsplit('@').next().unwrap_or_default().to_string()
        };
        if host.is_empty() {
            continue;
        }
        for id in [
            format!("GIT_AUTH_TOKEN.{host}"),
            format!("GIT_AUTH_HEADER.{host}"),
            "GIT_AUTH_TOKEN".to_string(),
            "GIT_AUTH_HEADER".to_string(),
        ] {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.into_iter()
        .filter(|id| !given.contains(id) && std::env::var_os(id).is_some())
        .map(|id| SecretSpec {
            env: Some(id.clone()),
            id,
            file: None,
        })
        .collect()
}

impl SecretSpec {
    /// Parses `id=ID[,src=FILE|,env=VAR][,type=file|env]` as buildx 0.13's
    /// `buildflags.ParseSecretSpecs` does: one CSV record of `key=value`
    /// fields, keys case-insensitive, the last of a key winning.
    pub fn parse(value: &str) -> Result<SecretSpec, SecretError> {
        let fields =
            crate::go::csv::read_record_str(value).map_err(|e| SecretError::Csv(e.to_string()))?;
        let mut spec = SecretSpec::default();
        let mut env_type = false;
        for field in fields {
            let Some((key, v)) = field.split_once('=') else {
                return Err(SecretError::NotKeyValue(field));
            };
            match key.to_lowercase().as_str() {
                "type" => match v {
                    "file" => env_type = false,
                    "env" => env_type = true,
                    _ => return Err(SecretError::UnsupportedType(v.to_string())),
                },
                "id" => spec.id = v.to_string(),
                "source" | "src" => spec.file = Some(PathBuf::from(v)),
                "env" => spec.env = Some(v.to_string()),
                other => {
                    return Err(SecretError::UnexpectedKey {
                        key: other.to_string(),
                        field: field.clone(),
                    })
                }
            }
        }
        let set = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
        if env_type && !set(&spec.env) {
            spec.env = spec.file.take().map(|f| f.to_string_lossy().into_owned());
        }
        Ok(spec)
    }
}

/// Where one secret of a [`FileSecrets`] comes from.
#[derive(Debug, Clone)]
enum FileOrEnv {
    File(PathBuf),
    Env(String),
}

/// Secrets from files and environment variables, as BuildKit's
/// `secretsprovider` store serves `--secret`s: a file is read, an
/// environment variable looked up, each time the build asks.
#[derive(Debug, Clone, Default)]
pub struct FileSecrets {
    sources: BTreeMap<String, FileOrEnv>,
}

impl FileSecrets {
    /// The store for `specs`, checked as BuildKit's `NewStore` checks them:
    /// every spec needs an id; one without a file or variable reads the
    /// variable named like its id when it is set, else the file named so;
    /// files must exist and be at most 500 KiB. A later spec of the same id
    /// replaces an earlier one.
    pub fn new(specs: impl IntoIterator<Item = SecretSpec>) -> Result<FileSecrets, SecretError> {
        let mut sources = BTreeMap::new();
        for s in specs {
            if s.id.is_empty() {
                return Err(SecretError::MissingId);
            }
            let env = s.env.filter(|e| !e.is_empty());
            let file = s.file.filter(|f| !f.as_os_str().is_empty());
            let source = match (env, file) {
                (Some(e), _) => FileOrEnv::Env(e),
                (None, Some(f)) => FileOrEnv::File(f),
                (None, None) if std::env::var_os(&s.id).is_some() => FileOrEnv::Env(s.id.clone()),
                (None, None) => FileOrEnv::File(PathBuf::from(&s.id)),
            };
            if let FileOrEnv::File(f) = &source {
                let md = std::fs::metadata(f).map_err(|source| SecretError::Stat {
                    path: f.display().to_string(),
                    source,
                })?;
                if md.len() > MAX_SECRET_SIZE as u64 {
                    return Err(SecretError::TooBig(s.id));
                }
            }
            sources.insert(s.id, source);
        }
        Ok(FileSecrets { sources })
    }
}

impl SecretSource for FileSecrets {
    fn get(&self, id: &str) -> std::io::Result<Option<Vec<u8>>> {
        match self.sources.get(id) {
            None => Ok(None),
            Some(FileOrEnv::Env(var)) => Ok(Some(
                std::env::var_os(var)
                    .map(std::os::unix::ffi::OsStringExt::into_vec)
                    .unwrap_or_default(),
            )),
            Some(FileOrEnv::File(f)) => std::fs::read(f).map(Some),
        }
    }
}

/// The Secrets service of a session, serving one [`SecretSource`].
pub struct SecretsService {
    source: Arc<dyn SecretSource>,
}

impl std::fmt::Debug for SecretsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsService")
    }
}

impl SecretsService {
    /// Serves the secrets of `source`.
    pub fn new(source: impl SecretSource) -> SecretsService {
        SecretsService {
            source: Arc::new(source),
        }
    }

    /// The service, ready to attach to a session.
    pub fn attachable(self) -> super::Service<SecretsServer<SecretsService>> {
        super::Service::new(SecretsServer::new(self), &["GetSecret"])
    }
}

#[tonic::async_trait]
impl Secrets for SecretsService {
    async fn get_secret(
        &self,
        req: Request<GetSecretRequest>,
    ) -> Result<Response<GetSecretResponse>, Status> {
        let id = req.into_inner().id;
        let source = self.source.clone();
        let lookup = id.clone();
        let found = tokio::task::spawn_blocking(move || source.get(&lookup))
            .await
            .map_err(|e| Status::internal(format!("secret {id}: {e}")))?
            .map_err(|e| Status::internal(format!("secret {id}: {e}")))?;
        match found {
            None => Err(Status::not_found(format!("secret {id} not found"))),
            Some(data) if data.len() > MAX_SECRET_SIZE => Err(Status::invalid_argument(format!(
                "invalid secret size {}",
                data.len()
            ))),
            Some(data) => Ok(Response::new(GetSecretResponse { data: data.into() })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_as_buildx_parses_them() {
        let p = |v: &str| SecretSpec::parse(v);
        let spec = |id: &str, file: Option<&str>, env: Option<&str>| SecretSpec {
            id: id.into(),
            file: file.map(PathBuf::from),
            env: env.map(String::from),
        };
        assert_eq!(p("id=a,src=/f").unwrap(), spec("a", Some("/f"), None));
        assert_eq!(p("ID=a,Source=/f").unwrap(), spec("a", Some("/f"), None));
        assert_eq!(p("id=a,env=V").unwrap(), spec("a", None, Some("V")));
        // type=env takes src as the variable's name
        assert_eq!(
            p("id=a,type=env,src=V").unwrap(),
            spec("a", None, Some("V"))
        );
        assert_eq!(
            p("type=env,id=a,src=V,env=W").unwrap(),
            spec("a", Some("V"), Some("W"))
        );
        assert_eq!(p("id=a").unwrap(), spec("a", None, None));
        assert_eq!(
            p(r#""id=a,b",src=x"#).unwrap(),
            spec("a,b", Some("x"), None)
        );
        let err = |v: &str| p(v).unwrap_err().to_string();
        assert_eq!(err("foo"), "invalid field 'foo' must be a key=value pair");
        assert_eq!(err("id=a,type=vault"), r#"unsupported secret type "vault""#);
        assert_eq!(err("id=a,Mode=1"), "unexpected key 'mode' in 'Mode=1'");
        assert_eq!(
            err(r#"id="a"#),
            "failed to parse csv secret: parse error on line 1, column 4: bare \" in non-quoted-field"
        );
    }

    #[test]
    fn file_secrets_are_checked_as_buildkit_checks_them() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("tok");
        std::fs::write(&f, "file-value").unwrap();
        let big = d.path().join("big");
        std::fs::write(&big, vec![b'x'; MAX_SECRET_SIZE + 1]).unwrap();
        let spec = |v: &str| SecretSpec::parse(v).unwrap();
        let store = FileSecrets::new([
            spec(&format!("id=a,src={}", f.display())),
            spec("id=b,env=RKBUILD_TEST_SECRET_NOT_SET"),
        ])
        .unwrap();
        assert_eq!(store.get("a").unwrap().unwrap(), b"file-value");
        assert_eq!(store.get("b").unwrap().unwrap(), b"");
        assert!(store.get("c").unwrap().is_none());
        let err = |specs: Vec<SecretSpec>| FileSecrets::new(specs).unwrap_err().to_string();
        assert_eq!(err(vec![spec("src=/x")]), "secret missing ID");
        assert_eq!(
            err(vec![spec("id=x,src=/no/such")]),
            "failed to stat /no/such: stat /no/such: no such file or directory"
        );
        assert_eq!(
            err(vec![spec(&format!("id=big,src={}", big.display()))]),
            "secret big too big. max size 500KiB"
        );
        // Without a source: the variable named like the id, else the file.
        assert_eq!(
            err(vec![spec("id=rkbuild-no-such-file-or-var")]),
            "failed to stat rkbuild-no-such-file-or-var: stat rkbuild-no-such-file-or-var: no such file or directory"
        );
    }
    use crate::proto::moby::buildkit::secrets::v1::secrets_client::SecretsClient;

    #[tokio::test]
    async fn serves_known_ids_and_refuses_the_rest() {
        let mut m = SecretMap::new();
        m.insert("token", "s3cr3t");
        m.insert("big", vec![0u8; MAX_SECRET_SIZE + 1]);
        assert_eq!(format!("{m:?}"), r#"{"big", "token"}"#);
        let mut sess = crate::session::Session::new("x", "x:y");
        sess.allow(SecretsService::new(m).attachable());
        assert!(sess
            .methods()
            .contains(&"/moby.buildkit.secrets.v1.Secrets/GetSecret".to_string()));
        let mut c = SecretsClient::new(crate::session::serve_on_loopback(sess).await);
        let get = |id: &str| GetSecretRequest {
            id: id.into(),
            annotations: Default::default(),
        };
        let r = c.get_secret(get("token")).await.unwrap().into_inner();
        assert_eq!(&r.data[..], b"s3cr3t");
        let e = c.get_secret(get("nope")).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::NotFound);
        let e = c.get_secret(get("big")).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
    }
}
