//! The command line read as buildx reads it (cobra with spf13/pflag), over
//! the clap definition in `args.rs`, before clap sees it.
//!
//! clap parses the words this module hands it; this module gives them
//! pflag's meaning first and refuses what pflag refuses, in pflag's order
//! and with its messages:
//!
//! - a boolean flag takes a value only after `=` (`--no-cache=false`,
//!   `-q=0`), read as Go's `strconv.ParseBool`; it never takes the next
//!   word; the last occurrence wins (`--push --push=false` is off);
//! - a flag with a value takes the rest of its word or the next word,
//!   whatever it is (`-t -x`, `--tag --`);
//! - values that pflag checks as it reads them (the `ulimit`, `bytes` and
//!   `int` types that `args.rs` declares: `--ulimit`, `--shm-size`,
//!   `--keep-storage`, `--cpu-shares`) are checked here; an empty value of a
//!   comma-separated list (`--allow=`) is no value at all;
//! - then the number of arguments (`requires exactly 1 argument.`).
//!
//! Flag errors are reported as the docker CLI reports them (the message,
//! then `See 'docker rkbuild --help'.`, exit status 125); a wrong number of
//! arguments is an `ERROR:` line with exit status 1, as buildx's.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use clap::{Arg, ArgAction, Command};

use super::args::ValueType;
use super::error::CliError;

/// Exit status of a flag error (the docker CLI's).
pub const EXIT_FLAG_ERROR: i32 = 125;

/// A command line that buildx would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgvError {
    /// A flag pflag cannot read (unknown, missing or invalid value).
    Flag {
        /// pflag's message.
        message: String,
        /// The command, as in `docker rkbuild` or `docker rkbuild prune`.
        command_path: String,
    },
    /// The wrong number of arguments for the command.
    Args {
        /// cobra's message (`"docker rkbuild" requires exactly 1 argument.`).
        message: String,
        /// The command, as in `docker rkbuild` or `docker rkbuild prune`.
        command_path: String,
    },
}

impl ArgvError {
    /// Prints the error as the docker CLI does and returns the exit status.
    pub fn report(&self) -> i32 {
        match self {
            ArgvError::Flag {
                message,
                command_path,
            } => {
                eprintln!("{message}\nSee '{command_path} --help'.");
                EXIT_FLAG_ERROR
            }
            ArgvError::Args { .. } => {
                let e = self.to_cli_error();
                eprintln!("ERROR: {e}");
                e.code
            }
        }
    }

    /// The error as the CLI's one-line error with a hint.
    pub fn to_cli_error(&self) -> CliError {
        match self {
            ArgvError::Flag {
                message,
                command_path,
            } => {
                let mut e =
                    CliError::new(message.clone()).hint(format!("see '{command_path} --help'"));
                e.code = EXIT_FLAG_ERROR;
                e
            }
            ArgvError::Args {
                message,
                command_path,
            } => {
                let hint = if message.contains("exactly 1 ") {
                    format!("run `{command_path} --help` for usage, e.g. `{command_path} .`")
                } else {
                    format!("run `{command_path} --help` for usage")
                };
                CliError::new(message.clone()).hint(hint)
            }
        }
    }
}

/// cobra's `ExactArgs(1)` message for a build command.
pub fn exactly_one_argument(command_path: &str) -> ArgvError {
    ArgvError::Args {
        message: format!("\"{command_path}\" requires exactly 1 argument."),
        command_path: command_path.to_string(),
    }
}

fn quote(s: &[u8]) -> String {
    crate::go::strconv::quote(s)
}

/// Go's `%q` of a rune; pflag takes a shorthand as one byte, so a byte
/// above 0x7f is the Latin-1 character.
fn quote_rune(b: u8) -> String {
    crate::go::strconv::quote_rune(char::from(b))
}

/// How a flag reads its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `--flag`, `--flag=BOOL`.
    Bool,
    /// `-h`, `--help` (a boolean too, in cobra).
    Help,
    /// `--flag VALUE`, `--flag=VALUE`, `-fVALUE`.
    Value,
}

