//! buildx's builder store: the builders `docker buildx create` makes, read
//! and written as buildx 0.13 does (`store/` in docker/buildx), so that
//! buildx and rkbuild share them both ways.
//!
//! Layout under the buildx directory ([`super::buildx::dir_from_env`]):
//! - `instances/<name>`: one builder (a [`NodeGroup`]) as Go's compact
//!   `json.Marshal` writes it;
//! - `current`: `{"Key":<docker endpoint>,"Name":<builder>,"Global":bool}`,
//!   the builder `use` selected for one docker endpoint (or for all, when
//!   global);
//! - `defaults/<first 20 hex of sha256(endpoint)>`: the builder `use
//!   --default` made the default of an endpoint;
//! - `activity/<name>`: the last time the builder was used (RFC 3339, UTC);
//! - `.lock`: an exclusive `flock` held for each transaction ([`Txn`]).
//!
//! Every file is written whole or not at all (a temporary file in the same
//! directory, then renamed), mode 0600, as buildx's `AtomicWriteFile`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rustix::fs::FlockOperation;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

const INSTANCES: &str = "instances";
const DEFAULTS: &str = "defaults";
const ACTIVITY: &str = "activity";

/// A builder: a named group of nodes driven by one driver (buildx's
/// `store.NodeGroup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGroup {
    /// The builder's name (lower case).
    #[serde(rename = "Name")]
    pub name: String,
    /// The driver: `docker-container`, `remote`, `kubernetes`, `docker`;
    /// empty for the implicit builder of a docker context.
    #[serde(rename = "Driver")]
    pub driver: String,
    /// The nodes, in the order they were added.
    #[serde(rename = "Nodes", default, deserialize_with = "null_vec")]
    pub nodes: Vec<Node>,
    /// Whether the nodes come from the driver (kubernetes replicas).
    #[serde(rename = "Dynamic", default)]
    pub dynamic: bool,
    /// The implicit builder of a docker context (not stored).
    #[serde(skip)]
    pub docker_context: bool,
    /// When the builder was last used, Unix seconds (from `activity/`'s
    /// RFC 3339 time, not stored in the instance file).
    #[serde(skip)]
    pub last_activity: Option<i64>,
}

/// One node of a builder (buildx's `store.Node`). `None` fields are Go's
/// nil slices and maps (`null` in the file), kept as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Node {
    /// The node's name (`<builder><n>` unless given).
    #[serde(rename = "Name")]
    pub name: String,
    /// Where the node is: a docker context name or docker host for the
    /// docker and docker-container drivers, a BuildKit address for remote.
    #[serde(rename = "Endpoint")]
    pub endpoint: String,
    /// Platforms set with `create --platform` (OCI platform objects).
    #[serde(rename = "Platforms")]
    pub platforms: Option<Vec<StorePlatform>>,
    /// `--driver-opt` key/value pairs.
    #[serde(rename = "DriverOpts")]
    pub driver_opts: Option<BTreeMap<String, String>>,
    /// `--buildkitd-flags`, split as a shell would.
    #[serde(rename = "Flags")]
    pub flags: Option<Vec<String>>,
    /// Files of `--buildkitd-config` (base64 in the file, as Go's `[]byte`).
    #[serde(rename = "Files", with = "files_b64")]
    pub files: Option<BTreeMap<String, Vec<u8>>>,
}

/// An OCI platform as the image spec's JSON writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StorePlatform {
    /// CPU architecture (`amd64`, `arm64`, ...).
    pub architecture: String,
    /// Operating system (`linux`, ...).
    pub os: String,
    /// OS version (Windows).
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    /// OS features (Windows).
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// CPU variant (`v7`, `v2`, ...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

