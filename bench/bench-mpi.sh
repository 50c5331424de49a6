#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench_mpi (bench_mpi.c) in the layouts of docs/clusters.md: 1 rank x 1
# thread, 1 x 2, 2 x 1 and 3 x 1 (oversubscribed on 2 cores), a few rounds.
#   usage: bench/bench-mpi.sh [BUILD_DIR] [ROUNDS]   (default build-mpi, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${1:-build-mpi}/bench/bench_mpi
ROUNDS=${2:-3}
[ -x "$BENCH" ] || { echo "bench-mpi.sh: $BENCH not built (scripts/test-mpi.sh builds build-mpi)" >&2; exit 2; }
FLAGS=(--bind-to none --oversubscribe)
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
for round in $(seq "$ROUNDS"); do
  echo "round $round ($(cut -d' ' -f1-3 /proc/loadavg) load)"
  "$BENCH" 1
  "$BENCH" 2
  mpirun "${FLAGS[@]}" -np 2 "$BENCH" 1
  mpirun "${FLAGS[@]}" -np 3 "$BENCH" 1
done
