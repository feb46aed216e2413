#!/usr/bin/env bash
# Build one zkmargin fuzz target with libFuzzer + AddressSanitizer and run it.
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh --list
#
# TARGET is one of `zkmargin-fuzz list` (point, scalar, rangeproof, circuit,
# values, account, bundle, statement, proof). The seed corpus is
# Vectors/fuzz/TARGET/ (read only); new inputs go to .fuzz/TARGET/corpus/,
# crashes to .fuzz/TARGET/ (crash-*, oom-*, timeout-*). A crash is a bug: fix
# it, then copy the input to Vectors/fuzz/TARGET/regression-<what> so that
# `swift test` replays it from then on.
#
# The build is release (the fast MSM backend, as users run it) with
# coverage instrumentation, in .build-fuzz/. Run from anywhere; it cds to the
# repository root. Extra arguments go to libFuzzer (e.g. -jobs=2, -seed=1).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scratch="${ZKMARGIN_FUZZ_SCRATCH:-.build-fuzz}"

build() {
    echo "building zkmargin-fuzz with libFuzzer and AddressSanitizer (release, $scratch)…" >&2
    # Not `--sanitize=fuzzer --sanitize=address`: given both, this toolchain
    # (Swift 6.3.1) builds with no coverage instrumentation at all, and
    # libFuzzer runs blind (it warns "no interesting inputs"). `--sanitize=fuzzer`
    # makes SwiftPM build the executable as a library (libFuzzer has `main`);
    # the -Xswiftc flag turns on coverage and AddressSanitizer together.
    swift build -c release --product zkmargin-fuzz --scratch-path "$scratch" \
        --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DZKMARGIN_LIBFUZZER >&2
}

if [[ "${1:-}" == "--list" ]]; then
    ls Vectors/fuzz | grep -v -e fixtures -e '\.' ; exit 0
fi
if [[ $# -lt 2 || "${1:-}" == -* ]]; then
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
target="$1"; seconds="$2"; shift 2
if [[ ! -d "Vectors/fuzz/$target" ]]; then
    echo "fuzz.sh: no seed corpus Vectors/fuzz/$target; targets: $(ls Vectors/fuzz | grep -v -e fixtures -e '\.' | tr '\n' ' ')" >&2
    exit 2
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }

build
binary="$scratch/release/zkmargin-fuzz"
if command -v readelf > /dev/null && [[ "$(readelf -S "$binary")" != *__sancov_cntrs* ]]; then
    echo "fuzz.sh: $binary has no coverage instrumentation (no __sancov_cntrs section); refusing to fuzz blind" >&2
    exit 1
fi
work=".fuzz/$target"
mkdir -p "$work/corpus"

dict=()
[[ -f "Vectors/fuzz/$target.dict" ]] && dict=("-dict=Vectors/fuzz/$target.dict")

echo "fuzzing $target for $seconds s (corpus $work/corpus, seeds Vectors/fuzz/$target)…" >&2
# The Swift runtime's backtracer would otherwise take the crash signal
# before libFuzzer can save the input.
export SWIFT_BACKTRACE=enable=no
export ZKMARGIN_FUZZ_TARGET="$target"
export ZKMARGIN_ROOT="$root"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
exec "$binary" -max_total_time="$seconds" -max_len=16384 -timeout=30 -rss_limit_mb=4096 \
    -artifact_prefix="$work/" -print_final_stats=1 "${dict[@]}" "$@" "$work/corpus" "Vectors/fuzz/$target"