impl StorePlatform {
    /// Parses and normalises `os/arch[/variant]` as containerd does.
    pub fn parse(s: &str) -> Result<StorePlatform> {
        let spec = if s.eq_ignore_ascii_case("local") {
            crate::platform::host()
        } else {
            crate::platform::parse(s)?
        };
        let spec = crate::platform::normalize_spec(spec);
        Ok(StorePlatform {
            architecture: spec.architecture,
            os: spec.os,
            os_version: spec.os_version,
            os_features: Vec::new(),
            variant: spec.variant,
        })
    }

    /// containerd's `platforms.Format`: `os/arch[/variant]`.
    pub fn format(&self) -> String {
        let mut s = if self.os.is_empty() {
            "unknown".to_string()
        } else {
            self.os.clone()
        };
        for p in [&self.architecture, &self.variant] {
            if !p.is_empty() {
                s.push('/');
                s.push_str(p);
            }
        }
        s
    }
}

/// buildx's `platformutil.Parse`: each value may hold several platforms
/// separated by commas.
pub fn parse_platforms<S: AsRef<str>>(values: &[S]) -> Result<Vec<StorePlatform>> {
    let mut out = Vec::new();
    for v in values {
        for p in v.as_ref().split(',') {
            out.push(StorePlatform::parse(p)?);
        }
    }
    Ok(out)
}

fn null_vec<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

mod files_b64 {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(
        v: &Option<BTreeMap<String, Vec<u8>>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.as_ref()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), crate::go::json::b64_encode(v)))
                    .collect::<BTreeMap<_, _>>()
            })
            .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<BTreeMap<String, Vec<u8>>>, D::Error> {
        let m = Option::<BTreeMap<String, Option<String>>>::deserialize(d)?;
        let Some(m) = m else { return Ok(None) };
        let mut out = BTreeMap::new();
        for (k, v) in m {
            let v = match v {
                Some(v) => crate::go::json::b64_decode(&v).map_err(serde::de::Error::custom)?,
                None => Vec::new(),
            };
            out.insert(k, v);
        }
        Ok(Some(out))
    }
}

impl NodeGroup {
    /// The name buildx gives the next node: `<builder><n>`, the first `n`
    /// not taken.
    pub fn next_node_name(&self) -> String {
        (0..)
            .map(|i| format!("{}{i}", self.name))
            .find(|n| !self.nodes.iter().any(|x| &x.name == n))
            .unwrap_or_default()
    }

