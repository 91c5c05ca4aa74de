//! `docker-rkbuild`: the docker CLI plugin.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
