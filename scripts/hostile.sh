#!/usr/bin/env bash
# Usage: scripts/hostile.sh [DIR]
#
# What refusing each hostile input of the soundness review costs the real
# zkmargin-verify: builds zkmargin-verify and zkmargin-fuzz in release
# (scratch path .build-tamper-release, or $TAMPER_SCRATCH), writes the
# hostile files into DIR (default: a temporary folder) with
# `zkmargin-fuzz make-hostile`, then runs zkmargin-verify on each case under
# /usr/bin/time and prints its exit status, wall time and peak memory.
#
# A case passes when the exit status is the expected one and, for refusals,
# zkmargin-verify took under 1 s and 200 MB; the 1000-proof case (valid
# proofs, so its time is verification work) must stay under 200 MB. Exits 1
# if any case fails.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$PWD"
scratch="${TAMPER_SCRATCH:-.build-tamper-release}"
swift build -c release --scratch-path "$scratch" --product zkmargin-verify >&2
swift build -c release --scratch-path "$scratch" --product zkmargin-fuzz >&2
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

dir="${1:-$(mktemp -d)}"
ZKMARGIN_ROOT="$root" "$bin/zkmargin-fuzz" make-hostile "$dir" >&2

printf '%-24s %-4s %6s %8s %9s  %s\n' case find exit seconds "peak MB" result
failed=0
while IFS=$'\t' read -r -a fields; do
    name="${fields[0]}" finding="${fields[1]}" expected="${fields[2]}"
    args=("${fields[@]:4}")
    set +e
    (cd "$dir" && /usr/bin/time -f '%e %M' -o "$dir/$name.time" "$bin/zkmargin-verify" "${args[@]}" >"$dir/$name.out" 2>"$dir/$name.err")
    status=$?
    set -e
    read -r seconds kilobytes < <(tail -n 1 "$dir/$name.time")
    megabytes=$((kilobytes / 1024))
    result=ok
    if [ "$status" != "$expected" ]; then
        result="FAIL: exit $status, expected $expected"
    elif [ "$megabytes" -ge 200 ]; then
        result="FAIL: ${megabytes} MB"
    elif [ "$expected" != 0 ] && awk "BEGIN { exit !($seconds >= 1) }"; then
        result="FAIL: ${seconds} s"
    fi
    [ "$result" = ok ] || failed=1
    printf '%-24s %-4s %6s %8s %9s  %s\n' "$name" "$finding" "$status" "$seconds" "$megabytes" "$result"
done <"$dir/cases.tsv"
echo "files and outputs: $dir" >&2
exit "$failed"
