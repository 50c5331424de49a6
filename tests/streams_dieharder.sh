#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# dieharder on the interleaved outputs of consecutive trajectories'
# generators (tests/streams_tool.c interleave): 1024 consecutive trajectories
# side by side, their first 50 outputs each (what a trajectory at N = 50
# draws), then the next 1024.  A CI-sized subset of the battery (about 10 s),
# chosen because each test sees correlations between neighbouring words:
#   diehard_birthdays, diehard_squeeze, diehard_runs, sts_monobit, dab_dct.
# The test fails if dieharder says FAILED for any of them (p < 1e-6 or
# > 1 - 1e-6); WEAK (p < 0.005 or > 0.995) is reported but not a failure: a
# good generator gives it for 1 % of its p-values.  The input is deterministic (seed 42), so the
# outcome is too.  Then, so that the battery is known to have the power to
# see the old fault, it must reject the seeding before issue 10 (pcg64
# (seed, stream i), streams_tool --legacy) on dab_dct (1 s).
#   usage: streams_dieharder.sh DIEHARDER STREAMS_TOOL
set -u # not pipefail: the generator ends by SIGPIPE when dieharder has read enough
dieharder=$1
tool=$2

run() { # run LEGACY_FLAG TEST_NUMBER: dieharder's result lines (status 1 if none)
  "$tool" interleave $1 42 0 1024 50 | "$dieharder" -g 200 -d "$2" 2>&1 \
    | grep -E '\|[[:space:]]*(PASSED|WEAK|FAILED)[[:space:]]*$'
}

status=0
for d in 0 13 15 100 206; do
  out=$(run "" "$d") || { echo "dieharder -d $d did not run"; status=1; continue; }
  echo "$out"
  if grep -q FAILED <<<"$out"; then
    echo "FAIL: dieharder -d $d rejects the trajectory streams"
    status=1
  fi
done
for d in 206; do
  out=$(run --legacy "$d") || { echo "dieharder -d $d did not run"; status=1; continue; }
  echo "legacy seeding: $out"
  if ! grep -q FAILED <<<"$out"; then
    echo "FAIL: dieharder -d $d no longer rejects the old seeding: the battery lost its power"
    status=1
  fi
done
exit $status
