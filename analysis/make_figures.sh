#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make_figures.sh - run lrekmc on the paper's configurations and draw every
# figure into figures/ (paper Fig. 1a, 1b, 2, 3, fluctuation plots, CER's
# beta at low temperature for finite regions, disorder against interaction,
# and the LREs in space: beta against d_el and L, chi4 / C(r) / avalanches,
# CER at low T, disorder in space).  The space-* runs take the longest
# (minutes each on two cores; space-cer-low-T the most).
#
#   bash analysis/make_figures.sh [--plots-only] [NAME...]
#
# NAME is a config in configs/ without .yaml (default: all of them below).
# --plots-only redraws from existing results/NAME directories.
# Environment: LREKMC (default build/lrekmc), PYTHON (default /usr/bin/python3,
# which has numpy and matplotlib on Debian), RESULTS (default results),
# FIGURES (default figures).
set -euo pipefail
cd "$(dirname "$0")/.."

LREKMC=${LREKMC:-build/lrekmc}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS=${RESULTS:-results}
FIGURES=${FIGURES:-figures}
ALL=(quickstart paper-fig1a paper-fig1b paper-fig2 paper-fig3 fluctuations first-passage cer-low-T
     disorder-interaction disorder space-beta-del space-beta-L space-observables space-cer-low-T
     space-disorder-beta)

run=1
names=()
for arg in "$@"; do
  case "$arg" in
    --plots-only) run=0 ;;
    -h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "make_figures.sh: error: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) names+=("$arg") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")

if [ "$run" = 1 ] && [ ! -x "$LREKMC" ]; then
  echo "make_figures.sh: error: $LREKMC not found (build first: cmake -S . -B build && cmake --build build -j)" >&2
  exit 2
fi
mkdir -p "$FIGURES"

# plot NAME: the figure (or figures) of one configuration.
plot() {
  local name=$1 dir=$RESULTS/$1 out=$FIGURES/$1.png
  case "$name" in
    paper-fig1a|paper-fig1b|quickstart)
      "$PYTHON" analysis/plot_relaxation.py "$dir" -o "$out" ;;
    paper-fig2)
      "$PYTHON" analysis/plot_beta.py "$dir" --x T/V1 -o "$out" ;;
    paper-fig3)
      "$PYTHON" analysis/plot_beta.py "$dir" --x T --logx -o "$out"
      "$PYTHON" analysis/plot_relaxation.py "$dir" --log -o "$FIGURES/$name-relaxation.png" ;;
    cer-low-T)
      "$PYTHON" analysis/plot_cer_low_t.py "$dir" -o "$out" ;;
    disorder-interaction)
      ;; # drawn into the disorder figure as its reference line
    disorder)
      "$PYTHON" analysis/plot_disorder.py "$dir" "$RESULTS/disorder-interaction" -o "$out" ;;
    space-disorder-beta)
      "$PYTHON" analysis/plot_space.py disorder "$dir" -o "$out" ;;
    space-beta-del|space-beta-L|space-observables|space-cer-low-T)
      "$PYTHON" analysis/plot_space.py "${name#space-}" "$dir" -o "$out" ;;
    fluctuations|first-passage)
      "$PYTHON" analysis/plot_fluctuations.py "$dir" -o "$out" ;;
    *)
      "$PYTHON" analysis/plot_relaxation.py "$dir" -o "$out" ;;
  esac
}

for name in "${names[@]}"; do
  config=configs/$name.yaml
  if [ ! -f "$config" ]; then
    echo "make_figures.sh: error: $config: no such file" >&2
    exit 2
  fi
  if [ "$run" = 1 ]; then
    echo "== lrekmc run $config -o $RESULTS/$name"
    start=$(date +%s)
    "$LREKMC" run "$config" -o "$RESULTS/$name"
    echo "   $(( $(date +%s) - start )) s"
  fi
  plot "$name"
done
