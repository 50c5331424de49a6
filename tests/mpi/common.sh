# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the MPI tests (sourced): how to start ranks here, and how to
# compare two run directories.  Needs LREKMC (the program) and MPIEXEC.
#
# Open MPI refuses to run as root unless OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (CI containers run as root), refuses more
# ranks than cores without --oversubscribe, and binds each rank to one core
# when there are 2 ranks or fewer (its threads would then share that core:
# --bind-to none).  In containers its shared-memory transport may fail to
# use cross-memory attach (ptrace rules): the single-copy mechanism is off.
# LREKMC_MPIEXEC_FLAGS adds site flags (e.g. "--mca btl self,vader").

set -euo pipefail

if "$MPIEXEC" --version 2>&1 | grep -Eq "Open MPI|OpenRTE"; then
  MPI_FLAGS=(--oversubscribe --bind-to none)
  if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"
else
  MPI_FLAGS=()
fi
# shellcheck disable=SC2206
MPI_FLAGS+=(${LREKMC_MPIEXEC_FLAGS:-})

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# mpi_run RANKS ARGS...: lrekmc ARGS on RANKS ranks.
mpi_run() {
  local ranks=$1
  shift
  "$MPIEXEC" "${MPI_FLAGS[@]}" -np "$ranks" "$LREKMC" "$@"
}

# same_results DIR_A DIR_B: summary.csv and every points/*/*.csv byte for byte.
same_results() {
  local a=$1 b=$2 file count=0
  cmp "$a/summary.csv" "$b/summary.csv" || fail "summary.csv differs: $a $b"
  for file in "$a"/points/*/*.csv; do
    local name=${file#"$a"/}
    cmp "$file" "$b/$name" || fail "$name differs: $a $b"
    count=$((count + 1))
  done
  [ "$count" -gt 0 ] || fail "no point tables in $a"
  [ "$(find "$b/points" -name '*.csv' | wc -l)" = "$count" ] || fail "$b has other point tables than $a"
}
