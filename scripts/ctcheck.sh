#!/usr/bin/env bash
# The dynamic constant-time check (SECURITY.md, "Constant time"), in the way of
# libsecp256k1's ctime_tests: zkmargin-ctcheck marks every secret undefined for
# valgrind's memcheck as soon as it is in memory, so memcheck reports any
# conditional branch or memory address computed from a secret, in the compiled
# release binary.
#
#   scripts/ctcheck.sh [ITERATIONS]     (default 1 per curve; CI uses the default)
#
# 1. Builds zkmargin-ctcheck in release, in its own folder (.build-ctcheck). The
#    valgrind headers must be there at build time (Debian: apt-get install
#    valgrind), or the client requests compile to nothing; the binary then
#    refuses to run (exit 3) instead of passing.
# 2. Runs the two leak self-tests under valgrind and requires memcheck to
#    report each (a branch on a marked scalar; a table index from a DRBG draw):
#    proof that this check can fail, with this build, on this machine.
# 3. Runs the check on P-256 and on secp256k1 under valgrind: commitments,
#    the custodian's attestation of an account, range proofs. Any memcheck
#    report fails it (--error-exitcode=1).
#
# One suppression file, scripts/ctcheck.supp, each entry justified there (a
# Swift enum's tag bit that memcheck cannot see is defined; no secret involved).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

iterations="${1:-1}"
case "$iterations" in
'' | *[!0-9]* | 0) echo "usage: scripts/ctcheck.sh [ITERATIONS]" >&2; exit 64 ;;
esac

if ! command -v valgrind >/dev/null 2>&1; then
    echo "ctcheck.sh: valgrind is not installed (Debian: apt-get install valgrind)" >&2
    exit 2
fi

swift build -c release --scratch-path .build-ctcheck --product zkmargin-ctcheck
bin="$root/.build-ctcheck/release/zkmargin-ctcheck"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
valgrind=(valgrind -q --tool=memcheck --error-exitcode=1 --track-origins=yes --num-callers=40
          --suppressions="$root/scripts/ctcheck.supp")
passed=0

# The check must be able to fail: each self-test has to be reported.
selftest() {
    local mode="$1" message="$2" status=0
    "${valgrind[@]}" "$bin" "$mode" > "$log" 2>&1 || status=$?
    if [[ "$status" != 1 ]] || ! grep -q "$message" "$log"; then
        cat "$log" >&2
        echo "ctcheck.sh: self-test $mode was not reported by memcheck (exit $status): the check cannot fail, so it proves nothing" >&2
        exit 1
    fi
    echo "ctcheck.sh: self-test $mode reported, as it must be: \"$message\"" >&2
    passed=$((passed + 1))
}
selftest leak-branch "Conditional jump or move depends on uninitialised value"
selftest leak-index "Use of uninitialised value of size"

for curve in p256 secp256k1; do
    start="$(date +%s)"
    status=0
    "${valgrind[@]}" "$bin" --curve "$curve" --iterations "$iterations" > "$log" 2>&1 || status=$?
    cat "$log" >&2
    if [[ "$status" != 0 ]]; then
        echo "ctcheck.sh: $curve: exit $status (1: memcheck reported a secret-dependent branch or address, above)" >&2
        echo "ctcheck: $passed passed, 1 failed"
        exit 1
    fi
    echo "ctcheck.sh: $curve: no report in $iterations iteration(s), $(( $(date +%s) - start )) s under valgrind" >&2
    passed=$((passed + 1))
done
echo "ctcheck: $passed passed, 0 failed"
