//! Cobra's `__complete` protocol, answered from the clap definition.
//!
//! The docker CLI completes `docker rkbuild ...` by running the plugin as
//! `docker-rkbuild __complete rkbuild ARGS... TO_COMPLETE` (with
//! `DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND` set and no plugin socket) and
//! copying its stdout: one `value\tdescription` line per candidate, then
//! `:<directive>`. Standalone, `docker-rkbuild __complete ARGS... TO_COMPLETE`
//! answers the same way. `__completeNoDesc` drops the descriptions.
//!
//! Flags, subcommands and enumerated values come from `Cli::command()`, so
//! every flag that exists is completed; a few flags get live values:
//! `--progress`, `--platform` (the builder's workers, else a static list),
//! `--builder` (docker contexts), `--target` (stages of the Dockerfile that
//! `-f` and the context select) and directories for the build context.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::builder::ValueHint;
use clap::{Arg, Command, CommandFactory};

use super::args::{Cli, Values};

/// Cobra's `ShellCompDirective` bits.
pub mod directive {
    /// An error occurred; ignore the completions.
    pub const ERROR: u32 = 1;
    /// No space after a single completion.
    pub const NO_SPACE: u32 = 2;
    /// No file completion when nothing matched.
    pub const NO_FILE_COMP: u32 = 4;
    /// The completions are file extensions to filter on.
    pub const FILTER_FILE_EXT: u32 = 8;
    /// Complete directories only (in the one given directory, if any).
    pub const FILTER_DIRS: u32 = 16;
    /// Keep the order of the completions.
    pub const KEEP_ORDER: u32 = 32;
    /// Let the shell complete file names.
    pub const DEFAULT: u32 = 0;
}

/// The subcommand names cobra uses for completion requests.
pub const REQUEST: &str = "__complete";
/// The same, without descriptions.
pub const REQUEST_NO_DESC: &str = "__completeNoDesc";

/// Platforms offered when the builder cannot be asked quickly.
pub const STATIC_PLATFORMS: &[&str] = &[
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
];

/// What a completion request answers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Candidates with their descriptions (may be empty).
    pub values: Vec<(String, String)>,
    /// Cobra directive bits.
    pub directive: u32,
}

impl Completion {
    fn new(directive: u32) -> Self {
        Completion {
            values: Vec::new(),
            directive,
        }
    }

    fn push(&mut self, value: impl Into<String>, desc: impl Into<String>) {
        self.values.push((value.into(), desc.into()));
    }

    /// Renders the answer as cobra prints it on stdout.
    pub fn render(&self, descriptions: bool) -> String {
        let mut out = String::new();
        for (v, d) in &self.values {
            out.push_str(v);
            let d = first_line(d);
            if descriptions && !d.is_empty() {
                out.push('\t');
                out.push_str(&d);
            }
            out.push('\n');
        }
        out.push_str(&format!(":{}\n", self.directive));
        out
    }
}

/// Where live values come from; tests replace the daemon lookup.
pub struct Sources<'a> {
    /// Directory relative paths are resolved against.
    pub cwd: PathBuf,
    /// Docker config directory (for builder names).
    pub docker_config: PathBuf,
    /// Asks the builder for its platforms; `None` when it does not answer.
    pub platforms: &'a dyn Fn(Option<&str>) -> Option<Vec<String>>,
}

/// Answers a completion request: `args` are the words before the cursor
/// (without the program and `__complete`), `to_complete` the word under it.
pub fn complete(args: &[String], to_complete: &str, src: &Sources<'_>) -> Completion {
    complete_in(Cli::command(), args, to_complete, src)
}

