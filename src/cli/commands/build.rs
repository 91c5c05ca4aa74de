//! `docker rkbuild [OPTIONS] PATH | URL | -` (also `build`): a build with
//! buildx's flags, outputs and progress.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use crate::builder::{Builder, TargetResult};
use crate::docker::ConfigFile;
use crate::session::secrets::{FileSecrets, SecretSpec, SecretsService};
use crate::session::SharedService;
use crate::solve::dockerfile::parse_ram_bytes;
use crate::solve::export::parse_output;
use crate::solve::options::{BuildContext, BuildOptions, DockerfileSource};

use crate::cli::args::BuildArgs;
use crate::cli::builder::Display;
use crate::cli::desktop;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::println;
use crate::progress::{errors, ProgressMode};

/// buildx's `listToMap`: `K=V`, or `K` alone (taken from the environment
/// for `--build-arg`, skipped when unset there; empty for `--label`); an
/// empty key is refused.
fn list_to_map(list: &[String], read_env: bool) -> CliResult<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for s in list {
        let (k, v) = match s.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (s.as_str(), None),
        };
        if k.is_empty() {
            return Err(CliError::new(format!(
                "invalid key-value pair {}: empty key",
                crate::go::strconv::quote(s.as_bytes())
            )));
        }
        match v {
            Some(v) => {
                m.insert(k.to_string(), v.to_string());
            }
            None if read_env => {
                if let Ok(v) = std::env::var(k) {
                    m.insert(k.to_string(), v);
                }
            }
            None => {
                m.insert(k.to_string(), String::new());
            }
        }
    }
    Ok(m)
}

fn proxy_args(cfg: &ConfigFile, docker_host: Option<&str>) -> BTreeMap<String, String> {
    let p = docker_host
        .and_then(|h| cfg.proxies.get(h))
        .or_else(|| cfg.proxies.get("default"));
    let mut m = BTreeMap::new();
    if let Some(p) = p {
        for (k, v) in [
            ("HTTP_PROXY", &p.http_proxy),
            ("HTTPS_PROXY", &p.https_proxy),
            ("NO_PROXY", &p.no_proxy),
            ("FTP_PROXY", &p.ftp_proxy),
            ("ALL_PROXY", &p.all_proxy),
        ] {
            if !v.is_empty() {
                m.insert(k.to_string(), v.clone());
                m.insert(k.to_ascii_lowercase(), v.clone());
            }
        }
    }
    m
}

/// buildx's `IsGitSSH`: a git URL whose scheme is ssh (`ssh://...` or
/// `user@host:path`).
fn is_git_ssh(s: &str) -> bool {
    if let Some((scheme, _)) = s.split_once("://") {
        return scheme.eq_ignore_ascii_case("ssh");
    }
    let Some((user, rest)) = s.split_once('@') else {
        return false;
    };
    let Some((host, _)) = rest.split_once(':') else {
        return false;
    };
    !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

fn read_stdin() -> CliResult<Vec<u8>> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .map_err(|e| CliError::new(format!("reading stdin: {e}")))?;
    Ok(buf)
}

fn is_tar(b: &[u8]) -> bool {
    // ustar magic, or a compressed archive (gzip, bzip2, xz, zstd).
    (b.len() > 262 && &b[257..262] == b"ustar")
        || b.starts_with(&[0x1f, 0x8b])
        || b.starts_with(b"BZh")
        || b.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00])
        || b.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
}

/// What buildx reads and checks of the flags before it connects, in its
/// order (its `toControllerOptions`, then the start of `RunBuild`), so that
/// a command with several mistakes names the same one.
#[derive(Debug, Default)]
pub struct Checked {
    build_args: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    build_contexts: BTreeMap<String, String>,
    outputs: Vec<crate::solve::export::OutputSpec>,
    secrets: Vec<SecretSpec>,
    platforms: Vec<String>,
    secret_store: FileSecrets,
    attests: crate::solve::attest::Attests,
    cache_from: Vec<crate::solve::cache::CacheEntry>,
    cache_to: Vec<crate::solve::cache::CacheEntry>,
    annotations: BTreeMap<String, String>,
    ssh: Vec<crate::session::ssh::SshSpec>,
    ssh_service: crate::session::ssh::SshService,
    source_policy: Option<crate::proto::moby::buildkit::v1::sourcepolicy::Policy>,
}

