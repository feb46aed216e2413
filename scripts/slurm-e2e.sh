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
    say "installed in $(elapsed "$t0" "$(now)") s"
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
say "cluster up in $(elapsed "$t_cluster" "$(now)") s: node $host, $cpus CPUs, ports $ctld_port/$slurmd_port, conf $SLURM_CONF"

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

say "the epoch run is not written yet; use --smoke"
exit 64
