//! Compiles the protobuf definitions under `proto/` into Rust (prost messages
//! plus tonic clients and servers) without needing a system `protoc`: protox
//! parses the files, tonic-prost-build generates the code.
//!
//! Outputs in `OUT_DIR`: one `<package>.rs` per protobuf package (included by
//! `src/proto.rs`) and `rkbuild_descriptor_set.bin`, the encoded
//! `FileDescriptorSet` used by the unit tests to check wire facts.

use std::{
    env, fs, io,
    path::{Path, PathBuf},
};

/// Include root of the definitions; import paths are relative to it.
const PROTO_ROOT: &str = "proto";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed={PROTO_ROOT}");
    println!("cargo:rerun-if-changed=build.rs");

    let mut files = Vec::new();
    collect_protos(Path::new(PROTO_ROOT), &mut files)?;
    files.sort();
    // Names relative to the include root, exactly as they are imported.
    let names: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(PROTO_ROOT).map(Path::to_path_buf))
        .collect::<Result<_, _>>()?;

    // google/protobuf/*.proto (Timestamp, Any) come bundled with protox.
    let mut compiler = protox::Compiler::new([PROTO_ROOT])?;
    compiler.include_source_info(true).include_imports(true);
    compiler.open_files(&names)?;

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(
        out_dir.join("rkbuild_descriptor_set.bin"),
        compiler.encode_file_descriptor_set(),
    )?;

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Every `bytes` field becomes `bytes::Bytes`: decoding from tonic's
        // receive buffer is then zero-copy, which matters for the session
        // streams (BytesMessage.data, fsutil Packet.data) that carry file
        // contents and tunnelled connections.
        .bytes(".")
        // google.protobuf well-known types map to prost-types (the default).
        .compile_fds(compiler.file_descriptor_set())?;

    Ok(())
}

/// Recursively collects every `*.proto` file below `dir`.
fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
