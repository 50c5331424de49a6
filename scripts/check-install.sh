#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install the build into a scratch prefix and build a program against it
# with pkg-config alone, as a user of the library would.
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
echo "install check: ok ($prefix)"
