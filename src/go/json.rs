//! Go's `encoding/json` as BuildKit's and buildx's JSON is written (Go
//! 1.21, as buildx 0.13.1 is built with; `--progress=rawjson`): `[]byte`
//! as standard base64 (`encoding/base64`'s `StdEncoding`), HTML-safe string
//! escaping and the two-space indentation of
//! `json.Encoder.SetIndent("", "  ")`.

use std::io;

use serde::Serialize;

/// Standard base64 with padding (Go's `base64.StdEncoding`), by the
/// `base64` crate.
pub(crate) fn b64_encode(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Decodes standard base64 as Go's `StdEncoding` reads a JSON `[]byte`:
/// `\r` and `\n` are ignored; padding may be left out. The errors are
/// Go's texts (`illegal base64 data at input byte N`).
pub(crate) fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose};
    use base64::Engine;
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        general_purpose::PAD
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let clean: Vec<u8> = s.bytes().filter(|c| *c != b'\n' && *c != b'\r').collect();
    LENIENT.decode(&clean).map_err(|e| match e {
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
            format!("illegal base64 data at input byte {at}")
        }
        base64::DecodeError::InvalidLength(at) => format!("illegal base64 data at input byte {at}"),
        base64::DecodeError::InvalidPadding => "illegal base64 data: bad padding".to_string(),
    })
}

/// A serde_json formatter that escapes strings like Go (`<`, `>`, `&`,
/// U+2028 and U+2029 as `\u00XX`) and indents like `SetIndent("", "  ")`.
struct GoFormatter<F> {
    inner: F,
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for GoFormatter<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let esc = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(esc.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_value(w)
    }
}

/// Serializes `value` as Go's `json.Encoder` with `SetIndent("", "  ")`
/// does, including the trailing newline.
pub(crate) fn to_go_json_indented<T: Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let fmt = GoFormatter {
        inner: serde_json::ser::PrettyFormatter::with_indent(b"  "),
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    value.serialize(&mut ser)?;
    buf.push(b'\n');
    Ok(buf)
}

/// Serializes `value` as Go's `json.Marshal` does (compact, HTML-safe
/// strings; map keys in the value's order: serde_json's maps are sorted,
/// as Go sorts map keys).
pub(crate) fn to_go_json<T: Serialize>(value: &T) -> String {
    let mut buf = Vec::new();
    let fmt = GoFormatter {
        inner: serde_json::ser::CompactFormatter,
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    // Serializing a serde_json::Value (or plain data) into memory cannot fail.
    let _ = value.serialize(&mut ser);
    String::from_utf8(buf).unwrap_or_default()
}

/// Go's `json.Marshal` of `value` (see [`to_go_json`]), for the binary.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the CLI's
pub(crate) fn marshal<T: Serialize>(value: &T) -> String {
    to_go_json(value)
}

/// Serde helpers for `[]byte` fields (base64 strings).
pub(crate) mod bytes_b64 {
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::b64_encode(v))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(Bytes::new()),
            Some(s) => super::b64_decode(&s)
                .map(Bytes::from)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Like [`bytes_b64`], but an empty value is written as `null` (a nil
/// `[]byte` without `omitempty`).
pub(crate) mod bytes_b64_nullable {
    use bytes::Bytes;
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        if v.is_empty() {
            s.serialize_none()
        } else {
            s.serialize_str(&super::b64_encode(v))
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        super::bytes_b64::deserialize(d)
    }
}

/// Serde helpers for `[][]byte` fields.
pub(crate) mod vec_bytes_b64 {
    use bytes::Bytes;
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &[Bytes], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for b in v {
            if b.is_empty() {
                seq.serialize_element(&Option::<String>::None)?;
            } else {
                seq.serialize_element(&super::b64_encode(b))?;
            }
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Bytes>, D::Error> {
        let v: Option<Vec<Option<String>>> = Option::deserialize(d)?;
        v.unwrap_or_default()
            .into_iter()
            .map(|s| match s {
                None => Ok(Bytes::new()),
                Some(s) => super::b64_decode(&s)
                    .map(Bytes::from)
                    .map_err(serde::de::Error::custom),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for (raw, enc) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"hello\n", "aGVsbG8K"),
            (b"partial", "cGFydGlhbA=="),
        ] {
            assert_eq!(b64_encode(raw), enc);
            assert_eq!(b64_decode(enc).unwrap(), raw);
        }
        assert!(b64_decode("a$==").is_err());
    }

    #[test]
    fn go_escaping_and_indent() {
        let v = serde_json::json!({"name": "a && b > c < d\u{2028}", "x": [1], "e": []});
        let out = String::from_utf8(to_go_json_indented(&v).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\n  \"e\": [],\n  \"name\": \"a \\u0026\\u0026 b \\u003e c \\u003c d\\u2028\",\n  \"x\": [\n    1\n  ]\n}\n"
        );
    }
}
