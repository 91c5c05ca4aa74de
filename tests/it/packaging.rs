//! The packages that `scripts/package` builds (target/packages/*.deb, *.rpm),
//! the Arch PKGBUILD, the Homebrew formula and the per-user install script.
//!
//! Building packages is slow, so these tests use what `scripts/package` left
//! in target/packages (or $RKBUILD_PACKAGES_DIR) and fail with a clear message
//! when it is missing. The .deb test installs the package with `dpkg -i` (CI
//! runs as root) and removes it again with `dpkg -r`, holding a lock so that
//! two test runs on one machine do not race.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const PKG: &str = "docker-rkbuild";
const SYSTEM_PLUGIN: &str = "/usr/libexec/docker/cli-plugins/docker-rkbuild";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn packages_dir() -> PathBuf {
    std::env::var_os("RKBUILD_PACKAGES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/packages"))
}

/// The one package file with this extension, or a clear failure.
fn package(ext: &str) -> PathBuf {
    let dir = packages_dir();
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    match found.as_slice() {
        [one] => one.clone(),
        [] => panic!(
            "no .{ext} in {}: run `scripts/package` first (CI runs it before the tests)",
            dir.display()
        ),
        many => panic!("several .{ext} in {}: {many:?}", dir.display()),
    }
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Holds an exclusive lock while the system package is installed, and
/// removes the package when dropped (also when the test fails).
struct Installed {
    _lock: std::fs::File,
}

impl Installed {
    fn deb(path: &Path) -> Installed {
        use std::os::fd::AsRawFd;
        let lock = std::fs::File::create("/tmp/rkbuild-packaging-test.lock").expect("lock file");
        // SAFETY: flock on a file descriptor we own.
        let rc = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(rc, 0, "flock");
        let out = run(Command::new("dpkg").arg("-i").arg(path));
        assert!(
            out.status.success(),
            "dpkg -i {} failed (the test needs root):\n{}{}",
            path.display(),
            stdout(&out),
            stderr(&out)
        );
        Installed { _lock: lock }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let out = Command::new("dpkg").args(["-r", PKG]).output();
        if let Ok(o) = out {
            if !o.status.success() {
                eprintln!(
                    "dpkg -r {PKG} failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        }
    }
}

#[test]
fn deb_metadata_and_contents() {
    let deb = package("deb");
    let info = ok(Command::new("dpkg-deb").arg("-f").arg(&deb));
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in:\n{info}"))
            .to_string()
    };
    assert_eq!(field("Package"), PKG);
    assert_eq!(field("Version"), format!("{}-1", version()));
    assert!(field("Depends").contains("libc6"), "{info}");
    assert_eq!(
        field("Recommends"),
        "docker-cli | docker.io | docker-ce-cli"
    );
    let files = ok(Command::new("dpkg-deb").arg("-c").arg(&deb));
    for want in [
        "./usr/libexec/docker/cli-plugins/docker-rkbuild",
        "./usr/share/bash-completion/completions/docker-rkbuild",
        "./usr/share/zsh/vendor-completions/_docker-rkbuild",
        "./usr/share/fish/vendor_completions.d/docker-rkbuild.fish",
        "./usr/share/man/man1/docker-rkbuild.1.gz",
        "./usr/share/doc/docker-rkbuild/copyright",
    ] {
        assert!(files.contains(want), "{want} not in the .deb:\n{files}");
    }
    assert!(
        files
            .lines()
            .any(|l| l.starts_with("-rwxr-xr-x") && l.ends_with("cli-plugins/docker-rkbuild")),
        "plugin not executable:\n{files}"
    );
}

#[test]
fn deb_installs_and_docker_finds_the_plugin() {
    let env = daemon!();
    let deb = package("deb");
    let _installed = Installed::deb(&deb);
    assert!(Path::new(SYSTEM_PLUGIN).exists());
    // A docker config without cli-plugins: the system directory must do.
    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(cfg.path().join("config.json"), "{}\n").unwrap();
    let docker = |args: &[&str]| {
        let mut c = Command::new(&env.docker_bin);
        c.args(args)
            .env("DOCKER_CONFIG", cfg.path())
            .env("DOCKER_HOST", &env.docker_host)
            .env_remove("BUILDKIT_HOST")
            .env_remove("BUILDX_BUILDER");
        c
    };
    let out = ok(&mut docker(&["rkbuild", "version"]));
    assert!(out.contains(&format!("rkbuild v{}", version())), "{out}");
    assert!(out.contains("BuildKit:"), "{out}");
    let help = ok(&mut docker(&["--help"]));
    assert!(
        help.lines()
            .any(|l| l.trim_start().starts_with("rkbuild*") && l.contains("Build with BuildKit")),
        "rkbuild not listed in docker --help:\n{help}"
    );
    let info = ok(&mut docker(&[
        "info",
        "--format",
        "{{json .ClientInfo.Plugins}}",
    ]));
    assert!(info.contains(SYSTEM_PLUGIN), "{info}");
    // dpkg -L shows completions and man pages.
    let files = ok(Command::new("dpkg").args(["-L", PKG]));
    for want in [
        SYSTEM_PLUGIN,
        "/usr/share/bash-completion/completions/docker-rkbuild",
        "/usr/share/zsh/vendor-completions/_docker-rkbuild",
        "/usr/share/fish/vendor_completions.d/docker-rkbuild.fish",
        "/usr/share/man/man1/docker-rkbuild.1.gz",
        "/usr/share/man/man1/docker-rkbuild-build.1.gz",
    ] {
        assert!(
            files.lines().any(|l| l == want),
            "{want} not in dpkg -L:\n{files}"
        );
    }
    // `man docker-rkbuild` finds the page.
    let page = ok(Command::new("man")
        .args(["-w", "docker-rkbuild"])
        .env_remove("MANPATH"));
    assert_eq!(page.trim(), "/usr/share/man/man1/docker-rkbuild.1.gz");
}

#[test]
fn rpm_metadata_and_contents() {
    let rpm = package("rpm");
    assert!(
        tool("rpm"),
        "rpm is not installed: scripts/package installs it (apt-get install rpm)"
    );
    let q = |fmt: &str| {
        ok(Command::new("rpm")
            .args(["-qp", "--queryformat", fmt])
            .arg(&rpm))
    };
    assert_eq!(
        q("%{NAME} %{VERSION} %{LICENSE}"),
        format!("{PKG} {} Apache-2.0", version())
    );
    let files = ok(Command::new("rpm").arg("-qlp").arg(&rpm));
    for want in [
        "/usr/libexec/docker/cli-plugins/docker-rkbuild",
        "/usr/share/bash-completion/completions/docker-rkbuild",
        "/usr/share/zsh/site-functions/_docker-rkbuild",
        "/usr/share/fish/vendor_completions.d/docker-rkbuild.fish",
        "/usr/share/man/man1/docker-rkbuild.1",
        "/usr/share/licenses/docker-rkbuild/LICENSE",
    ] {
        assert!(
            files.lines().any(|l| l == want),
            "{want} not in the .rpm:\n{files}"
        );
    }
    let requires = ok(Command::new("rpm").args(["-qp", "--requires"]).arg(&rpm));
    assert!(requires.contains("libc.so.6"), "{requires}");
    let rec = ok(Command::new("rpm").args(["-qp", "--recommends"]).arg(&rpm));
    assert!(rec.contains("docker-cli"), "{rec}");
    // Digests are consistent.
    let k = ok(Command::new("rpm").args(["-K", "--nosignature"]).arg(&rpm));
    assert!(k.contains("digests OK"), "{k}");
}

#[test]
fn pkgbuild_formula_and_changelog_match_the_crate() {
    let pkgbuild = repo().join("packaging/arch/PKGBUILD");
    ok(Command::new("bash").arg("-n").arg(&pkgbuild));
    // Source it as makepkg would and read its variables (namcap and makepkg
    // are not available on Debian).
    let vars = ok(Command::new("bash").arg("-c").arg(format!(
        "set -e; source {}; echo \"$pkgname $pkgver ${{license[*]}}\"; declare -F package build check prepare | tr '\\n' ' '",
        pkgbuild.display()
    )));
    assert!(
        vars.starts_with(&format!("{PKG} {} Apache-2.0\n", version())),
        "{vars}"
    );
    assert!(vars.contains("package") && vars.contains("build"), "{vars}");
    let formula =
        std::fs::read_to_string(repo().join("packaging/homebrew/docker-rkbuild.rb")).unwrap();
    assert!(
        formula.contains(&format!("version \"{}\"", version())),
        "formula version"
    );
    assert!(
        formula.contains(&format!("/v{}.tar.gz", version())),
        "formula url"
    );
    assert!(formula.contains("license \"Apache-2.0\""));
    let changelog = std::fs::read_to_string(repo().join("packaging/deb/changelog")).unwrap();
    assert!(
        changelog.starts_with(&format!("{PKG} ({}-1) ", version())),
        "packaging/deb/changelog's first entry must be for {}-1",
        version()
    );
    if tool("ruby") {
        ok(Command::new("ruby")
            .arg("-c")
            .arg(repo().join("packaging/homebrew/docker-rkbuild.rb")));
    } else {
        eprintln!("note: ruby is not installed: the Homebrew formula's syntax was not checked");
    }
}

#[test]
fn install_script_into_a_temporary_docker_config() {
    let env = daemon!();
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("docker-config");
    let out = run(Command::new(repo().join("scripts/install"))
        .args(["--binary"])
        .arg(rkbuild_bin())
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", &cfg)
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env(
            "PATH",
            format!(
                "{}:/usr/bin:/bin",
                env.docker_bin.parent().unwrap().display()
            ),
        ));
    assert!(
        out.status.success(),
        "scripts/install failed:\n{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("ok: `docker rkbuild` runs it"),
        "{}",
        stderr(&out)
    );
    let plugin = cfg.join("cli-plugins/docker-rkbuild");
    let meta = std::fs::metadata(&plugin).expect("installed plugin");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o755);
    for f in [
        ".local/share/bash-completion/completions/docker-rkbuild",
        ".local/share/zsh/site-functions/_docker-rkbuild",
        ".config/fish/completions/docker-rkbuild.fish",
        ".local/share/man/man1/docker-rkbuild.1",
    ] {
        assert!(home.path().join(f).exists(), "{f} not installed");
    }
    // The docker CLI finds it there.
    let v = ok(Command::new(&env.docker_bin)
        .args(["rkbuild", "version"])
        .env("DOCKER_CONFIG", &cfg)
        .env("DOCKER_HOST", &env.docker_host)
        .env_remove("BUILDKIT_HOST")
        .env_remove("BUILDX_BUILDER"));
    assert!(v.contains(&format!("rkbuild v{}", version())), "{v}");
    // Installing again replaces it in place.
    let again = run(Command::new(repo().join("scripts/install"))
        .args(["--no-completions", "--binary"])
        .arg(rkbuild_bin())
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", &cfg));
    assert!(again.status.success(), "{}", stderr(&again));
    // A binary that is not a plugin is refused.
    let bad = run(Command::new(repo().join("scripts/install"))
        .args(["--binary", "/bin/true"])
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", &cfg));
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("not a docker CLI plugin"),
        "{}",
        stderr(&bad)
    );
}
