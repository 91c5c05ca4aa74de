//! The plugin inside the real docker CLI: help, the plugin socket, the
//! `builder` alias (`docker build`, `docker image build`, `docker builder
//! du|prune|ls`), cobra completion through `docker __complete`, and the
//! generated completion scripts and man pages being up to date.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const ALIAS: &str = r#"{"aliases":{"builder":"rkbuild"}}"#;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A context directory with a three-stage Dockerfile.
fn stages_context() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join("Dockerfile"),
        "FROM local/busybox:latest AS base\nFROM base as test\nRUN true\nfrom base AS final\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("Other.Dockerfile"),
        "FROM scratch AS lonely\n",
    )
    .unwrap();
    std::fs::create_dir(d.path().join("subdir")).unwrap();
    d
}

/// Parses cobra's answer: candidate values and the directive.
fn parse_completion(out: &str) -> (Vec<String>, u32) {
    let mut values = Vec::new();
    let mut directive = None;
    for l in out.lines() {
        if let Some(d) = l.strip_prefix(':') {
            directive = Some(
                d.parse()
                    .unwrap_or_else(|_| panic!("bad directive in {out:?}")),
            );
        } else {
            values.push(l.split('\t').next().unwrap_or("").to_string());
        }
    }
    (
        values,
        directive.unwrap_or_else(|| panic!("no directive in {out:?}")),
    )
}

// ------------------------------------------------------------- help, argv

#[test]
fn help_through_docker_cli() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let help = ok(cfg.docker(env).args(["rkbuild", "--help"]));
    assert!(help.contains("Usage: docker rkbuild"), "{help}");
    assert!(help.contains("--target"), "{help}");
    assert_eq!(help, ok(cfg.docker(env).args(["help", "rkbuild"])));
    // Subcommand help too.
    let h = ok(cfg.docker(env).args(["rkbuild", "prune", "--help"]));
    assert!(h.contains("--keep-storage") && h.contains("--force"), "{h}");
}

#[test]
fn argv_as_docker_passes_it_is_understood_standalone() {
    // What the docker CLI runs: docker-rkbuild [GLOBAL FLAGS] rkbuild ARGS,
    // with DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND set to its own path.
    let out = run(Command::new(rkbuild_bin())
        .args(["-D", "--config", "/nonexistent-cfg", "rkbuild", "--help"])
        .env(
            "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND",
            "/usr/local/bin/docker",
        ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Usage: docker rkbuild"));
    // Without it, the same argv is the plugin's own: `rkbuild` is no command.
    let out = run(Command::new(rkbuild_bin())
        .args(["rkbuild", "--help"])
        .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(Command::new(rkbuild_bin())
        .args(["--version"])
        .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"));
    assert_eq!(
        stdout(&out),
        format!("rkbuild v{}\n", env!("CARGO_PKG_VERSION"))
    );
}

// ------------------------------------------------------ the plugin socket

/// A TCP "BuildKit" that accepts connections and never answers: any
/// command against it hangs until canceled.
struct Tarpit {
    addr: String,
    _thread: std::thread::JoinHandle<()>,
}

impl Tarpit {
    fn start() -> Tarpit {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = format!("tcp://{}", l.local_addr().unwrap());
        let t = std::thread::spawn(move || {
            let mut held = Vec::new();
            // Bounded: a handful of connections, then stop accepting.
            for c in l.incoming().take(8).flatten() {
                held.push(c);
            }
            std::thread::sleep(Duration::from_secs(120));
        });
        Tarpit { addr, _thread: t }
    }
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(st)) = child.try_wait() {
            return Some(st);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn plugin_socket_eof_cancels_a_running_command() {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixListener};
    let tarpit = Tarpit::start();
    let name = format!("rkbuild-test-{}-{}", std::process::id(), rand_suffix());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).expect("abstract name");
    let listener = UnixListener::bind_addr(&addr).expect("bind abstract socket");
    let mut child = Command::new(rkbuild_bin())
        .args([
            "rkbuild",
            "--addr",
            &tarpit.addr,
            "--connect-timeout",
            "120",
            "version",
        ])
        .env("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND", "docker")
        .env("DOCKER_CLI_PLUGIN_SOCKET", format!("@{name}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (conn, _) = listener
        .accept()
        .expect("the plugin connects to the socket");
    // Still running while the socket is open.
    assert!(
        wait_exit(&mut child, Duration::from_millis(700)).is_none(),
        "exited early"
    );
    drop(conn);
    let st = wait_exit(&mut child, Duration::from_secs(5));
    let Some(st) = st else {
        let _ = child.kill();
        panic!("the plugin did not exit within 5s of the socket's EOF");
    };
    assert_eq!(st.code(), Some(130), "canceled exit code");
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0)
}

/// The docker CLI's own pid's children.
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            // pid (comm) state ppid ...
            let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
            let ppid = after
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse::<u32>().ok());
            if ppid == Some(pid) {
                out.push(p);
            }
        }
    }
    out
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let st = s.rsplit_once(')').map(|x| x.1.trim_start().chars().next());
            !matches!(st, Some(Some('Z')) | Some(None))
        })
        .unwrap_or(false)
}

