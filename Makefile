# rkbuild developer targets. The test environment (a private dockerd 26.1.5 with its
# embedded BuildKit, loopback registries, buildx 0.13.1) comes from scripts/testenv.
TESTENV_ENV := target/testenv/env
CARGO_TEST_ARGS ?=

.PHONY: testenv-up testenv-down test install-and-run

testenv-up:
	scripts/testenv up

testenv-down:
	scripts/testenv down

test: testenv-up
	set -a; . ./$(TESTENV_ENV); set +a; cargo test --all-targets $(CARGO_TEST_ARGS)

install-and-run:
	scripts/install-and-run
