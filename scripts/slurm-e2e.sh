#!/usr/bin/env bash
# Usage: scripts/slurm-e2e.sh [--smoke]
#
# A real single-node Slurm cluster on this machine, then a whole epoch through
# it (issue 16): deploy/slurm/epoch.sbatch run as job arrays, exactly as a
# custodian's cluster would run it.
#
# 1. Installs slurm-wlm and munge from Debian when missing (apt-get; sudo when
#    not root).
# 2. Starts a private cluster in a temporary directory: its own munge key and
#    munged (own socket; the system's /etc/munge is not used), slurmctld and
#    slurmd on free local ports, one node with this machine's CPUs and memory
#    (`slurmd -C`), ProctrackType=proctrack/linuxproc, TaskPlugin=task/none,
#    select/cons_tres with CR_Core (one core per task, so tasks run side by
#    side), JobRequeue=1. Every client command here reads that slurm.conf
#    through SLURM_CONF; nothing under /etc/slurm is written.
# 3. --smoke: `srun hostname` and `sbatch --array=0-3 --wait`, then stops.
#    Default: the epoch (see run_epoch below): keys and a cross-margin bundle
#    over E2E_INSTRUMENTS instruments, E2E_ACCOUNTS generated accounts (solvent
#    and short, labels with "/", spaces and non-ASCII), attest in E2E_SHARDS
#    shards, seal, prove in E2E_SHARDS shards (one running task is requeued
#    with `scontrol requeue` and must still complete), index, zkmargin-verify
#    over the directory with --index, and a check that every solvent account
#    has exactly one valid proof and every short one none. It prints accounts
#    per core-hour for each stage and a projection.
# 4. Always stops the daemons it started (on success, failure or interrupt),
#    after cancelling the cluster's jobs. The temporary directory is removed on
#    success and kept (its path printed, with the daemons' logs) on failure.
#
# Environment:
#   ZKMARGIN_BIN      folder holding release zkmargin and zkmargin-verify
#                     (default: build them: swift build -c release)
#   E2E_ACCOUNTS      accounts in the epoch (default 1000)
#   E2E_INSTRUMENTS   instruments of the cross-margin bundle (default 20)
#   E2E_SHARDS        shards, i.e. array tasks per stage (default 8)
#   E2E_KEEP=1        keep the temporary directory even on success
#   E2E_WORK          use this (empty or new) directory instead of a temporary one
#
# Exit status: 0 the run passed; 1 a check failed; 2 the cluster could not be
# set up; 64 usage error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=e2e
case "${1:-}" in
'') ;;
--smoke) mode=smoke ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: scripts/slurm-e2e.sh [--smoke]" >&2; exit 64 ;;
esac

say() { echo "slurm-e2e: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.1f}")' "$1" "$2"; }

accounts="${E2E_ACCOUNTS:-1000}"
instruments="${E2E_INSTRUMENTS:-20}"
shards="${E2E_SHARDS:-8}"
for v in "$accounts" "$instruments" "$shards"; do
    case "$v" in '' | *[!0-9]* | 0) echo "slurm-e2e: E2E_ACCOUNTS, E2E_INSTRUMENTS and E2E_SHARDS must be positive integers" >&2; exit 64 ;; esac
done

t_script=$(now)

# --- 1. Packages ---------------------------------------------------------

install_s="- (installed already)"
missing=()
for pkg in slurm-wlm munge; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    say "installing ${missing[*]} (apt-get)"
    t0=$(now)
    $sudo apt-get update -q
    # The daemons are started below, on a private configuration; whatever
    # the packages' own service scripts do (nothing without systemd) is not used.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
    install_s="$(elapsed "$t0" "$(now)") s"
    say "installed in $install_s"
fi

# The binaries, before the cluster starts (a build from scratch takes minutes).
build_s="-"
if [ "$mode" = e2e ]; then
    if [ -n "${ZKMARGIN_BIN:-}" ]; then
        bin="$(cd "$ZKMARGIN_BIN" && pwd)"
        build_s="(given)"
    else
        t0=$(now)
        say "building zkmargin and zkmargin-verify (swift build -c release)"
        swift build -c release --product zkmargin >&2
        swift build -c release --product zkmargin-verify >&2
        bin="$(swift build -c release --show-bin-path)"
        build_s="$(elapsed "$t0" "$(now)") s"
    fi
