//! Go's `path/filepath` on Unix (Go 1.21, as buildx 0.13.1 is built with;
//! neither function has changed in years): `Clean` and `Join`, which
//! fsutil and the OCI layout contexts use to spell paths as upstream does.

/// Go's `filepath.Clean` (Unix): the shortest equivalent
/// path (`.` for an empty one).
pub(crate) fn clean(path: &str) -> String {
    let p = path.as_bytes();
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p[0] == b'/';
    let n = p.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(b'/');
        r = 1;
        dotdot = 1;
    }
    while r < n {
        if p[r] == b'/' || (p[r] == b'.' && (r + 1 == n || p[r + 1] == b'/')) {
            r += 1;
        } else if p[r] == b'.' && p[r + 1] == b'.' && (r + 2 == n || p[r + 2] == b'/') {
            r += 2;
            if out.len() > dotdot {
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && p[r] != b'/' {
                out.push(p[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        return ".".to_string();
    }
    // Only ASCII bytes were removed or added, so `out` is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Go's `filepath.Join(a, b)` (and `path.Join`: the same on Unix): the
/// two joined with `/` and cleaned, an empty one ignored, `""` if both
/// are.
pub(crate) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean(b),
        (false, true) => clean(a),
        (false, false) => clean(&format!("{a}/{b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_like_go() {
        let cases = [
            ("", "."),
            (".", "."),
            ("a", "a"),
            ("a/", "a"),
            ("a//b", "a/b"),
            ("./a", "a"),
            ("a/./b", "a/b"),
            ("a/../b", "b"),
            ("../a", "../a"),
            ("a/../../b", "../b"),
            ("/a/../..", "/"),
            ("/", "/"),
            ("//a", "/a"),
            ("a/b/..", "a"),
            ("!./a", "!./a"),
            ("!a/../b", "b"),
            ("**/", "**"),
            ("a/b/", "a/b"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn paths_join_like_go() {
        assert_eq!(join("", "index.json"), "index.json");
        assert_eq!(join("layout/", "index.json"), "layout/index.json");
        assert_eq!(join("./a//b/../c", "index.json"), "a/c/index.json");
        assert_eq!(join("/", "index.json"), "/index.json");
        assert_eq!(join("a", ""), "a");
        assert_eq!(join("", ""), "");
    }
}
