//! The side-by-side kit: one command line run by buildx 0.13.1 and by
//! rkbuild on one daemon, and the comparisons of what they did.
//!
//! A side-by-side test names the daemons it runs on ([`on_daemons`]),
//! builds a [`SideBySide`] (the same arguments, environment, working
//! directory and DOCKER_CONFIG for both tools), runs it with an absolute
//! expectation ([`SideBySide::expect_success`], [`SideBySide::expect_code`],
//! [`SideBySide::expect_failure_containing`]) so that two identical failures
//! cannot pass, and compares the two [`Outputs`].

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{env, run, run_with_stdin, stderr_last_line, tree, Daemon, DockerConfig, TestEnv};

/// Both daemons: dockerd's embedded BuildKit and the standalone buildkitd.
pub const BOTH: &[Daemon] = &[Daemon::Docker, Daemon::Buildkit];

/// Runs `check` on each of `daemons`, the daemons a test runs on. The
/// standalone BuildKit is required where it is listed
/// (`RKBUILD_SKIP_BUILDKIT_TESTS=1` opts out of it, loudly); nothing runs
/// (loudly) when the user opted out of the daemon tests.
pub fn on_daemons(daemons: &[Daemon], check: impl Fn(&TestEnv, Daemon)) {
    let Some(env) = env() else { return };
    for &d in daemons {
        if d == Daemon::Buildkit && !env.daemons().contains(&Daemon::Buildkit) {
            continue;
        }
        check(env, d);
    }
}

/// One of the two tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `docker buildx` 0.13.1, the reference.
    Buildx,
    /// `docker rkbuild`, under test.
    Rkbuild,
}

impl Tool {
    /// Both, in the order a [`SideBySide`] runs them by default.
    pub const BOTH: [Tool; 2] = [Tool::Buildx, Tool::Rkbuild];

    pub fn name(self) -> &'static str {
        match self {
            Tool::Buildx => "buildx",
            Tool::Rkbuild => "rkbuild",
        }
    }

    /// 0 for buildx, 1 for rkbuild: an index into `Tool::BOTH.map(..)`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// `docker buildx` / `docker rkbuild`, for any command.
    pub fn cli(self, cfg: &DockerConfig, env: &TestEnv) -> Command {
        let mut c = cfg.docker(env);
        c.arg(self.name());
        c
    }

    /// A build on `daemon`: `docker buildx build` / `docker rkbuild`. On
    /// the standalone BuildKit both reach it as buildx's remote builder
    /// `rkbuild-remote`: buildx by `--builder`, rkbuild by `BUILDX_BUILDER`.
    pub fn build_on(self, cfg: &DockerConfig, env: &TestEnv, daemon: Daemon) -> Command {
        let mut c = cfg.docker(env);
        self.add_build(&mut c, env, Some(daemon));
        c
    }

    /// `buildx build` / `rkbuild`, and with `daemon`, the builder that
    /// reaches it.
    fn add_build(self, c: &mut Command, env: &TestEnv, daemon: Option<Daemon>) {
        c.arg(self.name());
        if self == Tool::Buildx {
            c.arg("build");
        }
        if daemon == Some(Daemon::Buildkit) {
            match self {
                Tool::Buildx => c.args(["--builder", &env.buildx_remote]),
                Tool::Rkbuild => c.env("BUILDX_BUILDER", &env.buildx_remote),
            };
        }
    }
}

impl std::fmt::Display for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The absolute expectation of a run, for tables of cases.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'s> {
    /// Both succeed.
    Success,
    /// Both exit with this status.
    Code(i32),
    /// Both fail alike, saying this.
    Failure(&'s str),
}

/// What the command line is: a build on a daemon, or any command.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Build(Daemon),
    Cli,
}

type PerTool<'a> = Box<dyn Fn(Tool) -> Vec<OsString> + 'a>;

enum Part<'a> {
    Same(OsString),
    PerTool(PerTool<'a>),
}

