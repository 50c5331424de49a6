#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the libFuzzer harness with clang into build-fuzz and fuzz the
# configuration loader for SECONDS (default 60) over a seed corpus made of
# configs/, tests/data/config/ and tests/data/bad/.  Findings (crash-*,
# leak-*, timeout-*) land in build-fuzz/findings/; the exit status is
# libFuzzer's (0 = nothing found).
#   usage: scripts/fuzz-smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLREKMC_FUZZ=ON \
      -DLREKMC_SANITIZE=ON -DLREKMC_BUILD_TESTS=OFF -DLREKMC_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz --target fuzz_config -j"$(nproc)"

corpus=build-fuzz/corpus
mkdir -p "$corpus" build-fuzz/findings
for dir in configs tests/data/config tests/data/bad; do
  if [ -d "$dir" ]; then
    find "$dir" -maxdepth 1 -type f -name '*.yaml' -exec cp {} "$corpus"/ \;
  fi
done

ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  build-fuzz/tests/fuzz/fuzz_config "$corpus" -max_total_time="$seconds" -max_len=4096 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=build-fuzz/findings/
