//! The Dockerfile frontend (`dockerfile.v0`) with buildx's semantics: from
//! build options ([`BuildOptions`], what `docker buildx build` takes) to
//! [`SolveOptions`].

pub use crate::error::NamedContextError;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::attest::DEFAULT_PROVENANCE;
use super::cache::CacheEntry;
use super::export::{check_tags, to_exports, Export, OutputSpec};
use super::ocilayout;
use super::options::{
    default_session_name, BuildContext, BuildOptions, DockerfileSource, TempDirs,
};
use super::SolveOptions;
use crate::client::Driver;
use crate::error::{BuilderError, Error, OptionError, Result};

fn is_remote(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git://")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.contains(".git#")
        || s.ends_with(".git")
}

/// Where the Dockerfile is found, as [`BuildOptions::load_inputs`] works it
/// out.
#[derive(Default)]
struct DockerfileInput<'a> {
    /// The directory served as `dockerfile`.
    dir: Option<PathBuf>,
    /// The `filename` attribute (empty: `Dockerfile`).
    name: String,
    /// Contents to write into a temporary directory (stdin, `-f -`).
    contents: Option<&'a [u8]>,
}

impl BuildOptions {
    /// The solve for these options on `driver`, whose features decide the
    /// exporters, defaults and refusals. `node_id` is from
    /// [`node_identifier`](crate::docker::node_identifier). The steps and
    /// the order of their checks are buildx's: tags, inputs
    /// (buildx's `loadInputs`), named contexts, exports,
    /// frontend attributes.
    ///
    /// The session's settings ([`session_name`](Self::session_name),
    /// [`credentials`](Self::credentials), [`session`](Self::session),
    /// [`stdout`](Self::stdout), ...) are carried over as they are.
    pub fn to_solve(&self, driver: &dyn Driver, node_id: &str) -> Result<(SolveOptions, TempDirs)> {
        let mut so = SolveOptions {
            frontend: "dockerfile.v0".into(),
            entitlements: self.allow.clone(),
            reference: self.reference.clone(),
            session_name: if self.session_name.is_empty() {
                default_session_name()
            } else {
                self.session_name.clone()
            },
            session: self.session.iter().filter_map(|s| s.attachable()).collect(),
            stdout: self.stdout.clone(),
            session_transport: self.session_transport,
            credentials: self.credentials.clone(),
            docker_api: self.docker_api.clone(),
            source_policy: self.source_policy.clone(),
            ..Default::default()
        };
        // buildx's order: caches and attestations, then the tags, before it
        // looks at the context.
        self.caches(&mut so, driver)?;
        self.attestations(&mut so, driver)?;
        check_tags(&self.tags)?;
        let temps = self.load_inputs(&mut so, node_id)?;
        self.named_contexts(&mut so)?;
        so.exports = self.exports(driver)?;
        for e in &mut so.exports {
            for (k, v) in &self.annotations {
                e.attrs.insert(k.clone(), v.clone());
            }
        }
        self.frontend_attrs(&mut so, driver)?;
        check_target_contexts(&self.build_contexts)?;
        super::cache::finish_imports(&mut so);
        self.git_attributes(&mut so);
        Ok((so, temps))
    }

    /// buildx's git information for a local context; a failure is a
    /// warning, as in buildx.
    fn git_attributes(&self, so: &mut SolveOptions) {
        let Some(BuildContext::Dir(dir)) = &self.context else {
            return;
        };
        let dockerfile = match &self.dockerfile {
            DockerfileSource::Path(p) => Some(p.as_path()),
            _ => None,
        };
        match super::git::attributes(dir, dockerfile, self.git) {
            Ok(g) => {
                so.frontend_attrs.extend(g.attrs);
                if let Some(root) = g.root {
                    let dirs = super::git::local_dirs(&root, &so.local_dirs);
                    so.frontend_attrs.extend(dirs);
                }
            }
            Err(e) => so.warnings.push(format!(
                "current commit information was not captured by the build: {e}"
            )),
        }
    }

