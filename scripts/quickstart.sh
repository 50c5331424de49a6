#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's first command: install the dependencies (apt, as root), build,
# install (the program, the library and the Python package into /usr/local),
# run configs/quickstart.yaml and draw its figure, then the same point from
# Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" > /dev/null
cmake --install build > /dev/null
./build/lrekmc run configs/quickstart.yaml
/usr/bin/python3 analysis/plot_relaxation.py results/quickstart
/usr/bin/python3 -c '
import lrekmc
point = lrekmc.compute("configs/quickstart.yaml")
print(f"Python: import lrekmc {lrekmc.__version__}: beta_kmc = {point.kmc_fit.beta:.5f}"
      f" +- {point.kmc_fit.beta_err:.2g}, the same as above (analysis/tutorial.ipynb goes on)")'

