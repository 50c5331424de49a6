#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Build a libFuzzer harness with clang into build-fuzz and fuzz it for
# SECONDS (default 60): TARGET config (the default) is the configuration
# loader over a seed corpus of configs/, tests/data/config/ and
# tests/data/bad/; TARGET fit_data is the measured-curve reader and fit of
# `lrekmc fit` over tests/data/fit/ and tests/data/fit_bad/.  Findings
# (crash-*, leak-*, timeout-*) land in build-fuzz/findings/; the exit status
# is libFuzzer's (0 = nothing found).
#   usage: scripts/fuzz-smoke.sh [SECONDS] [config|fit_data]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
target="${2:-config}"
case "$target" in
  config) dirs="configs tests/data/config tests/data/bad"; pattern='*.yaml' ;;
  fit_data) dirs="tests/data/fit tests/data/fit_bad"; pattern='*.csv' ;;
  *) echo "fuzz-smoke.sh: unknown target '$target' (config or fit_data)" >&2; exit 2 ;;
esac

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLREKMC_FUZZ=ON \
      -DLREKMC_SANITIZE=ON -DLREKMC_BUILD_TESTS=OFF -DLREKMC_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz --target "fuzz_$target" -j"$(nproc)"

corpus=build-fuzz/corpus-$target
mkdir -p "$corpus" build-fuzz/findings
for dir in $dirs; do
  if [ -d "$dir" ]; then
    find "$dir" -maxdepth 1 -type f -name "$pattern" -exec cp {} "$corpus"/ \;
  fi
done

ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  build-fuzz/tests/fuzz/"fuzz_$target" "$corpus" -max_total_time="$seconds" -max_len=4096 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=build-fuzz/findings/
