#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Submits a reproduction program to Slurm as N shards (a job array of shard.sbatch, each task
# checkpointing into OUT/checkpoints/ and requeued when it is stopped by SIGTERM) and a merge job
# that runs when every shard has succeeded (merge.sbatch, --dependency=afterok). Prints the two
# job ids ("array <id>" and "merge <id>").
#
#   bash examples/cluster/submit.sh [--shards N] [--sbatch "ARGS"] [--merge-sbatch "ARGS"] \
#        PROGRAM OUT [program options...]
#
#   --shards N          number of array tasks (default 2); a program has (conditions x seeds) runs,
#                       shard i takes runs i, i+N, ...: N at most the number of runs
#   --sbatch ARGS       extra sbatch arguments of the array tasks (e.g. "--time=1-00:00:00 -p long
#                       --cpus-per-task=2"); the default of the cluster applies otherwise
#   --merge-sbatch ARGS extra sbatch arguments of the merge job
# Checkpoints are written every 30 minutes of training by default; add e.g. --checkpoint-minutes 10
# to the program options for partitions that preempt often. Build the programs for the cluster's
# oldest CPU (cmake -DMI_NATIVE=OFF, the portable default) when the nodes differ from the build host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shards=2 extra="" merge_extra=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --shards) shards=$2; shift 2 ;;
    --sbatch) extra=$2; shift 2 ;;
    --merge-sbatch) merge_extra=$2; shift 2 ;;
    *) break ;;
  esac
done
if [[ $# -lt 2 || ! $shards =~ ^[1-9][0-9]*$ ]]; then
  sed -n '3,22p' "$0" >&2
  exit 2
fi
program=$(readlink -f "$1") out=$(readlink -m "$2")
shift 2
[[ -x $program ]] || { echo "submit.sh: $program is not an executable program" >&2; exit 2; }
mkdir -p "$out/logs"
# shellcheck disable=SC2086  # the extra sbatch arguments are split on purpose
array=$(sbatch --parsable --job-name="$(basename "$program")" --array=0-$((shards - 1)) \
          --output="$out/logs/shard-%A_%a.log" $extra \
          "$here/shard.sbatch" "$program" "$out" "$shards" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --job-name="$(basename "$program")-merge" --dependency="afterok:$array" \
          --kill-on-invalid-dep=yes --output="$out/logs/merge-%j.log" $merge_extra \
          "$here/merge.sbatch" "$program" "$out" "$@")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