    /// The index of node `name`.
    pub fn find_node(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// buildx's `NodeGroup.Leave`.
    pub fn leave(&mut self, name: &str) -> Result<()> {
        if self.dynamic {
            return Err(Error::Config(
                "dynamic node group does not support Leave".into(),
            ));
        }
        let Some(i) = self.find_node(name) else {
            return Err(Error::Config(format!(
                "node {name:?} not found for {}",
                self.name
            )));
        };
        if self.nodes.len() == 1 {
            return Err(Error::Config(
                "can not leave last node, do you want to rm instance instead?".into(),
            ));
        }
        self.nodes.remove(i);
        Ok(())
    }

    /// buildx's `NodeGroup.Update`: changes node `name` (or adds one, when
    /// `append` or the group is empty). Returns whether settings of an
    /// existing node changed (buildx then warns that a restart may be
    /// needed).
    pub fn update(&mut self, name: &str, update: NodeUpdate) -> Result<bool> {
        if self.dynamic {
            return Err(Error::Config(
                "dynamic node group does not support Update".into(),
            ));
        }
        let idx = if name.is_empty() {
            None
        } else {
            self.find_node(name)
        };
        if idx.is_none() && !update.append {
            if !self.nodes.is_empty() {
                return Err(Error::Config(format!(
                    "node {name} not found, did you mean to append?"
                )));
            }
            self.nodes.clear();
        }
        let platforms = parse_platforms(&update.platforms)?;
        if let Some(i) = idx {
            let n = &mut self.nodes[i];
            let mut restart = false;
            if let Some(ep) = &update.endpoint {
                n.endpoint = ep.clone();
                restart = true;
            }
            if !platforms.is_empty() {
                n.platforms = Some(platforms);
            }
            if update.flags.is_some() {
                n.flags = update.flags;
                restart = true;
            }
            if update.driver_opts.is_some() {
                n.driver_opts = update.driver_opts;
                restart = true;
            }
            if let Some(files) = update.files {
                n.files.get_or_insert_with(BTreeMap::new).extend(files);
                restart = true;
            }
            let ep = n.endpoint.clone();
            self.validate_duplicates(&ep, i)?;
            return Ok(restart);
        }
        let name = if name.is_empty() {
            self.next_node_name()
        } else {
            name.to_string()
        };
        let name = validate_name(&name)?;
        let endpoint = update.endpoint.unwrap_or(update.default_endpoint);
        self.nodes.push(Node {
            name,
            endpoint: endpoint.clone(),
            platforms: (!platforms.is_empty()).then_some(platforms),
            driver_opts: update.driver_opts,
            flags: update.flags,
            files: update.files,
        });
        let last = self.nodes.len() - 1;
        self.validate_duplicates(&endpoint, last)?;
        Ok(false)
    }

    /// No two nodes share an endpoint; a platform belongs to one node (the
    /// one just changed keeps it).
    fn validate_duplicates(&mut self, ep: &str, idx: usize) -> Result<()> {
        if self.nodes.iter().filter(|n| n.endpoint == ep).count() > 1 {
            return Err(Error::Config(format!("invalid duplicate endpoint {ep}")));
        }
        let mine: Vec<String> = self.nodes[idx]
            .platforms
            .iter()
            .flatten()
            .map(StorePlatform::format)
            .collect();
        for (i, n) in self.nodes.iter_mut().enumerate() {
            if i == idx {
                continue;
            }
            if let Some(pp) = &mut n.platforms {
                pp.retain(|p| !mine.contains(&p.format()));
            }
        }
        Ok(())
    }
}

/// What `create` changes on a node (see [`NodeGroup::update`]).
#[derive(Debug, Clone, Default)]
pub struct NodeUpdate {
    /// A new endpoint (`None`: keep it, or `default_endpoint` for a new
    /// node).
    pub endpoint: Option<String>,
    /// The endpoint of a new node when none is given.
    pub default_endpoint: String,
    /// `--platform` values.
    pub platforms: Vec<String>,
    /// `--append`.
    pub append: bool,
    /// `--buildkitd-flags`, split.
    pub flags: Option<Vec<String>>,
    /// `--driver-opt`s.
    pub driver_opts: Option<BTreeMap<String, String>>,
    /// Files of `--buildkitd-config`.
    pub files: Option<BTreeMap<String, Vec<u8>>>,
}

/// buildx's `ValidateName`: a letter, then letters, digits and `._-`;
/// returned in lower case.
pub fn validate_name(s: &str) -> Result<String> {
    let mut chars = s.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !ok {
        return Err(Error::InvalidName(format!(
            "invalid name {s}, name needs to start with a letter and may not contain symbols, except ._-"
        )));
    }
    Ok(s.to_ascii_lowercase())
}

/// buildx's key of a docker endpoint in `defaults/`: the first 20 hex
/// digits of its sha256.
fn endpoint_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..20].to_string()
}

/// The builder store in buildx's directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

#[derive(Serialize, Deserialize, Default)]
struct Current {
    #[serde(rename = "Key", default)]
    key: String,
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "Global", default)]
    global: bool,
}

