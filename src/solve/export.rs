//! Exports (`-o/--output`, `--push`, `--load`), parsed with buildx's rules.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::client::Driver;
use crate::error::{BuilderError, CsvOption, Error, ExportError, OptionError, Result};
use crate::session::filesend::Output;

/// Where an export's files go on the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportOutput {
    /// Nothing comes back to the client (image stored or pushed by the daemon).
    None,
    /// A directory that receives a file tree (local exporter).
    Dir(PathBuf),
    /// A file that receives one byte stream (tar, oci, docker exporters).
    File(PathBuf),
    /// Standard output receives the byte stream.
    Stdout,
    /// The docker image tarball is streamed into the docker daemon's image
    /// load API (`--load` on a builder that does not share its image
    /// store; see [`SolveOptions::docker_api`](super::SolveOptions::docker_api)).
    Load,
}

/// One exporter request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Exporter type as the daemon knows it (`moby`, `image`, `local`, `tar`, ...).
    pub kind: String,
    /// Exporter attributes (without `dest`).
    pub attrs: BTreeMap<String, String>,
    /// Where the client writes what comes back.
    pub output: ExportOutput,
}

/// An `--output` value as the user wrote it, after buildx's parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// `type=` (after `registry` → `image`).
    pub kind: String,
    /// Other keys, lower-cased, without `dest`.
    pub attrs: BTreeMap<String, String>,
    /// `dest=`, if any.
    pub dest: Option<String>,
}

/// Parses one `--output` value: `DIR` (local), `-` (tar to stdout), or
/// `type=T,key=value,...` (CSV, as buildx).
pub fn parse_output(s: &str) -> Result<OutputSpec> {
    let fields = split_csv(s)?;
    if fields.len() == 1 && fields[0] == s && !s.starts_with("type=") {
        if s == "-" {
            return Ok(OutputSpec {
                kind: "tar".into(),
                attrs: BTreeMap::new(),
                dest: Some("-".into()),
            });
        }
        return Ok(OutputSpec {
            kind: "local".into(),
            attrs: BTreeMap::new(),
            dest: Some(s.to_string()),
        });
    }
    let mut kind = String::new();
    let mut attrs = BTreeMap::new();
    for f in fields {
        let Some((k, v)) = f.split_once('=') else {
            return Err(OptionError::NotKeyValue {
                option: CsvOption::Output,
                field: f,
            }
            .into());
        };
        let k = k.trim().to_ascii_lowercase();
        if k == "type" {
            kind = v.to_string();
        } else {
            attrs.insert(k, v.to_string());
        }
    }
    if kind.is_empty() {
        return Err(OptionError::OutputType.into());
    }
    if kind == "registry" {
        kind = "image".into();
        attrs.entry("push".into()).or_insert_with(|| "true".into());
    }
    let dest = attrs.remove("dest");
    Ok(OutputSpec { kind, attrs, dest })
}

/// Splits an `--output` value as buildx 0.13 does: the first record of Go's
/// `encoding/csv` (`go::csv::read_record`). The error is Go's text,
/// as buildx reports it (`EOF` for an empty value).
pub fn split_csv(s: &str) -> Result<Vec<String>> {
    crate::go::csv::read_record_str(s).map_err(|e| {
        OptionError::Csv {
            option: CsvOption::Output,
            reason: e.to_string(),
        }
        .into()
    })
}

