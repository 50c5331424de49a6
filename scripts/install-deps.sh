#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install lrekmc's build, test and analysis dependencies from Debian 12 (as root).
set -euo pipefail
packages=(build-essential cmake pkg-config git
          libyaml-dev libgsl-dev libfftw3-dev libxxhash-dev libcriterion-dev libpcg-cpp-dev g++
          clang libclang-rt-14-dev
          libopenmpi-dev openmpi-bin
          dieharder
          python3-numpy python3-scipy python3-matplotlib python3-pandas python3-yaml
          python3-dev cython3 python3-pytest python3-tqdm
          python3-nbconvert python3-nbclient python3-ipykernel)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