fn kind(a: &Arg) -> Kind {
    match a.get_action() {
        ArgAction::SetTrue | ArgAction::SetFalse => Kind::Bool,
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version => {
            Kind::Help
        }
        _ => Kind::Value,
    }
}

/// pflag's name of a flag in its messages: `-q, --quiet` or `--push`.
fn display_name(a: &Arg) -> String {
    match (a.get_short(), a.get_long()) {
        (Some(s), Some(l)) => format!("-{s}, --{l}"),
        (None, Some(l)) => format!("--{l}"),
        (Some(s), None) => format!("-{s}"),
        (None, None) => a.get_id().to_string(),
    }
}

fn find_long<'c>(cmd: &'c Command, name: &[u8]) -> Option<&'c Arg> {
    let name = std::str::from_utf8(name).ok()?;
    cmd.get_arguments().find(|a| {
        !a.is_positional()
            && (a.get_long() == Some(name)
                || a.get_all_aliases().is_some_and(|v| v.contains(&name)))
    })
}

fn find_short(cmd: &Command, c: u8) -> Option<&Arg> {
    if !c.is_ascii() {
        return None;
    }
    let c = char::from(c);
    cmd.get_arguments().find(|a| {
        !a.is_positional()
            && (a.get_short() == Some(c)
                || a.get_all_short_aliases().is_some_and(|v| v.contains(&c)))
    })
}

