//! Shell completion scripts and man pages, generated from the clap
//! definition (`Cli::command()`), so they always describe the flags that
//! exist. The checked-in copies under `completions/` and `packaging/man/`
//! are kept in sync by a test; regenerate them with
//!
//! ```text
//! cargo run -- __generate all .
//! ```
//!
//! Hidden command: `docker-rkbuild __generate completion bash|zsh|fish`,
//! `docker-rkbuild __generate man [NAME]` (prints to stdout) and
//! `docker-rkbuild __generate all DIR` (writes `DIR/completions/*` and
//! `DIR/packaging/man/*.1`).

use std::ffi::OsString;
use std::path::Path;

use clap::{Command, CommandFactory};
use clap_complete::Shell;

use super::args::Cli;

/// The request word.
pub const REQUEST: &str = "__generate";

/// The name the standalone binary is installed under.
pub const BIN: &str = "docker-rkbuild";

/// The command tree as documented: named after the binary, without the
/// hidden commands (clap_complete would offer them).
pub fn command() -> Command {
    let root = Cli::command();
    let mut cmd = Command::new(BIN)
        .bin_name(BIN)
        .display_name(BIN)
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .version(env!("CARGO_PKG_VERSION"));
    if let Some(a) = root.get_about() {
        cmd = cmd.about(a.clone());
    }
    if let Some(a) = root.get_long_about() {
        cmd = cmd.long_about(a.clone());
    }
    for a in root.get_arguments() {
        cmd = cmd.arg(a.clone());
    }
    for s in root.get_subcommands().filter(|s| !s.is_hide_set()) {
        cmd = cmd.subcommand(s.clone());
    }
    cmd
}

/// Completion files: `(path relative to the repository, contents)`.
pub fn completion_files() -> Vec<(String, Vec<u8>)> {
    [
        (Shell::Bash, format!("completions/{BIN}.bash")),
        (Shell::Zsh, format!("completions/_{BIN}")),
        (Shell::Fish, format!("completions/{BIN}.fish")),
    ]
    .into_iter()
    .map(|(sh, path)| (path, completion(sh)))
    .collect()
}

/// One shell's completion script.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = command();
    let mut buf = Vec::new();
    if shell == Shell::Bash {
        // clap_complete's bash script names its cases inconsistently when
        // the binary's name has a '-' (`docker__rkbuild` vs
        // `docker__subcmd__rkbuild`) and then never completes subcommands:
        // generate for a name without one, then put the real name back.
        const TMP: &str = "rkbuildbinplaceholder";
        clap_complete::generate(shell, &mut cmd, TMP, &mut buf);
        let text = String::from_utf8_lossy(&buf)
            .replace(&format!(" {TMP}\n"), &format!(" {BIN}\n"))
            .replace(TMP, "docker_rkbuild");
        return strip_hidden(shell, &text, &cmd).into_bytes();
    }
    clap_complete::generate(shell, &mut cmd, BIN, &mut buf);
    strip_hidden(shell, &String::from_utf8_lossy(&buf), &cmd).into_bytes()
}
/// Long and short names of the hidden flags of `cmd` and its subcommands.
fn hidden_flags(cmd: &Command) -> (Vec<String>, Vec<char>) {
    let mut longs = Vec::new();
    let mut shorts = Vec::new();
    let mut stack = vec![cmd.clone()];
    while let Some(c) = stack.pop() {
        for a in c
            .get_arguments()
            .filter(|a| a.is_hide_set() && !a.is_positional())
        {
            if let Some(l) = a.get_long() {
                if !longs.iter().any(|x| x == l) {
                    longs.push(l.to_string());
                }
            }
            if let Some(s) = a.get_short() {
                if !shorts.contains(&s) {
                    shorts.push(s);
                }
            }
        }
        stack.extend(c.get_subcommands().cloned());
    }
    (longs, shorts)
}

