//! buildx 0.13.1's table of the BuildKit inside each dockerd release
//! (`driver/docker/version.go`, its `mobyBuildkitVersions` with
//! Masterminds/semver constraints, first match wins): the version `ls`
//! and `inspect` show for a daemon whose BuildKit has no `Control.Info`
//! (before 0.11). Release versions are matched; the table's pre-release
//! boundaries (`19.03.0-beta2`, ...) only matter for pre-release daemons,
//! which are read as the release they precede.

/// The BuildKit version buildx shows for dockerd `version` (`20.10.24`,
/// `20.10.24+dfsg1`, `24.0.7-moby`): the table's, else the daemon's own
/// version without `-moby`.
pub(crate) fn buildkit_of(version: &str) -> String {
    match table(version) {
        Some(v) => v.to_string(),
        None => version.strip_suffix("-moby").unwrap_or(version).to_string(),
    }
}

fn table(version: &str) -> Option<&'static str> {
    // semver: build metadata (`+dfsg1`) is ignored; a pre-release sorts
    // before its release.
    let core = version.split('+').next().unwrap_or(version);
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, !p.is_empty()),
        None => (core, false),
    };
    let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = it.next().flatten()?;
    let minor = it.next().flatten().unwrap_or(0);
    let patch = it.next().flatten().unwrap_or(0);
    let v = (major, minor, patch);
    // A pre-release is below its release: take it as the previous patch
    // (enough for the table's release ranges).
    let v = if pre && v.2 > 0 {
        (v.0, v.1, v.2 - 1)
    } else {
        v
    };
    let at = |a: u64, b: u64, c: u64| (a, b, c);
    type V = (u64, u64, u64);
    let ranges: &[(V, V, &str)] = &[
        (at(18, 6, 0), at(18, 6, 1), "v0.0.0+9acf51e"),
        (at(18, 6, 1), at(18, 9, 0), "v0.0.0+98f1604"),
        (at(18, 9, 0), at(18, 9, 1), "v0.0.0+c7bb575"),
        // `~18.09.1-0` comes before the finer 18.09 entries and takes them.
        (at(18, 9, 1), at(18, 10, 0), "v0.3.3"),
        (at(18, 10, 0), at(19, 3, 0), "v0.4.0+05766c5"),
        (at(19, 3, 0), at(19, 3, 2), "v0.5.1+1f89ec1"),
        (at(19, 3, 2), at(19, 3, 3), "v0.6.1+588c73e"),
        (at(19, 3, 3), at(19, 3, 5), "v0.6.2"),
        (at(19, 3, 5), at(19, 3, 6), "v0.6.3+928f3b4"),
        (at(19, 3, 6), at(19, 3, 7), "v0.6.3+57e8ad5"),
        (at(19, 3, 7), at(19, 3, 9), "v0.6.4"),
        (at(19, 3, 9), at(19, 3, 13), "v0.6.4+a7d7b7f"),
        (at(19, 3, 13), at(19, 3, 15), "v0.6.4+df89d4d"),
        (at(19, 3, 15), at(20, 10, 0), "v0.6.4+396bfe2"),
        (at(20, 10, 0), at(20, 10, 2), "v0.8.1"),
        (at(20, 10, 3), at(20, 10, 4), "v0.8.1+68bb095"),
        (at(20, 10, 4), at(20, 10, 7), "v0.8.2"),
        (at(20, 10, 7), at(20, 10, 10), "v0.8.2+244e8cde"),
        (at(20, 10, 11), at(20, 10, 18), "v0.8.2+bc07b2b8"),
        (at(20, 10, 19), at(20, 10, 20), "v0.8.2+3a1eeca5"),
        (at(20, 10, 20), at(20, 10, 21), "v0.8.2+c0149372"),
        (at(20, 10, 21), at(20, 10, 24), "v0.8.2+eeb7b65"),
        (at(20, 10, 0), at(20, 11, 0), "v0.8+unknown"),
        (at(22, 6, 0), at(22, 7, 0), "v0.10.3"),
        (at(23, 0, 0), at(23, 0, 1), "v0.10.6"),
        (at(23, 0, 1), at(23, 0, 2), "v0.10.6+4f0ee09"),
        (at(23, 0, 2), at(23, 0, 4), "v0.10.6+70f2ad5"),
        (at(23, 0, 4), at(23, 0, 7), "v0.10.6+d52b2d5"),
        (at(23, 0, 0), at(24, 0, 0), "v0.10+unknown"),
    ];
    if v < at(18, 6, 0) {
        return None;
    }
    ranges
        .iter()
        .find(|(lo, hi, _)| v >= *lo && v < *hi)
        .map(|(_, _, b)| *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_buildx_names_them() {
        assert_eq!(buildkit_of("20.10.24+dfsg1"), "v0.8+unknown");
        assert_eq!(buildkit_of("20.10.21"), "v0.8.2+eeb7b65");
        assert_eq!(buildkit_of("20.10.23"), "v0.8.2+eeb7b65");
        assert_eq!(buildkit_of("20.10.10"), "v0.8+unknown");
        assert_eq!(buildkit_of("20.10.5"), "v0.8.2");
        assert_eq!(buildkit_of("18.09.6"), "v0.3.3");
        assert_eq!(buildkit_of("19.03.12"), "v0.6.4+a7d7b7f");
        assert_eq!(buildkit_of("23.0.5"), "v0.10.6+d52b2d5");
        assert_eq!(buildkit_of("23.0.15"), "v0.10+unknown");
        assert_eq!(buildkit_of("24.0.7-moby"), "24.0.7");
        assert_eq!(buildkit_of("17.03.0"), "17.03.0");
    }
}
