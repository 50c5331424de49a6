#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's first command: install the dependencies (apt, as root), build,
# run configs/quickstart.yaml and draw its figure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" > /dev/null
./build/lrekmc run configs/quickstart.yaml
/usr/bin/python3 analysis/plot_relaxation.py results/quickstart
