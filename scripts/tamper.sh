#!/usr/bin/env bash
# Usage: scripts/tamper.sh [zkmargin-tamper options...]
#
# The full tamper run (issue 6): builds zkmargin-tamper and zkmargin-verify in
# release (scratch path .build-tamper-release, or $TAMPER_SCRATCH), then changes
# every byte of every range proof, every commitment and every JSON field of the
# proof, the custodian statement and the bundle of a valid proof of each shipped
# circuit, and checks that the real zkmargin-verify binary rejects every variant
# with exit 1 or 2. Exits non-zero, naming each one, if any variant was accepted
# or crashed the verifier.
#
# Extra arguments go to zkmargin-tamper, e.g.:
#   scripts/tamper.sh --circuit threshold       # one circuit
#   scripts/tamper.sh --sample 2000 --jobs 4    # a sample, four at a time
#   scripts/tamper.sh --in-process --reasons    # also verify in process; show which checks reject
set -euo pipefail

cd "$(dirname "$0")/.."
scratch="${TAMPER_SCRATCH:-.build-tamper-release}"

# Build output goes to stderr: stdout carries only the results.
swift build -c release --scratch-path "$scratch" --product zkmargin-verify >&2
swift build -c release --scratch-path "$scratch" --product zkmargin-tamper >&2
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

exec "$bin/zkmargin-tamper" --exec "$bin/zkmargin-verify" "$@"