#[test]
fn docker_cli_interrupt_or_death_stops_the_plugin() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let tarpit = Tarpit::start();
    for signal in ["INT", "KILL"] {
        let mut docker = cfg
            .docker(env)
            .args([
                "rkbuild",
                "--addr",
                &tarpit.addr,
                "--connect-timeout",
                "120",
                "version",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn docker");
        // Wait for the plugin to run under docker (the docker CLI first runs
        // `docker-rkbuild docker-cli-plugin-metadata`: skip that one).
        let start = Instant::now();
        let plugin = loop {
            let running = children_of(docker.id()).into_iter().find(|p| {
                std::fs::read(format!("/proc/{p}/cmdline"))
                    .map(|c| String::from_utf8_lossy(&c).contains("--connect-timeout"))
                    .unwrap_or(false)
            });
            if let Some(p) = running {
                break p;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "plugin never started"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(500));
        assert!(alive(plugin), "plugin exited before the signal");
        let st = Command::new("kill")
            .args([format!("-{signal}"), docker.id().to_string()])
            .status()
            .expect("kill");
        assert!(st.success());
        let start = Instant::now();
        while alive(plugin) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let still = alive(plugin);
        if still {
            let _ = Command::new("kill")
                .args(["-KILL", &plugin.to_string()])
                .status();
        }
        let _ = docker.kill();
        let _ = docker.wait();
        assert!(
            !still,
            "plugin still running 5s after SIG{signal} to the docker CLI"
        );
    }
}

// --------------------------------------------------------- builder alias

#[test]
fn builder_alias_routes_docker_build_and_builder_to_rkbuild() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    cfg.write_config(ALIAS);
    // `docker builder X` runs `rkbuild X`: `version` is ours only.
    let out = ok(cfg.docker(env).args(["builder", "version"]));
    assert!(
        out.contains(&format!("rkbuild v{}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    // `docker build --help` is `rkbuild build --help`.
    let help = ok(cfg.docker(env).args(["build", "--help"]));
    assert!(help.contains("Usage: docker rkbuild build"), "{help}");
    let help = ok(cfg.docker(env).args(["image", "build", "--help"]));
    assert!(help.contains("Usage: docker rkbuild build"), "{help}");
    // builder ls: buildx's table of every builder, the current one ours.
    let ls = ok(cfg.docker(env).args(["builder", "ls"]));
    let bx = ok(cfg.docker(env).args(["buildx", "ls"]));
    assert_eq!(ls, bx);
    let lines: Vec<&str> = ls.lines().collect();
    assert!(lines[0].starts_with("NAME/NODE"), "{ls}");
    let i = lines
        .iter()
        .position(|l| l.starts_with("default*"))
        .unwrap_or_else(|| panic!("{ls}"));
    assert!(lines[i].contains(" docker "), "{ls}");
    assert!(
        lines[i + 1].contains("running") && lines[i + 1].contains("linux/amd64"),
        "{ls}"
    );
    // builder du: buildx's table and summary.
    let du = ok(cfg.docker(env).args(["builder", "du"]));
    assert!(
        du.starts_with("ID\t\t\t\t\t\tRECLAIMABLE\tSIZE\t\tLAST ACCESSED\n"),
        "{du}"
    );
    assert!(du.contains("\nTotal:\t"), "{du}");
    // builder prune: forced, with a filter that matches nothing (the daemon
    // is shared: never prune other tests' cache).
    let pr = ok(cfg.docker(env).args([
        "builder",
        "prune",
        "-f",
        "--filter",
        "id=rkbuild-no-such-record",
    ]));
    assert_eq!(pr, "Total:\t0B\n");
    // Without -f it asks, and "n" keeps everything.
    let mut child = cfg
        .docker(env)
        .args(["builder", "prune", "--filter", "id=rkbuild-no-such-record"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] "
    );
}

#[test]
fn builder_alias_builds_with_docker_build_and_docker_image_build() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    cfg.write_config(ALIAS);
    let ctx = tempfile::tempdir().unwrap();
    let token = format!("alias-{}", rand_suffix());
    std::fs::write(
        ctx.path().join("Dockerfile"),
        format!("FROM {}\nRUN echo {token} > /token\n", env.base_image),
    )
    .unwrap();
    let addr = format!("docker+{}", env.docker_host);
    for argv in [&["build"][..], &["image", "build"]] {
        // --addr is an rkbuild flag: buildx would reject it, so this proves
        // who ran the build.
        let o = run(cfg
            .docker(env)
            .args(argv)
            .args(["--addr", &addr, "--progress=plain", "."])
            .current_dir(ctx.path()));
        assert!(
            o.status.success(),
            "docker {argv:?} failed:\n{}\n{}",
            stdout(&o),
            stderr(&o)
        );
        let err = stderr(&o);
        assert!(err.contains(&format!("echo {token}")), "{err}");
    }
    // Docker's global flags before the aliased command.
    let o = run(cfg
        .docker(env)
        .args(["-D", "build", "--addr", &addr, "-q", "."])
        .current_dir(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
}

// ------------------------------------------------------------- completion

#[test]
fn completion_through_docker_cli() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = stages_context();
    let complete = |args: &[&str]| {
        let o = run(cfg
            .docker(env)
            .arg("__complete")
            .arg("rkbuild")
            .args(args)
            .current_dir(ctx.path()));
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        parse_completion(&stdout(&o))
    };
    // The issue's example: stages of ./Dockerfile, in order.
    assert_eq!(
        complete(&["--target", ""]),
        (vec!["base".into(), "test".into(), "final".into()], 4)
    );
    assert_eq!(
        complete(&["build", "--target", "f"]),
        (vec!["final".into()], 4)
    );
    assert_eq!(
        complete(&["-f", "Other.Dockerfile", "--target", ""]),
        (vec!["lonely".into()], 4)
    );
    assert_eq!(complete(&["--target=t"]), (vec!["test".into()], 4));
    // Progress values.
    let (v, d) = complete(&["--progress", ""]);
    assert_eq!(
        (v, d),
        (
            ["auto", "plain", "tty", "rawjson", "quiet"]
                .map(String::from)
                .to_vec(),
            4
        )
    );
    // Platforms: asked from the daemon's workers.
    let (v, d) = complete(&["build", "--platform", ""]);
    assert!(v.contains(&"linux/amd64".to_string()) && d == 4, "{v:?}");
    // Builders: buildx's store (the test environment's remote builder),
    // then the docker contexts.
    let (v, _) = complete(&["--builder", ""]);
    let mut want: Vec<String> = Vec::new();
    if !env.buildx_remote.is_empty() {
        want.push(env.buildx_remote.clone());
    }
    want.push("default".into());
    assert_eq!(v, want);
    // Subcommands and context directories.
    let (v, d) = complete(&[""]);
    for want in ["build", "version", "du", "prune", "ls", "subdir/"] {
        assert!(v.contains(&want.to_string()), "{want} missing from {v:?}");
    }
    assert!(
        !v.iter()
            .any(|x| x.starts_with("docker-cli") || x.starts_with("__")),
        "{v:?}"
    );
    assert_eq!(d, 6);
    assert_eq!(complete(&["build", ""]), (vec![], 16));
    // Flags.
    let (v, _) = complete(&["build", "--ta"]);
    assert_eq!(v, ["--tag", "--target"]);
    let (v, _) = complete(&["prune", "-"]);
    for want in [
        "--all",
        "-a",
        "--filter",
        "--force",
        "-f",
        "--keep-storage",
        "--verbose",
    ] {
        assert!(v.contains(&want.to_string()), "{want} missing from {v:?}");
    }
}

#[test]
fn completion_standalone_and_without_descriptions() {
    let ctx = stages_context();
    let o = run(Command::new(rkbuild_bin())
        .args(["__complete", "--target", ""])
        .current_dir(ctx.path())
        .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"));
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        "base\tFROM local/busybox:latest\ntest\tFROM base\nfinal\tFROM base\n:4\n"
    );
    assert!(
        stderr(&o).contains("ShellCompDirectiveNoFileComp"),
        "{}",
        stderr(&o)
    );
    let o = run(Command::new(rkbuild_bin())
        .args(["__completeNoDesc", "--target", ""])
        .current_dir(ctx.path()));
    assert_eq!(stdout(&o), "base\ntest\nfinal\n:4\n");
}

#[test]
fn bash_completion_script_works() {
    let script = repo().join("completions/docker-rkbuild.bash");
    // Source the script, complete `docker-rkbuild build --ta<TAB>`.
    let prog = format!(
        ". {}\nCOMP_WORDS=(docker-rkbuild build --ta)\nCOMP_CWORD=2\nCOMP_LINE='docker-rkbuild build --ta'\n\
         COMP_POINT=${{#COMP_LINE}}\n_docker_rkbuild docker-rkbuild --ta build\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display()
    );
    let out = ok(Command::new("bash").args(["-c", &prog]));
    let words: Vec<&str> = out.lines().collect();
    assert!(
        words.contains(&"--target") && words.contains(&"--tag"),
        "{out}"
    );
    for f in [
        "completions/_docker-rkbuild",
        "completions/docker-rkbuild.fish",
    ] {
        assert!(repo().join(f).exists(), "{f}");
    }
}

// ---------------------------------------------------- generated files

fn list_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn generated_completions_and_man_pages_are_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ok(Command::new(rkbuild_bin())
        .args(["__generate", "all"])
        .arg(tmp.path()));
    let generated: Vec<&str> = out.lines().collect();
    assert!(generated.len() >= 5, "{out}");
    let regen = std::env::var("RKBUILD_REGENERATE").as_deref() == Ok("1");
    let mut stale = Vec::new();
    for rel in &generated {
        let want = std::fs::read(tmp.path().join(rel)).unwrap();
        let have = std::fs::read(repo().join(rel)).unwrap_or_default();
        if want != have {
            if regen {
                std::fs::write(repo().join(rel), &want).unwrap();
            } else {
                stale.push(rel.to_string());
            }
        }
    }
    // Nothing left over from commands that no longer exist.
    for dir in ["completions", "packaging/man"] {
        for f in list_files(&repo().join(dir)) {
            let rel = format!("{dir}/{f}");
            if f != "README.md" && !generated.contains(&rel.as_str()) {
                if regen {
                    std::fs::remove_file(repo().join(&rel)).unwrap();
                } else {
                    stale.push(format!("{rel} (not generated any more)"));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}\nregenerate with `cargo run -- __generate all .` \
         (or RKBUILD_REGENERATE=1 cargo test --test cli_integration generated) and commit"
    );
}

#[test]
fn man_page_renders_without_warnings() {
    for f in list_files(&repo().join("packaging/man")) {
        if !f.ends_with(".1") {
            continue;
        }
        let path = repo().join("packaging/man").join(&f);
        let o = run(Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&path));
        assert!(o.status.success(), "groff {f}: {}", stderr(&o));
        assert!(
            stderr(&o).trim().is_empty(),
            "groff warnings for {f}:\n{}",
            stderr(&o)
        );
    }
    let o = ok(Command::new("man")
        .args(["-l"])
        .arg(repo().join("packaging/man/docker-rkbuild.1"))
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat"));
    assert!(
        o.contains("docker-rkbuild") && o.contains("--builder"),
        "{o}"
    );
}

/// A closed stdout (`docker rkbuild du | head -0`) ends the command
/// normally, for every command that prints: no panic, no error, status 0.
#[test]
fn closed_stdout_is_a_normal_end() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    for args in [&["du"][..], &["du", "--verbose"], &["version"], &["ls"]] {
        let mut child = cfg
            .rkbuild_standalone(env)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start docker-rkbuild");
        // Close the reading end before the command writes.
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert!(
            o.status.success(),
            "{args:?}: {:?}\n{}",
            o.status,
            stderr(&o)
        );
        assert!(stderr(&o).is_empty(), "{args:?}: {}", stderr(&o));
    }
}