    /// The cache imports and exports: the inline cache of
    /// `BUILDKIT_INLINE_CACHE`, the refusal of exports the driver cannot
    /// do, and the local directories (BuildKit's client side).
    fn caches(&self, so: &mut SolveOptions, driver: &dyn Driver) -> Result<()> {
        let mut to = self.cache_to.clone();
        if self
            .build_args
            .get("BUILDKIT_INLINE_CACHE")
            .is_some_and(|v| crate::go::strconv::parse_bool_true(v))
        {
            to.push(CacheEntry {
                kind: "inline".into(),
                attrs: BTreeMap::new(),
            });
        }
        if to.iter().any(|e| e.kind != "inline") && !driver.features().cache_export {
            return Err(super::export::driver_lacks(
                driver,
                "Cache export",
                "https://docs.docker.com/go/build-cache-backends/",
            ));
        }
        let mut from = self.cache_from.clone();
        so.local_caches = super::cache::prepare(&mut from, &mut to, &mut so.warnings)?;
        let pairs = |v: Vec<CacheEntry>| v.into_iter().map(|e| (e.kind, e.attrs)).collect();
        so.cache_imports = pairs(from);
        so.cache_exports = pairs(to);
        Ok(())
    }

    /// `attest:TYPE` attributes, refused where the driver cannot attach
    /// attestations, and buildx's default provenance where it can.
    fn attestations(&self, so: &mut SolveOptions, driver: &dyn Driver) -> Result<()> {
        let supported = driver.features().multi_platform;
        let on: Vec<_> = self
            .attests
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
            .collect();
        if !on.is_empty() && !supported {
            return Err(super::export::driver_lacks(
                driver,
                "Attestation",
                "https://docs.docker.com/go/attestations/",
            ));
        }
        for (k, v) in on {
            so.frontend_attrs.insert(format!("attest:{k}"), v.clone());
        }
        if supported && !self.no_default_attestations && !self.attests.contains_key("provenance") {
            so.frontend_attrs
                .insert("attest:provenance".into(), DEFAULT_PROVENANCE.into());
        }
        Ok(())
    }

    /// The build context and the Dockerfile (buildx's `loadInputs`): local
    /// directories, the upload of a tar context, the `context`,
    /// `dockerfilekey` and `filename` attributes, and the shared key.
    fn load_inputs(&self, so: &mut SolveOptions, node_id: &str) -> Result<TempDirs> {
        let mut temps = TempDirs::default();
        let mut df = DockerfileInput::default();
        match &self.context {
            None => return Err(OptionError::NoContext.into()),
            Some(BuildContext::Dir(dir)) => {
                let md = std::fs::metadata(dir);
                if !md.map(|m| m.is_dir()).unwrap_or(false) {
                    return Err(OptionError::ContextNotFound(dir.display().to_string()).into());
                }
                so.local_dirs.insert("context".into(), dir.clone());
                so.shared_key = format!("{}:{node_id}", base_name(dir));
                df = self.dockerfile_beside(dir);
            }
            Some(BuildContext::Empty) => {
                let DockerfileSource::Contents(c) = &self.dockerfile else {
                    return Err(OptionError::NoDockerfile.into());
                };
                let empty = tempdir("empty-dir")?;
                so.local_dirs
                    .insert("context".into(), empty.path().to_path_buf());
                temps.0.push(empty);
                df.contents = Some(c);
            }
            Some(BuildContext::Tar(data)) => {
                let up = crate::session::upload::UploadService::new();
                let url = up.add(data.clone());
                so.frontend_attrs.insert("context".into(), url);
                so.uploads = Some(up);
                if let DockerfileSource::Path(p) = &self.dockerfile {
                    df.name = p.to_string_lossy().into_owned();
                }
            }
            Some(BuildContext::Remote(url)) => {
                if !is_remote(url) {
                    return Err(OptionError::ContextNotFound(url.clone()).into());
                }
                df = self.dockerfile_for_remote(&mut so.frontend_attrs);
                so.frontend_attrs.insert("context".into(), url.clone());
            }
        }
        if let Some(c) = df.contents {
            let d = tempdir("dockerfile")?;
            let p = d.path().join("Dockerfile");
            std::fs::write(&p, c).map_err(|e| Error::Io { path: p, source: e })?;
            df.dir = Some(d.path().to_path_buf());
            df.name = "Dockerfile".into();
            so.frontend_attrs
                .insert("dockerfilekey".into(), "dockerfile".into());
            temps.0.push(d);
        }
        if df.name.is_empty() {
            df.name = "Dockerfile".into();
        }
        if let Some(dir) = df.dir {
            // buildx: a lower-case `dockerfile` is used if `Dockerfile` is absent.
            if df.name == "Dockerfile"
                && !dir.join("Dockerfile").exists()
                && dir.join("dockerfile").exists()
            {
                df.name = "dockerfile".into();
            }
            so.local_dirs.insert("dockerfile".into(), dir);
        }
        so.frontend_attrs.insert("filename".into(), df.name);
        Ok(temps)
    }

