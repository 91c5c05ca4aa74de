//! `--progress=rawjson`: every [`SolveStatus`] as Go's `json.Encoder` with
//! two-space indentation writes it (buildx 0.13 prints indented values, one
//! after the other, each ending in a newline).

use std::io::{self, Write};

use super::event::SolveStatus;
use crate::go::json::to_go_json_indented;

/// Encodes one status exactly as buildx's rawjson display does.
pub fn encode(status: &SolveStatus) -> Vec<u8> {
    // Serializing these plain structs cannot fail.
    to_go_json_indented(status).unwrap_or_default()
}

/// Writes statuses in buildx's rawjson format.
#[derive(Debug)]
pub struct RawJsonWriter<W: Write> {
    out: W,
}

impl<W: Write> RawJsonWriter<W> {
    /// A writer to `out`.
    pub fn new(out: W) -> Self {
        RawJsonWriter { out }
    }

    /// Writes one status. Errors of the output are returned, as buildx
    /// ignores them the caller may too.
    pub fn write(&mut self, status: &SolveStatus) -> io::Result<()> {
        self.out.write_all(&encode(status))?;
        self.out.flush()
    }

    /// The output.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Reads a stream of rawjson values (as written by buildx or
/// [`RawJsonWriter`]; any whitespace between values is accepted).
pub fn parse_stream(text: &str) -> Result<Vec<SolveStatus>, serde_json::Error> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<SolveStatus>()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "vertexes": [
    {
      "digest": "sha256:cac49a0d28d7a53c885855cd3cd57dac1bc5994a80b317d9761be47cc2ab01f4",
      "inputs": [
        "sha256:430f83d8492c83f5448b0da018de3e4833dd39e6e2cfa718aeb7310971237e17"
      ],
      "name": "[3/3] RUN echo \u0026\u0026 \u003e",
      "started": "2026-11-24T10:50:44.482876758Z",
      "completed": "2026-11-24T10:50:44.69625206Z",
      "cached": true,
      "error": "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"
    }
  ]
}
{
  "statuses": [
    {
      "id": "transferring context:",
      "vertex": "sha256:440b864e76e422724cdef1dd3ccecfe4f27bcff3e335102300c0b837d4a20397",
      "name": "transferring",
      "current": 0,
      "timestamp": "2026-11-24T10:50:44.46485205Z",
      "started": "2026-11-24T10:50:44.464134051Z"
    }
  ]
}
{
  "logs": [
    {
      "vertex": "sha256:f5db6276306d23a50c88084a810ec6b7bbede9eca80cde01dde08957ce88badb",
      "stream": 1,
      "data": "aGVsbG8K",
      "timestamp": "2026-11-24T10:51:20.261625287Z"
    }
  ]
}
"#;

    #[test]
    fn round_trips_buildx_output_byte_for_byte() {
        let events = parse_stream(SAMPLE).unwrap();
        assert_eq!(events.len(), 3);
        let mut w = RawJsonWriter::new(Vec::new());
        for e in &events {
            w.write(e).unwrap();
        }
        assert_eq!(String::from_utf8(w.into_inner()).unwrap(), SAMPLE);
    }
}
