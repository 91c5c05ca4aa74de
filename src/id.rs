//! Random ids: sessions, build references, staging and temporary names.

/// A random 25-character `[0-9a-z]` id, the shape of BuildKit's identity.NewID.
pub fn new_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..25)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}
