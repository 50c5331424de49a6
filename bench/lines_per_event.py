#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cache lines an event of the spatial engine touches, by storage layout.

The lazy update of one event multiplies the rates of the fired site and of
its r3 stencil (every offset with 0 < |r| <= d_el).  A cache line holds a
tile of sites: 4 x 4 x 1 for the float bounds (one z-plane of a 4^3 block,
16 floats), 4 x 4 x 2 for 16-bit bounds (two planes, 32 values), and
other shapes for comparison.  Printed: the lines touched per event,
averaged over the 64 positions of a site in its block (the box is
periodic and L a multiple of 4, so every event sees one of these 64).
docs/space.md (Speed, round 13) quotes this table.
    usage: lines_per_event.py
"""
import math

TILES = [(4, 4, 1), (4, 2, 2), (8, 2, 1), (16, 1, 1), (4, 4, 2), (8, 2, 2), (4, 4, 4)]


def stencil(d_el):
    r = int(math.floor(d_el))
    return [(x, y, z) for x in range(-r, r + 1) for y in range(-r, r + 1) for z in range(-r, r + 1)
            if x * x + y * y + z * z <= d_el * d_el * (1 + 1e-12)]  # with (0, 0, 0): the fired site


def lines(d_el, tile):
    tx, ty, tz = tile
    offsets = stencil(d_el)
    positions = tx * ty * tz
    total = 0
    for p in range(positions):
        x, y, z = p % tx, p // tx % ty, p // (tx * ty)
        total += len({((x + a) // tx, (y + b) // ty, (z + c) // tz) for a, b, c in offsets})
    return total / positions


def main():
    print("d_el  stencil  " + "  ".join("%8s" % ("%dx%dx%d" % t) for t in TILES))
    for d_el in (1, 2, 3, 4):
        print("%4g  %7d  " % (d_el, len(stencil(d_el)) - 1) + "  ".join("%8.2f" % lines(d_el, t) for t in TILES))


if __name__ == "__main__":
    main()
