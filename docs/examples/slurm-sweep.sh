#!/bin/bash
# A swarm sweep as a Slurm array: 64 tasks, each running one shard on 8 cores.
#   sbatch docs/examples/slurm-sweep.sh
# then, for the summary:
#   sbatch --dependency=afterany:<jobid> --wrap "ravensim sweep \
#     scenarios/cluster/swarm.textproto --seeds 1..1000000 --out $RESULTS --resume"
#SBATCH --job-name=ravensim-sweep
#SBATCH --array=0-63
#SBATCH --cpus-per-task=8
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=logs/sweep-%A_%a.out
set -u
RAVENSIM=${RAVENSIM:-$HOME/ravensim/bazel-bin/tools/ravensim}
RESULTS=${RESULTS:-/shared/ravensim/results}   # A file system every node mounts.
cd "${RAVENSIM_REPO:-$HOME/ravensim}"
"$RAVENSIM" sweep scenarios/cluster/swarm.textproto \
  --seeds 1..1000000 \
  --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" \
  --jobs "${SLURM_CPUS_PER_TASK}" \
  --out "$RESULTS" --resume --no-progress
status=$?
# 1 = some seed failed: recorded in $RESULTS, not a task failure.
[ "$status" -eq 1 ] && exit 0
exit "$status"
