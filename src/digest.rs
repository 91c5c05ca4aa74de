//! Content digests (`algorithm:hex`), checked the way go-digest's
//! `Digest.Validate` checks them, so that errors read like buildx's and
//! BuildKit's (`invalid checksum digest length`).
//!
//! Only the algorithms a Go program links by default are known: `sha256`,
//! `sha384` and `sha512`, each with lower-case hex of the hash's length. A
//! valid digest therefore never contains `/`, `.` or anything else that
//! could make a path built from it escape its directory.

/// Why a digest was refused (go-digest's error values and texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// Not `algorithm:encoded`, or the encoding is not lower-case hex.
    #[error("invalid checksum digest format")]
    InvalidFormat,
    /// The hex part has the wrong length for the algorithm.
    #[error("invalid checksum digest length")]
    InvalidLength,
    /// Well-formed, but the algorithm is not one of sha256/sha384/sha512.
    #[error("unsupported digest algorithm")]
    Unsupported,
}

/// A validated digest, borrowed from the string it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Digest<'a> {
    /// `sha256`, `sha384` or `sha512`.
    pub algorithm: &'a str,
    /// The lower-case hex encoding of the hash.
    pub hex: &'a str,
}

impl<'a> Digest<'a> {
    /// Parses and validates `s` (go-digest's `Parse`).
    pub(crate) fn parse(s: &'a str) -> Result<Digest<'a>, DigestError> {
        let (algorithm, hex) = match s.split_once(':') {
            Some((a, h)) if !a.is_empty() && !h.is_empty() => (a, h),
            _ => return Err(DigestError::InvalidFormat),
        };
        let size = match algorithm {
            "sha256" => 32,
            "sha384" => 48,
            "sha512" => 64,
            _ => {
                return Err(if well_formed(algorithm, hex) {
                    DigestError::Unsupported
                } else {
                    DigestError::InvalidFormat
                })
            }
        };
        if hex.len() != size * 2 {
            return Err(DigestError::InvalidLength);
        }
        if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(DigestError::InvalidFormat);
        }
        Ok(Digest { algorithm, hex })
    }
}

impl std::fmt::Display for Digest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

/// go-digest's `DigestRegexpAnchored`:
/// `^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`.
fn well_formed(algorithm: &str, encoded: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let components_ok = algorithm
        .split(['.', '+', '_', '-'])
        .all(|c| !c.is_empty() && c.bytes().all(alnum));
    components_ok
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "06347750d39bc804e53be0dbb00890a9f17aa97b46830414ebe44f9bce5a0410";

    #[test]
    fn valid_digests() {
        let s = format!("sha256:{HEX}");
        let d = Digest::parse(&s).unwrap();
        assert_eq!((d.algorithm, d.hex), ("sha256", HEX));
        assert_eq!(d.to_string(), s);
        let long = format!("sha512:{HEX}{HEX}");
        assert!(Digest::parse(&long).is_ok());
        let mid = format!("sha384:{HEX}{}", &HEX[..32]);
        assert!(Digest::parse(&mid).is_ok());
    }

    /// The texts buildx 0.13.1 printed for these, after
    /// "invalid oci-layout digest <d>: ".
    #[test]
    fn errors_match_go_digest() {
        use DigestError::*;
        let upper = format!("sha256:{}", HEX.to_ascii_uppercase());
        let trailing = format!("sha256:{HEX}:x");
        let short384 = format!("sha384:{HEX}");
        let cases: &[(&str, DigestError)] = &[
            ("", InvalidFormat),
            ("sha256:", InvalidFormat),
            (":abc", InvalidFormat),
            ("md5:abc", Unsupported),
            ("foo+bar:x", Unsupported),
            ("SHA256:abc", InvalidFormat),
            ("foo..bar:x", InvalidFormat),
            ("md5:a/b", InvalidFormat),
            ("sha256:abc", InvalidLength),
            ("sha256:../../etc", InvalidLength),
            (&upper, InvalidFormat),
            (&trailing, InvalidLength),
            (&short384, InvalidLength),
        ];
        for (s, want) in cases {
            assert_eq!(Digest::parse(s), Err(*want), "{s:?}");
        }
        assert_eq!(InvalidFormat.to_string(), "invalid checksum digest format");
        assert_eq!(InvalidLength.to_string(), "invalid checksum digest length");
        assert_eq!(Unsupported.to_string(), "unsupported digest algorithm");
    }

    #[test]
    fn no_path_characters_survive() {
        let dotted = format!("sha256:{}..", &HEX[..62]);
        let slashed = format!("sha256:{}/x", &HEX[..62]);
        for s in [dotted.as_str(), slashed.as_str()] {
            assert_eq!(s.len(), 71);
            assert_eq!(Digest::parse(s), Err(DigestError::InvalidFormat), "{s}");
        }
    }
}
