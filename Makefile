# rkbuild developer targets. The test environment (a private dockerd 26.1.5 with its
# embedded BuildKit, loopback registries, buildx 0.13.1) comes from scripts/testenv.
TESTENV_ENV := target/testenv/env
CARGO_TEST_ARGS ?=

.PHONY: testenv-up testenv-down package test buildx-suite install-and-run bench

testenv-up:
	scripts/testenv up

testenv-down:
	scripts/testenv down

# Release binary and distro packages (tests/it/packaging.rs installs the .deb).
package:
	scripts/package

# Everything the tests need, then every test (unit, integration, doc). The
# examples are built as programs first: tests/it/examples.rs runs them. The
# integration tests run one at a time: on two cores, builds beside each other
# shift the daemons' timing, which the side-by-side progress comparisons see.
#
# Last, buildx's own integration tests (scripts/buildx-suite: compiled once from Debian's
# sources, cached) with buildx and with the rkbuild binary just built, on the sandbox's
# remote, docker, docker+containerd and docker-container workers; it fails when a test that
# passes with buildx does not pass with rkbuild, except the ones
# tests/buildx-suite/expected-failures lists (reported loudly).
test: testenv-up package
	cargo build --examples
	set -a; . ./$(TESTENV_ENV); set +a; \
	  cargo test --lib --bins --examples $(CARGO_TEST_ARGS) && \
	  cargo test --test it $(CARGO_TEST_ARGS) -- --test-threads=1 && \
	  cargo test --doc
	cargo build --bin docker-rkbuild
	scripts/buildx-suite check

buildx-suite: testenv-up
	cargo build --bin docker-rkbuild
	scripts/buildx-suite check

bench:
	scripts/bench

install-and-run:
	scripts/install-and-run
