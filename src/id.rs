//! Random ids: sessions, build references, staging and temporary names,
//! buildx's node identity.

/// Fills `buf` with random bytes from the operating system; should that
/// fail, with bytes from std's per-process random hash keys (ids need to
/// be unique, not secret).
pub(crate) fn random_bytes(buf: &mut [u8]) {
    if getrandom::fill(buf).is_ok() {
        return;
    }
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    for (i, chunk) in buf.chunks_mut(8).enumerate() {
        let mut h = state.build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        let v = h.finish().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

/// A random 25-character `[0-9a-z]` id, the shape of BuildKit's identity.NewID.
pub fn new_id() -> String {
    const CHARS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(25);
    let mut buf = [0u8; 32];
    while out.len() < 25 {
        random_bytes(&mut buf);
        // 252 = 7 * 36: bytes above it would favour the first characters.
        for b in buf.iter().filter(|b| **b < 252) {
            out.push(CHARS[usize::from(*b % 36)] as char);
            if out.len() == 25 {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_use_every_character() {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let id = super::new_id();
            assert_eq!(id.len(), 25);
            seen.extend(id.chars());
        }
        assert_eq!(seen.len(), 36);
    }
}