/// [`complete`] against any command tree.
pub fn complete_in(
    mut root: Command,
    args: &[String],
    to_complete: &str,
    src: &Sources<'_>,
) -> Completion {
    root.build();
    let state = walk(&root, args);
    let cmd = state.cmd;
    if let Some(arg) = state.pending {
        return complete_value(cmd, arg, &state, to_complete, src);
    }
    if !state.after_dashdash {
        if let Some(rest) = to_complete.strip_prefix("--") {
            if let Some((name, value)) = rest.split_once('=') {
                if let Some(arg) = find_long(cmd, name) {
                    if arg.get_action().takes_values() {
                        return complete_value(cmd, arg, &state, value, src);
                    }
                }
                return Completion::new(directive::NO_FILE_COMP);
            }
        }
        if to_complete.starts_with('-') {
            return complete_flags(cmd, &state, to_complete);
        }
    }
    // `use`, `rm`, `inspect`, `stop` take builder names.
    if matches!(cmd.get_name(), "use" | "rm" | "inspect" | "stop") {
        let mut c = Completion::new(directive::NO_FILE_COMP);
        for b in builder_names(&src.docker_config) {
            if b.starts_with(to_complete) && !state.positionals.contains(&b) {
                c.push(b, "");
            }
        }
        return c;
    }
    complete_positional(cmd, &state, to_complete, &src.cwd)
}

/// The parse state after the completed words.
struct State<'c> {
    cmd: &'c Command,
    /// The flag whose value is under the cursor.
    pending: Option<&'c Arg>,
    /// Flags seen, by arg id, with their values.
    seen: Vec<(String, Option<String>)>,
    /// Positional values of `cmd`.
    positionals: Vec<String>,
    after_dashdash: bool,
}

impl State<'_> {
    fn value_of(&self, id: &str) -> Option<&str> {
        self.seen
            .iter()
            .rev()
            .find(|(k, v)| k == id && v.is_some())
            .and_then(|(_, v)| v.as_deref())
    }

    fn has(&self, id: &str) -> bool {
        self.seen.iter().any(|(k, _)| k == id)
    }
}

fn find_long<'c>(cmd: &'c Command, name: &str) -> Option<&'c Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|al| al.contains(&name))
    })
}

fn find_short(cmd: &Command, c: char) -> Option<&Arg> {
    cmd.get_arguments().find(|a| {
        a.get_short() == Some(c) || a.get_all_short_aliases().is_some_and(|al| al.contains(&c))
    })
}

fn find_subcommand<'c>(cmd: &'c Command, name: &str) -> Option<&'c Command> {
    cmd.get_subcommands()
        .find(|s| s.get_name() == name || s.get_all_aliases().any(|a| a == name))
}

fn walk<'c>(root: &'c Command, args: &[String]) -> State<'c> {
    let mut st = State {
        cmd: root,
        pending: None,
        seen: Vec::new(),
        positionals: Vec::new(),
        after_dashdash: false,
    };
    for a in args {
        if let Some(arg) = st.pending.take() {
            st.seen.push((arg.get_id().to_string(), Some(a.clone())));
            continue;
        }
        if st.after_dashdash {
            st.positionals.push(a.clone());
            continue;
        }
        if a == "--" {
            st.after_dashdash = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if let Some(arg) = find_long(st.cmd, name) {
                if arg.get_action().takes_values() && inline.is_none() {
                    st.pending = Some(arg);
                } else {
                    st.seen.push((arg.get_id().to_string(), inline));
                }
            }
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            for (i, c) in chars.iter().enumerate() {
                let Some(arg) = find_short(st.cmd, *c) else {
                    break;
                };
                if arg.get_action().takes_values() {
                    let rest: String = chars[i + 1..].iter().collect();
                    let rest = rest.strip_prefix('=').map(str::to_string).unwrap_or(rest);
                    if rest.is_empty() {
                        st.pending = Some(arg);
                    } else {
                        st.seen.push((arg.get_id().to_string(), Some(rest)));
                    }
                    break;
                }
                st.seen.push((arg.get_id().to_string(), None));
            }
            continue;
        }
        if st.positionals.is_empty() {
            if let Some(sub) = find_subcommand(st.cmd, a) {
                st.cmd = sub;
                continue;
            }
        }
        st.positionals.push(a.clone());
    }
    st
}

fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

fn about(a: Option<&clap::builder::StyledStr>) -> String {
    a.map(|s| s.to_string()).unwrap_or_default()
}

fn first_line(s: &str) -> String {
    let l = s.lines().next().unwrap_or("").trim();
    l.strip_suffix('.').unwrap_or(l).to_string()
}

fn is_multiple(arg: &Arg) -> bool {
    matches!(
        arg.get_action(),
        clap::ArgAction::Append | clap::ArgAction::Count
    )
}

fn complete_flags(cmd: &Command, st: &State<'_>, prefix: &str) -> Completion {
    let mut c = Completion::new(directive::NO_FILE_COMP);
    for arg in cmd.get_arguments() {
        if arg.is_hide_set() || arg.is_positional() {
            continue;
        }
        if st.has(arg.get_id().as_str()) && !is_multiple(arg) {
            continue;
        }
        let help = if arg.get_id() == "help" {
            "Print help".to_string()
        } else {
            about(arg.get_help())
        };
        if let Some(l) = arg.get_long() {
            let f = format!("--{l}");
            if f.starts_with(prefix) {
                c.push(f, help.clone());
            }
        }
        if let Some(s) = arg.get_short() {
            let f = format!("-{s}");
            if f.starts_with(prefix) {
                c.push(f, help);
            }
        }
    }
    c
}

/// Whether a positional argument is a build context (a directory).
fn is_context(arg: &Arg) -> bool {
    let id = arg.get_id().as_str();
    matches!(arg.get_value_hint(), ValueHint::DirPath)
        || matches!(id, "context" | "path" | "context_path")
        || arg
            .get_value_names()
            .is_some_and(|n| n.iter().any(|n| n.as_str().contains("PATH")))
}

fn complete_positional(cmd: &Command, st: &State<'_>, prefix: &str, cwd: &Path) -> Completion {
    let pos: Vec<&Arg> = cmd.get_positionals().collect();
    let idx = st.positionals.len();
    let arg = pos
        .get(idx)
        .copied()
        .or_else(|| pos.last().copied().filter(|a| is_multiple(a)));
    let mut c = Completion::new(directive::NO_FILE_COMP);
    if idx == 0 && !st.after_dashdash {
        for s in visible_subcommands(cmd) {
            if s.get_name().starts_with(prefix) {
                c.push(s.get_name(), about(s.get_about()));
            }
        }
    }
    let Some(arg) = arg else { return c };
    if is_context(arg) {
        if c.values.is_empty() {
            // Only directories: let the shell list them.
            return Completion::new(directive::FILTER_DIRS);
        }
        // Subcommands and directories side by side.
        let dirs = list_dirs(cwd, prefix);
        if !dirs.is_empty() {
            c.directive = directive::NO_FILE_COMP | directive::NO_SPACE;
            for d in dirs {
                c.push(d, "");
            }
        }
        return c;
    }
    if c.values.is_empty() {
        return value_candidates(arg, prefix)
            .unwrap_or_else(|| Completion::new(hint_directive(arg)));
    }
    c
}

/// Directories (as `path/`) that start with `prefix`, relative to `cwd`;
/// hidden ones only when asked for.
fn list_dirs(cwd: &Path, prefix: &str) -> Vec<String> {
    let (dir, base) = match prefix.rfind('/') {
        Some(i) => (&prefix[..=i], &prefix[i + 1..]),
        None => ("", prefix),
    };
    let Ok(rd) = std::fs::read_dir(cwd.join(dir)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(base) && (base.starts_with('.') || !n.starts_with('.')))
        .map(|n| format!("{dir}{n}/"))
        .collect();
    out.sort();
    out
}

