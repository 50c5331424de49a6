#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""NumPy as the oracle of lrekmc's trajectory streams (streams.h).

Builds the entropy words from the documented layout (independently of the C
code), and checks, for several models, seeds and trajectory indices (also past
2^32), that streams_tool prints the same entropy words, the same
generate_state(4, uint64) words as np.random.SeedSequence(E, spawn_key=(i,)),
and the same first raw outputs as np.random.PCG64 seeded with it.  Also checks
the documented spawn() identity.  Exit 0 when all agree, 1 otherwise.
usage: streams_numpy.py STREAMS_TOOL
"""
import struct
import subprocess
import sys

import numpy as np

MODES = {"ser": 0, "cer": 1, "crossover": 2}


def u64(x):
    return [x & 0xFFFFFFFF, x >> 32]


def f64(x):
    return u64(struct.unpack("<Q", struct.pack("<d", x + 0.0))[0])  # -0.0 + 0.0 = +0.0


def entropy(seed, streams, mode, V0, V1, T, N, A, T0):
    words = u64(seed)
    if streams == "independent":
        words += [MODES[mode]] + f64(V0) + f64(V1) + f64(T) + u64(N)
        if mode == "crossover":
            words += f64(A) + f64(T0)
    return words


def tool(exe, seed, streams, mode, V0, V1, T, N, A, T0, i, count):
    args = [exe, "replay", str(seed), streams, mode] + [repr(v) for v in (V0, V1, T)]
    args += [str(N), repr(A), repr(T0), str(i), str(count)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split("\n")
    fields = {line.split()[0]: [int(w) for w in line.split()[1:]] for line in out if line}
    return fields["entropy"], fields["state"], fields["raw"]


CASES = [
    (42, "independent", "ser", 1.0, 2.0, 1.0, 50, float("nan"), float("nan")),
    (0, "independent", "cer", -0.0, 0.5, 0.25, 1, float("nan"), float("nan")),
    (2**64 - 1, "independent", "crossover", 3.0, 1.0, 0.08, 1000000, 0.5, 0.06),
    (20261125, "common", "ser", 1.0, 2.0, 1.0, 50, float("nan"), float("nan")),
    (2**40 + 3, "common", "crossover", 1.0, 1.0, 1.0, 7, 2.0, 1.0),
]
INDICES = [0, 1, 2, 999, 2**32 - 1, 2**32, 2**50 - 1]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    exe, bad, checked = sys.argv[1], 0, 0
    for case in CASES:
        expected_entropy = entropy(*case)
        for i in INDICES:
            got_entropy, got_state, got_raw = tool(exe, *case, i, 8)
            seq = np.random.SeedSequence(expected_entropy, spawn_key=(i,))
            state = [int(w) for w in seq.generate_state(4, np.uint64)]
            raw = [int(x) for x in np.random.PCG64(seq).random_raw(8)]
            for what, got, want in (("entropy", got_entropy, expected_entropy), ("state", got_state, state),
                                    ("raw", got_raw, raw)):
                checked += 1
                if got != want:
                    bad += 1
                    print(f"{case} i={i}: {what} {got} != NumPy {want}", file=sys.stderr)
    # Trajectory i is also child i of SeedSequence(E).spawn(n).
    children = np.random.SeedSequence(entropy(*CASES[0])).spawn(3)
    for i, child in enumerate(children):
        checked += 1
        if [int(w) for w in child.generate_state(4, np.uint64)] != tool(exe, *CASES[0], i, 0)[1]:
            bad += 1
            print(f"spawn()[{i}] differs", file=sys.stderr)
    print(f"{checked - bad} of {checked} comparisons with NumPy {np.__version__} agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