fi

# --- 2. The cluster ------------------------------------------------------

if [ -n "${E2E_WORK:-}" ]; then
    mkdir -p "$E2E_WORK"
    work="$(cd "$E2E_WORK" && pwd)"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/zkmargin-slurm.XXXXXX")"
fi
chmod 0700 "$work"
cluster="$work/cluster"
mkdir -p "$cluster"/{munge,state,spool,log}
chmod 0700 "$cluster/munge"
export SLURM_CONF="$cluster/slurm.conf"

pids=()          # daemons started here, stopped in this order reversed
passed=0
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$SLURM_CONF" ] && [ "${#pids[@]}" -gt 1 ]; then
        # Cancel this cluster's jobs (SLURM_CONF names only this cluster) and
        # give their steps a moment to end before slurmd goes.
        scancel --full --quiet --user "$(id -un)" >/dev/null 2>&1 || true
        for _ in $(seq 1 20); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
    local i pid
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid="${pids[$i]}"
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    [ "${#pids[@]}" -gt 0 ] && say "stopped the daemons started here (pids ${pids[*]})"
    if [ "$status" -eq 0 ] && [ "$passed" -eq 1 ] && [ "${E2E_KEEP:-0}" != 1 ]; then
        rm -rf "$work"
    else
        for f in "$cluster"/log/*.log; do
            [ -s "$f" ] || continue
            [ "$status" -ne 0 ] && { say "last lines of $f:"; tail -n 15 "$f" >&2; }
        done
        say "kept $work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

setup_fail() { say "cluster setup FAILED: $*"; exit 2; }

t_cluster=$(now)
host="$(hostname -s)"
user="$(id -un)"
# Two free local ports (another cluster on this machine keeps its own).
read -r ctld_port slurmd_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

# A munge key of our own, and munged on our own socket.
mungekey --create --keyfile="$cluster/munge/munge.key" >/dev/null 2>&1 \
    || setup_fail "mungekey could not create $cluster/munge/munge.key"
chmod 0600 "$cluster/munge/munge.key"
socket="$cluster/munge/munge.socket"
munged --foreground --force --key-file="$cluster/munge/munge.key" --socket="$socket" \
    --pid-file="$cluster/munge/munged.pid" --log-file="$cluster/log/munged.log" \
    --seed-file="$cluster/munge/munged.seed" >"$cluster/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 40); do [ -S "$socket" ] && break; sleep 0.25; done
[ -S "$socket" ] || setup_fail "munged did not start (see $cluster/log/munged.log)"
munge --socket="$socket" -n | unmunge --socket="$socket" >/dev/null \
    || setup_fail "munge cannot encode and decode a credential on $socket"

node="$(slurmd -C | head -n 1)"          # NodeName=<host> CPUs=… RealMemory=…
case "$node" in NodeName=*) ;; *) setup_fail "slurmd -C printed no node line: $node" ;; esac
cpus="$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node")"
cat >"$SLURM_CONF" <<EOF
# Written by scripts/slurm-e2e.sh for one run; removed with its directory.
ClusterName=zkmargin-e2e
SlurmctldHost=$host
SlurmctldAddr=127.0.0.1
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/log/slurmctld.log
SlurmdLogFile=$cluster/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SchedulerType=sched/backfill
# Batch jobs are scheduled as soon as a core frees (the default defers them up
# to 3 s, which would dominate the small stages of this run).
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobRequeue=1
ReturnToService=2
MinJobAge=600
KillWait=5
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
$node State=UNKNOWN NodeAddr=127.0.0.1
PartitionName=e2e Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -c -f "$SLURM_CONF" >"$cluster/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$cluster/log/slurmd.out" 2>&1 &
pids+=($!)

state=""
for _ in $(seq 1 120); do
    state="$(sinfo -h -N -n "$host" -o %T 2>/dev/null || true)"
    [ "$state" = idle ] && break
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || setup_fail "a daemon exited (pid $pid; see $cluster/log)"; done
    sleep 0.5
done
[ "$state" = idle ] || setup_fail "node $host is not idle after 60 s (state: ${state:-none})"
cluster_s="$(elapsed "$t_cluster" "$(now)") s"
say "cluster up in $cluster_s: node $host, $cpus CPUs, ports $ctld_port/$slurmd_port, conf $SLURM_CONF"

# --- 3. Smoke ------------------------------------------------------------

smoke() {
    local out
    out="$(srun -N1 -n1 hostname)" || fail "srun hostname"
    [ "$out" = "$(hostname)" ] || fail "srun hostname printed '$out'"
    say "srun hostname: $out"
    mkdir -p "$work/smoke"
    sbatch --array=0-3 --wait --quiet -o "$work/smoke/task-%a.out" \
        --wrap 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT (min $SLURM_ARRAY_TASK_MIN, step $SLURM_ARRAY_TASK_STEP) on $(hostname)"' \
        || fail "sbatch --array=0-3 --wait"
    local i
    for i in 0 1 2 3; do
        grep -q "^task $i of 4 (min 0, step 1)" "$work/smoke/task-$i.out" || fail "array task $i printed: $(cat "$work/smoke/task-$i.out" 2>/dev/null)"
        say "$(cat "$work/smoke/task-$i.out")"
    done
}

if [ "$mode" = smoke ]; then
    smoke
    passed=1
    say "smoke passed in $(elapsed "$t_script" "$(now)") s"
    exit 0
fi

# --- 4. The epoch --------------------------------------------------------

zk="$bin/zkmargin"
zv="$bin/zkmargin-verify"
for tool in "$zk" "$zv"; do [ -x "$tool" ] || setup_fail "$tool is not an executable"; done
# Whether `$1 $2 --help` is the help of subcommand $2 (an unknown one prints
# the top-level help) and mentions $3. (Not piped into grep -q: with pipefail,
# an early exit of grep could fail the pipeline.)
help_has() {
    local text
    text="$("$1" ${2:+"$2"} --help 2>/dev/null)" || return 1
    [ -z "$2" ] || [[ "$text" == *"USAGE: ${1##*/} $2"* ]] || return 1
    [ -z "$3" ] || [[ "$text" == *"$3"* ]]
}
# Every part of the epoch the run checks: batch attest with the public key
# only, zkmargin seal, zkmargin index and zkmargin-verify --index DIR.
help_has "$zk" attest --out-dir || setup_fail "$zk has no batch attest (--accounts/--out-dir)"
help_has "$zk" attest --custodian-key || setup_fail "$zk has no attest --custodian-key"
help_has "$zk" seal "" || setup_fail "$zk has no seal command"
help_has "$zk" index "" || setup_fail "$zk has no index command"
help_has "$zv" "" --index || setup_fail "$zv has no --index"