fn hint_directive(arg: &Arg) -> u32 {
    match arg.get_value_hint() {
        ValueHint::DirPath => directive::FILTER_DIRS,
        ValueHint::Other
        | ValueHint::Hostname
        | ValueHint::Url
        | ValueHint::Username
        | ValueHint::EmailAddress
        | ValueHint::CommandName => directive::NO_FILE_COMP,
        _ => directive::DEFAULT,
    }
}

/// Values clap knows (value enums, `value_parser([...])`).
fn value_candidates(arg: &Arg, prefix: &str) -> Option<Completion> {
    let pv = arg.get_possible_values();
    if pv.is_empty() {
        return None;
    }
    let mut c = Completion::new(directive::NO_FILE_COMP);
    for v in pv.iter().filter(|v| !v.is_hide_set()) {
        if v.get_name().starts_with(prefix) {
            c.push(v.get_name(), about(v.get_help()));
        }
    }
    Some(c)
}

fn complete_value(
    cmd: &Command,
    arg: &Arg,
    st: &State<'_>,
    to_complete: &str,
    src: &Sources<'_>,
) -> Completion {
    match Values::of(arg) {
        Some(Values::ProgressModes) => {
            let mut c = Completion::new(directive::NO_FILE_COMP);
            for m in crate::progress::ProgressMode::ALL {
                if m.as_str().starts_with(to_complete) {
                    c.push(m.as_str(), m.about());
                }
            }
            c
        }
        Some(Values::Platforms) => {
            // A comma-separated list: complete the last element.
            let (head, last) = match to_complete.rfind(',') {
                Some(i) => (&to_complete[..=i], &to_complete[i + 1..]),
                None => ("", to_complete),
            };
            let live = (src.platforms)(st.value_of("builder"));
            let (list, desc) = match &live {
                Some(l) if !l.is_empty() => (l.clone(), "supported by the builder"),
                _ => (STATIC_PLATFORMS.iter().map(|s| s.to_string()).collect(), ""),
            };
            let mut c = Completion::new(directive::NO_FILE_COMP);
            for p in list {
                if p.starts_with(last) && !head.split(',').any(|h| h == p) {
                    c.push(format!("{head}{p}"), desc);
                }
            }
            c
        }
        Some(Values::Builders) => {
            let mut c = Completion::new(directive::NO_FILE_COMP);
            for b in builder_names(&src.docker_config) {
                if b.starts_with(to_complete) {
                    c.push(b, "");
                }
            }
            c
        }
        Some(Values::Stages) => {
            let mut c = Completion::new(directive::NO_FILE_COMP);
            if let Some(df) = dockerfile_path(cmd, st, &src.cwd) {
                if let Ok(text) = std::fs::read_to_string(&df) {
                    for (name, base) in dockerfile_stages(&text) {
                        if name.starts_with(to_complete) {
                            c.push(name, format!("FROM {base}"));
                        }
                    }
                }
            }
            c
        }
        Some(Values::Dockerfile) | None => value_candidates(arg, to_complete)
            .unwrap_or_else(|| Completion::new(hint_directive(arg))),
    }
}

/// The Dockerfile a build would read: `-f` (relative to the current
/// directory), else `CONTEXT/Dockerfile`.
fn dockerfile_path(cmd: &Command, st: &State<'_>, cwd: &Path) -> Option<PathBuf> {
    let file_id = cmd
        .get_arguments()
        .find(|a| Values::of(a) == Some(Values::Dockerfile))
        .map(|a| a.get_id().to_string());
    if let Some(f) = file_id.as_deref().and_then(|id| st.value_of(id)) {
        if f == "-" {
            return None;
        }
        return Some(cwd.join(f));
    }
    let context_pos = cmd.get_positionals().position(is_context);
    let ctx = context_pos
        .and_then(|i| st.positionals.get(i))
        .map(String::as_str)
        .filter(|c| *c != "-" && !c.contains("://"))
        .unwrap_or(".");
    Some(cwd.join(ctx).join("Dockerfile"))
}