impl Store {
    /// The store at `root` (buildx's directory); its folders are made
    /// (0700) when missing.
    pub fn open(root: &Path) -> Result<Store> {
        use std::os::unix::fs::DirBuilderExt;
        for d in [INSTANCES, DEFAULTS, ACTIVITY] {
            let p = root.join(d);
            // buildx's MkdirAll(..., 0700): new directories only.
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&p)
                .map_err(|e| Error::Io {
                    path: p.clone(),
                    source: e,
                })?;
        }
        Ok(Store {
            root: root.to_path_buf(),
        })
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Starts a transaction: takes the store's lock (`.lock`, exclusive
    /// `flock`, as buildx's gofrs/flock), released when the [`Txn`] drops.
    pub fn txn(&self) -> Result<Txn<'_>> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.root.join(".lock");
        // O_CREATE|O_RDWR, 0600: what gofrs/flock opens.
        let file = std::fs::OpenOptions::new()
            .mode(0o600)
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
        if let Err(e) = rustix::fs::flock(&file, FlockOperation::LockExclusive) {
            return Err(Error::Io {
                path,
                source: e.into(),
            });
        }
        Ok(Txn {
            store: self,
            _lock: file,
        })
    }
}

/// A locked view of the store (see [`Store::txn`]).
#[derive(Debug)]
pub struct Txn<'a> {
    store: &'a Store,
    _lock: File,
}

impl Txn<'_> {
    fn path(&self, dir: &str, name: &str) -> PathBuf {
        self.store.root.join(dir).join(name)
    }

    /// Every stored builder, by name. Files that vanish while listing are
    /// skipped; an unreadable one is an error naming it.
    pub fn list(&self) -> Result<Vec<NodeGroup>> {
        let dir = self.store.root.join(INSTANCES);
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::Io {
            path: dir.clone(),
            source: e,
        })?;
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        let mut out = Vec::new();
        for n in names {
            match self.by_name(&n) {
                Ok(Some(ng)) => out.push(ng),
                Ok(None) => {}
                Err(Error::InvalidName(_)) => {}
                Err(e) => return Err(e),
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Builder `name` (validated, lower-cased), or `None` when there is
    /// none by that name.
    pub fn by_name(&self, name: &str) -> Result<Option<NodeGroup>> {
        let name = validate_name(name)?;
        let path = self.path(INSTANCES, &name);
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Io { path, source: e }),
        };
        let mut ng: NodeGroup = serde_json::from_slice(&data).map_err(|e| {
            Error::Config(format!(
                "{} is not a buildx builder ({e}); remove it with `docker buildx rm {name}`",
                path.display()
            ))
        })?;
        ng.last_activity = self.last_activity(&ng.name);
        Ok(Some(ng))
    }

    /// Writes builder `ng` (and marks it used now), as buildx's `Save`.
    pub fn save(&self, ng: &NodeGroup) -> Result<()> {
        let name = validate_name(&ng.name)?;
        self.touch(&name)?;
        let data = crate::go::json::to_go_json(ng);
        atomic_write(&self.path(INSTANCES, &name), data.as_bytes())
    }

    /// Removes builder `name`: its file, its activity and buildx's local
    /// state of it (`refs/<name>`).
    pub fn remove(&self, name: &str) -> Result<()> {
        let name = validate_name(name)?;
        let _ = std::fs::remove_file(self.path(ACTIVITY, &name));
        let _ = std::fs::remove_dir_all(self.store.root.join("refs").join(&name));
        match std::fs::remove_file(self.path(INSTANCES, &name)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::Io {
                path: self.path(INSTANCES, &name),
                source: e,
            }),
        }
    }

    /// Records that builder `name` was used now (`activity/<name>`).
    pub fn touch(&self, name: &str) -> Result<()> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let s = crate::go::time::rfc3339_nano(now.as_secs() as i64, 0);
        atomic_write(&self.path(ACTIVITY, name), s.as_bytes())
    }

    fn last_activity(&self, name: &str) -> Option<i64> {
        std::fs::read_to_string(self.path(ACTIVITY, name))
            .ok()
            .and_then(|s| crate::go::time::parse_rfc3339_unix(s.trim()))
    }

    /// The last activity of a docker context's builder (buildx records
    /// none for them, but reads the file when there is one).
    pub fn context_activity(&self, name: &str) -> Option<i64> {
        validate_name(name)
            .ok()
            .and_then(|n| self.last_activity(&n))
    }

    /// The builder selected for docker endpoint `key` (buildx's
    /// `Txn.Current`): the `current` file's builder when it is global or
    /// for this endpoint, else the endpoint's default. `None`: the docker
    /// context's own builder. Stale selections are reset as buildx does.
    pub fn current(&self, key: &str) -> Result<Option<NodeGroup>> {
        let cur_path = self.store.root.join("current");
        if let Ok(data) = std::fs::read(&cur_path) {
            let c: Current = serde_json::from_slice(&data).map_err(|e| {
                Error::Config(format!("{} is not valid JSON ({e})", cur_path.display()))
            })?;
            if !c.name.is_empty() {
                if c.global {
                    if let Ok(Some(ng)) = self.by_name(&c.name) {
                        return Ok(Some(ng));
                    }
                }
                if c.key == key {
                    return Ok(self.by_name(&c.name).ok().flatten());
                }
            }
        }
        let def = self.path(DEFAULTS, &endpoint_hash(key));
        let name = match std::fs::read_to_string(&def) {
            Ok(n) => n,
            Err(_) => {
                let _ = self.reset(key);
                return Ok(None);
            }
        };
        let ng = self.by_name(&name).ok().flatten();
        if ng.is_none() {
            let _ = self.reset(key);
        }
        self.set_current(key, &name, false, true)?;
        Ok(ng)
    }

    fn reset(&self, key: &str) -> Result<()> {
        let c = Current {
            key: key.to_string(),
            ..Current::default()
        };
        atomic_write(
            &self.store.root.join("current"),
            crate::go::json::to_go_json(&c).as_bytes(),
        )
    }

    /// Selects builder `name` for endpoint `key` (empty name: the docker
    /// context's own builder); `global` keeps it across contexts, `def`
    /// makes it the endpoint's default (buildx's `SetCurrent`).
    pub fn set_current(&self, key: &str, name: &str, global: bool, def: bool) -> Result<()> {
        let c = Current {
            key: key.to_string(),
            name: name.to_string(),
            global,
        };
        atomic_write(
            &self.store.root.join("current"),
            crate::go::json::to_go_json(&c).as_bytes(),
        )?;
        let d = self.path(DEFAULTS, &endpoint_hash(key));
        if def {
            atomic_write(&d, name.as_bytes())
        } else {
            let _ = std::fs::remove_file(d);
            Ok(())
        }
    }
}