/// The same command line by buildx and by rkbuild: both commands get the
/// same arguments, environment, working directory, standard input and
/// DOCKER_CONFIG. What must differ (an output destination, a tag, a cache
/// directory) is said with the per-tool methods, in place among the
/// arguments.
pub struct SideBySide<'a> {
    env: &'a TestEnv,
    cfgs: [&'a DockerConfig; 2],
    kind: Kind,
    docker_args: Vec<OsString>,
    parts: Vec<Part<'a>>,
    envs: Vec<(OsString, Option<OsString>)>,
    cwd: Option<PathBuf>,
    stdin: Option<Vec<u8>>,
    wrapper: Vec<OsString>,
    builders: Option<[String; 2]>,
    first: Tool,
    before: Option<Box<dyn Fn(Tool) + 'a>>,
    after: Option<Box<dyn Fn(Tool) + 'a>>,
    files: tempfile::TempDir,
}

impl<'a> SideBySide<'a> {
    fn new(cfg: &'a DockerConfig, env: &'a TestEnv, kind: Kind) -> SideBySide<'a> {
        SideBySide {
            env,
            cfgs: [cfg, cfg],
            kind,
            docker_args: Vec::new(),
            parts: Vec::new(),
            envs: Vec::new(),
            cwd: None,
            stdin: None,
            wrapper: Vec::new(),
            builders: None,
            first: Tool::Buildx,
            before: None,
            after: None,
            files: tempfile::Builder::new()
                .prefix("rk-side-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    /// `docker buildx build ARGS` and `docker rkbuild ARGS` on `daemon`
    /// (see [`Tool::build_on`]).
    pub fn build(cfg: &'a DockerConfig, env: &'a TestEnv, daemon: Daemon) -> SideBySide<'a> {
        SideBySide::new(cfg, env, Kind::Build(daemon))
    }

    /// `docker buildx ARGS` and `docker rkbuild ARGS` (`ls`, `inspect`,
    /// `create`, `du`, ...).
    pub fn cli(cfg: &'a DockerConfig, env: &'a TestEnv) -> SideBySide<'a> {
        SideBySide::new(cfg, env, Kind::Cli)
    }

    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.parts.push(Part::Same(a.as_ref().to_os_string()));
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self.parts.push(Part::Same(a.as_ref().to_os_string()));
        }
        self
    }

    /// Arguments that differ by tool, in place among the others.
    pub fn per_tool<I, S>(mut self, f: impl Fn(Tool) -> I + 'a) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.parts.push(Part::PerTool(Box::new(move |t| {
            f(t).into_iter()
                .map(|s| s.as_ref().to_os_string())
                .collect()
        })));
        self
    }

    /// `-o type=local,dest=DIR/TOOL`, read back with [`Outputs::local`].
    pub fn local_output(self) -> Self {
        let dir = self.files.path().to_path_buf();
        self.per_tool(move |t| {
            [
                OsString::from("-o"),
                format!("type=local,dest={}", dir.join(t.name()).display()).into(),
            ]
        })
    }

    /// `-o type=tar,dest=DIR/TOOL.tar`, read back with [`Outputs::tar`].
    pub fn tar_output(self) -> Self {
        let dir = self.files.path().to_path_buf();
        self.per_tool(move |t| {
            [
                OsString::from("-o"),
                format!("type=tar,dest={}", dir.join(format!("{t}.tar")).display()).into(),
            ]
        })
    }

    /// `--metadata-file DIR/TOOL.json`, read back with [`Outputs::metadata`].
    pub fn metadata_file(self) -> Self {
        let dir = self.files.path().to_path_buf();
        self.per_tool(move |t| {
            [
                OsString::from("--metadata-file"),
                dir.join(format!("{t}.json")).into_os_string(),
            ]
        })
    }

    /// `--builder NAME` for both builds, in place of the daemon's builder.
    pub fn builder(self, name: &str) -> Self {
        self.builders(name, name)
    }

    /// `--builder BUILDX` for buildx and `--builder RKBUILD` for rkbuild
    /// (each tool's own builder of the same kind), in place of the
    /// daemon's builder.
    pub fn builders(mut self, buildx: &str, rkbuild: &str) -> Self {
        self.builders = Some([buildx.to_string(), rkbuild.to_string()]);
        self
    }

    /// The docker CLI's own flags, before the plugin's name (`--context
    /// NAME`, `-H HOST`, `--tlsverify`, ...).
    pub fn docker_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.docker_args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((k.as_ref().to_os_string(), Some(v.as_ref().to_os_string())));
        self
    }

    pub fn env_remove(mut self, k: impl AsRef<OsStr>) -> Self {
        self.envs.push((k.as_ref().to_os_string(), None));
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Standard input for each run (otherwise none).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// Runs the docker CLI through `program ARGS` (`setpriv --reuid ...`).
    pub fn wrapped_in<I, S>(mut self, program_and_args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.wrapper = program_and_args
            .into_iter()
            .map(|a| a.as_ref().to_os_string())
            .collect();
        self
    }

    /// A DOCKER_CONFIG of its own for each tool.
    pub fn configs(mut self, buildx: &'a DockerConfig, rkbuild: &'a DockerConfig) -> Self {
        self.cfgs = [buildx, rkbuild];
        self
    }

    /// Runs `tool` first (buildx is first otherwise).
    pub fn first(mut self, tool: Tool) -> Self {
        self.first = tool;
        self
    }

    /// Runs `f` right before each tool's run.
    pub fn before_each(mut self, f: impl Fn(Tool) + 'a) -> Self {
        self.before = Some(Box::new(f));
        self
    }

    /// Runs `f` right after each tool's run.
    pub fn after_each(mut self, f: impl Fn(Tool) + 'a) -> Self {
        self.after = Some(Box::new(f));
        self
    }

    /// One tool's command, as [`SideBySide::run`] runs it.
    pub fn command(&self, tool: Tool) -> Command {
        let cfg = self.cfgs[tool.index()];
        let env = self.env;
        let mut c = if self.wrapper.is_empty() {
            Command::new(&env.docker_bin)
        } else {
            let mut c = Command::new(&self.wrapper[0]);
            c.args(&self.wrapper[1..]).arg(&env.docker_bin);
            c
        };
        cfg.set_docker_env(&mut c, env);
        c.args(&self.docker_args);
        match (self.kind, &self.builders) {
            (Kind::Build(_), Some(names)) => {
                tool.add_build(&mut c, env, None);
                c.args(["--builder", &names[tool.index()]]);
            }
            (Kind::Build(daemon), None) => tool.add_build(&mut c, env, Some(daemon)),
            (Kind::Cli, _) => {
                c.arg(tool.name());
            }
        }
        for p in &self.parts {
            match p {
                Part::Same(a) => {
                    c.arg(a);
                }
                Part::PerTool(f) => {
                    c.args(f(tool));
                }
            }
        }
        for (k, v) in &self.envs {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        if let Some(d) = &self.cwd {
            c.current_dir(d);
        }
        c
    }

    /// Runs both (buildx first unless told otherwise) and returns both
    /// outputs, with nothing asserted.
    pub fn run(self) -> Outputs {
        let order = if self.first == Tool::Buildx {
            [Tool::Buildx, Tool::Rkbuild]
        } else {
            [Tool::Rkbuild, Tool::Buildx]
        };
        let mut outs: [Option<Output>; 2] = [None, None];
        for tool in order {
            let mut c = self.command(tool);
            if let Some(f) = &self.before {
                f(tool);
            }
            let o = match &self.stdin {
                Some(input) => run_with_stdin(&mut c, input),
                None => run(&mut c),
            };
            if let Some(f) = &self.after {
                f(tool);
            }
            outs[tool.index()] = Some(o);
        }
        let [Some(buildx), Some(rkbuild)] = outs else {
            unreachable!("both tools ran")
        };
        let mut what: Vec<String> = self
            .command(Tool::Rkbuild)
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        what.retain(|a| a != "rkbuild");
        let (daemon, builder_names) = match self.kind {
            Kind::Build(d) => (
                Some(d),
                vec![
                    self.env.buildx_remote.clone(),
                    self.env.buildkit_host.clone(),
                ],
            ),
            Kind::Cli => (None, Vec::new()),
        };
        Outputs {
            buildx,
            rkbuild,
            what: format!(
                "{}{}",
                what.join(" "),
                daemon.map(|d| format!(" on {d:?}")).unwrap_or_default()
            ),
            daemon,
            builder_names,
            files: self.files,
        }
    }

    /// Runs both with the expectation `e`.
    pub fn expect(self, e: Expect) -> Outputs {
        match e {
            Expect::Success => self.expect_success(),
            Expect::Code(code) => self.expect_code(code),
            Expect::Failure(says) => self.expect_failure_containing(says),
        }
    }

    /// Runs both; both must succeed with the same words on every stream
    /// ([`Outputs::same_output`]). Returns rkbuild's stdout.
    pub fn expect_same_output(self) -> String {
        self.expect_success().same_output().stdout(Tool::Rkbuild)
    }

    /// Runs both; both must succeed.
    pub fn expect_success(self) -> Outputs {
        self.run().expect_success()
    }

    /// Runs both; both must exit with `code`.
    pub fn expect_code(self, code: i32) -> Outputs {
        self.run().expect_code(code)
    }

    /// Runs both; both must fail with the same exit status, and both
    /// stderrs must contain `needle`.
    pub fn expect_failure_containing(self, needle: &str) -> Outputs {
        self.run().expect_failure_containing(needle)
    }
}

/// What both tools did for one [`SideBySide`], and the comparisons.
pub struct Outputs {
    pub buildx: Output,
    pub rkbuild: Output,
    /// The command line and daemon, for messages.
    pub what: String,
    daemon: Option<Daemon>,
    builder_names: Vec<String>,
    files: tempfile::TempDir,
}

impl Outputs {
    pub fn of(&self, tool: Tool) -> &Output {
        match tool {
            Tool::Buildx => &self.buildx,
            Tool::Rkbuild => &self.rkbuild,
        }
    }

    pub fn stdout(&self, tool: Tool) -> String {
        String::from_utf8_lossy(&self.of(tool).stdout).into_owned()
    }

    pub fn stderr(&self, tool: Tool) -> String {
        String::from_utf8_lossy(&self.of(tool).stderr).into_owned()
    }

    pub fn code(&self, tool: Tool) -> Option<i32> {
        self.of(tool).status.code()
    }

    fn both(&self) -> String {
        format!(
            "{}\n---- buildx ({}):\n{}{}\n---- rkbuild ({}):\n{}{}",
            self.what,
            self.buildx.status,
            self.stdout_brief(Tool::Buildx),
            self.stderr(Tool::Buildx),
            self.rkbuild.status,
            self.stdout_brief(Tool::Rkbuild),
            self.stderr(Tool::Rkbuild)
        )
    }

    fn stdout_brief(&self, tool: Tool) -> String {
        let out = &self.of(tool).stdout;
        match std::str::from_utf8(out) {
            Ok(s) if s.len() <= 4000 => s.to_string(),
            _ => format!("[{} bytes on stdout]\n", out.len()),
        }
    }

    // ------------------------------------------------ absolute expectations

    /// Both succeeded.
    pub fn expect_success(self) -> Self {
        assert!(
            self.buildx.status.success() && self.rkbuild.status.success(),
            "expected both to succeed: {}",
            self.both()
        );
        self
    }

    /// Both exited with `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert!(
            self.code(Tool::Buildx) == Some(code) && self.code(Tool::Rkbuild) == Some(code),
            "expected exit status {code} from both: {}",
            self.both()
        );
        self
    }

    /// Both failed with the same exit status, and said `needle`.
    pub fn expect_failure_containing(self, needle: &str) -> Self {
        assert!(
            !self.buildx.status.success() && !self.rkbuild.status.success(),
            "expected both to fail: {}",
            self.both()
        );
        self.same_status();
        for tool in Tool::BOTH {
            assert!(
                self.stderr(tool).contains(needle),
                "{tool} did not say {needle:?}: {}",
                self.both()
            );
        }
        self
    }

    // ---------------------------------------------------------- comparisons

    /// The same exit status.
    pub fn same_status(&self) -> &Self {
        assert_eq!(
            self.code(Tool::Buildx),
            self.code(Tool::Rkbuild),
            "exit statuses differ: {}",
            self.both()
        );
        self
    }

    /// The same `f` of both outputs (buildx's, rkbuild's).
    pub fn same_by<T: PartialEq + std::fmt::Debug>(
        &self,
        what: &str,
        f: impl Fn(&Output) -> T,
    ) -> &Self {
        assert_eq!(
            f(&self.buildx),
            f(&self.rkbuild),
            "{what} differs (buildx, rkbuild): {}",
            self.what
        );
        self
    }

    /// The same last line of stderr (where both put their error), with
    /// session ids masked.
    pub fn same_last_line(&self) -> &Self {
        assert_eq!(
            last_line(&self.buildx),
            last_line(&self.rkbuild),
            "last lines differ: {}",
            self.both()
        );
        self
    }

    /// rkbuild's last line of stderr, session ids masked.
    pub fn last_line(&self) -> String {
        last_line(&self.rkbuild)
    }

    /// The same stdout.
    pub fn same_stdout(&self) -> &Self {
        assert_eq!(
            self.stdout(Tool::Buildx),
            self.stdout(Tool::Rkbuild),
            "stdout differs: {}",
            self.what
        );
        self
    }

    /// The same stderr (trailing white space aside).
    pub fn same_stderr(&self) -> &Self {
        assert_eq!(
            self.stderr(Tool::Buildx).trim_end(),
            self.stderr(Tool::Rkbuild).trim_end(),
            "stderr differs: {}",
            self.what
        );
        self
    }

    /// The same words on every stream and the same exit status: stdout
    /// (`inspect`'s driver options, which buildx prints in Go's random map
    /// order, compared sorted), stderr and the status.
    pub fn same_output(&self) -> &Self {
        let out = |t: Tool| sorted_driver_opts(&self.stdout(t));
        assert_eq!(
            out(Tool::Buildx),
            out(Tool::Rkbuild),
            "stdout differs: {}",
            self.what
        );
        assert_eq!(
            self.stderr(Tool::Buildx),
            self.stderr(Tool::Rkbuild),
            "stderr differs: {}",
            self.what
        );
        self.same_status()
    }

    /// The same error: a docker CLI flag error (status 125) word for word
    /// once buildx's command path is rkbuild's; otherwise buildx's first
    /// `ERROR:` line, which rkbuild may end with a hint.
    pub fn same_error(&self) -> &Self {
        self.same_status();
        let ea = self
            .stderr(Tool::Buildx)
            .replace("docker buildx build", "docker rkbuild")
            .replace("docker buildx", "docker rkbuild");
        let eb = self.stderr(Tool::Rkbuild);
        if self.code(Tool::Rkbuild) == Some(125) {
            assert_eq!(ea.trim_end(), eb.trim_end(), "{}", self.what);
            return self;
        }
        let error_line = |s: &str| {
            s.lines()
                .find(|l| l.starts_with("ERROR: "))
                .unwrap_or("")
                .trim_end()
                .to_string()
        };
        let (la, lb) = (error_line(&ea), error_line(&eb));
        assert!(!la.is_empty(), "no ERROR line from buildx: {}", self.both());
        let rest = lb
            .strip_prefix(&la)
            .unwrap_or_else(|| panic!("{}\nbuildx:  {la}\nrkbuild: {lb}", self.what));
        assert!(
            rest.is_empty() || rest.starts_with(" (hint: "),
            "{}: {lb}",
            self.what
        );
        self
    }

    /// A tool's `--progress=plain` log with what timing decides masked
    /// ([`normalize_plain`]), and the builder's name on the standalone
    /// BuildKit.
    pub fn plain_progress(&self, tool: Tool) -> String {
        let mut s = normalize_plain(&self.stderr(tool));
        if self.daemon == Some(Daemon::Buildkit) {
            for name in &self.builder_names {
                s = s.replace(
                    &format!("building with \"{name}\" instance"),
                    "building with \"B\" instance",
                );
            }
        }
        s
    }

    /// The same `--progress=plain` log ([`Outputs::plain_progress`]).
    pub fn same_plain_progress(&self) -> &Self {
        let (a, b) = (
            self.plain_progress(Tool::Buildx),
            self.plain_progress(Tool::Rkbuild),
        );
        assert!(
            a == b,
            "plain progress differs ({}):\n{a}\n---- vs ----\n{b}",
            self.what
        );
        self
    }

    /// Where [`SideBySide::local_output`] had `tool` export.
    pub fn local(&self, tool: Tool) -> PathBuf {
        self.files.path().join(tool.name())
    }

    /// A file of `tool`'s local export.
    pub fn file(&self, tool: Tool, rel: &str) -> String {
        let p = self.local(tool).join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{tool}: {}: {e}", p.display()))
    }

    /// The same exported trees: paths, types, modes, contents, link targets.
    pub fn same_tree(&self) -> &Self {
        tree::assert_same(&self.local(Tool::Buildx), &self.local(Tool::Rkbuild));
        self
    }

    /// Where [`SideBySide::tar_output`] had `tool` export.
    pub fn tar(&self, tool: Tool) -> PathBuf {
        self.files.path().join(format!("{tool}.tar"))
    }

    /// The same tar exports, byte for byte (their listings on a difference).
    pub fn same_tar(&self) -> &Self {
        let (a, b) = (self.tar(Tool::Buildx), self.tar(Tool::Rkbuild));
        let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        if read(&a) != read(&b) {
            let list = |p: &Path| super::stdout(&run(Command::new("tar").arg("tvf").arg(p)));
            panic!(
                "tar exports differ ({})\nbuildx:\n{}\nrkbuild:\n{}",
                self.what,
                list(&a),
                list(&b)
            );
        }
        self
    }

    /// The directory that holds both tools' exports and metadata files.
    pub fn dir(&self) -> &Path {
        self.files.path()
    }

    /// Where [`SideBySide::metadata_file`] had `tool` write.
    pub fn metadata_path(&self, tool: Tool) -> PathBuf {
        self.files.path().join(format!("{tool}.json"))
    }

    /// `tool`'s [`SideBySide::metadata_file`].
    pub fn metadata(&self, tool: Tool) -> serde_json::Value {
        let p = self.metadata_path(tool);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{tool}: {}: {e}", p.display()));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{tool}: {}: {e}", p.display()))
    }

    /// The same keys in both metadata files.
    pub fn same_metadata_keys(&self) -> &Self {
        let keys = |t: Tool| {
            let mut k: Vec<String> = self
                .metadata(t)
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            k.sort();
            k
        };
        assert_eq!(
            keys(Tool::Buildx),
            keys(Tool::Rkbuild),
            "metadata keys differ: {}",
            self.what
        );
        self
    }
}

