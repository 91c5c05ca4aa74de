//! Go behaviour reproduced byte for byte, in one place.
//!
//! buildx, the docker CLI and BuildKit are Go programs; where rkbuild must
//! print, parse or order things exactly as they do, the Go behaviour lives
//! here, one file per Go package, each naming the package and the version
//! whose behaviour it matches:
//!
//! - [`csv`]: `encoding/csv`'s `Reader.Read` of one record (buildx's and
//!   pflag's comma-separated values).
//! - [`filepath`]: `Clean`, `Join` (Unix).
//! - `fmt`: `%.4g`.
//! - [`json`]: `encoding/json`'s escaping, indentation and `[]byte` as base64.
//! - [`strconv`]: `ParseBool`, `Quote`, `QuoteRune`.
//! - [`syscall`]: `Errno.Error()`, an I/O error's text as Go prints it.
//! - [`tabwriter`]: `text/tabwriter` (buildx's `du`, the docker CLI's tables).
//! - [`time`]: `ParseDuration`, `Time.String()`, `time.RFC3339Nano`.
//! - [`units`]: docker's go-units (`RAMInBytes`, `ParseUlimit`, `HumanSize`,
//!   `HumanDuration`).
//!
//! Nothing here depends on the rest of the crate.

pub(crate) mod csv;
pub(crate) mod filepath;
pub(crate) mod fmt;
pub(crate) mod json;
pub(crate) mod mobyversion;
pub(crate) mod strconv;
pub(crate) mod syscall;
#[cfg(feature = "cli")]
pub(crate) mod tabwriter;
pub(crate) mod time;
pub(crate) mod units;
