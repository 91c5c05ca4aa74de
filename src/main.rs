//! `docker-rkbuild`: the docker CLI plugin (the library's `cli` feature).

fn main() {
    std::process::exit(rkbuild::cli::main());
}