    /// The Dockerfile of a build from the local directory `dir`.
    fn dockerfile_beside(&self, dir: &Path) -> DockerfileInput<'_> {
        match &self.dockerfile {
            DockerfileSource::Contents(c) => DockerfileInput {
                contents: Some(c),
                ..Default::default()
            },
            DockerfileSource::Default => DockerfileInput {
                dir: Some(dir.to_path_buf()),
                ..Default::default()
            },
            DockerfileSource::Path(p) => DockerfileInput {
                dir: Some(
                    p.parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| PathBuf::from(".")),
                ),
                name: file_name(p),
                contents: None,
            },
        }
    }

    /// The Dockerfile of a build from a remote context: inside it (a
    /// relative `-f`), or local (an absolute `-f`, stdin).
    fn dockerfile_for_remote(&self, attrs: &mut BTreeMap<String, String>) -> DockerfileInput<'_> {
        match &self.dockerfile {
            DockerfileSource::Contents(c) => DockerfileInput {
                contents: Some(c),
                ..Default::default()
            },
            DockerfileSource::Path(p) if p.is_absolute() => {
                attrs.insert("dockerfilekey".into(), "dockerfile".into());
                DockerfileInput {
                    dir: p.parent().map(Path::to_path_buf),
                    name: file_name(p),
                    contents: None,
                }
            }
            DockerfileSource::Path(p) => DockerfileInput {
                name: p.to_string_lossy().into_owned(),
                ..Default::default()
            },
            DockerfileSource::Default => DockerfileInput::default(),
        }
    }

    /// `--build-context`s: passed on (images, URLs, targets), served as a
    /// content store (OCI layouts) or as local directories.
    fn named_contexts(&self, so: &mut SolveOptions) -> Result<()> {
        for (name, value) in &self.build_contexts {
            let attrs = &mut so.frontend_attrs;
            attrs.insert(
                "frontend.caps".into(),
                "moby.buildkit.frontend.contexts+forward".into(),
            );
            if is_remote(value)
                || value.starts_with("docker-image://")
                || value.starts_with("target:")
            {
                attrs.insert(format!("context:{name}"), value.clone());
                continue;
            }
            if value.starts_with(ocilayout::SCHEME) {
                // buildx: resolve the tag locally, serve the layout as a
                // content store under a random id, name it in the attribute.
                let layout = ocilayout::OciLayoutRef::resolve(value)?;
                let store = crate::session::new_id();
                attrs.insert(format!("context:{name}"), layout.context_value(&store));
                so.oci_stores.insert(store, layout.store_root());
                continue;
            }
            // A local directory, taken as given (relative to the working
            // directory; buildx 0.13 names it unchanged in its errors).
            let md = std::fs::metadata(value).map_err(|source| NamedContextError::Stat {
                name: name.clone(),
                path: value.clone(),
                source,
            })?;
            if !md.is_dir() {
                return Err(NamedContextError::NotADirectory {
                    path: value.clone(),
                }
                .into());
            }
            let local = local_name(name);
            attrs.insert(format!("context:{name}"), format!("local:{local}"));
            so.local_dirs.insert(local, PathBuf::from(value));
        }
        Ok(())
    }

    /// The exports: the outputs given, or the image into the docker
    /// daemon where the driver loads by default.
    fn exports(&self, driver: &dyn Driver) -> Result<Vec<Export>> {
        let mut specs = self.outputs.clone();
        if specs.is_empty() && driver.features().default_load {
            specs.push(OutputSpec {
                kind: "image".into(),
                attrs: BTreeMap::new(),
                dest: None,
            });
        }
        to_exports(&specs, &self.tags, driver)
    }

    /// The frontend attributes of the remaining options, and the
    /// entitlement `--network=host` needs.
    fn frontend_attrs(&self, so: &mut SolveOptions, driver: &dyn Driver) -> Result<()> {
        let features = driver.features();
        let attrs = &mut so.frontend_attrs;
        if let Some(cg) = &self.cgroup_parent {
            attrs.insert("cgroup-parent".into(), cg.clone());
        }
        if self
            .build_args
            .get("BUILDKIT_MULTI_PLATFORM")
            .is_some_and(|v| crate::go::strconv::parse_bool_true(v))
        {
            attrs.insert("multi-platform".into(), "true".into());
        }
        if self.pull {
            attrs.insert("image-resolve-mode".into(), "pull".into());
        } else if features.shares_image_store() {
            // buildx: the moby driver resolves local images by default.
            attrs.insert("image-resolve-mode".into(), "local".into());
        }
        if let Some(t) = self.target.as_ref().filter(|t| !t.is_empty()) {
            attrs.insert("target".into(), t.clone());
        }
        if !self.no_cache_filter.is_empty() {
            attrs.insert("no-cache".into(), self.no_cache_filter.join(","));
        }
        if self.no_cache {
            attrs.insert("no-cache".into(), String::new());
        }
        for (k, v) in &self.build_args {
            attrs.insert(format!("build-arg:{k}"), v.clone());
        }
        for (k, v) in &self.labels {
            attrs.insert(format!("label:{k}"), v.clone());
        }
        for (k, v) in &self.proxy_args {
            if !self.build_args.contains_key(k) {
                attrs.insert(format!("build-arg:{k}"), v.clone());
            }
        }
        if !self.platforms.is_empty() {
            if self.platforms.len() > 1 && !features.multi_platform {
                return Err(super::export::driver_lacks(
                    driver,
                    "Multi-platform build",
                    "https://docs.docker.com/go/build-multi-platform/",
                ));
            }
            attrs.insert("platform".into(), self.platforms.join(","));
        }
        match self.network.as_deref() {
            Some("host") => {
                attrs.insert("force-network-mode".into(), "host".into());
                so.entitlements.push("network.host".into());
            }
            Some("none") => {
                attrs.insert("force-network-mode".into(), "none".into());
            }
            None | Some("") | Some("default") => {}
            Some(other) => return Err(OptionError::Network(other.to_string()).into()),
        }
        let attrs = &mut so.frontend_attrs;
        let hosts = extra_hosts(&self.add_hosts, driver, self.host_gateway_ip.as_deref())?;
        if !hosts.is_empty() {
            attrs.insert("add-hosts".into(), hosts);
        }
        if let Some(s) = self.shm_size.filter(|s| *s > 0) {
            attrs.insert("shm-size".into(), s.to_string());
        }
        if !self.ulimits.is_empty() {
            let ulimits = crate::go::units::normalize_ulimits(&self.ulimits)?;
            attrs.insert("ulimit".into(), ulimits.join(","));
        }
        Ok(())
    }
}

