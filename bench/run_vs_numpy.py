#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole `lrekmc run` process against the NumPy ensemble of kmc_numpy.py.

For N = 10^3 (20000 trajectories) and N = 10^5 (1000 trajectories), SER
V0/T = V1/T = 1, 400 grid points, 99 levels: wall-clock events per second of
`lrekmc run` (start-up, references, master equation where N <= 5000, KMC,
fits, comparison and every file written) on 1 and 2 threads, and of the
vectorised NumPy simulation of the same ensemble (statistics only, no files).
Best of REPEATS (default 3).  Usage: bench/run_vs_numpy.py [LREKMC] [REPEATS]
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kmc_numpy  # noqa: E402

CONFIG = """model: {{mode: ser, V0: 1.0, V1: 1.0, T: 1.0, N: {N}}}
kmc: {{trajectories: {M}, seed: 42}}
grid: {{points: 400}}
fit: {{q_levels: {{from: 0.01, to: 0.99, count: 99}}, batches: 20}}
"""


def best_time(action, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    lrekmc = sys.argv[1] if len(sys.argv) > 1 else "build/lrekmc"
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    os.environ["OMP_NUM_THREADS"] = "1"  # NumPy's own BLAS threads stay out of it
    with tempfile.TemporaryDirectory() as scratch:
        for N, M in ((1000, 20000), (100000, 1000)):
            config = os.path.join(scratch, f"N{N}.yaml")
            with open(config, "w") as out:
                out.write(CONFIG.format(N=N, M=M))
            events = N * M

            def run(threads):
                subprocess.run([lrekmc, "run", config, "-o", os.path.join(scratch, f"run{N}"),
                                "--threads", str(threads), "--quiet", "--force"],
                               check=True, stdout=subprocess.DEVNULL)

            one = events / best_time(lambda: run(1), repeats)
            two = events / best_time(lambda: run(2), repeats)
            numpy = events / best_time(lambda: kmc_numpy.ensemble(N, M), repeats)
            print(f"N = {N:<6d} trajectories = {M:<5d}  lrekmc run: 1 thread {one / 1e6:6.1f} M events/s,"
                  f" 2 threads {two / 1e6:6.1f} (x{two / one:4.2f})   numpy {numpy / 1e6:5.1f}"
                  f"   lrekmc/numpy (1 thread) x{one / numpy:4.1f}")


if __name__ == "__main__":
    main()