/// buildx's `toControllerOptions`: build args and labels, named context
/// names, outputs, the image ID file against local and tar outputs, and
/// the `--secret` values.
pub fn check_flags(a: &BuildArgs) -> CliResult<Checked> {
    let build_args = list_to_map(&a.build_arg, true)?;
    let labels = list_to_map(&a.label, false)?;
    // buildx's ReadSourcePolicy, before the attestations.
    let source_policy = match std::env::var_os("EXPERIMENTAL_BUILDKIT_SOURCE_POLICY") {
        Some(p) if !p.is_empty() => {
            Some(crate::solve::policy::read_policy(std::path::Path::new(&p))?)
        }
        _ => None,
    };
    let mut attests = a.attest.clone();
    use crate::solve::attest::canonicalize;
    attests.extend(
        a.provenance
            .as_deref()
            .and_then(|p| canonicalize("provenance", p)),
    );
    attests.extend(a.sbom.as_deref().and_then(|p| canonicalize("sbom", p)));
    let attests = crate::solve::attest::parse_attests(&attests)?;
    let mut build_contexts = BTreeMap::new();
    for c in &a.build_context {
        let Some((k, v)) = c.split_once('=') else {
            return Err(CliError::new(format!(
                "invalid context value: {c}, expected key=value"
            )));
        };
        // buildx: names are image references (`alpine:latest` is `alpine`).
        let name = crate::solve::dockerfile::context_name(k).map_err(crate::Error::from)?;
        build_contexts.insert(name, v.to_string());
    }
    let mut outputs = Vec::new();
    for o in &a.output {
        outputs.push(parse_output(o)?);
    }
    let iidfile = a
        .iidfile
        .as_ref()
        .is_some_and(|p| !p.as_os_str().is_empty());
    if iidfile && outputs.iter().any(|o| o.kind == "local" || o.kind == "tar") {
        return Err(CliError::new(
            "local and tar exporters are incompatible with image ID file",
        ));
    }
    let cache_from = crate::solve::cache::parse_cache_entries(&a.cache_from)?;
    let cache_to = crate::solve::cache::parse_cache_entries(&a.cache_to)?;
    let mut secrets = a
        .secret
        .iter()
        .map(|s| SecretSpec::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(crate::Error::from)?;
    // Tokens for private git contexts come from the environment as
    // secrets (GIT_AUTH_TOKEN[.<host>], GIT_AUTH_HEADER[.<host>]).
    let mut remote: Vec<&str> = build_contexts.values().map(String::as_str).collect();
    remote.extend(a.context.as_deref());
    let given: Vec<String> = secrets.iter().map(|s| s.id.clone()).collect();
    secrets.extend(crate::session::secrets::git_auth_from_env(&remote, &given));
    Ok(Checked {
        build_args,
        labels,
        build_contexts,
        outputs,
        secrets,
        attests,
        cache_from,
        cache_to,
        ssh: a
            .ssh
            .iter()
            .map(|s| crate::session::ssh::SshSpec::parse(s))
            .collect(),
        source_policy,
        ..Default::default()
    })
}

/// The start of buildx's `RunBuild`: `--no-cache` against
/// `--no-cache-filter`, the platforms, the secrets' sources, the outputs'
/// destinations, the entitlements.
pub fn check_build(a: &BuildArgs, checked: &mut Checked) -> CliResult {
    if a.no_cache && !a.no_cache_filter.is_empty() {
        return Err(CliError::new(
            "--no-cache and --no-cache-filter cannot currently be used together",
        ));
    }
    // buildx: DOCKER_DEFAULT_PLATFORM is --platform's default.
    let default_platform: Vec<String> = std::env::var("DOCKER_DEFAULT_PLATFORM")
        .ok()
        .filter(|v| !v.is_empty())
        .into_iter()
        .collect();
    let given = if a.platform.is_empty() {
        &default_platform
    } else {
        &a.platform
    };
    for p in given {
        for p in p.split(',') {
            checked
                .platforms
                .push(crate::platform::normalize(p).map_err(crate::Error::from)?);
        }
    }
    checked.secret_store =
        FileSecrets::new(std::mem::take(&mut checked.secrets)).map_err(crate::Error::from)?;
    // buildx forwards the default agent for an SSH git context when no
    // --ssh is given.
    let mut ssh = std::mem::take(&mut checked.ssh);
    if ssh.is_empty() && a.context.as_deref().is_some_and(is_git_ssh) {
        ssh.push(crate::session::ssh::SshSpec::parse("default"));
    }
    let sock = std::env::var("SSH_AUTH_SOCK").ok();
    checked.ssh_service = crate::session::ssh::SshService::new(&ssh, sock.as_deref())
        .map_err(|e| CliError::new(e.to_string()))?;
    use std::io::IsTerminal;
    crate::solve::export::check_outputs(&checked.outputs, std::io::stdout().is_terminal())?;
    checked.annotations = crate::solve::attest::parse_annotations(&a.annotation)?;
    for e in &a.allow {
        if !matches!(e.as_str(), "network.host" | "security.insecure") {
            return Err(CliError::new(format!("unknown entitlement {e}")));
        }
    }
    Ok(())
}

/// Collects the options from the flags, once [`check_flags`] and
/// [`check_build`] have passed.
pub fn options(
    a: &BuildArgs,
    builder: &Builder,
    cfg: &ConfigFile,
    checked: Checked,
) -> CliResult<BuildOptions> {
    let mut dockerfile = match a.file.as_deref() {
        None | Some("") => DockerfileSource::Default,
        Some("-") => DockerfileSource::Contents(read_stdin()?),
        Some(p) => DockerfileSource::Path(PathBuf::from(p)),
    };
    let context = match a.context.as_deref() {
        None => None,
        Some("-") => {
            if matches!(dockerfile, DockerfileSource::Contents(_)) {
                return Err(CliError::new(
                    "invalid argument: can't use stdin for both build context and dockerfile",
                ));
            }
            let data = read_stdin()?;
            if is_tar(&data) {
                return finish(
                    a,
                    builder,
                    cfg,
                    checked,
                    Some(BuildContext::Tar(data.into())),
                    dockerfile,
                );
            }
            if !matches!(dockerfile, DockerfileSource::Default) {
                return Err(CliError::new(
                    "ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles",
                ));
            }
            dockerfile = DockerfileSource::Contents(data);
            Some(BuildContext::Empty)
        }
        Some(s) if s.contains("://") || s.starts_with("git@") || s.starts_with("github.com/") => {
            Some(BuildContext::Remote(s.to_string()))
        }
        Some(s) => Some(BuildContext::Dir(PathBuf::from(s))),
    };
    finish(a, builder, cfg, checked, context, dockerfile)
}

fn finish(
    a: &BuildArgs,
    builder: &Builder,
    cfg: &ConfigFile,
    checked: Checked,
    context: Option<BuildContext>,
    dockerfile: DockerfileSource,
) -> CliResult<BuildOptions> {
    let Checked {
        build_args: mut args,
        labels,
        build_contexts,
        mut outputs,
        platforms,
        attests,
        cache_from,
        cache_to,
        annotations,
        secret_store,
        ssh_service,
        source_policy,
        ..
    } = checked;
    let driver = builder.driver()?;
    // buildx reads BUILDX_NO_DEFAULT_ATTESTATIONS only where its default
    // provenance would apply.
    let mut no_default_attestations = false;
    if driver.features().multi_platform && !attests.contains_key("provenance") {
        if let Ok(v) = std::env::var("BUILDX_NO_DEFAULT_ATTESTATIONS") {
            no_default_attestations = crate::go::strconv::parse_bool(v.as_bytes())
                .ok_or_else(|| {
                    CliError::new(format!(
                        "invalid BUILDX_NO_DEFAULT_ATTESTATIONS: strconv.ParseBool: parsing {}: invalid syntax",
                        crate::go::strconv::quote(v.as_bytes())
                    ))
                })?;
        }
    }
    if a.push {
        if let Some(o) = outputs.iter_mut().find(|o| o.kind == "image") {
            o.attrs.insert("push".into(), "true".into());
        } else {
            outputs.push(parse_output("type=registry")?);
        }
    }
    if a.load {
        outputs.push(parse_output("type=docker")?);
    }
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        args.entry("SOURCE_DATE_EPOCH".into()).or_insert(v);
    }
    let docker_host = driver.docker_api().map(|ep| ep.to_string());
    let shm_size = match a.shm_size.as_deref() {
        Some(s) => Some(parse_ram_bytes(s)?),
        None => None,
    };
    Ok(BuildOptions {
        context,
        dockerfile,
        build_args: args,
        target: a.target.clone(),
        platforms,
        labels,
        no_cache: a.no_cache,
        no_cache_filter: a.no_cache_filter.clone(),
        pull: a.pull,
        network: Some(a.network.clone()),
        add_hosts: a.add_host.clone(),
        shm_size,
        ulimits: a.ulimit.clone(),
        allow: a.allow.clone(),
        build_contexts,
        tags: a.tag.clone(),
        outputs,
        cgroup_parent: a.cgroup_parent.clone(),
        proxy_args: proxy_args(cfg, docker_host.as_deref()),
        cache_from,
        cache_to,
        attests,
        no_default_attestations,
        annotations,
        host_gateway_ip: None,
        git: crate::solve::git::GitOptions::from_env(),
        credentials: Some(crate::docker::CredentialStore::new(cfg.clone())),
        docker_api: builder.docker_api().cloned(),
        source_policy,
        stdout: Some(crate::solve::OutputWriter::new(std::io::stdout())),
        // buildx always offers the secrets service (unknown ids: NotFound)
        // and the SSH service (unknown ids: "unset ssh forward key").
        session: vec![
            SharedService::new(SecretsService::new(secret_store).attachable()),
            SharedService::new(ssh_service.attachable()),
        ],
        session_transport: session_transport(),
        // The session named after the working directory, a random build
        // reference, as buildx.
        ..Default::default()
    })
}