/// The last component of `dir` made absolute (`/` for the root), as buildx
/// names the shared key.
fn base_name(dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/".into())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A `--build-context` name as buildx 0.13 keys it: parsed as an image
/// reference and written in its familiar form without `:latest`, so that
/// `docker.io/library/alpine:latest`, `alpine:latest` and `alpine` are the
/// same name (the one `FROM alpine` looks up).
pub fn context_name(name: &str) -> std::result::Result<String, NamedContextError> {
    let named = crate::reference::parse_normalized_named(name).map_err(|source| {
        NamedContextError::InvalidName {
            name: name.to_string(),
            source,
        }
    })?;
    let familiar = named.familiar();
    Ok(match familiar.strip_suffix(":latest") {
        Some(short) => short.to_string(),
        None => familiar,
    })
}

/// The session name under which a local named context is served: its own
/// name, except that `context` and `dockerfile` become `_context` and
/// `_dockerfile`, as in buildx, so that they do not replace the build's
/// main context and Dockerfile directories (which the frontend reads
/// under exactly those names).
pub fn local_name(name: &str) -> String {
    match name {
        "context" | "dockerfile" => format!("_{name}"),
        _ => name.to_string(),
    }
}

/// buildx checks, once every option has been turned into a solve, that each
/// `target:NAME` context names a target of the same invocation; `docker
/// buildx build` has one target, `default`. (With `target:default`, buildx
/// 0.13 then waits for the build's own result and hangs; rkbuild sends it
/// on and the frontend refuses it.)
fn check_target_contexts(contexts: &BTreeMap<String, String>) -> Result<()> {
    for (name, value) in contexts {
        if let Some(target) = value.strip_prefix("target:") {
            if target != "default" {
                return Err(NamedContextError::UnknownTarget {
                    target: target.to_string(),
                    name: name.clone(),
                }
                .into());
            }
        }
    }
    Ok(())
}

fn tempdir(prefix: &str) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| Error::Transport {
            context: "creating a temporary directory".into(),
            source: e,
        })
}

