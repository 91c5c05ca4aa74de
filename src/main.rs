//! `docker-rkbuild`: the docker CLI plugin (the library's `cli` feature).
#![forbid(unsafe_code)]

fn main() {
    std::process::exit(rkbuild::cli::main());
}