/// `(stage name, base)` for every `FROM base AS name` of a Dockerfile, in
/// order; keywords are case-insensitive, line continuations are joined.
pub fn dockerfile_stages(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut logical = String::new();
    let mut lines: Vec<String> = Vec::new();
    for raw in text.lines() {
        let t = raw.trim();
        if logical.is_empty() && t.starts_with('#') {
            continue;
        }
        if let Some(body) = t.strip_suffix('\\') {
            logical.push_str(body);
            logical.push(' ');
            continue;
        }
        if !logical.is_empty() && t.starts_with('#') {
            continue;
        }
        logical.push_str(t);
        lines.push(std::mem::take(&mut logical));
    }
    if !logical.is_empty() {
        lines.push(logical);
    }
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words
            .first()
            .is_none_or(|w| !w.eq_ignore_ascii_case("FROM"))
        {
            continue;
        }
        let rest: Vec<&str> = words[1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with("--"))
            .collect();
        if rest.len() >= 3 && rest[1].eq_ignore_ascii_case("AS") {
            let name = rest[2].to_ascii_lowercase();
            if !out.iter().any(|(n, _)| *n == name) {
                out.push((name, rest[0].to_string()));
            }
        }
    }
    out
}

/// Builder names as buildx offers them: the builders of its store, then
/// `default` and every docker context.
pub fn builder_names(docker_config: &Path) -> Vec<String> {
    let mut names: Vec<String> = crate::docker::builders::store_at(docker_config)
        .ok()
        .and_then(|s| s.txn().ok().and_then(|t| t.list().ok()))
        .unwrap_or_default()
        .into_iter()
        .map(|ng| ng.name)
        .collect();
    names.push("default".to_string());
    let meta = docker_config.join("contexts").join("meta");
    if let Ok(rd) = std::fs::read_dir(meta) {
        let mut ctx: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read(e.path().join("meta.json")).ok())
            .filter_map(|d| serde_json::from_slice::<serde_json::Value>(&d).ok())
            .filter_map(|v| v.get("Name").and_then(|n| n.as_str()).map(str::to_string))
            .filter(|n| n != "default")
            .collect();
        ctx.sort();
        for c in ctx {
            if !names.contains(&c) {
                names.push(c);
            }
        }
    }
    names
}