/// buildx's checks of the outputs' destinations, made before it connects
/// (its `CreateExports`), with its messages: a directory for `local` (and
/// `oci`/`docker` with `tar=false`) that is given, not `-` and not a file;
/// a file for `tar` (and `oci`/`docker`) that is not a directory, or
/// standard output (the default for `tar` and `oci`), which only one output
/// may use and which must not be a terminal (`stdout_is_terminal`).
pub fn check_outputs(specs: &[OutputSpec], stdout_is_terminal: bool) -> Result<()> {
    let mut stdout_used = false;
    for s in specs {
        let kind = s.kind.as_str();
        let (file, dir) = match kind {
            "local" => (false, true),
            "tar" => (true, false),
            "oci" | "docker" => {
                // buildx: `tar` as ParseBool reads it, true when it cannot.
                let tar = s
                    .attrs
                    .get("tar")
                    .and_then(|t| crate::go::strconv::parse_bool(t.as_bytes()))
                    != Some(false);
                (tar, !tar)
            }
            _ => (false, false),
        };
        let dest = s.dest.as_deref().unwrap_or("");
        let stat = |what: &'static str| match std::fs::metadata(dest) {
            Ok(md) => Ok(Some(md)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ExportError::Stat {
                what,
                dest: dest.to_string(),
                source,
            }),
        };
        if dir {
            if dest.is_empty() {
                return Err(ExportError::DestRequired(kind.into()).into());
            }
            if dest == "-" {
                return Err(ExportError::DestStdout(kind.into()).into());
            }
            if stat("directory")?.is_some_and(|md| !md.is_dir()) {
                return Err(ExportError::DirIsFile(dest.into()).into());
            }
        }
        if file {
            let dest = if dest.is_empty() && kind != "docker" {
                "-"
            } else {
                dest
            };
            if dest == "-" {
                if stdout_used {
                    return Err(ExportError::MultipleStdout.into());
                }
                if stdout_is_terminal {
                    return Err(ExportError::StdoutIsTerminal(kind.into()).into());
                }
                stdout_used = true;
            } else if !dest.is_empty() && stat("file")?.is_some_and(|md| md.is_dir()) {
                return Err(ExportError::FileIsDir(dest.into()).into());
            }
        }
    }
    Ok(())
}

/// Checks that every tag is an image reference as written
/// (distribution/reference's `Parse`), as buildx does before it builds;
/// the error names the first tag that is not.
pub fn check_tags(tags: &[String]) -> Result<()> {
    for t in tags {
        crate::reference::parse(t).map_err(|source| Error::InvalidTag {
            tag: t.clone(),
            source,
        })?;
    }
    Ok(())
}

const EXPORTERS_DOCS: &str = "https://docs.docker.com/go/build-exporters/";

/// buildx's error for a feature a driver lacks (`notSupported`).
pub(crate) fn driver_lacks(driver: &dyn Driver, feature: &str, docs: &str) -> Error {
    BuilderError::Unsupported {
        feature: feature.into(),
        driver: driver.name().into(),
        docs: docs.into(),
    }
    .into()
}

/// Turns parsed outputs into exporter requests for a builder.
///
/// On a builder that shares the docker daemon's image store (buildx's
/// docker driver, [`LoadPath::Moby`](crate::client::LoadPath::Moby)),
/// `image`/`docker` without a file become the `moby` exporter that stores
/// the image in the daemon; `oci`, and `docker` with a file, are refused
/// as buildx refuses them where the driver lacks those exporters. `tags`
/// fill `name` as in buildx.
pub fn to_exports(
    specs: &[OutputSpec],
    tags: &[String],
    driver: &dyn Driver,
) -> Result<Vec<Export>> {
    let features = driver.features();
    let moby = features.shares_image_store();
    let mut out = Vec::new();
    for s in specs {
        let mut attrs = s.attrs.clone();
        let mut kind = s.kind.clone();
        if kind == "cacheonly" {
            continue;
        }
        if !tags.is_empty() && matches!(kind.as_str(), "image" | "oci" | "docker") {
            attrs.insert("name".into(), tags.join(","));
        } else if kind == "image"
            && attrs.get("name").is_none_or(|n| n.is_empty())
            && attrs
                .get("push")
                .is_some_and(|p| crate::go::strconv::parse_bool_true(p))
        {
            return Err(ExportError::TagRequired.into());
        }
        // buildx refuses these up front where the driver lacks them (as
        // dockerd's BuildKit lacks the oci exporter, and `docker` with a
        // destination would need one).
        if !features.oci_exporter && kind == "oci" {
            return Err(driver_lacks(driver, "OCI exporter", EXPORTERS_DOCS));
        }
        if !features.docker_exporter
            && kind == "docker"
            && s.dest.as_deref().is_some_and(|d| !d.is_empty())
        {
            return Err(driver_lacks(driver, "Docker exporter", EXPORTERS_DOCS));
        }
        let output = match kind.as_str() {
            "local" => match &s.dest {
                Some(d) if !d.is_empty() => ExportOutput::Dir(PathBuf::from(d)),
                _ => return Err(ExportError::DestRequired("local".into()).into()),
            },
            // Standard output by default, as in buildx (see `check_outputs`).
            "tar" | "oci" => match s.dest.as_deref() {
                Some(d) if !d.is_empty() && d != "-" => ExportOutput::File(PathBuf::from(d)),
                _ => ExportOutput::Stdout,
            },
            "docker" => match s.dest.as_deref() {
                Some("-") => ExportOutput::Stdout,
                Some(d) if !d.is_empty() => ExportOutput::File(PathBuf::from(d)),
                _ if moby => {
                    kind = "moby".into();
                    ExportOutput::None
                }
                _ => ExportOutput::Load,
            },
            "image" => {
                if moby {
                    kind = "moby".into();
                    if attrs
                        .get("push")
                        .is_some_and(|p| crate::go::strconv::parse_bool_true(p))
                        && attrs
                            .get("push-by-digest")
                            .is_some_and(|p| crate::go::strconv::parse_bool_true(p))
                    {
                        return Err(ExportError::PushByDigest.into());
                    }
                }
                ExportOutput::None
            }
            _ => ExportOutput::None,
        };
        out.push(Export {
            kind,
            attrs,
            output,
        });
    }
    Ok(out)
}