/// For measurements: `RKBUILD_SESSION_TRANSPORT=control` sends the session
/// through Control.Session even on dockerd (default: dockerd's /session
/// upgrade, measured faster).
fn session_transport() -> crate::session::Transport {
    match std::env::var("RKBUILD_SESSION_TRANSPORT").as_deref() {
        Ok("control") => crate::session::Transport::ControlStream,
        _ => crate::session::Transport::Auto,
    }
}

/// buildx's warnings for a build whose result stays in the build cache: no
/// output on a builder that does not share the docker daemon's image store
/// (unless `BUILDX_NO_DEFAULT_LOAD` is true), and a `BUILDX_NO_DEFAULT_LOAD`
/// that is not a Go bool.
fn no_output_warning(opts: &BuildOptions, driver: &dyn crate::Driver) -> Vec<String> {
    let mut out = Vec::new();
    let no_default_load = match std::env::var("BUILDX_NO_DEFAULT_LOAD") {
        Err(_) => false,
        Ok(v) => crate::go::strconv::parse_bool(v.as_bytes()).unwrap_or_else(|| {
            out.push(format!(
                "invalid non-bool value for BUILDX_NO_DEFAULT_LOAD: {v}"
            ));
            false
        }),
    };
    if driver.features().shares_image_store() {
        return Vec::new();
    }
    if !no_default_load && opts.outputs.is_empty() {
        out.push(format!(
            "No output specified with {} driver. Build result will only remain in the build cache. \
             To push result image into registry use --push or to load image into docker use --load",
            driver.name()
        ));
    }
    out
}