/// The last stderr line, with session-specific ids (`::<25 chars>`) masked.
pub fn last_line(o: &Output) -> String {
    let l = stderr_last_line(o);
    let mut out = String::new();
    let mut rest = l.as_str();
    while let Some(i) = rest.find("::") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let n = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if n == 25 {
            out.push_str("<id>");
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

/// `inspect`'s `Driver Options:` words sorted.
fn sorted_driver_opts(out: &str) -> String {
    out.lines()
        .map(|l| match l.strip_prefix("Driver Options:") {
            Some(rest) => {
                let mut w: Vec<&str> = rest.split_whitespace().collect();
                w.sort();
                format!("Driver Options: {}", w.join(" "))
            }
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A line of Go's standard `log` package: `YYYY/MM/DD HH:MM:SS ...`.
fn is_go_log_line(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 20
        && b[..19].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'/',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
        && b[19] == b' '
}

/// Masks what legitimately differs between two runs of the same build in
/// a `--progress=plain` log: durations, log timestamps, and what a
/// progress tick falling in between decides.
pub fn normalize_plain(s: &str) -> String {
    let mut out = Vec::new();
    for line in s.lines() {
        // A status printed before its first byte count (`#1 transferring
        // dockerfile:`) appears only when a progress tick falls in between:
        // timing, not content.
        if line.starts_with('#') && line.ends_with(':') {
            continue;
        }
        // buildx's own Go `log` lines (`2026/12/01 23:51:23 http2: server
        // connection error ...`, its session server when buildkitd closes
        // the connection): not progress.
        if is_go_log_line(line) {
            continue;
        }
        let mut words: Vec<String> = Vec::new();
        for (i, w) in line.split(' ').enumerate() {
            let is_dur = w.ends_with('s')
                && w[..w.len() - 1].split('.').count() == 2
                && w[..w.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.');
            // `#N 0.123 log` in the log, `0.123 log` in the error summary
            let log_pos = if line.starts_with('#') { 1 } else { 0 };
            let is_log_time = i == log_pos
                && w.split('.').count() == 2
                && w.chars().all(|c| c.is_ascii_digit() || c == '.');
            words.push(if is_dur {
                "X.Xs".into()
            } else if is_log_time {
                "T".into()
            } else {
                w.to_string()
            });
        }
        // A finished status shows its duration only past 10 ms (`121B 0.0s
        // done`), for buildx as for rkbuild: timing, not content.
        if words.len() > 2 && words[words.len() - 1] == "done" && words[words.len() - 2] == "X.Xs" {
            words.remove(words.len() - 2);
        }
        let line = words.join(" ");
        // A status shown while it runs (`#8 naming to NAME`) and again when
        // done (`#8 naming to NAME done`) only when a progress tick fell in
        // between: timing, not content. Keep the done line alone.
        if out
            .last()
            .is_some_and(|prev: &String| line == format!("{prev} done"))
        {
            out.pop();
        }
        out.push(line);
    }
    out.join("\n")
}

#[test]
fn plain_normalizer_drops_what_timing_decides() {
    let a = "#8 naming to docker.io/x:y\n#8 naming to docker.io/x:y done\n#8 DONE 0.1s";
    let b = "#8 naming to docker.io/x:y 0.0s done\n#8 DONE 0.0s";
    assert_eq!(normalize_plain(a), normalize_plain(b));
    // A status that changes is kept.
    assert_ne!(
        normalize_plain("#5 transferring context: 2B\n#5 transferring context: 26B done"),
        normalize_plain("#5 transferring context: 26B done")
    );
}

#[test]
fn go_log_lines_are_recognised() {
    assert!(is_go_log_line(
        "2026/12/01 23:51:23 http2: server connection error from localhost: connection error: PROTOCOL_ERROR"
    ));
    assert!(!is_go_log_line(
        "#1 [internal] load build definition from Dockerfile"
    ));
    assert!(!is_go_log_line("2026/12/01 23:51"));
}

#[test]
fn session_ids_are_masked_in_the_last_line() {
    use std::os::unix::process::ExitStatusExt;
    let o = Output {
        status: std::process::ExitStatus::from_raw(256),
        stdout: Vec::new(),
        stderr: b"#1 x\nERROR: failed: session::abcdefghijklmnopqrstuvwxy: not found ::short\n"
            .to_vec(),
    };
    assert_eq!(
        last_line(&o),
        "ERROR: failed: session::<id>: not found ::short"
    );
}
