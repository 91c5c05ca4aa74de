//! Go's `syscall.Errno.Error()` on Linux (Go 1.21, as buildx 0.13.1 is
//! built with; BuildKit relays the same texts): how Go names an errno,
//! as in `open /path: permission denied`.

/// An I/O error's text the way Go prints it (`permission denied`, not
/// `Permission denied (os error 13)`): Go's errno texts are the C
/// library's `strerror` with a lower-case first letter, which is how
/// this makes them. An error without an errno keeps its own text.
pub(crate) fn error_text(e: &std::io::Error) -> String {
    let Some(code) = e.raw_os_error() else {
        return e.to_string();
    };
    let text = std::io::Error::from_raw_os_error(code).to_string();
    let text = match text.rfind(" (os error ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_texts_like_go() {
        let os = std::io::Error::from_raw_os_error;
        assert_eq!(error_text(&os(libc::EACCES)), "permission denied");
        assert_eq!(error_text(&os(libc::ENOENT)), "no such file or directory");
        assert_eq!(error_text(&os(libc::ENOTDIR)), "not a directory");
        let other = std::io::Error::other("short read");
        assert_eq!(error_text(&other), "short read");
    }
}