/// buildx's metadata file values: base64-encoded JSON objects are inlined.
fn decode_exporter_response(
    resp: &BTreeMap<String, String>,
) -> serde_json::Map<String, serde_json::Value> {
    use base64::Engine;
    let mut out = serde_json::Map::new();
    for (k, v) in resp {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(v)
            .ok()
            .and_then(|dt| serde_json::from_slice::<serde_json::Value>(&dt).ok())
            .filter(|j| j.as_object().is_some_and(|o| !o.is_empty()));
        out.insert(
            k.clone(),
            decoded.unwrap_or_else(|| serde_json::Value::String(v.clone())),
        );
    }
    out
}

/// Writes `path` atomically: a temporary file beside it (mode `mode`,
/// less the umask unless `exact`, as Go's `os.WriteFile` and moby's
/// `AtomicWriteFile` leave it), then a rename.
fn write_atomic(path: &std::path::Path, data: &[u8], mode: u32, exact: bool) -> CliResult {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let fail = |e: std::io::Error| CliError::new(format!("writing {}: {e}", path.display()));
    let mut tmp = tempfile::Builder::new()
        .prefix(".rkbuild-")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(data).map_err(fail)?;
    if exact {
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Runs a build; `builder` picks the builder, which buildx does after it has
/// checked the flags and removed a stale image ID file.
pub async fn run(
    a: &BuildArgs,
    debug: bool,
    builder: impl FnOnce() -> CliResult<Builder>,
) -> CliResult {
    // buildx's checkWarnedFlags, first thing (logrus through its
    // formatter: `WARNING: ...`).
    for w in a.legacy.warnings() {
        eprintln!("WARNING: {w}");
    }
    let cfg = ConfigFile::load_from(&crate::docker::config_dir())?;
    // buildx's order: the flags, the stale image ID file, the builder, the
    // progress mode, then what its build starts with.
    let mut checked = check_flags(a)?;
    remove_image_id_file(a)?;
    let builder = &builder()?;
    let progress = std::env::var("BUILDKIT_PROGRESS").ok();
    let mode = ProgressMode::resolve(&a.progress, a.quiet, progress.as_deref())?;
    check_build(a, &mut checked)?;
    let opts = options(a, builder, &cfg, checked)?;
    let no_output_warning = no_output_warning(&opts, builder.driver()?.as_ref());
    let plan = builder.prepare([("default", opts)]).await?;
    for (_, w) in plan.warnings() {
        eprintln!("WARNING: {w}");
    }
    let to_stdout = plan.writes_stdout();
    let mut display = Display::new(mode);
    let results = plan.run(|s| display.open_build(builder, s)).await;
    let summary = display.finish().await;
    let result = results?
        .pop()
        .ok_or_else(|| CliError::new("no build result"))?;
    // buildx holds its log lines back while the progress display runs.
    for w in &no_output_warning {
        eprintln!("WARNING: {w}");
    }
    let warnings = errors::warnings_report(&summary.warnings, debug);
    let details = build_details(builder, &result).await;
    report(
        a,
        builder.name(),
        mode,
        to_stdout,
        result,
        &warnings,
        &details,
    )
}

/// Docker Desktop's build records for buildx's build-details line: the
/// build's, when Desktop's build backend is in use and the builder keeps
/// records (none otherwise, or for a build on several nodes).
async fn build_details(builder: &Builder, result: &TargetResult) -> Vec<(String, String)> {
    if result.reference.is_empty() || !desktop::build_backend_enabled() {
        return vec![];
    }
    match builder.connect().await {
        Ok(c) if c.history_api_supported().await => {
            vec![(result.target.clone(), result.build_ref(builder.name()))]
        }
        _ => vec![],
    }
}

/// buildx removes a stale image ID file before it builds.
fn remove_image_id_file(a: &BuildArgs) -> CliResult {
    if let Some(path) = a.iidfile.as_ref().filter(|p| !p.as_os_str().is_empty()) {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(CliError::new(format!("removing image ID file: {e}")));
            }
            _ => {}
        }
    }
    Ok(())
}

