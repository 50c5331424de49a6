#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install the build into a scratch prefix and build a program against it
# with pkg-config alone, as a user of the library would; when the Python
# package was built, import it from the prefix and compute a point.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > /dev/null
libdir=$(ls -d "$prefix"/lib*/ | head -n 1)
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -std=c11 tests/install/consumer.c $(pkg-config --cflags --libs lrekmc) -o "$prefix/consumer"
LD_LIBRARY_PATH="$libdir" "$prefix/consumer"
"$prefix/bin/lrekmc" --version
site=$(ls -d "$prefix"/lib/python3*/dist-packages 2>/dev/null | head -n 1 || true)
if [ -n "$site" ]; then
  (cd "$prefix" && PYTHONPATH="$site" /usr/bin/python3 -c '
import lrekmc, sys
assert lrekmc.__file__.startswith(sys.argv[1]), lrekmc.__file__
p = lrekmc.compute({"model": {"N": 50}, "kmc": {"trajectories": 200}, "fit": {"batches": 4}})
print("installed python package:", lrekmc.__file__, "beta_kmc", p.summary["beta_kmc"])' "$prefix")
fi
echo "install check: ok ($prefix)"
