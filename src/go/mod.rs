//! Go behaviour reproduced byte for byte, in one place.
//!
//! buildx, the docker CLI and BuildKit are Go programs; where rkbuild must
//! print, parse or order things exactly as they do, the Go behaviour lives
//! here, one file per Go package, each naming the package and the version
//! whose behaviour it matches:
//!
//! - [`strconv`]: `ParseBool`, `Quote`, `QuoteRune`.
//!
//! Nothing here depends on the rest of the crate.

pub mod strconv;
