#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# MPI results are the bytes of a single process: the same campaign run
# serially (1 and 2 threads) and on 2 and 3 ranks (1 and 2 threads each)
# must give identical summary.csv and points/*/*.csv; run.yaml records the
# ranks; `check` and `--dry-run` print once under mpirun.
#   usage: identical.sh LREKMC MPIEXEC CONFIG WORKDIR
LREKMC=$1 MPIEXEC=$2 CONFIG=$3 WORK=$4
source "$(dirname "$0")/common.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
"$LREKMC" run "$CONFIG" -o "$WORK/serial" --threads 1 --quiet > /dev/null
"$LREKMC" run "$CONFIG" -o "$WORK/threads2" --threads 2 --quiet > /dev/null
same_results "$WORK/serial" "$WORK/threads2"
for layout in 2x1 2x2 3x1 3x2; do
  ranks=${layout%x*} threads=${layout#*x}
  mpi_run "$ranks" run "$CONFIG" -o "$WORK/mpi$layout" --threads "$threads" --quiet > /dev/null \
    || fail "mpirun -np $ranks lrekmc run --threads $threads failed"
  same_results "$WORK/serial" "$WORK/mpi$layout"
  grep -qx "ranks: $ranks" "$WORK/mpi$layout/run.yaml" || fail "run.yaml of $layout does not record ranks: $ranks"
  echo "ok: $ranks ranks x $threads threads gives the serial bytes"
done
grep -qx "ranks: 1" "$WORK/serial/run.yaml" || fail "serial run.yaml does not record ranks: 1"

"$LREKMC" check "$CONFIG" > "$WORK/check.serial"
mpi_run 2 check "$CONFIG" > "$WORK/check.mpi"
cmp "$WORK/check.serial" "$WORK/check.mpi" || fail "lrekmc check prints differently under mpirun"
"$LREKMC" run "$CONFIG" --dry-run > "$WORK/dry.serial"
mpi_run 2 run "$CONFIG" --dry-run > "$WORK/dry.mpi"
cmp "$WORK/dry.serial" "$WORK/dry.mpi" || fail "--dry-run prints differently under mpirun"
echo "ok: check and --dry-run print once"
