//! Go's `encoding/csv` reading one record (Go 1.21, which buildx 0.13.1 is
//! built with): `csv.NewReader(strings.NewReader(s)).Read()` with the
//! defaults, as buildx 0.13 reads `--output`, `--cache-to`, `--secret`,
//! ... (its `util/buildflags`) and pflag 1.0.5 reads string-slice flags
//! (`readAsCSV`).
//!
//! The defaults: comma `,`; a field that starts with `"` is quoted, `""`
//! in it is a quote, and it may run over several lines; a quote elsewhere
//! in an unquoted field is an error (`LazyQuotes` false); spaces are kept
//! (`TrimLeadingSpace` false). A record ends at a newline outside quotes
//! (`\r\n` reads as `\n`, and a `\r` at the very end is dropped); blank
//! lines before it are skipped, and input with no record at all is Go's
//! `io.EOF`. Errors are `csv.ParseError`'s texts, lines and columns
//! (1-based, in bytes) included.

use std::fmt;

/// Why no record could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// No record: the input is empty or only blank lines (`io.EOF`,
    /// printed `EOF`).
    Eof,
    /// A `csv.ParseError`.
    Parse {
        /// The line the record starts on.
        start_line: usize,
        /// The line of the error.
        line: usize,
        /// The column of the error: 1-based, in bytes.
        column: usize,
        /// What is wrong.
        kind: ParseErrorKind,
    },
}

/// The `Err` of a `csv.ParseError` that one record can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseErrorKind {
    /// `csv.ErrBareQuote`: a quote in an unquoted field.
    BareQuote,
    /// `csv.ErrQuote`: a quoted field not closed, or closed before
    /// something other than a comma or the end of the line.
    Quote,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseErrorKind::BareQuote => "bare \" in non-quoted-field",
            ParseErrorKind::Quote => "extraneous or missing \" in quoted-field",
        })
    }
}

impl fmt::Display for ReadError {
    /// `io.EOF`'s text, or `csv.ParseError.Error()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Eof => f.write_str("EOF"),
            ReadError::Parse {
                start_line,
                line,
                column,
                kind,
            } => {
                if start_line != line {
                    write!(f, "record on line {start_line}; ")?;
                }
                write!(f, "parse error on line {line}, column {column}: {kind}")
            }
        }
    }
}

impl std::error::Error for ReadError {}

/// The first record of `input`, as Go's `csv.Reader.Read` returns it.
pub(crate) fn read_record(input: &[u8]) -> Result<Vec<Vec<u8>>, ReadError> {
    let mut lines = Lines {
        rest: input,
        num_line: 0,
    };
    // Blank lines before the record are skipped.
    let line = loop {
        match lines.read_line() {
            None => return Err(ReadError::Eof),
            Some(l) if l.len() == length_nl(&l) => continue,
            Some(l) => break l,
        }
    };
    let start_line = lines.num_line;
    let mut r = Record {
        lines,
        line,
        at: 0,
        start_line,
        pos_line: start_line,
        col: 1,
    };
    let mut fields = Vec::new();
    loop {
        let (field, more) = if r.line.get(r.at) == Some(&b'"') {
            r.quoted_field()?
        } else {
            r.unquoted_field()?
        };
        fields.push(field);
        if !more {
            return Ok(fields);
        }
    }
}

/// [`read_record`] of a string: the fields are strings too (the reader
/// only cuts at ASCII bytes, so they are as valid as the input).
pub(crate) fn read_record_str(input: &str) -> Result<Vec<String>, ReadError> {
    Ok(read_record(input.as_bytes())?
        .into_iter()
        .map(|f| String::from_utf8_lossy(&f).into_owned())
        .collect())
}

/// The number of bytes of a line's trailing `\n` (Go's `lengthNL`).
fn length_nl(b: &[u8]) -> usize {
    usize::from(b.last() == Some(&b'\n'))
}

/// The input, line by line, as the reader's `readLine` takes it.
struct Lines<'a> {
    rest: &'a [u8],
    /// Lines read so far; reaching the end of the input counts as one,
    /// as in Go.
    num_line: usize,
}

