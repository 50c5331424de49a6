#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A worker that cannot hold a point's grid answers with an error instead of
# ending every process: the run fails with exit status 1, the message names
# the rank, and no point is marked done.  LREKMC_TEST_WORKER_NOMEM=1 makes
# the workers' grid allocation fail (src/mpi.c, grid_alloc).
#   usage: nomem.sh LREKMC MPIEXEC CONFIG WORKDIR
LREKMC=$1 MPIEXEC=$2 CONFIG=$3 WORK=$4
source "$(dirname "$0")/common.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
status=0
LREKMC_TEST_WORKER_NOMEM=1 mpi_run 2 run "$CONFIG" -o "$WORK/run" --quiet > "$WORK/out" 2> "$WORK/err" || status=$?
[ "$status" = 1 ] || fail "exit status $status, expected 1 (a runtime failure): $(cat "$WORK/err")"
grep -q "rank 1 of 2: out of memory for the grid of a point" "$WORK/err" \
  || fail "the message does not name the rank and the cause: $(cat "$WORK/err")"
if find "$WORK/run" -name done 2>/dev/null | grep -q .; then
  fail "a point was marked done"
fi
echo "ok: a worker out of memory fails the run with its rank named"
# and without the hook the same run succeeds
mpi_run 2 run "$CONFIG" -o "$WORK/ok" --quiet > /dev/null || fail "the run without the hook failed"
echo "ok: the same run succeeds without the hook"