input="$work/input" keys="$work/keys" dir="$work/epoch" logs="$work/logs"
mkdir -p "$input" "$keys" "$logs"
python3 scripts/epoch-accounts.py --out-dir "$input" --instruments "$instruments" --accounts "$accounts" --split
"$zk" keygen --out "$keys/publisher.pem" >/dev/null
"$zk" keygen --out "$keys/custodian.pem" >/dev/null
epoch_date="$(date -u +%Y-%m-%d)"
"$zk" publish --values "$input/values.json" --circuit Circuits/cross-margin.zkm --key "$keys/publisher.pem" \
    --epoch "$epoch_date" --valid-until "$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)" --out "$work/bundle.json" >/dev/null

# The ground truth, checked where it is closest to the line: the generator's
# exact arithmetic against zkmargin check on every account at margin or short
# by one step, and on every 25th of the others.
checked=0
while IFS=$'\t' read -r i solvent kind; do
    case "$kind" in at-margin | short-by-a-step | negative-equity) ;; *) [ $((i % 25)) -eq 0 ] || continue ;; esac
    status=0
    "$zk" check --bundle "$work/bundle.json" --account "$(printf '%s/accounts/%07d.json' "$input" "$i")" >/dev/null 2>&1 || status=$?
    want=1; [ "$solvent" = True ] && want=0
    [ "$status" -eq "$want" ] || fail "account $i ($kind): zkmargin check exits $status, the generator's arithmetic says solvent=$solvent"
    checked=$((checked + 1))
