#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the MPI variant (-DLREKMC_MPI=ON, in build-mpi) and run its MPI
# tests: results on 2 and 3 ranks (1 and 2 threads each) byte-identical to a
# single process, resume and SIGTERM under mpirun.  Needs an MPI (Debian:
# libopenmpi-dev openmpi-bin).  Runs as root too (CI containers): the tests
# set Open MPI's run-as-root variables themselves; extra mpirun flags for a
# site go in LREKMC_MPIEXEC_FLAGS (e.g. "--mca btl self,vader").
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DLREKMC_WERROR=ON -DLREKMC_MPI=ON
cmake --build build-mpi -j"$(nproc)"
ctest --test-dir build-mpi --output-on-failure -L mpi