/// What buildx does after the build: the image ID file, the metadata file,
/// the image ID on stdout in quiet mode, the warnings and the build-details
/// line, or the error report of a failed solve and the build-details line
/// below it.
fn report(
    a: &BuildArgs,
    builder: &str,
    mode: ProgressMode,
    exports_to_stdout: bool,
    result: TargetResult,
    warnings: &str,
    details: &[(String, String)],
) -> CliResult {
    let resp = match result.result {
        Ok(resp) => resp,
        Err(crate::Error::Solve(status)) => {
            eprint!("{}", errors::error_report(&status));
            desktop::print_build_details(details);
            return Err(CliError {
                message: String::new(),
                hint: None,
                code: 1,
            });
        }
        Err(e) => return Err(e.into()),
    };
    let id = resp.config_digest().or(resp.digest()).map(str::to_string);
    if let (Some(path), Some(id)) = (&a.iidfile, &id) {
        write_atomic(path, id.as_bytes(), 0o644, false)?;
    }
    if let Some(path) = &a.metadata_file {
        let mut md = decode_exporter_response(&resp.exporter_response);
        if !resp.reference.is_empty() {
            let r = format!("{builder}/{}/{}", result.node, resp.reference);
            md.insert("buildx.build.ref".into(), serde_json::Value::String(r));
        }
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(md))
            .map_err(|e| CliError::new(e.to_string()))?;
        write_atomic(path, text.as_bytes(), 0o644, true)?;
    }
    // buildx prints the image id (an empty line when there is none)
    // in quiet mode, unless stdout carries an export.
    if mode == ProgressMode::Quiet && !exports_to_stdout {
        println(&id.unwrap_or_default())?;
    }
    if !matches!(mode, ProgressMode::Quiet | ProgressMode::RawJson) {
        eprint!("{warnings}");
        desktop::print_build_details(details);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(f: impl FnOnce(&mut BuildArgs)) -> BuildArgs {
        let mut a = BuildArgs {
            context: Some(".".into()),
            ..Default::default()
        };
        f(&mut a);
        a
    }

    fn err(r: CliResult<impl std::fmt::Debug>) -> String {
        r.unwrap_err().message
    }

    #[test]
    fn image_id_file_refuses_local_and_tar_outputs() {
        for o in [
            "type=local,dest=out",
            "out",
            "-",
            "type=tar,dest=x.tar",
            "type=local",
        ] {
            let a = args(|a| {
                a.iidfile = Some("iid".into());
                a.output = vec!["type=cacheonly".into(), o.into()];
            });
            assert_eq!(
                err(check_flags(&a)),
                "local and tar exporters are incompatible with image ID file",
                "{o}"
            );
        }
        for o in ["type=image", "type=docker", "type=cacheonly"] {
            let a = args(|a| {
                a.iidfile = Some("iid".into());
                a.output = vec![o.into()];
            });
            assert!(check_flags(&a).is_ok(), "{o}");
        }
        // An empty file name is no file.
        let a = args(|a| {
            a.iidfile = Some("".into());
            a.output = vec!["type=local,dest=out".into()];
        });
        assert!(check_flags(&a).is_ok());
        // Named contexts are read before the outputs.
        let a = args(|a| {
            a.iidfile = Some("iid".into());
            a.output = vec!["type=local,dest=out".into()];
            a.build_context = vec!["=x".into()];
        });
        assert_eq!(
            err(check_flags(&a)),
            "invalid context name : invalid reference format"
        );
        let a = args(|a| a.build_arg = vec!["=x".into()]);
        assert_eq!(
            err(check_flags(&a)),
            r#"invalid key-value pair "=x": empty key"#
        );
    }

    #[test]
    fn build_checks_come_in_buildx_order() {
        let check = |f: fn(&mut BuildArgs)| {
            let a = args(f);
            let mut c = check_flags(&a).unwrap();
            check_build(&a, &mut c).map(|_| c.platforms)
        };
        assert_eq!(
            err(check(|a| {
                a.no_cache = true;
                a.no_cache_filter = vec!["x".into()];
                a.platform = vec!["x".into()];
            })),
            "--no-cache and --no-cache-filter cannot currently be used together"
        );
        assert_eq!(
            err(check(|a| {
                a.platform = vec!["x".into()];
                a.output = vec!["type=local".into()];
            })),
            r#""x": unknown operating system or architecture: invalid argument"#
        );
        assert_eq!(
            err(check(|a| {
                a.output = vec!["type=local".into()];
                a.allow = vec!["-x".into()];
            })),
            "dest is required for local exporter"
        );
        assert_eq!(
            err(check(|a| a.allow = vec!["network.host".into(), "-x".into()])),
            "unknown entitlement -x"
        );
        // Every element of a comma-separated --platform, empty ones too.
        assert_eq!(
            err(check(|a| a.platform = vec!["linux/amd64,".into()])),
            r#""" is an invalid OS component of "": OSAndVersion specifier component must match "^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.-]*)\\))?$": invalid argument"#
        );
        assert_eq!(
            check(|a| a.platform = vec!["linux/arm64/v8,linux/x86_64".into()]).unwrap(),
            ["linux/arm64", "linux/amd64"]
        );
    }
}
