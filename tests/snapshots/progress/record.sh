#!/bin/sh
# Records the progress fixtures from the real daemon with buildx 0.13.1:
#   set -a; . target/testenv/env; set +a; sh tests/snapshots/progress/record.sh
# For each scenario: NAME.rawjson (buildx --progress=rawjson, stderr) and
# NAME.buildx-plain.txt (a separate run with --progress=plain, for reference).
set -u
cd "$(dirname "$0")"
b() { docker buildx build "$@"; }
rec() { name=$1; shift; b --progress=rawjson "$@" 2>"$name.rawjson"; b --progress=plain "$@" 2>"$name.buildx-plain.txt"; }
rec multistage-nocache --no-cache ctx/multistage
b --progress=plain ctx/multistage 2>/dev/null
rec multistage-cached ctx/multistage
rec fail ctx/fail
rec copy --no-cache ctx/copy
rec warning ctx/warning
rec cancel --no-cache ctx/cancel