/// buildx's `--add-host` handling: `host:ip` or `host=ip` → `host=ip`,
/// joined with commas.
fn extra_hosts(hosts: &[String], driver: &dyn Driver, gateway: Option<&str>) -> Result<String> {
    let mut out = Vec::new();
    for h in hosts {
        let (host, ip) = match h.split_once('=') {
            Some(x) => x,
            None => match h.split_once(':') {
                Some(x) => x,
                None => return Err(OptionError::AddHost(h.clone()).into()),
            },
        };
        if host.is_empty() || ip.is_empty() {
            return Err(OptionError::AddHost(h.clone()).into());
        }
        if ip == "host-gateway" {
            // buildx's HostGatewayIP per driver.
            let ip = match gateway {
                _ if !driver.features().shares_image_store() => {
                    return Err(BuilderError::HostGatewayUnsupported(driver.name().into()).into())
                }
                Some(g) => g,
                None => return Err(BuilderError::HostGatewayNotFound.into()),
            };
            out.push(format!("{host}={ip}"));
            continue;
        }
        let ip_clean = ip.trim_start_matches('[').trim_end_matches(']');
        if ip_clean.parse::<std::net::IpAddr>().is_err() {
            return Err(OptionError::AddHost(h.clone()).into());
        }
        out.push(format!("{host}={ip_clean}"));
    }
    Ok(out.join(","))
}