/// Asks the builder for its workers' platforms, giving up after `timeout`.
fn live_platforms(builder: Option<&str>, timeout: Duration) -> Option<Vec<String>> {
    let g = super::args::GlobalOpts {
        builder: builder.map(str::to_string),
        addr: std::env::var("BUILDKIT_HOST").ok(),
        connect_timeout: 1,
        ..Default::default()
    };
    let b = super::builder::resolve(&g, &super::plugin::DockerGlobals::default()).ok()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let r = rt.block_on(async {
        tokio::time::timeout(timeout, async {
            let c = b.connect().await.ok()?;
            c.workers().await.ok()
        })
        .await
        .ok()
        .flatten()
    });
    rt.shutdown_background();
    let mut out: Vec<String> = Vec::new();
    for w in r? {
        for p in w.platforms {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    Some(out)
}

/// Runs a completion request from argv (`argv[1]` is `__complete` or
/// `__completeNoDesc`) and prints the answer. Returns the exit code.
pub fn main(argv: &[std::ffi::OsString]) -> i32 {
    let descriptions = argv.get(1).is_none_or(|a| a != REQUEST_NO_DESC);
    let mut words: Vec<String> = argv
        .iter()
        .skip(2)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Through the docker CLI the plugin's name comes first.
    if std::env::var_os("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND").is_some()
        && words
            .first()
            .is_some_and(|w| w == super::plugin::PLUGIN_NAME)
    {
        words.remove(0);
    }
    let to_complete = words.pop().unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let platforms = |b: Option<&str>| live_platforms(b, Duration::from_millis(1500));
    let src = Sources {
        cwd,
        docker_config: crate::docker::config_dir(),
        platforms: &platforms,
    };
    let c = complete(&words, &to_complete, &src);
    let out = c.render(descriptions);
    use std::io::Write;
    let mut so = std::io::stdout().lock();
    let _ = so.write_all(out.as_bytes());
    let _ = so.flush();
    // Like cobra, say on stderr how it ended (shells ignore stderr).
    eprintln!(
        "Completion ended with directive: {}",
        directive_name(c.directive)
    );
    0
}

fn directive_name(d: u32) -> String {
    if d == directive::DEFAULT {
        return "ShellCompDirectiveDefault".into();
    }
    let names = [
        (directive::ERROR, "ShellCompDirectiveError"),
        (directive::NO_SPACE, "ShellCompDirectiveNoSpace"),
        (directive::NO_FILE_COMP, "ShellCompDirectiveNoFileComp"),
        (
            directive::FILTER_FILE_EXT,
            "ShellCompDirectiveFilterFileExt",
        ),
        (directive::FILTER_DIRS, "ShellCompDirectiveFilterDirs"),
        (directive::KEEP_ORDER, "ShellCompDirectiveKeepOrder"),
    ];
    names
        .iter()
        .filter(|(b, _)| d & b != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(dir: &Path) -> Sources<'static> {
        static NONE: fn(Option<&str>) -> Option<Vec<String>> = |_| None;
        Sources {
            cwd: dir.to_path_buf(),
            docker_config: dir.join("no-config"),
            platforms: &NONE,
        }
    }

    fn run(dir: &Path, words: &[&str]) -> Completion {
        let (last, before) = words.split_last().expect("a word");
        let before: Vec<String> = before.iter().map(|s| s.to_string()).collect();
        complete(&before, last, &src(dir))
    }

    fn names(c: &Completion) -> Vec<&str> {
        c.values.iter().map(|(v, _)| v.as_str()).collect()
    }

    #[test]
    fn stages_are_case_insensitive_and_ordered() {
        let df = "# syntax comment\nFROM local/busybox:latest AS base\nfrom base as Test\n\
                  FROM --platform=$BUILDPLATFORM base AS final\nFROM scratch\n\
                  FROM \\\n  base \\\n  AS cont\n";
        let s = dockerfile_stages(df);
        let n: Vec<&str> = s.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(n, ["base", "test", "final", "cont"]);
        assert_eq!(s[0].1, "local/busybox:latest");
    }

    #[test]
    fn directive_numbers_are_cobras() {
        assert_eq!(
            (
                directive::ERROR,
                directive::NO_SPACE,
                directive::NO_FILE_COMP,
                directive::FILTER_FILE_EXT,
                directive::FILTER_DIRS,
                directive::KEEP_ORDER
            ),
            (1, 2, 4, 8, 16, 32)
        );
        let c = Completion {
            values: vec![
                ("a".into(), "desc. More.\nsecond".into()),
                ("b".into(), String::new()),
            ],
            directive: 4,
        };
        assert_eq!(c.render(true), "a\tdesc. More\nb\n:4\n");
        assert_eq!(c.render(false), "a\nb\n:4\n");
    }

    #[test]
    fn subcommands_and_flags() {
        let d = tempfile::tempdir().unwrap();
        let c = run(d.path(), &["ver"]);
        assert_eq!(names(&c), ["version"]);
        assert_eq!(c.directive, directive::NO_FILE_COMP);
        let c = run(d.path(), &["version", "--"]);
        assert!(names(&c).contains(&"--format"), "{c:?}");
        assert!(names(&c).contains(&"--builder"), "{c:?}");
        let c = run(d.path(), &["version", "--format", "--f"]);
        assert!(
            !names(&c).contains(&"--format"),
            "used flags are not offered again: {c:?}"
        );
        let c = run(d.path(), &["version", "--format", ""]);
        assert_eq!(names(&c), ["text", "json"]);
        let c = run(d.path(), &["version", "--format=j"]);
        assert_eq!(names(&c), ["json"]);
        // No builder answers: a static platform list.
        let c = run(d.path(), &["--platform", "linux/arm"]);
        assert_eq!(names(&c), ["linux/arm64", "linux/arm/v7", "linux/arm/v6"]);
        // Hidden commands stay hidden.
        let c = run(d.path(), &[""]);
        assert!(
            !names(&c)
                .iter()
                .any(|n| n.starts_with("docker-cli") || n.starts_with("__")),
            "{c:?}"
        );
    }

    /// A build command shaped like buildx's, independent of `Cli`.
    fn build_like() -> Command {
        use clap::{Arg, ArgAction};
        let flags = |c: Command| {
            c.arg(
                Arg::new("file")
                    .short('f')
                    .long("file")
                    .value_parser(clap::value_parser!(PathBuf)),
            )
            .arg(Arg::new("target").long("target"))
            .arg(Arg::new("progress").long("progress"))
            .arg(
                Arg::new("tag")
                    .short('t')
                    .long("tag")
                    .action(ArgAction::Append),
            )
            .arg(
                Arg::new("platform")
                    .long("platform")
                    .action(ArgAction::Append),
            )
            .arg(Arg::new("pull").long("pull").action(ArgAction::SetTrue))
            .arg(Arg::new("context").value_name("PATH|-"))
        };
        flags(Command::new("docker rkbuild"))
            .arg(Arg::new("builder").long("builder").global(true))
            .subcommand(flags(Command::new("build").about("Start a build")))
            .subcommand(Command::new("version").about("Show versions"))
    }

    fn run_in(dir: &Path, words: &[&str]) -> Completion {
        let (last, before) = words.split_last().expect("a word");
        let before: Vec<String> = before.iter().map(|s| s.to_string()).collect();
        let s = Sources {
            cwd: dir.to_path_buf(),
            docker_config: dir.join("no-config"),
            platforms: &|_| Some(vec!["linux/amd64".into(), "linux/386".into()]),
        };
        complete_in(build_like(), &before, last, &s)
    }

    #[test]
    fn target_lists_stages_of_the_selected_dockerfile() {
        let d = tempfile::tempdir().unwrap();
        let df = "FROM local/busybox:latest AS base\nFROM base as test\nfrom base AS final\n";
        std::fs::write(d.path().join("Dockerfile"), df).unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("sub/Dockerfile"), "FROM scratch AS only\n").unwrap();
        std::fs::write(
            d.path().join("other.Dockerfile"),
            "FROM scratch AS x1\nFROM x1 AS x2\n",
        )
        .unwrap();
        for words in [
            &["--target", ""][..],
            &["build", "--target", ""],
            &["build", ".", "--target", ""],
        ] {
            let c = run_in(d.path(), words);
            assert_eq!(names(&c), ["base", "test", "final"], "{words:?}");
            assert_eq!(c.directive, directive::NO_FILE_COMP);
        }
        assert_eq!(names(&run_in(d.path(), &["--target", "f"])), ["final"]);
        assert_eq!(names(&run_in(d.path(), &["--target=t"])), ["test"]);
        assert_eq!(names(&run_in(d.path(), &["sub", "--target", ""])), ["only"]);
        let c = run_in(
            d.path(),
            &["build", "-f", "other.Dockerfile", "--target", ""],
        );
        assert_eq!(names(&c), ["x1", "x2"]);
        let c = run_in(
            d.path(),
            &["build", "--file=other.Dockerfile", "--target", ""],
        );
        assert_eq!(names(&c), ["x1", "x2"]);
        // No Dockerfile: nothing, and no file names either.
        let c = run_in(&d.path().join("sub/none"), &["--target", ""]);
        assert_eq!(c, Completion::new(directive::NO_FILE_COMP));
    }

    #[test]
    fn values_of_progress_platform_and_context() {
        let d = tempfile::tempdir().unwrap();
        let c = run_in(d.path(), &["--progress", ""]);
        assert_eq!(names(&c), ["auto", "plain", "tty", "rawjson", "quiet"]);
        let c = run_in(d.path(), &["build", "--progress", "p"]);
        assert_eq!(names(&c), ["plain"]);
        let c = run_in(d.path(), &["--platform", ""]);
        assert_eq!(names(&c), ["linux/amd64", "linux/386"]);
        let c = run_in(d.path(), &["--platform", "linux/amd64,"]);
        assert_eq!(names(&c), ["linux/amd64,linux/386"]);
        // The context of `build` is a directory: the shell lists them.
        let c = run_in(d.path(), &["build", ""]);
        assert_eq!(c, Completion::new(directive::FILTER_DIRS));
        let c = run_in(d.path(), &["build", "--pull", "-t", "x", ""]);
        assert_eq!(c, Completion::new(directive::FILTER_DIRS));
        // After the context, nothing more.
        let c = run_in(d.path(), &["build", ".", ""]);
        assert_eq!(c, Completion::new(directive::NO_FILE_COMP));
        // -f takes a file name.
        assert_eq!(
            run_in(d.path(), &["-f", ""]),
            Completion::new(directive::DEFAULT)
        );
        // Flags: repeatable ones stay, used ones go.
        let c = run_in(d.path(), &["build", "--pull", "-t", "x", "--"]);
        let n = names(&c);
        assert!(
            n.contains(&"--tag") && !n.contains(&"--pull") && n.contains(&"--builder"),
            "{n:?}"
        );
    }

    #[test]
    fn root_offers_subcommands_and_directories() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("bundle")).unwrap();
        std::fs::create_dir(d.path().join(".hidden")).unwrap();
        let cwd = d.path();
        let c = run_in(cwd, &[""]);
        assert_eq!(names(&c), ["build", "version", "bundle/"]);
        assert_eq!(c.directive, directive::NO_FILE_COMP | directive::NO_SPACE);
        let c = run_in(cwd, &["b"]);
        assert_eq!(names(&c), ["build", "bundle/"]);
        let c = run_in(cwd, &["vers"]);
        assert_eq!(names(&c), ["version"]);
        assert_eq!(c.directive, directive::NO_FILE_COMP);
        let c = run_in(cwd, &["."]);
        assert_eq!(
            c,
            Completion::new(directive::FILTER_DIRS),
            "only directories: the shell lists them"
        );
        let c = run_in(cwd, &["zzz-nothing"]);
        assert_eq!(c, Completion::new(directive::FILTER_DIRS));
    }

    #[test]
    fn builder_names_from_contexts() {
        let d = tempfile::tempdir().unwrap();
        let m = d.path().join("contexts/meta/abc");
        std::fs::create_dir_all(&m).unwrap();
        std::fs::write(m.join("meta.json"), r#"{"Name":"remote","Endpoints":{}}"#).unwrap();
        assert_eq!(builder_names(d.path()), ["default", "remote"]);
        // Builders of buildx's store come first.
        std::fs::create_dir_all(d.path().join("buildx/instances")).unwrap();
        std::fs::write(
            d.path().join("buildx/instances/mybk"),
            r#"{"Name":"mybk","Driver":"remote","Nodes":[],"Dynamic":false}"#,
        )
        .unwrap();
        assert_eq!(builder_names(d.path()), ["mybk", "default", "remote"]);
        let s = Sources {
            cwd: d.path().to_path_buf(),
            docker_config: d.path().to_path_buf(),
            platforms: &|_| None,
        };
        let c = complete(&["--builder".into()], "r", &s);
        assert_eq!(names(&c), ["remote"]);
        for cmd in ["use", "rm", "inspect", "stop"] {
            let c = complete(&[cmd.into()], "m", &s);
            assert_eq!(names(&c), ["mybk"], "{cmd}");
        }
    }
}
