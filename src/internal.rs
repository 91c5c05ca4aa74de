//! What the `docker-rkbuild` binary and the integration tests use of the
//! crate's internals. Not part of the library's API: it changes without
//! notice.

/// Go behaviours reproduced byte-exact (see the crate's `go` module).
pub mod go {
    pub use crate::go::{csv, json, strconv, tabwriter, time, units};
}

/// containerd's platform parsing.
pub mod platform {
    pub use crate::platform::normalize;
}

/// The docker API calls beside BuildKit's.
pub mod dockerapi {
    pub use crate::client::transport::docker::{upgrade, version};
}

pub use crate::fsutil::walk;
pub use crate::id::random_bytes;
pub use crate::session::new_id;
