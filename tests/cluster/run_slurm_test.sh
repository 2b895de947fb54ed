#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A real single-node Slurm cluster on localhost runs a sharded reproduction program through
# examples/cluster/submit.sh, twice:
#   clean:   the job array and the dependent merge job; the merged tables must hold the rows of a
#            single local run of the same program (any order);
#   requeue: the same, but one array task gets `scancel --signal=TERM` mid-training: it must
#            checkpoint, exit 75, be requeued (scontrol requeue, by shard.sbatch), resume from its
#            checkpoint, and the merged tables must again hold the local run's rows.
# Needs slurmctld, slurmd, the Slurm client commands and munged (Debian: slurmctld slurmd
# slurm-client munge) and root (SlurmUser=root, slurmd launches the jobs); exits 77 (CTest: skipped)
# otherwise. Everything it starts (munged, slurmctld, slurmd) runs in process groups it owns and is
# stopped on exit, whatever happens; it uses only files under WORK_DIR and two free localhost ports.
#
# usage: run_slurm_test.sh PROGRAM WORK_DIR PYTHON CHECK_OUTPUTS_PY [program options...]
set -euo pipefail
if [[ $# -lt 4 ]]; then
  echo "usage: $0 PROGRAM WORK_DIR PYTHON CHECK_OUTPUTS_PY [program options...]" >&2
  exit 2
fi
program=$(readlink -f "$1") work=$(readlink -m "$2") python=$3 check=$4
shift 4
options=("$@")
repo=$(cd "$(dirname "$0")/../.." && pwd)
deadline=$((SECONDS + 300))  # the whole test, bounded

for tool in slurmctld slurmd munged sbatch scontrol squeue scancel srun; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool is not installed (Debian: slurmctld slurmd slurm-client munge)"; exit 77; }
done
[[ $(id -u) -eq 0 ]] || { echo "SKIP: the test cluster runs slurmd as root (SlurmUser=root)"; exit 77; }

rm -rf "$work"
mkdir -p "$work/slurm/state" "$work/slurm/spool/localhost" "$work/munge"
chmod 700 "$work" "$work/munge"
groups=()
stop_all() {
  local g
  for g in "${groups[@]}"; do kill -TERM -- "-$g" 2> /dev/null || true; done
  sleep 1
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2> /dev/null || true; done
}
trap stop_all EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/slurm/*.log; do echo "--- $f"; tail -n 20 "$f"; done
  exit 1
}
say() { printf '[%3ds] %s\n' "$SECONDS" "$*"; }
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    ((SECONDS < limit && SECONDS < deadline)) || fail "timed out waiting for $what"
    sleep 0.5
  done
}

# munge: a fresh key, its own socket, state and log
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
setsid munged --foreground --force --socket="$work/munge/munge.sock" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" \
  > "$work/munge/munged.out" 2>&1 &
groups+=($!)
wait_for 10 "munged's socket" test -S "$work/munge/munge.sock"

read -r ctl_port node_port < <("$python" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
cpus=$(nproc)
cat > "$work/slurm/slurm.conf" << CONF
ClusterName=mitest
SlurmctldHost=localhost
SlurmctldPort=$ctl_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: a requeued job waits this long before it may start again (default 120 s)
AuthInfo=socket=$work/munge/munge.sock,cred_expire=10
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool/%n
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/slurmctld.log
SlurmdLogFile=$work/slurm/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobRequeue=1
ReturnToService=2
MinJobAge=600
KillWait=10
SchedulerParameters=sched_interval=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm/slurm.conf
setsid slurmctld -D -i -f "$SLURM_CONF" > "$work/slurm/slurmctld.out" 2>&1 &
groups+=($!)
setsid slurmd -D -f "$SLURM_CONF" -N localhost > "$work/slurm/slurmd.out" 2>&1 &
groups+=($!)
node_idle() { scontrol show node localhost 2> /dev/null | grep -q "State=IDLE"; }
wait_for 60 "the node to be idle" node_idle
say "slurm: $(sinfo -h -o '%P %a %D %t %c' 2> /dev/null || echo up) (ports $ctl_port/$node_port)"

# The reference: one local run of the same program and options.
# (It checkpoints too, since the options may hold the checkpoint intervals the shards use.)
"$program" "${options[@]}" --no-plot --out "$work/local" --checkpoint "$work/local/checkpoint" > "$work/local.log" 2>&1 ||
  fail "the local run failed: $(tail -n 3 "$work/local.log")"
say "local: the reference run of $(basename "$program") ${options[*]} is done"

state_of() { scontrol show job "$1" 2> /dev/null | grep -o "JobState=[A-Z_]*" | head -n 1 | cut -d= -f2; }
restarts_of() { scontrol show job "$1" 2> /dev/null | grep -o "Restarts=[0-9]*" | cut -d= -f2; }
jobs_done() { [[ -z $(squeue -h -j "$1,$2" 2> /dev/null) ]]; }

# submit CASE: runs submit.sh, prints the job ids, sets $array and $merge
submit() {
  local out
  out=$(bash "$repo/examples/cluster/submit.sh" --shards 2 "$program" "$work/$1" "${options[@]}" --no-plot)
  array=$(sed -n 's/^array //p' <<< "$out")
  merge=$(sed -n 's/^merge //p' <<< "$out")
  say "$1: submitted array job $array (tasks ${array}_0, ${array}_1), merge job $merge (afterok:$array)"
}
# finish CASE: waits for the jobs, prints their states, compares the merged tables with the local run
finish() {
  wait_for $((deadline - SECONDS)) "the jobs of $1" jobs_done "$array" "$merge"
  local t st
  for t in "${array}_0" "${array}_1" "$merge"; do
    say "$1: job $t: $(state_of "$t"), restarts $(restarts_of "$t")"
  done
  st=$(state_of "$merge")
  [[ $st == COMPLETED ]] || { cat "$work/$1"/logs/*.log; fail "$1: merge job $merge is $st"; }
  for t in plane curves; do
    "$python" "$check" --same-rows "$t" "$work/local" "$work/$1" > /dev/null || fail "$1: $t.csv differs from the local run"
    say "$1: merged $t.csv holds the same $(grep -vc '^#' "$work/$1/$t.csv") lines as the local run: equal"
  done
}

submit clean
finish clean

submit requeue
victim="${array}_1"
checkpoint="$work/requeue/checkpoints/shard-1-of-2/$(basename "$program").ckpt"
wait_for 120 "the first checkpoint of $victim" test -s "$checkpoint"
scancel --signal=TERM "$victim"
say "requeue: sent SIGTERM to $victim (scancel --signal=TERM) after its first checkpoint"
restarted() { [[ $(restarts_of "$victim") -ge 1 ]]; }
wait_for 120 "$victim to be requeued" restarted
finish requeue
log=$(ls "$work"/requeue/logs/shard-*_1.log)
grep -E "stopped at|requeueing|resumed at|restart" "$log" | sed 's/^/requeue: task log: /'
grep -q "resumed at epoch" "$log" || fail "requeue: $victim did not resume from its checkpoint"
echo "PASS"
