#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Resume and signals under mpirun, against a serial reference run:
#  1. a run into a directory whose points are all finished keeps them all;
#  2. SIGTERM to mpirun once point 0 is finished: the job ends with a
#     failure status (Open MPI's mpirun kills the ranks a second after
#     forwarding the signal and exits 1), every finished point is intact,
#     and resuming on 2 ranks gives the serial bytes;
#  3. SIGTERM to the ranks themselves (what srun/scancel do): exit 130 with
#     "interrupted", then the same resume.
#   usage: signals.sh LREKMC MPIEXEC CONFIG WORKDIR
LREKMC=$1 MPIEXEC=$2 CONFIG=$3 WORK=$4
source "$(dirname "$0")/common.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
REFERENCE=$WORK/reference
"$LREKMC" run "$CONFIG" -o "$REFERENCE" --threads 2 --quiet > /dev/null
POINTS=$(find "$REFERENCE/points" -name done | wc -l)

# 1. Everything finished already: nothing is recomputed, nothing changes.
cp -r "$REFERENCE" "$WORK/finished"
mpi_run 2 run "$CONFIG" -o "$WORK/finished" > "$WORK/finished.log" || fail "resume of a finished run failed"
grep -q "0 computed, $POINTS kept" "$WORK/finished.log" || fail "finished points were not kept: $(cat "$WORK/finished.log")"
same_results "$REFERENCE" "$WORK/finished"
echo "ok: a finished run stays as it is"

# Every point marked done in DIR has the reference's tables.
finished_points_intact() {
  local dir=$1 done_file count=0
  for done_file in "$dir"/points/*/done; do
    [ -e "$done_file" ] || continue
    local point=${done_file%/done}
    point=${point#"$dir"/}
    for table in relaxation levels; do
      cmp "$dir/$point/$table.csv" "$REFERENCE/$point/$table.csv" || fail "$point/$table.csv is damaged"
    done
    count=$((count + 1))
  done
  echo "$count"
}

# wait_for_first_point DIR PID: until DIR/points/0/done exists (or the run ends).
wait_for_first_point() {
  local tries=0
  while [ ! -e "$1/points/0/done" ] && kill -0 "$2" 2> /dev/null && [ $tries -lt 600 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
}

# children PID: the processes whose parent is PID (the ranks of an mpirun
# on this node), read from /proc so that no procps is needed.
children() {
  local stat pid comm state ppid rest
  for stat in /proc/[0-9]*/stat; do
    read -r pid comm state ppid rest < "$stat" 2> /dev/null || continue
    [ "$ppid" = "$1" ] && echo "$pid"
  done
  return 0
}

# interrupt TARGET: start a 2-rank run, signal TARGET (launcher|ranks)
# after point 0, check the status and the kept points, then resume.
interrupt() {
  local target=$1 dir=$WORK/$1 status=0
  "$MPIEXEC" "${MPI_FLAGS[@]}" -np 2 "$LREKMC" run "$CONFIG" -o "$dir" --quiet > "$dir.log" 2>&1 &
  local launcher=$! # mpirun itself (not a subshell), so that its children are the ranks
  wait_for_first_point "$dir" "$launcher"
  if [ "$target" = launcher ]; then
    kill -TERM "$launcher"
  else
    kill -TERM $(children "$launcher")
  fi
  wait "$launcher" || status=$?
  local kept
  kept=$(finished_points_intact "$dir")
  [ "$kept" -lt "$POINTS" ] || fail "the run ($target) finished before the signal: the test proved nothing"
  if [ "$target" = launcher ]; then
    [ "$status" -ne 0 ] || fail "SIGTERM to mpirun: exit status 0"
  else
    [ "$status" -eq 130 ] || fail "SIGTERM to the ranks: exit status $status, expected 130: $(cat "$dir.log")"
    grep -q "interrupted" "$dir.log" || fail "no 'interrupted' message: $(cat "$dir.log")"
  fi
  mpi_run 2 run "$CONFIG" -o "$dir" --quiet > /dev/null || fail "resume after SIGTERM ($target) failed"
  same_results "$REFERENCE" "$dir"
  echo "ok: SIGTERM to the $target: status $status, $kept finished point(s) kept, resume gives the serial bytes"
}

interrupt launcher
interrupt ranks
