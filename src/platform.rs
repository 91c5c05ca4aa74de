//! OCI platforms (`os/arch[/variant]`).

use crate::proto::pb::Platform;

/// Formats a platform as `os/arch[/variant]`.
pub fn format(p: &Platform) -> String {
    if p.variant.is_empty() {
        format!("{}/{}", p.os, p.architecture)
    } else {
        format!("{}/{}/{}", p.os, p.architecture, p.variant)
    }
}
