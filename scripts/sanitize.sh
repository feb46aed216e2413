#!/usr/bin/env bash
# Run zkmargin under a sanitizer.
#
#   scripts/sanitize.sh address         the test suite under AddressSanitizer (debug)
#   scripts/sanitize.sh thread          the test suite under ThreadSanitizer (debug)
#   scripts/sanitize.sh thread-release  the same in release, where the MSM runs on
#                                       its own threads (the fast backend)
#   scripts/sanitize.sh leaks           the README's four roles, run through
#                                       AddressSanitizer builds of zkmargin and
#                                       zkmargin-verify with LeakSanitizer on
#
# Each mode builds in its own folder (.build-asan, .build-tsan, .build-tsan-release)
# and exits non-zero on any sanitizer report or test failure.
#
# Why the test suite runs with detect_leaks=0: XCTest on Linux keeps every test
# case object (and its name strings) until exit, so LeakSanitizer reports those
# at the end of any XCTest run, whatever the code under test does. Leaks are
# checked instead on the executables (`leaks`), where every report is ours.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode="${1:-}"
case "$mode" in
address)
    ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:${ASAN_OPTIONS:-}" \
        swift test --disable-swift-testing --sanitize=address --scratch-path .build-asan
    ;;
thread)
    TSAN_OPTIONS="halt_on_error=1:${TSAN_OPTIONS:-}" \
        swift test --disable-swift-testing --sanitize=thread --scratch-path .build-tsan
    ;;
thread-release)
    TSAN_OPTIONS="halt_on_error=1:${TSAN_OPTIONS:-}" \
        swift test --disable-swift-testing -c release -Xswiftc -enable-testing \
        --sanitize=thread --scratch-path .build-tsan-release
    ;;
leaks)
    swift build --sanitize=address --scratch-path .build-asan --product zkmargin
    swift build --sanitize=address --scratch-path .build-asan --product zkmargin-verify
    bin="$root/.build-asan/debug"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=99:${ASAN_OPTIONS:-}"
    examples="$root/Vectors/examples/cross-margin"
    # expect CODE COMMAND...: runs COMMAND, fails unless it exits with CODE
    # (a sanitizer report exits 99).
    expect() {
        local want="$1"; shift
        local got=0
        "$@" > "$work/last.out" 2> "$work/last.err" || got=$?
        if [[ "$got" != "$want" ]]; then
            echo "sanitize.sh: '$*' exited $got, expected $want" >&2
            cat "$work/last.err" >&2
            exit 1
        fi
        echo "ok ($got): $(basename "$1") ${2:-}" >&2
    }
    expect 0 "$bin/zkmargin" keygen --out "$work/publisher.pem"
    expect 0 "$bin/zkmargin" publish --values "$examples/values.json" --key "$work/publisher.pem" \
        --out "$work/bundle.json" --valid-until 2030-01-01T00:00:00Z
    expect 0 "$bin/zkmargin" keygen --out "$work/custodian.pem"
    expect 0 "$bin/zkmargin" attest --bundle "$work/bundle.json" --account "$examples/solvent.json" \
        --key "$work/custodian.pem" --out "$work/statement.json" --openings "$work/openings.json"
    expect 0 "$bin/zkmargin" check --bundle "$work/bundle.json" --account "$examples/solvent.json"
    expect 1 "$bin/zkmargin" check --values "$examples/values.json" --account "$examples/short.json"
    expect 0 "$bin/zkmargin" prove --bundle "$work/bundle.json" --statement "$work/statement.json" \
        --openings "$work/openings.json" --out "$work/proof.json"
    expect 0 "$bin/zkmargin-verify" --bundle "$work/bundle.json" --publisher-key "$work/publisher.pub.pem" \
        --custodian-key "$work/custodian.pub.pem" "$work/proof.json"
    # A rejected proof and an unusable bundle take the error paths.
    expect 1 "$bin/zkmargin-verify" --bundle "$work/bundle.json" --publisher-key "$work/publisher.pub.pem" \
        --custodian-key "$work/publisher.pub.pem" "$work/proof.json"
    expect 2 "$bin/zkmargin-verify" --bundle "$work/statement.json" --publisher-key "$work/publisher.pub.pem" \
        "$work/proof.json"
    echo "leaks: no LeakSanitizer or AddressSanitizer report" >&2
    ;;
*)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