/// The values pflag checks while it reads them (their `Value.Set`), by
/// the flag's declared type.
fn check_value(a: &Arg, value: &[u8]) -> Result<(), String> {
    let v = String::from_utf8_lossy(value);
    match ValueType::of(a) {
        Some(ValueType::Ulimit) => crate::go::units::parse_ulimit(&v)
            .map(drop)
            .map_err(|e| e.to_string()),
        Some(ValueType::Bytes) => crate::go::units::ram_in_bytes(&v)
            .map(drop)
            .map_err(|e| e.to_string()),
        // pflag's Int and Int64 flags: strconv.ParseInt(s, 0, 64).
        Some(ValueType::Int) => parse_int64(&v).map(drop),
        Some(ValueType::String | ValueType::Strings | ValueType::StringArray) | None => Ok(()),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, a `0x`/`0o`/`0b`
/// or `0` prefix, `_` between digits only with a prefix; its errors.
fn parse_int64(s: &str) -> Result<i64, String> {
    let err = |why: &str| {
        format!(
            "strconv.ParseInt: parsing {}: {why}",
            crate::go::strconv::quote(s.as_bytes())
        )
    };
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    if digits.is_empty() {
        return Err(err("invalid syntax"));
    }
    // Underscores: only with a base prefix, only between digits.
    if digits.contains('_') {
        let bad = (!prefixed && digits.starts_with('_'))
            || digits.ends_with('_')
            || digits.contains("__");
        if bad {
            return Err(err("invalid syntax"));
        }
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if !clean.chars().all(|c| c.is_digit(radix)) {
        return Err(err("invalid syntax"));
    }
    let mag = u128::from_str_radix(&clean, radix).map_err(|_| err("value out of range"))?;
    let limit = if neg { 1u128 << 63 } else { (1u128 << 63) - 1 };
    if mag > limit {
        return Err(err("value out of range"));
    }
    Ok(if neg {
        (mag as i128).wrapping_neg() as i64
    } else {
        mag as i64
    })
}

/// Whether `a` is a pflag string slice (type name `strings`): each value
/// is a CSV record, as pflag reads it.
fn is_string_slice(a: &Arg) -> bool {
    ValueType::of(a) == Some(ValueType::Strings)
}

/// pflag's `readAsCSV`: `""` is no field at all, anything else the first
/// record of `value` as Go's `encoding/csv` reads it
/// ([`crate::go::csv::read_record`]). The error is its text
/// (`csv.ParseError`'s, or `EOF` for a value of blank lines).
pub fn read_csv_record(value: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    crate::go::csv::read_record(value).map_err(|e| e.to_string())
}

/// One word handed on to clap.
enum Out {
    Word(OsString),
    /// A boolean flag's word, kept only if the flag's last value is true.
    Bool {
        key: (usize, String),
        word: OsString,
    },
}

struct Walk<'c> {
    /// The commands entered so far, from the root.
    scopes: Vec<&'c Command>,
    out: Vec<Out>,
    bools: HashMap<(usize, String), bool>,
    help: bool,
    positionals: usize,
    /// Long names of the flags set (pflag's `Changed`).
    given: Vec<String>,
}

impl<'c> Walk<'c> {
    fn cmd(&self) -> &'c Command {
        self.scopes[self.scopes.len() - 1]
    }

    fn path(&self) -> String {
        let root = self.scopes[0];
        let mut p = root
            .get_bin_name()
            .unwrap_or_else(|| root.get_name())
            .to_string();
        for s in &self.scopes[1..] {
            p.push(' ');
            p.push_str(s.get_name());
        }
        p
    }

    fn fail(&self, message: String) -> ArgvError {
        ArgvError::Flag {
            message,
            command_path: self.path(),
        }
    }

    /// Sets `arg` to `value` as pflag's `FlagSet.Set` does.
    fn set(&mut self, arg: &Arg, value: &[u8]) -> Result<(), ArgvError> {
        if let Some(l) = arg.get_long() {
            if !self.given.iter().any(|g| g == l) {
                self.given.push(l.to_string());
            }
        }
        let invalid = |why: String| {
            format!(
                "invalid argument {} for {} flag: {why}",
                quote(value),
                quote(display_name(arg).as_bytes())
            )
        };
        match kind(arg) {
            Kind::Bool | Kind::Help => {
                let Some(b) = crate::go::strconv::parse_bool(value) else {
                    return Err(self.fail(invalid(format!(
                        "strconv.ParseBool: parsing {}: invalid syntax",
                        quote(value)
                    ))));
                };
                if kind(arg) == Kind::Help {
                    self.help = b;
                    return Ok(());
                }
                let scope = if arg.is_global_set() {
                    usize::MAX
                } else {
                    self.scopes.len()
                };
                let key = (scope, arg.get_id().to_string());
                self.bools.insert(key.clone(), b);
                let word = match (arg.get_long(), arg.get_short()) {
                    (Some(l), _) => format!("--{l}"),
                    (None, Some(s)) => format!("-{s}"),
                    (None, None) => return Ok(()),
                };
                self.out.push(Out::Bool {
                    key,
                    word: word.into(),
                });
            }
            Kind::Value if is_string_slice(arg) => {
                // One word per field of the CSV record, so that clap takes
                // them as they are (commas inside quotes included).
                let fields = read_csv_record(value).map_err(|why| self.fail(invalid(why)))?;
                for field in fields {
                    self.push_value(arg, &field);
                }
            }
            Kind::Value => {
                check_value(arg, value).map_err(|why| self.fail(invalid(why)))?;
                self.push_value(arg, value);
            }
        }
        Ok(())
    }

    /// Hands `value` to clap as `arg`'s value.
    fn push_value(&mut self, arg: &Arg, value: &[u8]) {
        match arg.get_long() {
            Some(l) => {
                let mut w = format!("--{l}=").into_bytes();
                w.extend_from_slice(value);
                self.out.push(Out::Word(OsString::from_vec(w)));
            }
            None => {
                let s = arg.get_short().unwrap_or('?');
                self.out.push(Out::Word(format!("-{s}").into()));
                self.out.push(Out::Word(OsString::from_vec(value.to_vec())));
            }
        }
    }
}

/// The words for clap, and the command they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// Program name, then the words in a form clap reads as pflag did.
    pub argv: Vec<OsString>,
    /// The command, as in `docker rkbuild` or `docker rkbuild prune`.
    pub command_path: String,
    /// Long names of the flags the command line set, even to their
    /// default (pflag's `Changed`), in the order first seen.
    pub given: Vec<String>,
}

