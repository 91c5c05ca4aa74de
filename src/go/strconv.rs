//! Go's `strconv`, as buildx 0.13.1 uses it (built with Go 1.21):
//! `ParseBool`, `Quote` (what `%q` prints for a string) and `QuoteRune`
//! (what `%q` prints for a rune or a byte).

/// Go's `strconv.ParseBool`: `None` for anything it refuses.
pub(crate) fn parse_bool(s: &[u8]) -> Option<bool> {
    match s {
        b"1" | b"t" | b"T" | b"TRUE" | b"true" | b"True" => Some(true),
        b"0" | b"f" | b"F" | b"FALSE" | b"false" | b"False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseBool` answering true (buildx and BuildKit parse
/// their boolean options with it).
pub(crate) fn parse_bool_true(s: &str) -> bool {
    parse_bool(s.as_bytes()) == Some(true)
}

/// Go's `strconv.Quote` (what `%q` prints): double quotes, backslash
/// escapes for quotes, control characters and bytes that are not UTF-8.
/// Non-ASCII characters are kept unless they are control, format or
/// space characters (Go's `IsPrint`, closely enough for messages: Go's
/// tables are not reproduced character by character).
pub(crate) fn quote(s: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                ' '..='~' => out.push(c),
                c if (c as u32) < 0x20 || c == '\x7f' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if c.is_control()
                    || c.is_whitespace()
                    || matches!(
                        c,
                        '\u{ad}'
                            | '\u{200b}'..='\u{200f}'
                            | '\u{202a}'..='\u{202e}'
                            | '\u{2060}'..='\u{2064}'
                            | '\u{feff}'
                    ) =>
                {
                    if (c as u32) < 0x10000 {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    } else {
                        let _ = write!(out, "\\U{:08x}", c as u32);
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (what `%q` prints for a rune): single quotes,
/// `'` escaped and `"` not, otherwise as [`quote`].
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the CLI's
pub(crate) fn quote_rune(c: char) -> String {
    match c {
        '\'' => r"'\''".to_string(),
        '"' => "'\"'".to_string(),
        _ => {
            let mut buf = [0u8; 4];
            let q = quote(c.encode_utf8(&mut buf).as_bytes());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_like_strconv_quote() {
        let q = |b: &[u8]| quote(b);
        assert_eq!(q(b""), r#""""#);
        assert_eq!(q(b"garbage\n"), r#""garbage\n""#);
        assert_eq!(q(br#"{"a":"b\c"}"#), r#""{\"a\":\"b\\c\"}""#);
        assert_eq!(q(b"\x01\x7f\t\x07"), r#""\x01\x7f\t\a""#);
        assert_eq!(q("dé€😀".as_bytes()), "\"dé€😀\"");
        assert_eq!(q("a\u{a0}b\u{feff}".as_bytes()), r#""a\u00a0b\ufeff""#);
        assert_eq!(q(b"\xff\xfe"), r#""\xff\xfe""#);
    }

    #[test]
    fn quote_rune_like_strconv() {
        assert_eq!(quote_rune('x'), "'x'");
        assert_eq!(quote_rune('\''), r"'\''");
        assert_eq!(quote_rune('"'), "'\"'");
        assert_eq!(quote_rune('\n'), r"'\n'");
        assert_eq!(quote_rune('é'), "'é'");
    }

    #[test]
    fn parse_bool_like_strconv() {
        for s in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_bool(s.as_bytes()), Some(true), "{s}");
            assert!(parse_bool_true(s), "{s}");
        }
        for s in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_bool(s.as_bytes()), Some(false), "{s}");
        }
        for s in ["", "yes", "tRUE", " true", "2"] {
            assert_eq!(parse_bool(s.as_bytes()), None, "{s}");
            assert!(!parse_bool_true(s), "{s}");
        }
    }
}