impl Lines<'_> {
    /// The next line with its `\n` (`\r\n` read as `\n`; a `\r` that ends
    /// the input dropped), or `None` at the end of the input.
    fn read_line(&mut self) -> Option<Vec<u8>> {
        self.num_line += 1;
        if self.rest.is_empty() {
            return None;
        }
        let end = self
            .rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.rest.len(), |i| i + 1);
        let mut line = self.rest[..end].to_vec();
        self.rest = &self.rest[end..];
        let n = line.len();
        if line[n - 1] != b'\n' {
            if line[n - 1] == b'\r' {
                line.pop();
            }
        } else if n >= 2 && line[n - 2] == b'\r' {
            line.remove(n - 2);
        }
        Some(line)
    }
}

/// One record being read: the current line, where in it, and the
/// position Go reports errors at.
struct Record<'a> {
    lines: Lines<'a>,
    line: Vec<u8>,
    /// Offset of the unread rest of `line`.
    at: usize,
    start_line: usize,
    /// The line and 1-based byte column of `at` (Go's `pos`).
    pos_line: usize,
    col: usize,
}

impl Record<'_> {
    fn error(&self, line: usize, column: usize, kind: ParseErrorKind) -> ReadError {
        ReadError::Parse {
            start_line: self.start_line,
            line,
            column,
            kind,
        }
    }

    /// An unquoted field, and whether a comma follows it.
    fn unquoted_field(&mut self) -> Result<(Vec<u8>, bool), ReadError> {
        let rest = &self.line[self.at..];
        let comma = rest.iter().position(|&b| b == b',');
        let field = match comma {
            Some(i) => &rest[..i],
            None => &rest[..rest.len() - length_nl(rest)],
        };
        if let Some(j) = field.iter().position(|&b| b == b'"') {
            let column = self.col + j;
            return Err(self.error(self.lines.num_line, column, ParseErrorKind::BareQuote));
        }
        let field = field.to_vec();
        match comma {
            Some(i) => {
                self.at += i + 1;
                self.col += i + 1;
                Ok((field, true))
            }
            None => Ok((field, false)),
        }
    }

    /// A quoted field (it may go on over the next lines), and whether a
    /// comma follows it.
    fn quoted_field(&mut self) -> Result<(Vec<u8>, bool), ReadError> {
        self.at += 1;
        self.col += 1;
        let mut field = Vec::new();
        loop {
            let rest = &self.line[self.at..];
            if let Some(i) = rest.iter().position(|&b| b == b'"') {
                field.extend_from_slice(&rest[..i]);
                self.at += i + 1;
                self.col += i + 1;
                let rest = &self.line[self.at..];
                match rest.first() {
                    Some(b'"') => {
                        field.push(b'"');
                        self.at += 1;
                        self.col += 1;
                    }
                    Some(b',') => {
                        self.at += 1;
                        self.col += 1;
                        return Ok((field, true));
                    }
                    _ if rest.len() == length_nl(rest) => return Ok((field, false)),
                    // Go reports the column of the closing quote.
                    _ => {
                        let column = self.col - 1;
                        return Err(self.error(self.lines.num_line, column, ParseErrorKind::Quote));
                    }
                }
            } else if !rest.is_empty() {
                // The field goes on over the next line.
                field.extend_from_slice(rest);
                self.col += rest.len();
                self.line = self.lines.read_line().unwrap_or_default();
                self.at = 0;
                if !self.line.is_empty() {
                    self.pos_line += 1;
                    self.col = 1;
                }
            } else {
                // The input ended inside the quotes.
                return Err(self.error(self.pos_line, self.col, ParseErrorKind::Quote));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Vec<String> {
        read_record_str(s).unwrap()
    }

    fn err(s: &str) -> String {
        read_record_str(s).unwrap_err().to_string()
    }

    #[test]
    fn fields_like_go() {
        assert_eq!(ok("a"), ["a"]);
        assert_eq!(ok("a,b"), ["a", "b"]);
        assert_eq!(ok("a,"), ["a", ""]);
        assert_eq!(ok(",a"), ["", "a"]);
        assert_eq!(ok(","), ["", ""]);
        assert_eq!(ok(" a , b"), [" a ", " b"]);
        assert_eq!(ok(" "), [" "]);
        assert_eq!(ok(r#""a,b",c"#), ["a,b", "c"]);
        assert_eq!(ok(r#""a""b""#), [r#"a"b"#]);
        assert_eq!(ok(r#""""#), [""]);
        assert_eq!(ok(r#""""""#), [r#"""#]);
        assert_eq!(ok(r#"a,"",b"#), ["a", "", "b"]);
        assert_eq!(ok("a\rb"), ["a\rb"]);
        assert_eq!(ok("é,ü"), ["é", "ü"]);
        assert_eq!(
            read_record(b"\xff,\"\xfe\"").unwrap(),
            [b"\xff".to_vec(), b"\xfe".to_vec()]
        );
    }

    #[test]
    fn one_record_of_several_lines() {
        // The first record only.
        assert_eq!(ok("a\nb,c"), ["a"]);
        assert_eq!(ok("a,b\r\nc"), ["a", "b"]);
        assert_eq!(ok("a,b\n"), ["a", "b"]);
        assert_eq!(ok("\"a\"\nb"), ["a"]);
        assert_eq!(ok("\"a\"\r\n"), ["a"]);
        // A `\r` is dropped only before a newline or at the very end.
        assert_eq!(ok("a\r"), ["a"]);
        assert_eq!(ok("\"a\"\r"), ["a"]);
        assert_eq!(ok("a\r\r"), ["a\r"]);
        // Blank lines before the record are skipped.
        assert_eq!(ok("\na"), ["a"]);
        assert_eq!(ok("\r\n\n a"), [" a"]);
        // Quoted fields go on over lines; `\r\n` in them reads as `\n`.
        assert_eq!(ok("\"a\nb\",c\nd"), ["a\nb", "c"]);
        assert_eq!(ok("\"a\r\nb\""), ["a\nb"]);
        assert_eq!(ok("\"a\n\n\"\n"), ["a\n\n"]);
    }

    #[test]
    fn no_record_is_eof() {
        for s in ["", "\n", "\r", "\r\n", "\n\n\r\n"] {
            assert_eq!(read_record(s.as_bytes()), Err(ReadError::Eof), "{s:?}");
        }
        assert_eq!(err(""), "EOF");
    }

    #[test]
    fn errors_like_go() {
        let bare = "bare \" in non-quoted-field";
        let quote = "extraneous or missing \" in quoted-field";
        for (s, want) in [
            (r#"a"b"#, format!("parse error on line 1, column 2: {bare}")),
            ("é\"", format!("parse error on line 1, column 3: {bare}")),
            (
                r#"a,b""#,
                format!("parse error on line 1, column 4: {bare}"),
            ),
            (
                r#" "a""#,
                format!("parse error on line 1, column 2: {bare}"),
            ),
            (
                "\n\na\"",
                format!("parse error on line 3, column 2: {bare}"),
            ),
            (r#""a"#, format!("parse error on line 1, column 3: {quote}")),
            (r#"""#, format!("parse error on line 1, column 2: {quote}")),
            (
                r#""a"b"#,
                format!("parse error on line 1, column 3: {quote}"),
            ),
            (
                r#""a" "#,
                format!("parse error on line 1, column 3: {quote}"),
            ),
            (
                r#"x,"y"z"#,
                format!("parse error on line 1, column 5: {quote}"),
            ),
            (
                "\"a\"\rb",
                format!("parse error on line 1, column 3: {quote}"),
            ),
            // An unclosed quote at the end of the first line: the column
            // counts the newline (`\r\n` as one byte).
            (
                "\"abc\n",
                format!("parse error on line 1, column 6: {quote}"),
            ),
            (
                "\"abc\r\n",
                format!("parse error on line 1, column 6: {quote}"),
            ),
            (
                "\"abc\r",
                format!("parse error on line 1, column 5: {quote}"),
            ),
            // Errors past the record's first line name both lines.
            (
                "\"a\nb",
                format!("record on line 1; parse error on line 2, column 2: {quote}"),
            ),
            (
                "\"a\nb\"c",
                format!("record on line 1; parse error on line 2, column 2: {quote}"),
            ),
            (
                "\"a\nb\",c\"d",
                format!("record on line 1; parse error on line 2, column 5: {bare}"),
            ),
            (
                "\n\"a\n\nb\"x",
                format!("record on line 2; parse error on line 4, column 2: {quote}"),
            ),
        ] {
            assert_eq!(err(s), want, "{s:?}");
        }
    }
}