/// Reads `argv` (program name first) as pflag would for the command
/// `root` (built, so that global and help flags are in every command),
/// and returns the words for clap: every flag in a form clap reads the
/// same way (`--long=value`; boolean flags without a value, and only
/// those whose last value is true), the arguments unchanged.
pub fn read(root: &Command, argv: Vec<OsString>) -> Result<Read, ArgvError> {
    let root_path = root.get_bin_name().unwrap_or_else(|| root.get_name());
    let mut w = read_words(root, argv)?;
    if w.command_path.is_empty() {
        w.command_path = root_path.to_string();
    }
    Ok(w)
}

/// The words of `argv` as pflag's `Parse` reads them, one at a time. Long
/// because it is pflag's single loop (`--`, long and short flags, bundles,
/// values after `=` or in the next word, subcommands), whose order of
/// checks decides which error buildx prints first.
fn read_words(root: &Command, argv: Vec<OsString>) -> Result<Read, ArgvError> {
    let mut words = argv.into_iter();
    let prog = words
        .next()
        .unwrap_or_else(|| OsString::from("docker-rkbuild"));
    let rest: Vec<OsString> = words.collect();
    let mut w = Walk {
        scopes: vec![root],
        out: Vec::new(),
        bools: HashMap::new(),
        help: false,
        positionals: 0,
        given: Vec::new(),
    };
    let mut i = 0;
    while i < rest.len() {
        let word = rest[i].as_bytes();
        i += 1;
        if word == b"--" {
            w.out.push(Out::Word(OsString::from("--")));
            for p in &rest[i..] {
                w.out.push(Out::Word(p.clone()));
                w.positionals += 1;
            }
            break;
        }
        if word.len() < 2 || word[0] != b'-' {
            if w.positionals == 0 {
                if let Some(sub) = w.cmd().find_subcommand(OsStr::from_bytes(word)) {
                    if sub.get_name() == "help" {
                        // clap's own `help [COMMAND]`.
                        let mut all = vec![prog];
                        all.extend(rest);
                        return Ok(Read {
                            argv: all,
                            command_path: String::new(),
                            given: Vec::new(),
                        });
                    }
                    w.scopes.push(sub);
                    w.out.push(Out::Word(rest[i - 1].clone()));
                    continue;
                }
            }
            w.positionals += 1;
            w.out.push(Out::Word(rest[i - 1].clone()));
            continue;
        }
        if let Some(long) = word.strip_prefix(b"--") {
            if long[0] == b'-' || long[0] == b'=' {
                return Err(w.fail(format!(
                    "bad flag syntax: {}",
                    String::from_utf8_lossy(word)
                )));
            }
            let (name, value) = match long.iter().position(|&c| c == b'=') {
                Some(eq) => (&long[..eq], Some(&long[eq + 1..])),
                None => (long, None),
            };
            let Some(arg) = find_long(w.cmd(), name) else {
                return Err(w.fail(format!("unknown flag: --{}", String::from_utf8_lossy(name))));
            };
            let value: Vec<u8> = match (value, kind(arg)) {
                (Some(v), _) => v.to_vec(),
                (None, Kind::Bool | Kind::Help) => b"true".to_vec(),
                (None, Kind::Value) => match rest.get(i) {
                    Some(v) => {
                        i += 1;
                        v.as_bytes().to_vec()
                    }
                    None => {
                        return Err(w.fail(format!(
                            "flag needs an argument: {}",
                            String::from_utf8_lossy(word)
                        )))
                    }
                },
            };
            w.set(arg, &value)?;
            continue;
        }
        // One or more shorthands: `-q`, `-qt value`, `-tvalue`, `-t=value`.
        let mut shorts = &word[1..];
        while let Some(&c) = shorts.first() {
            let Some(arg) = find_short(w.cmd(), c) else {
                return Err(w.fail(format!(
                    "unknown shorthand flag: {} in -{}",
                    quote_rune(c),
                    String::from_utf8_lossy(shorts)
                )));
            };
            let (value, next): (Vec<u8>, &[u8]) = if shorts.len() > 2 && shorts[1] == b'=' {
                (shorts[2..].to_vec(), &[])
            } else if kind(arg) != Kind::Value {
                (b"true".to_vec(), &shorts[1..])
            } else if shorts.len() > 1 {
                (shorts[1..].to_vec(), &[])
            } else if let Some(v) = rest.get(i) {
                i += 1;
                (v.as_bytes().to_vec(), &[])
            } else {
                return Err(w.fail(format!(
                    "flag needs an argument: {} in -{}",
                    quote_rune(c),
                    String::from_utf8_lossy(shorts)
                )));
            };
            w.set(arg, &value)?;
            shorts = next;
        }
    }
    let mut subcommands: Vec<OsString> = w.scopes[1..]
        .iter()
        .map(|s| OsString::from(s.get_name()))
        .collect();
    if w.help {
        let mut all = vec![prog];
        all.append(&mut subcommands);
        all.push("--help".into());
        return Ok(Read {
            argv: all,
            command_path: w.path(),
            given: w.given.clone(),
        });
    }
    check_arity(&w)?;
    let command_path = w.path();
    let mut all = vec![prog];
    for o in w.out {
        match o {
            Out::Word(word) => all.push(word),
            Out::Bool { key, word } => {
                if w.bools.get(&key) == Some(&true) {
                    all.push(word);
                }
            }
        }
    }
    Ok(Read {
        argv: all,
        command_path,
        given: w.given,
    })
}

