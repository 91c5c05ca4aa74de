//! Docker Desktop's build-details line, as buildx 0.13.1 prints it
//! (`util/desktop`): when `$HOME/.docker/desktop-build/.lastaccess` exists
//! and the builder keeps build records, a build ends with
//! `View build details: docker-desktop://dashboard/build/BUILDER/NODE/REF`
//! on stderr, after a success and after a failed solve alike.

use std::path::Path;

/// Whether Docker Desktop's build backend is in use: buildx looks for
/// `.docker/desktop-build/.lastaccess` under the user's home (Go's
/// `os.UserHomeDir`: `$HOME`, and no home when it is empty).
pub fn build_backend_enabled() -> bool {
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Path::new(&home)
            .join(".docker/desktop-build/.lastaccess")
            .exists(),
        None => false,
    }
}

/// The text buildx prints for the build records `refs` (target name,
/// `builder/node/ref`), without the blank line before it and the newline
/// after it: one link, or one line per target when there are several. On a
/// terminal each link is an OSC 8 hyperlink.
pub fn build_details(refs: &[(String, String)], term: bool) -> Option<String> {
    if refs.is_empty() {
        return None;
    }
    let mut out = String::from("View build details: ");
    for (target, r) in refs {
        if refs.len() > 1 {
            out.push_str(&format!("\n  {target}: "));
        }
        let url = format!("docker-desktop://dashboard/build/{r}");
        if term {
            out.push_str(&format!("\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\"));
        } else {
            out.push_str(&url);
        }
    }
    Some(out)
}

/// Prints the build-details block on stderr as buildx does (a blank line,
/// the text, a newline).
pub fn print_build_details(refs: &[(String, String)]) {
    use std::io::IsTerminal;
    if let Some(text) = build_details(refs, std::io::stderr().is_terminal()) {
        eprint!("\n{text}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_target_is_one_link() {
        let refs = vec![("default".to_string(), "b/b0/abc".to_string())];
        assert_eq!(
            build_details(&refs, false).as_deref(),
            Some("View build details: docker-desktop://dashboard/build/b/b0/abc")
        );
        assert_eq!(
            build_details(&refs, true).as_deref(),
            Some(
                "View build details: \x1b]8;;docker-desktop://dashboard/build/b/b0/abc\x1b\\\
                 docker-desktop://dashboard/build/b/b0/abc\x1b]8;;\x1b\\"
            )
        );
        assert_eq!(build_details(&[], false), None);
    }

    #[test]
    fn several_targets_get_a_line_each() {
        let refs = vec![
            ("app".to_string(), "b/b0/r1".to_string()),
            ("db".to_string(), "b/b0/r2".to_string()),
        ];
        assert_eq!(
            build_details(&refs, false).as_deref(),
            Some(
                "View build details: \n  app: docker-desktop://dashboard/build/b/b0/r1\
                 \n  db: docker-desktop://dashboard/build/b/b0/r2"
            )
        );
    }
}