/// Where the session's FileSend service writes what the exports send back
/// to the client, if any export does: BuildKit offers one such target per
/// session. An [`ExportOutput::Stdout`] export is written to `stdout` (the
/// library never writes to the process's own standard output), an
/// [`ExportOutput::Load`] one into the docker daemon of `load`.
pub(crate) fn client_output(
    exports: &[Export],
    stdout: Option<Box<dyn std::io::Write + Send>>,
    load: Option<super::load::LoadTarget>,
) -> Result<Option<Output>> {
    let mut stdout = Some(stdout);
    let mut load = Some(load);
    let mut outputs = exports.iter().filter_map(|e| match &e.output {
        ExportOutput::None => None,
        ExportOutput::Dir(d) => Some(Ok::<_, Error>(Output::Dir(d.clone()))),
        ExportOutput::File(f) => Some(Ok(Output::File(f.clone()))),
        ExportOutput::Stdout => Some(match stdout.take().flatten() {
            Some(w) => Ok(Output::Writer(w)),
            None => Err(ExportError::NoStdout.into()),
        }),
        ExportOutput::Load => Some(match load.take().flatten() {
            Some(t) => Ok(Output::Sink(std::sync::Arc::new(t))),
            None => Err(ExportError::NoDocker.into()),
        }),
    });
    let Some(output) = outputs.next().transpose()? else {
        return Ok(None);
    };
    if outputs.next().is_some() {
        return Err(ExportError::SeveralClientOutputs.into());
    }
    Ok(Some(output))
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

    #[test]
    fn bare_values() {
        let o = parse_output("out").unwrap();
        assert_eq!((o.kind.as_str(), o.dest.as_deref()), ("local", Some("out")));
        let o = parse_output("-").unwrap();
        assert_eq!((o.kind.as_str(), o.dest.as_deref()), ("tar", Some("-")));
    }

    #[test]
    fn csv_form_and_registry() {
        let o = parse_output("type=local,dest=/tmp/x").unwrap();
        assert_eq!(o.kind, "local");
        assert_eq!(o.dest.as_deref(), Some("/tmp/x"));
        let o = parse_output("type=registry").unwrap();
        assert_eq!(o.kind, "image");
        assert_eq!(o.attrs["push"], "true");
        let o = parse_output("type=image,\"name=a,b\",push=false").unwrap();
        assert_eq!(o.attrs["name"], "a,b");
        assert_eq!(o.attrs["push"], "false");
        // a single field without type= is a directory name, as in buildx
        assert_eq!(
            parse_output("dest=x").unwrap().dest.as_deref(),
            Some("dest=x")
        );
        assert!(parse_output("dest=x,a=b")
            .unwrap_err()
            .to_string()
            .contains("type is required"));
        assert!(parse_output("type=local,oops").is_err());
    }

    /// Where the hand-written reader this replaced differed from Go's
    /// `encoding/csv` (and so from buildx): text after a closing quote,
    /// lines after the first, `\r\n`, empty values and the error texts.
    #[test]
    fn outputs_are_read_as_go_csv() {
        let o = parse_output("type=local,dest=out\n").unwrap();
        assert_eq!(o.dest.as_deref(), Some("out"));
        let o = parse_output("type=local,dest=a\ntype=tar").unwrap();
        assert_eq!((o.kind.as_str(), o.dest.as_deref()), ("local", Some("a")));
        let o = parse_output("type=local,\"dest=a\r\nb\"").unwrap();
        assert_eq!(o.dest.as_deref(), Some("a\nb"));
        let o = parse_output("type=image,\"name=a\"\"b\",push=false").unwrap();
        assert_eq!(o.attrs["name"], "a\"b");
        // A bare name with a newline is no longer a directory name.
        assert_eq!(
            parse_output("out\n").unwrap_err().to_string(),
            "invalid value out"
        );
        let err = |s: &str| parse_output(s).unwrap_err().to_string();
        assert_eq!(err(""), "EOF");
        assert_eq!(err("\n"), "EOF");
        assert_eq!(
            err("type=local,\"dest=a\"b"),
            r#"parse error on line 1, column 19: extraneous or missing " in quoted-field"#
        );
        assert_eq!(
            err("type=local,dest=a\"b"),
            r#"parse error on line 1, column 18: bare " in non-quoted-field"#
        );
        assert_eq!(
            err("type=local,\"dest=x"),
            r#"parse error on line 1, column 19: extraneous or missing " in quoted-field"#
        );
        assert_eq!(
            err("type=local,\"dest=a\nb"),
            r#"record on line 1; parse error on line 2, column 2: extraneous or missing " in quoted-field"#
        );
    }

    #[test]
    fn moby_mapping() {
        let specs = vec![parse_output("type=docker").unwrap()];
        let e = to_exports(&specs, &["a:1".into()], &docker()).unwrap();
        assert_eq!(e[0].kind, "moby");
        assert_eq!(e[0].attrs["name"], "a:1");
        let e = to_exports(&[parse_output("type=image").unwrap()], &[], &docker()).unwrap();
        assert_eq!(e[0].kind, "moby");
        let err =
            to_exports(&[parse_output("type=registry").unwrap()], &[], &docker()).unwrap_err();
        assert_eq!(err.to_string(), "tag is needed when pushing to registry");
        let e = to_exports(&[parse_output("type=tar,dest=-").unwrap()], &[], &docker()).unwrap();
        assert_eq!(e[0].output, ExportOutput::Stdout);
        assert!(to_exports(&[parse_output("type=local").unwrap()], &[], &docker()).is_err());
        // tar and oci without a destination go to standard output.
        let e = to_exports(&[parse_output("type=tar").unwrap()], &[], &docker()).unwrap();
        assert_eq!(e[0].output, ExportOutput::Stdout);
        let e = to_exports(&[parse_output("type=oci").unwrap()], &[], &remote()).unwrap();
        assert_eq!(e[0].output, ExportOutput::Stdout);
    }

    /// dockerd's BuildKit has no oci exporter: buildx refuses `oci`, and
    /// `docker` with a destination, before building.
    #[test]
    fn docker_driver_refuses_oci_and_docker_files() {
        for (spec, feature) in [
            ("type=oci", "OCI exporter"),
            ("type=oci,dest=o.tar", "OCI exporter"),
            ("type=docker,dest=d.tar", "Docker exporter"),
            ("type=docker,dest=-", "Docker exporter"),
        ] {
            let e = to_exports(&[parse_output(spec).unwrap()], &[], &docker()).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "{feature} is not supported for the docker driver.\n\
                     Switch to a different driver, or turn on the containerd image store, and try again.\n\
                     Learn more at https://docs.docker.com/go/build-exporters/"
                ),
                "{spec}"
            );
            assert!(
                to_exports(&[parse_output(spec).unwrap()], &[], &remote()).is_ok(),
                "{spec}"
            );
        }
    }

    #[test]
    fn destinations_are_checked_like_buildx() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let (d, f) = (dir.path().display(), file.display());
        let check = |outs: &[&str], tty: bool| {
            let specs: Vec<OutputSpec> = outs.iter().map(|o| parse_output(o).unwrap()).collect();
            check_outputs(&specs, tty).map_err(|e| e.to_string())
        };
        let ok = |outs: &[&str]| assert_eq!(check(outs, false), Ok(()), "{outs:?}");
        ok(&["type=local,dest=new-dir"]);
        ok(&[&format!("type=local,dest={d}")]);
        ok(&["type=tar"]);
        ok(&["-"]);
        ok(&[&format!("type=tar,dest={f}")]);
        ok(&["type=docker"]);
        ok(&["type=image", "type=cacheonly"]);
        let err = |outs: &[&str], tty: bool| check(outs, tty).unwrap_err();
        assert_eq!(
            err(&["type=local"], false),
            "dest is required for local exporter"
        );
        assert_eq!(
            err(&["type=local,dest="], false),
            "dest is required for local exporter"
        );
        assert_eq!(
            err(&["type=docker,tar=false"], false),
            "dest is required for docker exporter"
        );
        assert_eq!(
            err(&["type=local,dest=-"], false),
            "dest cannot be stdout for local exporter"
        );
        assert_eq!(
            err(&[&format!("type=local,dest={f}")], false),
            format!("destination directory {f} is a file")
        );
        assert_eq!(
            err(&[&format!("type=tar,dest={d}")], false),
            format!("destination file {d} is a directory")
        );
        assert_eq!(
            err(&["type=tar", "-"], false),
            "multiple outputs configured to write to stdout"
        );
        assert_eq!(
            err(&["type=oci"], true),
            "dest file is required for oci exporter. refusing to write to console"
        );
        // The first output's problem is the one reported.
        assert_eq!(
            err(&["type=local", "type=local,dest=-"], false),
            "dest is required for local exporter"
        );
    }

    #[test]
    fn tags_are_checked_with_buildx_messages() {
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        check_tags(&tags(&[
            "a",
            "me/app:v1",
            "localhost:5000/x:Y",
            &"a".repeat(129),
        ]))
        .unwrap();
        let err = |t: &[&str]| check_tags(&tags(t)).unwrap_err().to_string();
        assert_eq!(
            err(&["ok", "UPPER", "a b"]),
            r#"invalid tag "UPPER": repository name must be lowercase"#
        );
        assert_eq!(
            err(&["a b"]),
            r#"invalid tag "a b": invalid reference format"#
        );
        assert_eq!(
            err(&[":x"]),
            r#"invalid tag ":x": invalid reference format"#
        );
        assert_eq!(
            err(&["x:"]),
            r#"invalid tag "x:": invalid reference format"#
        );
        assert_eq!(
            err(&["x\ty"]),
            r#"invalid tag "x\ty": invalid reference format"#
        );
        assert_eq!(
            err(&[""]),
            r#"invalid tag "": repository name must have at least one component"#
        );
        let long = "a".repeat(256);
        assert_eq!(
            err(&[&long]),
            format!(
                r#"invalid tag "{long}": repository name must not be more than 255 characters"#
            )
        );
    }

    #[test]
    fn to_solve_checks_tags_before_the_context() {
        let o = crate::BuildOptions {
            context: Some(crate::BuildContext::Dir("/no/such/dir".into())),
            tags: vec!["Bad".into()],
            ..Default::default()
        };
        let e = o.to_solve(&docker(), "node").unwrap_err();
        assert!(matches!(e, Error::InvalidTag { .. }), "{e}");
    }
}