/// Writes `data` to `path` whole or not at all, mode 0600.
fn atomic_write(path: &Path, data: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(data).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // What buildx 0.13.1 wrote for `create --name rkbuild-remote --driver
    // remote unix:///x` (compact Go JSON, nil slices and maps as null).
    const BUILDX_REMOTE: &str = r#"{"Name":"rkbuild-remote","Driver":"remote","Nodes":[{"Name":"rkbuild-remote0","Endpoint":"unix:///x","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}"#;

    #[test]
    fn round_trips_buildx_files_byte_for_byte() {
        let ng: NodeGroup = serde_json::from_str(BUILDX_REMOTE).unwrap();
        assert_eq!(ng.nodes[0].endpoint, "unix:///x");
        assert_eq!(crate::go::json::to_go_json(&ng), BUILDX_REMOTE);
        let full = r#"{"Name":"mb","Driver":"docker-container","Nodes":[{"Name":"mb0","Endpoint":"default","Platforms":[{"architecture":"arm","os":"linux","variant":"v7"}],"DriverOpts":{"image":"x\u003cy","network":"host"},"Flags":["--debug"],"Files":{"buildkitd.toml":"ZGVidWcgPSB0cnVlCg=="}}],"Dynamic":false}"#;
        let ng: NodeGroup = serde_json::from_str(full).unwrap();
        assert_eq!(
            ng.nodes[0].files.as_ref().unwrap()["buildkitd.toml"],
            b"debug = true\n"
        );
        assert_eq!(ng.nodes[0].driver_opts.as_ref().unwrap()["image"], "x<y");
        assert_eq!(crate::go::json::to_go_json(&ng), full);
    }

    #[test]
    fn names_as_buildx_validates_them() {
        assert_eq!(validate_name("My.Builder-1_x").unwrap(), "my.builder-1_x");
        for bad in ["", "1abc", "a b", "a/b", "-a"] {
            let e = validate_name(bad).unwrap_err().to_string();
            assert!(e.contains("name needs to start with a letter"), "{e}");
        }
    }

    #[test]
    fn current_default_and_global_selection() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(d.path()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| {
            std::fs::metadata(d.path().join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("instances"), 0o700);
        let t = s.txn().unwrap();
        assert_eq!(mode(".lock"), 0o600);
        let mut ng = NodeGroup {
            name: "b1".into(),
            driver: "remote".into(),
            nodes: vec![],
            dynamic: false,
            docker_context: false,
            last_activity: None,
        };
        ng.update(
            "",
            NodeUpdate {
                endpoint: Some("unix:///a".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(ng.nodes[0].name, "b10");
        t.save(&ng).unwrap();
        assert!(t.by_name("B1").unwrap().unwrap().last_activity.is_some());
        assert_eq!(t.current("unix:///sock").unwrap(), None);
        t.set_current("unix:///sock", "b1", false, false).unwrap();
        assert_eq!(t.current("unix:///sock").unwrap().unwrap().name, "b1");
        assert_eq!(t.current("other").unwrap(), None);
        // `use --default`: remembered per endpoint after switching away.
        t.set_current("unix:///sock", "b1", false, true).unwrap();
        t.set_current("other", "", false, false).unwrap();
        assert_eq!(t.current("unix:///sock").unwrap().unwrap().name, "b1");
        t.set_current("x", "b1", true, false).unwrap();
        assert_eq!(t.current("anything").unwrap().unwrap().name, "b1");
        let cur = std::fs::read_to_string(d.path().join("current")).unwrap();
        assert_eq!(cur, r#"{"Key":"x","Name":"b1","Global":true}"#);
        t.remove("b1").unwrap();
        assert!(t.list().unwrap().is_empty());
    }

    #[test]
    fn nodes_append_leave_and_keep_platforms_unique() {
        let mut ng = NodeGroup {
            name: "mb".into(),
            driver: "remote".into(),
            nodes: vec![],
            dynamic: false,
            docker_context: false,
            last_activity: None,
        };
        let up = |ep: &str, p: &[&str], append| NodeUpdate {
            endpoint: Some(ep.into()),
            platforms: p.iter().map(|s| s.to_string()).collect(),
            append,
            ..Default::default()
        };
        ng.update("", up("unix:///a", &["linux/amd64,linux/arm64"], false))
            .unwrap();
        let e = ng.update("", up("unix:///b", &[], false)).unwrap_err();
        assert!(e.to_string().contains("did you mean to append"), "{e}");
        ng.update("", up("unix:///b", &["linux/arm64"], true))
            .unwrap();
        assert_eq!(ng.nodes[1].name, "mb1");
        let pa: Vec<String> = ng.nodes[0]
            .platforms
            .iter()
            .flatten()
            .map(StorePlatform::format)
            .collect();
        assert_eq!(pa, ["linux/amd64"]);
        // A refused change is not saved (buildx neither): work on a copy.
        let mut copy = ng.clone();
        let e = copy.update("", up("unix:///a", &[], true)).unwrap_err();
        assert_eq!(e.to_string(), "invalid duplicate endpoint unix:///a");
        ng.leave("mb0").unwrap();
        assert!(ng.leave("mb1").is_err());
    }
}