/// cobra's argument checks: a build takes exactly one (the root command
/// without one is left to the caller: it may be `--version`), the other
/// commands none.
fn check_arity(w: &Walk) -> Result<(), ArgvError> {
    let cmd = w.cmd();
    let path = w.path();
    let takes_one = cmd.get_arguments().any(|a| a.is_positional());
    // cobra's RequiresMaxArgs(1) (create, use, inspect, stop) and no
    // limit (rm).
    match cmd.get_name() {
        "rm" => return Ok(()),
        "create" | "use" | "inspect" | "stop" => {
            if w.positionals > 1 {
                return Err(ArgvError::Args {
                    message: format!("\"{path}\" requires at most 1 argument."),
                    command_path: path,
                });
            }
            return Ok(());
        }
        _ => {}
    }
    if takes_one {
        if w.positionals > 1 || (w.positionals == 0 && w.scopes.len() > 1) {
            return Err(exactly_one_argument(&path));
        }
    } else if w.positionals > 0 {
        let message = match cmd.get_name() {
            "ls" | "version" => format!("\"{path}\" requires exactly 0 arguments."),
            _ => format!("\"{path}\" accepts no arguments."),
        };
        return Err(ArgvError::Args {
            message,
            command_path: path,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::Cli;
    use clap::CommandFactory;

    fn cmd() -> Command {
        let mut c = Cli::command();
        c.build();
        c
    }

    fn read_args(args: &[&str]) -> Result<Vec<String>, ArgvError> {
        let argv = std::iter::once("docker-rkbuild")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        read(&cmd(), argv).map(|r| {
            r.argv
                .into_iter()
                .skip(1)
                .map(|s| s.into_string().unwrap())
                .collect()
        })
    }

    fn flag_err(args: &[&str]) -> String {
        match read_args(args) {
            Err(ArgvError::Flag { message, .. }) => message,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn legacy_int64_flags_read_as_go_parse_int() {
        for ok in [
            "512", "-1", "0x10", "0o17", "017", "0b101", "0x1_000", "+7", "0", "1_000", "0x_1",
        ] {
            assert!(parse_int64(ok).is_ok(), "{ok}");
        }
        assert_eq!(parse_int64("0x10"), Ok(16));
        assert_eq!(parse_int64("017"), Ok(15));
        assert_eq!(parse_int64("-9223372036854775808"), Ok(i64::MIN));
        for (bad, why) in [
            ("x", "invalid syntax"),
            ("1__000", "invalid syntax"),
            ("1_", "invalid syntax"),
            ("0x", "invalid syntax"),
            ("9223372036854775808", "value out of range"),
            ("99999999999999999999", "value out of range"),
        ] {
            assert_eq!(
                parse_int64(bad),
                Err(format!("strconv.ParseInt: parsing \"{bad}\": {why}"))
            );
        }
        assert_eq!(
            flag_err(&["-c", "x", "."]),
            r#"invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax"#
        );
        assert!(read_args(&["--rm", "--force-rm", "-m", "2g", "--squash", "."]).is_ok());
    }

    #[test]
    fn boolean_flags_take_a_value_only_after_equals() {
        for (args, want) in [
            (&["--no-cache=false", "."][..], &["."][..]),
            (&["--no-cache=true", "."], &["--no-cache", "."]),
            (&["--no-cache=1", "."], &["--no-cache", "."]),
            (&["--push", "--push=F", "."], &["."]),
            (&["--load=false", "--load", "."], &["--load", "--load", "."]),
            (&["-q=false", "."], &["."]),
            (&["-q=True", "."], &["--quiet", "."]),
            (&["--quiet=0", "."], &["."]),
            (&["--pull=FALSE", "."], &["."]),
            (&["-D=false", "."], &["."]),
            // Never the next word: `false` is the context here.
            (&["--no-cache", "false"], &["--no-cache", "false"]),
        ] {
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(read_args(args).unwrap(), want, "{args:?}");
        }
        // The last value wins across a cluster too.
        assert_eq!(
            read_args(&["-qt-x", "-q=f", "."]).unwrap(),
            ["--tag=-x", "."]
        );
    }

    #[test]
    fn boolean_values_are_go_parse_bool() {
        for v in [
            "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False",
        ] {
            assert!(read_args(&[&format!("--no-cache={v}"), "."]).is_ok(), "{v}");
        }
        assert_eq!(
            flag_err(&["--no-cache=yes", "."]),
            r#"invalid argument "yes" for "--no-cache" flag: strconv.ParseBool: parsing "yes": invalid syntax"#
        );
        assert_eq!(
            flag_err(&["--no-cache=", "."]),
            r#"invalid argument "" for "--no-cache" flag: strconv.ParseBool: parsing "": invalid syntax"#
        );
        assert_eq!(
            flag_err(&["-q=x", "."]),
            r#"invalid argument "x" for "-q, --quiet" flag: strconv.ParseBool: parsing "x": invalid syntax"#
        );
        // `-q=` is `-q` then a shorthand `=`.
        assert_eq!(flag_err(&["-q=", "."]), "unknown shorthand flag: '=' in -=");
    }

    #[test]
    fn values_are_taken_as_pflag_takes_them() {
        let got = read_args(&[
            "-t", "-x", "-t-y", "-t=z", "--tag", "--", "-f", "--help", "-o=", "-qfalse", ".",
        ])
        .unwrap();
        assert_eq!(
            got,
            [
                "--tag=-x",
                "--tag=-y",
                "--tag=z",
                "--tag=--",
                "--file=--help",
                "--output==",
                "--quiet",
                "--file=alse",
                "."
            ]
        );
        // `-t=` is the value `=` (pflag wants more than `=` after the flag).
        assert_eq!(read_args(&["-t=", "."]).unwrap(), ["--tag==", "."]);
        // Empty values of comma-separated lists are no values; the others
        // are CSV records, one word per field.
        assert_eq!(
            read_args(&["--allow=", "--add-host", "", "--allow=a,", "."]).unwrap(),
            ["--allow=a", "--allow=", "."]
        );
        assert_eq!(
            read_args(&["--add-host", r#""a:1,b",c:2"#, "."]).unwrap(),
            ["--add-host=a:1,b", "--add-host=c:2", "."]
        );
        // After `--`, everything is an argument.
        assert_eq!(read_args(&["--", "-x"]).unwrap(), ["--", "-x"]);
        // Subcommands, their flags and the global ones.
        assert_eq!(
            read_args(&[
                "--builder",
                "-b",
                "prune",
                "-af=false",
                "--keep-storage",
                "1g"
            ])
            .unwrap(),
            ["--builder=-b", "prune", "--all", "--keep-storage=1g"]
        );
        assert_eq!(
            read_args(&["prune", "-D", "--builder", "x", "-h=0"]).unwrap(),
            ["prune", "--debug", "--builder=x"]
        );
    }

    #[test]
    fn flag_errors_have_pflag_messages() {
        for (args, msg) in [
            (&["-t"][..], "flag needs an argument: 't' in -t"),
            (&[".", "-qt"], "flag needs an argument: 't' in -t"),
            (&[".", "--tag"], "flag needs an argument: --tag"),
            (&[".", "-o"], "flag needs an argument: 'o' in -o"),
            (&["--bogus", "."], "unknown flag: --bogus"),
            (&["--bogus=1", "."], "unknown flag: --bogus"),
            (&["-x", "."], "unknown shorthand flag: 'x' in -x"),
            (&["-qx", "."], "unknown shorthand flag: 'x' in -x"),
            (&["-é", "."], "unknown shorthand flag: 'Ã' in -é"),
            (&["---x", "."], "bad flag syntax: ---x"),
            (&["--=x", "."], "bad flag syntax: --=x"),
            (
                &["--ulimit", "-x", "."],
                r#"invalid argument "-x" for "--ulimit" flag: invalid ulimit argument: -x"#,
            ),
            (
                &["--ulimit=nofile=2:1", "."],
                r#"invalid argument "nofile=2:1" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 2 > 1"#,
            ),
            (
                &["--shm-size", "-1", "."],
                r#"invalid argument "-1" for "--shm-size" flag: invalid size: '-1'"#,
            ),
            (
                &["prune", "--keep-storage=x"],
                r#"invalid argument "x" for "--keep-storage" flag: invalid size: 'x'"#,
            ),
            // Flag errors come before the count of arguments.
            (&["a", "b", "--bogus"], "unknown flag: --bogus"),
            // ... and before help.
            (&["--help", "--bogus"], "unknown flag: --bogus"),
        ] {
            assert_eq!(flag_err(args), msg, "{args:?}");
        }
        match read_args(&["prune", "--bogus"]) {
            Err(ArgvError::Flag { command_path, .. }) => {
                assert_eq!(command_path, "docker rkbuild prune")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn argument_counts_are_cobras() {
        let args_err = |args: &[&str]| match read_args(args) {
            Err(ArgvError::Args { message, .. }) => message,
            other => panic!("{args:?}: {other:?}"),
        };
        assert_eq!(
            args_err(&["a", "b"]),
            "\"docker rkbuild\" requires exactly 1 argument."
        );
        assert_eq!(
            args_err(&["build"]),
            "\"docker rkbuild build\" requires exactly 1 argument."
        );
        assert_eq!(
            args_err(&["b", "x", "y"]),
            "\"docker rkbuild build\" requires exactly 1 argument."
        );
        assert_eq!(
            args_err(&["du", "x"]),
            "\"docker rkbuild du\" accepts no arguments."
        );
        assert_eq!(
            args_err(&["ls", "x"]),
            "\"docker rkbuild ls\" requires exactly 0 arguments."
        );
        // The root command alone is the caller's (`--version`, usage).
        assert_eq!(read_args(&[]).unwrap(), Vec::<String>::new());
        // Help wins over the count.
        assert_eq!(read_args(&["a", "b", "--help"]).unwrap(), ["--help"]);
        assert_eq!(
            read_args(&["build", "-h", "a", "b"]).unwrap(),
            ["build", "--help"]
        );
        // `--help=false` is no help.
        assert_eq!(read_args(&["--help=false", "."]).unwrap(), ["."]);
    }

    /// The fields of `v` read as one CSV record, as text.
    fn csv_fields(v: &str) -> Vec<String> {
        read_csv_record(v.as_bytes())
            .unwrap()
            .into_iter()
            .map(|f| String::from_utf8(f).unwrap())
            .collect()
    }

    #[test]
    fn string_slices_are_csv_records_like_go() {
        let ok = csv_fields;
        assert!(ok("").is_empty());
        assert_eq!(ok("a"), ["a"]);
        assert_eq!(ok("a,b"), ["a", "b"]);
        assert_eq!(ok("a,"), ["a", ""]);
        assert_eq!(ok(",a"), ["", "a"]);
        assert_eq!(ok(" a , b"), [" a ", " b"]);
        assert_eq!(ok(r#""a,b",c"#), ["a,b", "c"]);
        assert_eq!(ok(r#""a""b""#), [r#"a"b"#]);
        assert_eq!(ok(r#""""#), [""]);
        assert_eq!(ok("a\nb,c"), ["a"]);
        assert_eq!(ok("a,b\r\nc"), ["a", "b"]);
        let err = |v: &str| read_csv_record(v.as_bytes()).unwrap_err();
        // Checked against buildx 0.13.1 (`--add-host VALUE`).
        assert_eq!(
            err(r#"a"b"#),
            r#"parse error on line 1, column 2: bare " in non-quoted-field"#
        );
        assert_eq!(
            err("é\""),
            r#"parse error on line 1, column 3: bare " in non-quoted-field"#
        );
        assert_eq!(
            err(r#""a:1.1.1.1"#),
            r#"parse error on line 1, column 11: extraneous or missing " in quoted-field"#
        );
        assert_eq!(
            err(r#""a:1.1.1.1"x"#),
            r#"parse error on line 1, column 11: extraneous or missing " in quoted-field"#
        );
        assert_eq!(
            err(r#"x:1.1.1.1,"y"z"#),
            r#"parse error on line 1, column 13: extraneous or missing " in quoted-field"#
        );
    }

    /// Where the hand-written reader this replaced differed from Go's
    /// `encoding/csv`: lines after the first, `\r`, and error positions
    /// past the first line.
    #[test]
    fn string_slices_read_past_the_first_line_like_go() {
        let ok = csv_fields;
        assert_eq!(ok("\na"), ["a"]);
        assert_eq!(ok("\"a\r\nb\""), ["a\nb"]);
        let err = |v: &str| read_csv_record(v.as_bytes()).unwrap_err();
        assert_eq!(err("\n"), "EOF");
        assert_eq!(err("\r"), "EOF");
        assert_eq!(
            err("\"a\nb\"c"),
            r#"record on line 1; parse error on line 2, column 2: extraneous or missing " in quoted-field"#
        );
        assert_eq!(
            err("\"abc\r\n"),
            r#"parse error on line 1, column 6: extraneous or missing " in quoted-field"#
        );
        assert_eq!(
            flag_err(&["--allow", "\n", "."]),
            r#"invalid argument "\n" for "--allow" flag: EOF"#
        );
        assert_eq!(
            read_args(&["--add-host", "\n\"a:1,b\",c:2", "."]).unwrap(),
            ["--add-host=a:1,b", "--add-host=c:2", "."]
        );
    }

    #[test]
    fn rune_quotes_like_go() {
        assert_eq!(quote_rune(b'x'), "'x'");
        assert_eq!(quote_rune(b'\''), r"'\''");
        assert_eq!(quote_rune(0xc3), "'Ã'");
        assert_eq!(quote_rune(0x01), r"'\x01'");
    }
}