done < <(python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    t = json.loads(line); print(i, t["solvent"], t["kind"], sep="\t")' "$input/expected.jsonl")
say "zkmargin check agrees with the generator's exact arithmetic on $checked accounts (every boundary case)"

export ZKMARGIN_BIN="$bin" ZKMARGIN_BUNDLE="$work/bundle.json" ZKMARGIN_DIR="$dir" \
       ZKMARGIN_ACCOUNTS="$input/accounts.jsonl" ZKMARGIN_CUSTODIAN_KEY="$keys/custodian.pub.pem" \
       ZKMARGIN_PUBLISHER_KEY="$keys/publisher.pub.pem" ZKMARGIN_INDEX="$work/index.json"
unset ZKMARGIN_KEY
sbatch_file="$root/deploy/slurm/epoch.sbatch"
array="0-$((shards - 1))"

# Waits until no task of job $1 is pending or running (at most $2 seconds).
wait_job() {
    local start=$SECONDS
    while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; do
        [ $((SECONDS - start)) -lt "$2" ] || fail "job $1 still queued or running after $2 s (logs: $logs)"
        sleep 0.5
    done
}
# "TASK STATE EXIT RESTARTS" for each task of job $1 (finished jobs stay visible for MinJobAge).
tasks() {
    scontrol -o show job "$1" | sed -n 's/.* ArrayTaskId=\([0-9]*\) .* JobState=\([A-Z_]*\) .* Restarts=\([0-9]*\) .* ExitCode=\([0-9:]*\) .*/\1 \2 \4 \3/p' | sort -n
}
# Every task of array job $1 ($2 tasks) COMPLETED with exit 0.
check_array() {
    local t
    t="$(tasks "$1")"
    [ "$(grep -c ' COMPLETED 0:0 ' <<<"$t")" -eq "$2" ] || fail "$3: not every task of job $1 completed with exit 0:"$'\n'"$t"$'\n'"(logs: $logs)"
}
# One (non-array) job: submitted, waited for with the 0.5 s poll above (sbatch
# --wait polls every few seconds, which would swamp short stages' times), and
# required to have COMPLETED with exit 0. $1: its log; the rest: sbatch's arguments.
single() {
    local log="$1" jid line
    shift
    jid=$(sbatch --parsable "$@") || fail "sbatch $*"
    wait_job "$jid" 3600
    line="$(scontrol -o show job "$jid")"
    [[ "$line" == *" JobState=COMPLETED "* && "$line" == *" ExitCode=0:0 "* ]] \
        || fail "job $jid (${*: -1}) did not complete with exit 0: $(grep -o 'JobState=[A-Z_]* \|ExitCode=[0-9:]*' <<<"$line" | tr '\n' ' ')(log: $log)"
}

# Attest: an array, one shard per task.
t0=$(now)
jid=$(sbatch --parsable --array="$array" -J epoch-attest -o "$logs/%x-%a.log" "$sbatch_file" attest)
wait_job "$jid" 1800
check_array "$jid" "$shards" attest
attest_s=$(elapsed "$t0" "$(now)")
say "attest: $accounts accounts in $shards array tasks, ${attest_s} s"

# Seal: one job on the key's machine (here the only node), reading statements only.
t0=$(now)
ZKMARGIN_KEY="$keys/custodian.pem" single "$logs/epoch-seal.log" -J epoch-seal -o "$logs/%x.log" "$sbatch_file" seal
seal_s=$(elapsed "$t0" "$(now)")
say "seal: ${seal_s} s"

# Prove: an array with --requeue. One task is requeued while it runs, after its
# first proof: it must start again, keep what it wrote and complete.
t0=$(now)
jid=$(sbatch --parsable --array="$array" -J epoch-prove -o "$logs/%x-%a.log" "$sbatch_file" prove)
# One watcher process (no process start per poll): it picks a RUNNING task as
# soon as its shard has a proof, the one with the fewest, and requeues it at
# once, so that the task is still running when Slurm kills it.
read -r victim before < <(python3 - "$jid" "$dir/proofs" "$shards" <<'PY'
import os, subprocess, sys, time
job, proofs, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
hexdigits = set("0123456789abcdef")
deadline = time.time() + 1800
while time.time() < deadline:
    out = subprocess.run(["squeue", "-h", "-j", job, "-o", "%K %T"], capture_output=True, text=True).stdout.split()
    if not out:
        break
    running = {int(t) for t, state in zip(out[0::2], out[1::2]) if state == "RUNNING" and t.isdigit()}
    if running:
        counts = {t: 0 for t in running}
        for f in (os.listdir(proofs) if os.path.isdir(proofs) else []):
            if len(f) == 69 and f.endswith(".json") and set(f[:64]) <= hexdigits:
                t = int(f[:64], 16) % n
                if t in counts:
                    counts[t] += 1
        ready = sorted((c, t) for t, c in counts.items() if c >= 1)
        if ready:
            count, task = ready[0]
            if subprocess.run(["scontrol", "requeue", f"{job}_{task}"]).returncode == 0:
                print(task, count)
                sys.exit(0)
    time.sleep(0.05)
print("none 0")
PY
)
[ -n "${victim:-}" ] && [ "$victim" != none ] || fail "no prove task was seen running with a proof written, so none could be requeued"
say "requeued prove task $victim while RUNNING (shard $victim/$shards; proofs written when it was picked: $before)"
# Slurm holds a requeued job back for a while (its begin time moves ahead);
# let it start as soon as a core is free instead.
sleep 1
scontrol update JobId="${jid}_${victim}" StartTime=now >/dev/null 2>&1 || say "(could not move the requeued task's start time; waiting for Slurm's delay)"
wait_job "$jid" 3600
prove_s=$(elapsed "$t0" "$(now)")
check_array "$jid" "$shards" prove
restarts="$(tasks "$jid" | awk -v t="$victim" '$1 == t { print $4 }')"
[ "$restarts" = 1 ] || fail "prove task $victim: Restarts=$restarts after scontrol requeue, expected 1"
grep -q "DUE TO JOB REQUEUE" "$logs/epoch-prove-$victim.log" || fail "prove task $victim's log does not show it was requeued while running"
[ "$(grep -c 'epoch.sbatch: prove on' "$logs/epoch-prove-$victim.log")" -eq 2 ] || fail "prove task $victim's log does not show two runs"
kept="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["kept"])' "$dir/reports/prove-$victim-of-$shards.json")"
[ "$kept" -ge 1 ] || fail "prove task $victim's second run kept $kept proofs of its first: it did not resume"
say "prove: ${prove_s} s; task $victim requeued once, resumed keeping $kept proofs of its first run, completed"

# Index: one job on the key's machine.
t0=$(now)
ZKMARGIN_KEY="$keys/custodian.pem" single "$logs/epoch-index.log" -J epoch-index -o "$logs/%x.log" "$sbatch_file" index
index_s=$(elapsed "$t0" "$(now)")
say "index: ${index_s} s"

# Verify the whole epoch, as a counterparty would (one job, the whole node).
t0=$(now)
# Not every proof valid and included: exit 1, and single() says so.
single "$logs/epoch-verify.log (verdict: $work/verdict.json)" -J epoch-verify --exclusive -c "$cpus" \
    -o "$work/verdict.json" -e "$logs/epoch-verify.log" "$sbatch_file" verify --json
verify_s=$(elapsed "$t0" "$(now)")
say "verify: ${verify_s} s"

python3 scripts/epoch-check.py --expected "$input/expected.jsonl" --dir "$dir" --verdict "$work/verdict.json" \
    --shards "$shards" >"$work/check.json" || fail "the epoch does not match the ground truth"

# --- 5. A 1000-instrument book, for the projection -----------------------
# One process, outside Slurm, CPU time measured: attest, prove and verify of a
# few accounts of a cross-margin book with 1000 perpetuals.
big="$work/big" big_n=4
python3 scripts/epoch-accounts.py --out-dir "$big" --instruments 1000 --accounts "$big_n" --all-solvent --seed 1000 2>/dev/null
"$zk" publish --values "$big/values.json" --circuit Circuits/cross-margin.zkm --key "$keys/publisher.pem" \
    --epoch "$epoch_date" --valid-until "$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)" --out "$big/bundle.json" >/dev/null
cpu() {     # runs the command; prints its user+system CPU seconds
    local TIMEFORMAT='%U %S' t
    t="$( { time "$@" >/dev/null 2>"$big/last.err"; } 2>&1 )" || { cat "$big/last.err" >&2; fail "$*"; }
    awk '{ printf "%.3f", $1 + $2 }' <<<"$t"
}
big_attest=$(cpu "$zk" attest --bundle "$big/bundle.json" --accounts "$big/accounts.jsonl" --key "$keys/custodian.pem" --out-dir "$big/epoch")
big_prove=$(cpu "$zk" prove --bundle "$big/bundle.json" --batch "$big/epoch")
big_verify=$(cpu "$zv" --bundle "$big/bundle.json" --publisher-key "$keys/publisher.pub.pem" --custodian-key "$keys/custodian.pub.pem" "$big/epoch"/proofs/*.json)
[ "$(ls "$big/epoch/proofs" | wc -l)" -eq "$big_n" ] || fail "the 1000-instrument book: not $big_n proofs"

# --- 6. Figures ----------------------------------------------------------

python3 - "$work/check.json" "$accounts" "$instruments" "$shards" "$cpus" "$attest_s" "$prove_s" "$verify_s" \
    "$big_n" "$big_attest" "$big_prove" "$big_verify" "$big/epoch" "$dir" <<'PY'
import json, os, sys
check = json.load(open(sys.argv[1]))
n, inst, shards, cores = (int(x) for x in sys.argv[2:6])
attest, prove, verify = (float(x) for x in sys.argv[6:9])
big_n = int(sys.argv[9]); b_attest, b_prove, b_verify = (float(x) / big_n for x in sys.argv[10:13])
big_dir, dir_ = sys.argv[13], sys.argv[14]
solvent = check["solvent"]
def rate(count, seconds, c): return count / (seconds * c / 3600)
def size(d): 
    fs = [os.path.join(d, f) for f in os.listdir(d)]
    return sum(os.path.getsize(f) for f in fs) / len(fs)
print(f"\nEpoch on Slurm: {n} accounts ({solvent} solvent, {check['short']} short), cross-margin over {inst} instruments, "
      f"{shards} shards on {cores} cores (wall time x {cores} cores, scheduling included):")
print(f"  attest  {attest:8.1f} s  {rate(n, attest, cores):12,.0f} accounts per core-hour")
print(f"  prove   {prove:8.1f} s  {rate(n, prove, cores):12,.0f} accounts per core-hour ({solvent} proofs; one task requeued)")
print(f"  verify  {verify:8.1f} s  {rate(solvent, verify, cores):12,.0f} proofs per core-hour")
print(f"\nOne cross-margin account over 1000 instruments (CPU time, one process, mean of {big_n}):")
print(f"  attest {b_attest:.3f} s, prove {b_prove:.3f} s, verify {b_verify:.3f} s per account; "
      f"statement {size(big_dir + '/statements')/1e3:.0f} kB, openings {size(big_dir + '/openings')/1e3:.0f} kB, proof {size(big_dir + '/proofs')/1e3:.0f} kB")
M = 10**6
print(f"Projection, 10^6 accounts over 1000 instruments (CPU time scales with the inputs, 2N+3 commitments, not with the accounts' holdings):")
for name, s in (("attest", b_attest), ("prove", b_prove), ("verify", b_verify)):
    print(f"  {name:6s} {M * s / 3600:8.0f} core-hours = {3600 / s:8.0f} accounts per core-hour; on 1000 cores {M * s / 1000 / 60:6.1f} min")
print(f"  storage: {M * size(big_dir + '/proofs') / 1e9:.0f} GB of proofs, {M * size(big_dir + '/openings') / 1e9:.0f} GB of openings, "
      f"{M * size(big_dir + '/statements') / 1e9:.0f} GB of statements")
PY

passed=1
say "PASSED in $(elapsed "$t_script" "$(now)") s (packages: $install_s; release build: $build_s; cluster up: $cluster_s)"
