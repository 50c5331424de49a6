#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Build lrekmc with warnings as errors and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLREKMC_WERROR=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