/// Parses a docker size (`64m`, `1g`, `512`, `1.5GB`): binary units, as
/// docker's `RAMInBytes` (`go::units::ram_in_bytes`); a value beyond
/// 64 bits is 0 (not set), as in buildx.
pub fn parse_ram_bytes(s: &str) -> Result<u64> {
    Ok(crate::go::units::ram_in_bytes(s)?.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::driver::{docker::DockerDriver, remote::RemoteDriver};
    use crate::client::Endpoint;

    fn docker() -> DockerDriver {
        DockerDriver::new(Endpoint::Unix("/var/run/docker.sock".into()))
    }

    fn remote() -> RemoteDriver {
        RemoteDriver::new(Endpoint::Unix("/run/buildkit/buildkitd.sock".into()))
    }

    fn opts(dir: &Path) -> BuildOptions {
        BuildOptions {
            context: Some(BuildContext::Dir(dir.to_path_buf())),
            ..Default::default()
        }
    }

    #[test]
    fn default_docker_driver_build() {
        let d = tempfile::tempdir().unwrap();
        let ctx = d.path().join("myctx");
        std::fs::create_dir(&ctx).unwrap();
        let mut o = opts(&ctx);
        o.tags = vec!["x:1".into()];
        o.build_args.insert("A".into(), "1".into());
        o.proxy_args.insert("A".into(), "proxy".into());
        o.proxy_args.insert("HTTP_PROXY".into(), "http://p".into());
        let (so, _t) = o.to_solve(&docker(), "abcdef0123456789").unwrap();
        assert_eq!(so.shared_key, "myctx:abcdef0123456789");
        assert_eq!(so.frontend, "dockerfile.v0");
        let a = &so.frontend_attrs;
        assert_eq!(a["filename"], "Dockerfile");
        assert_eq!(a["image-resolve-mode"], "local");
        assert_eq!(a["build-arg:A"], "1");
        assert_eq!(a["build-arg:HTTP_PROXY"], "http://p");
        assert_eq!(so.local_dirs["context"], ctx);
        assert_eq!(so.local_dirs["dockerfile"], ctx);
        assert_eq!(so.exports[0].kind, "moby");
        assert_eq!(so.exports[0].attrs["name"], "x:1");
    }

    #[test]
    fn dockerfile_outside_context_and_stdin() {
        let d = tempfile::tempdir().unwrap();
        let mut o = opts(d.path());
        o.dockerfile = DockerfileSource::Path("/elsewhere/My.Dockerfile".into());
        let (so, _t) = o.to_solve(&docker(), "n").unwrap();
        assert_eq!(so.frontend_attrs["filename"], "My.Dockerfile");
        assert_eq!(so.local_dirs["dockerfile"], Path::new("/elsewhere"));
        o.dockerfile = DockerfileSource::Contents(b"FROM scratch\n".to_vec());
        let (so, t) = o.to_solve(&docker(), "n").unwrap();
        assert_eq!(so.frontend_attrs["dockerfilekey"], "dockerfile");
        let df = so.local_dirs["dockerfile"].join("Dockerfile");
        assert_eq!(std::fs::read(&df).unwrap(), b"FROM scratch\n");
        drop(t);
        assert!(!df.exists());
    }

    #[test]
    fn flags_to_attrs() {
        let d = tempfile::tempdir().unwrap();
        let mut o = opts(d.path());
        o.no_cache_filter = vec!["a".into(), "b".into()];
        o.network = Some("host".into());
        o.add_hosts = vec!["h:1.2.3.4".into(), "g=::1".into()];
        o.shm_size = Some(parse_ram_bytes("64m").unwrap());
        o.platforms = vec!["linux/amd64".into(), "linux/arm64".into()];
        o.target = Some("final".into());
        o.ulimits = vec!["nofile=1024".into(), "nproc=3:4".into()];
        // dockerd's own builder cannot build several platforms at once
        let e = o.to_solve(&docker(), "n").unwrap_err().to_string();
        assert!(e.starts_with("Multi-platform build is not supported for the docker driver."));
        let (so, _t) = o.to_solve(&remote(), "n").unwrap();
        let a = &so.frontend_attrs;
        assert_eq!(a["no-cache"], "a,b");
        assert_eq!(a["force-network-mode"], "host");
        assert_eq!(so.entitlements, vec!["network.host".to_string()]);
        assert_eq!(a["add-hosts"], "h=1.2.3.4,g=::1");
        assert_eq!(a["shm-size"], "67108864");
        assert_eq!(a["platform"], "linux/amd64,linux/arm64");
        assert_eq!(a["target"], "final");
        assert_eq!(a["ulimit"], "nofile=1024:1024,nproc=3:4");
        o.network = Some("bridge".into());
        assert!(o.to_solve(&remote(), "n").is_err());
    }

    #[test]
    fn missing_context() {
        let o = opts(Path::new("/nonexistent/ctx"));
        let e = o.to_solve(&docker(), "n").unwrap_err().to_string();
        assert_eq!(
            e,
            "unable to prepare context: path \"/nonexistent/ctx\" not found"
        );
    }

    #[test]
    fn oci_layout_context_becomes_a_content_store() {
        let d = tempfile::tempdir().unwrap();
        let layout = d.path().join("layout");
        std::fs::create_dir(&layout).unwrap();
        let digest = format!("sha256:{}", "ab".repeat(32));
        std::fs::write(
            layout.join("index.json"),
            format!(
                r#"{{"manifests":[{{"digest":"{digest}","annotations":{{"org.opencontainers.image.ref.name":"v1"}}}},{{"digest":"sha256:{}"}}]}}"#,
                "cd".repeat(32)
            ),
        )
        .unwrap();
        let mut o = opts(d.path());
        o.build_contexts.insert(
            "base".into(),
            format!("oci-layout://{}:v1", layout.display()),
        );
        let (so, _t) = o.to_solve(&docker(), "n").unwrap();
        let a = &so.frontend_attrs;
        assert_eq!(
            a["frontend.caps"],
            "moby.buildkit.frontend.contexts+forward"
        );
        assert_eq!(so.oci_stores.len(), 1);
        let (store, root) = so.oci_stores.iter().next().unwrap();
        assert_eq!(root, &layout);
        assert_eq!(
            a["context:base"],
            format!("oci-layout://{store}:v1@{digest}")
        );
        assert!(!so.local_dirs.contains_key("base"));

        // An unknown tag in a layout of two images is an error before
        // anything is sent.
        o.build_contexts.insert(
            "base".into(),
            format!("oci-layout://{}:nope", layout.display()),
        );
        let e = o.to_solve(&docker(), "n").unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "oci-layout reference \"oci-layout://{}:nope\" could not be resolved",
                layout.display()
            )
        );
    }

    #[test]
    fn local_named_contexts_do_not_replace_the_main_ones() {
        let d = tempfile::tempdir().unwrap();
        let ctx = d.path().join("ctx");
        let named = d.path().join("named");
        let other = d.path().join("other");
        for p in [&ctx, &named, &other] {
            std::fs::create_dir(p).unwrap();
        }
        let mut o = opts(&ctx);
        o.build_contexts
            .insert("context".into(), named.display().to_string());
        o.build_contexts
            .insert("dockerfile".into(), other.display().to_string());
        // The main context's own directory, under another name.
        o.build_contexts
            .insert("src".into(), ctx.display().to_string());
        let (so, _t) = o.to_solve(&docker(), "n").unwrap();
        let a = &so.frontend_attrs;
        assert_eq!(a["context:context"], "local:_context");
        assert_eq!(a["context:dockerfile"], "local:_dockerfile");
        assert_eq!(a["context:src"], "local:src");
        assert_eq!(
            a["frontend.caps"],
            "moby.buildkit.frontend.contexts+forward"
        );
        let dirs: Vec<(&str, &Path)> = so
            .local_dirs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_path()))
            .collect();
        assert_eq!(
            dirs,
            vec![
                ("_context", named.as_path()),
                ("_dockerfile", other.as_path()),
                ("context", ctx.as_path()),
                ("dockerfile", ctx.as_path()),
                ("src", ctx.as_path()),
            ]
        );
        assert_eq!(local_name("context"), "_context");
        assert_eq!(local_name("dockerfile"), "_dockerfile");
        assert_eq!(local_name("Context"), "Context");
        assert_eq!(local_name("_context"), "_context");
    }

    #[test]
    fn named_context_values_as_buildx_takes_them() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let mut o = opts(d.path());
        let err = |o: &BuildOptions| o.to_solve(&docker(), "n").unwrap_err().to_string();
        // Passed on as they are.
        for v in [
            "docker-image://alpine",
            "https://example.com/x.tar",
            "git@github.com:a/b.git",
            // buildx 0.13 hangs on its own target; rkbuild lets the
            // frontend refuse it.
            "target:default",
        ] {
            o.build_contexts.insert("x".into(), v.into());
            let (so, _t) = o.to_solve(&docker(), "n").unwrap();
            assert_eq!(so.frontend_attrs["context:x"], v);
            assert!(!so.local_dirs.contains_key("x"));
        }
        o.build_contexts.insert("x".into(), "target:build".into());
        assert_eq!(err(&o), "failed to find target build for context x");
        o.build_contexts
            .insert("x".into(), file.display().to_string());
        assert_eq!(
            err(&o),
            format!(
                "failed to get build context path {{{} <nil>}}: not a directory",
                file.display()
            )
        );
        o.build_contexts
            .insert("x".into(), format!("{}/sub", file.display()));
        assert_eq!(
            err(&o),
            format!(
                "failed to get build context x: stat {}/sub: not a directory",
                file.display()
            )
        );
        // Relative paths are kept as given, also in errors.
        o.build_contexts.insert("x".into(), "no/such/dir".into());
        assert_eq!(
            err(&o),
            "failed to get build context x: stat no/such/dir: no such file or directory"
        );
        o.build_contexts.insert("x".into(), String::new());
        assert_eq!(
            err(&o),
            "failed to get build context x: stat : no such file or directory"
        );
        // A missing directory is reported before an unknown target.
        o.build_contexts.insert("y".into(), "target:build".into());
        assert!(err(&o).starts_with("failed to get build context x: "));
    }

    #[test]
    fn context_names_are_familiar_references() {
        for (given, want) in [
            ("base", "base"),
            ("base:latest", "base"),
            ("docker.io/library/alpine:latest", "alpine"),
            ("index.docker.io/library/alpine:3.19", "alpine:3.19"),
            ("docker.io/me/app", "me/app"),
            ("localhost:5000/app:latest", "localhost:5000/app"),
            ("context", "context"),
        ] {
            assert_eq!(context_name(given).unwrap(), want, "{given}");
        }
        assert_eq!(
            context_name("Base").unwrap_err().to_string(),
            "invalid context name Base: invalid reference format: repository name (library/Base) must be lowercase"
        );
        assert_eq!(
            context_name("").unwrap_err().to_string(),
            "invalid context name : invalid reference format"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_ram_bytes("512").unwrap(), 512);
        assert_eq!(parse_ram_bytes("1k").unwrap(), 1024);
        assert_eq!(parse_ram_bytes("2GB").unwrap(), 2 << 30);
        assert!(parse_ram_bytes("x").is_err());
    }
}