/// clap_complete writes hidden flags into the scripts; the docker CLI's
/// own completion (`__complete`) does not offer them, and neither should
/// these: drop their lines, cases and words.
fn strip_hidden(shell: Shell, text: &str, cmd: &Command) -> String {
    let (longs, shorts) = hidden_flags(cmd);
    let is_hidden = |flag: &str| {
        if let Some(l) = flag.strip_prefix("--") {
            longs.iter().any(|x| x == l)
        } else if let Some(s) = flag.strip_prefix('-') {
            let mut it = s.chars();
            matches!((it.next(), it.next()), (Some(c), None) if shorts.contains(&c))
        } else {
            false
        }
    };
    let mut out = Vec::new();
    let mut skipping_case = false;
    for line in text.lines() {
        let t = line.trim();
        match shell {
            Shell::Bash => {
                if skipping_case {
                    if t == ";;" {
                        skipping_case = false;
                    }
                    continue;
                }
                if let Some(flag) = t.strip_suffix(')') {
                    if is_hidden(flag) {
                        skipping_case = true;
                        continue;
                    }
                }
                if t.starts_with("opts=\"") {
                    let kept: Vec<&str> = line
                        .split(' ')
                        .filter(|w| !is_hidden(w.trim_matches('"')))
                        .collect();
                    let mut l = kept.join(" ");
                    if !l.ends_with('"') {
                        l.push('"');
                    }
                    out.push(l);
                    continue;
                }
            }
            Shell::Zsh => {
                let body = t.trim_start_matches('\'').trim_start_matches('*');
                let body = match body.strip_prefix('(') {
                    Some(r) => r.split_once(')').map(|(_, r)| r).unwrap_or(r),
                    None => body,
                };
                let body = body.trim_start_matches('*');
                let flag: String = body
                    .chars()
                    .take_while(|c| !matches!(c, '[' | '=' | '+' | '\'' | ' '))
                    .collect();
                if t.starts_with('\'') && is_hidden(&flag) {
                    continue;
                }
            }
            Shell::Fish => {
                if t.starts_with("complete ") {
                    let words: Vec<&str> = t.split_whitespace().collect();
                    let hidden = words.windows(2).any(|w| {
                        (w[0] == "-l" && longs.iter().any(|x| x == w[1]))
                            || (w[0] == "-s"
                                && w[1].len() == 1
                                && shorts.contains(&w[1].chars().next().unwrap_or(' '))
                                && !words.contains(&"-l"))
                    });
                    if hidden {
                        continue;
                    }
                }
                if t.starts_with("string join") {
                    let kept: Vec<&str> = line
                        .split(' ')
                        .filter(|w| {
                            let name = w.trim_end_matches('=');
                            let long = name.rsplit('/').next().unwrap_or(name);
                            !longs.iter().any(|x| x == long) || w.is_empty()
                        })
                        .collect();
                    out.push(kept.join(" "));
                    continue;
                }
            }
            _ => {}
        }
        out.push(line.to_string());
    }
    let mut s = out.join("\n");
    if text.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Man pages: `(path relative to the repository, roff)`, the main page
/// `docker-rkbuild.1` and one `docker-rkbuild-SUB.1` per visible subcommand.
pub fn man_files() -> Vec<(String, Vec<u8>)> {
    let mut cmd = command();
    cmd.build();
    let mut out = Vec::new();
    let subs: Vec<Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    out.push(man_page(cmd.clone(), true));
    for s in subs {
        out.push(man_page(s, false));
    }
    out
}

fn man_page(cmd: Command, root: bool) -> (String, Vec<u8>) {
    let man = clap_mangen::Man::new(cmd)
        .source(format!("rkbuild v{}", env!("CARGO_PKG_VERSION")))
        .manual("rkbuild manual");
    let name = format!("packaging/man/{}", man.get_filename());
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render(&mut buf);
    if root {
        buf.extend_from_slice(ROOT_EXTRA.as_bytes());
    } else {
        buf.extend_from_slice(b".SH \"SEE ALSO\"\n\\fBdocker-rkbuild\\fR(1)\n");
    }
    (name, buf)
}

const ROOT_EXTRA: &str = r#".SH "DOCKER CLI PLUGIN"
docker\-rkbuild is a docker CLI plugin: installed as
\fI/usr/libexec/docker/cli\-plugins/docker\-rkbuild\fR (system\-wide) or
\fI~/.docker/cli\-plugins/docker\-rkbuild\fR (per user), it runs as
\fBdocker rkbuild\fR. With \fB"aliases": {"builder": "rkbuild"}\fR in
\fI~/.docker/config.json\fR, \fBdocker build\fR, \fBdocker image build\fR and
\fBdocker builder\fR run it too. It also works when run directly.
.SH ENVIRONMENT
.TP
\fBDOCKER_HOST\fR, \fBDOCKER_CONTEXT\fR, \fBDOCKER_CONFIG\fR
Select the docker daemon whose BuildKit is used, as for the docker CLI.
.TP
\fBBUILDKIT_HOST\fR
Address of a BuildKit daemon to use instead (same as \fB\-\-addr\fR).
.TP
\fBBUILDX_BUILDER\fR
Builder name (same as \fB\-\-builder\fR).
.SH "SEE ALSO"
\fBdocker\fR(1), \fBdocker\-buildx\-build\fR(1)
"#;

/// Every generated file.
pub fn all_files() -> Vec<(String, Vec<u8>)> {
    let mut v = completion_files();
    v.extend(man_files());
    v
}

/// Writes every generated file under `root`.
pub fn write_all(root: &Path) -> std::io::Result<Vec<String>> {
    let mut written = Vec::new();
    for (rel, data) in all_files() {
        let p = root.join(&rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, data)?;
        written.push(rel);
    }
    Ok(written)
}

/// Runs `__generate ...` (`argv[1]` is the request word). Returns the exit code.
pub fn main(argv: &[OsString]) -> i32 {
    let args: Vec<String> = argv
        .iter()
        .skip(2)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let print = |data: &[u8]| {
        use std::io::Write;
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(data);
    };
    match words.as_slice() {
        ["completion", sh] => {
            let shell = match *sh {
                "bash" => Shell::Bash,
                "zsh" => Shell::Zsh,
                "fish" => Shell::Fish,
                other => {
                    eprintln!("ERROR: unknown shell {other:?} (hint: bash, zsh or fish)");
                    return 1;
                }
            };
            print(&completion(shell));
            0
        }
        ["man"] | ["man", _] => {
            let want = match words.get(1) {
                Some(n) => format!("packaging/man/{}.1", n.trim_end_matches(".1")),
                None => format!("packaging/man/{BIN}.1"),
            };
            match man_files().into_iter().find(|(n, _)| *n == want) {
                Some((_, data)) => {
                    print(&data);
                    0
                }
                None => {
                    eprintln!("ERROR: no man page {want}");
                    1
                }
            }
        }
        ["all", dir] => match write_all(Path::new(dir)) {
            Ok(files) => {
                for f in files {
                    println!("{f}");
                }
                0
            }
            Err(e) => {
                eprintln!("ERROR: cannot write generated files under {dir}: {e}");
                1
            }
        },
        _ => {
            eprintln!("usage: {BIN} {REQUEST} completion bash|zsh|fish | man [NAME] | all DIR");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_for_the_binary() {
        let names: Vec<String> = all_files().into_iter().map(|(n, _)| n).collect();
        assert!(
            names.contains(&"completions/docker-rkbuild.bash".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"completions/_docker-rkbuild".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"completions/docker-rkbuild.fish".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"packaging/man/docker-rkbuild.1".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"packaging/man/docker-rkbuild-version.1".to_string()),
            "{names:?}"
        );
        assert!(
            !names
                .iter()
                .any(|n| n.contains("metadata") || n.contains("__")),
            "{names:?}"
        );
    }

    #[test]
    fn man_page_documents_flags() {
        let (_, page) = &man_files()[0];
        let page = String::from_utf8_lossy(page);
        assert!(page.contains(".TH docker-rkbuild 1"), "{page}");
        assert!(page.contains("\\-\\-builder"), "{page}");
        assert!(page.contains("DOCKER CLI PLUGIN"), "{page}");
    }

    #[test]
    fn bash_script_completes_the_binary() {
        let s = String::from_utf8(completion(Shell::Bash)).unwrap();
        assert!(
            s.contains(
                "complete -F _docker_rkbuild -o nosort -o bashdefault -o default docker-rkbuild\n"
            ),
            "{s}"
        );
        assert!(s.contains("--builder"), "{s}");
    }
}
