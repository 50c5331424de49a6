# SPDX-License-Identifier: GPL-3.0-or-later
"""Memory does not grow over 1000 compute() calls.

Bound: a leak of any one allocation of a call is at least the summary
string (about 700 bytes) -- the point arrays, the CSV texts (about 3 kB
here) and the KMC result are larger -- so 1000 leaking calls grow the
resident set by >= 700 kB.  After a warm-up of 100 calls (allocator pools,
pandas caches, the OpenMP team) the growth must stay below 400 kB; the
resident set is counted in 4 kB pages, and a freed-and-reused heap does not
grow at all."""

import gc
import os

import lrekmc

TINY = {"model": {"N": 30}, "kmc": {"trajectories": 40, "threads": 1},
        "fit": {"batches": 4, "q_levels": {"from": 0.1, "to": 0.9, "count": 9}},
        "grid": {"points": 20}}
BOUND = 400 * 1024


def resident_bytes():
    with open(f"/proc/{os.getpid()}/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def growth(call, warmup=100, calls=1000):
    for _ in range(warmup):
        call()
    gc.collect()
    before = resident_bytes()
    for _ in range(calls):
        call()
    gc.collect()
    return resident_bytes() - before


def test_compute_does_not_leak():
    config = lrekmc.Config.load(TINY)
    grown = growth(lambda: lrekmc.compute(config))
    assert grown < BOUND, f"resident set grew by {grown} bytes over 1000 compute() calls"


def test_config_and_errors_do_not_leak():
    def load_both():
        lrekmc.Config.load(TINY, **{"model.T": 0.5})
        try:
            lrekmc.Config.load({"model": {"N": -1, "Tt": 2}})
        except lrekmc.ConfigError:
            pass
    grown = growth(load_both)
    assert grown < BOUND, f"resident set grew by {grown} bytes over 1000 loads"
