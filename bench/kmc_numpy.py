#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""NumPy baseline for bench_kmc.c: the same ensemble, vectorised across trajectories.

Waiting times = rng.exponential(size=(chunk, N)) * (1 / lambda_n), cumulative sums
give the event times; n(t_k) by np.searchsorted, first-passage
times by indexing (one searchsorted per chunk, rows shifted apart); then mean/std/sem and type-1 quantiles of q on the grid and
mean/std/sem of the first-passage times.  SER, V0/T = V1/T = 1, 400 grid points
up to the mean time of q = 0.99, 99 levels, one thread (numpy.random.default_rng).
Run with /usr/bin/python3 (Debian numpy) and OMP_NUM_THREADS=1.  Prints
events per wall-clock second and per CPU second (best of `repeats`, default 3).
"""
import math
import sys
import time

import numpy as np


def inv_rates(N, V0=1.0, V1=1.0, T=1.0):
    n = np.arange(N, dtype=np.float64)
    return 1.0 / ((N - n) * np.exp(-(V0 + V1 * n / N) / T))


def level_events(q, N):
    x = q * N
    return np.clip(np.ceil(x - 1e-9 * np.maximum(1.0, x)).astype(np.int64), 1, N)


def ensemble(N, trajectories, seed=42, chunk_events=4_000_000):
    inv = inv_rates(N)
    events = level_events(np.linspace(0.01, 0.99, 99), N)
    grid = np.linspace(0.0, inv[: level_events(np.array([0.99]), N)[0]].sum(), 400)
    rng = np.random.default_rng(seed)
    chunk = max(1, chunk_events // N)
    n_at = np.empty((trajectories, grid.size), dtype=np.int64)
    fpt = np.empty((trajectories, events.size))
    for start in range(0, trajectories, chunk):
        stop = min(trajectories, start + chunk)
        times = np.cumsum(rng.exponential(size=(stop - start, N)) * inv, axis=1)
        # one searchsorted for the whole chunk: shift row i by i * span so the
        # rows concatenate into one ascending array
        rows = stop - start
        span = max(times[:, -1].max(), grid[-1]) * 1.5 + 1.0
        shift = np.arange(rows)[:, None] * span
        found = np.searchsorted((times + shift).ravel(), (grid[None, :] + shift).ravel(), side="right")
        n_at[start:stop] = found.reshape(rows, grid.size) - np.arange(rows)[:, None] * N
        fpt[start:stop] = times[:, events - 1]
    q = n_at / N
    summary = (q.mean(axis=0), q.std(axis=0, ddof=1), q.std(axis=0, ddof=1) / math.sqrt(trajectories),
               np.quantile(q, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf"),
               fpt.mean(axis=0), fpt.std(axis=0, ddof=1))
    return summary


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for N, trajectories in ((1000, 20000), (100000, 200)):
        best = best_cpu = 0.0
        for _ in range(repeats):
            start, cpu_start = time.perf_counter(), time.process_time()
            ensemble(N, trajectories)
            best = max(best, N * trajectories / (time.perf_counter() - start))
            best_cpu = max(best_cpu, N * trajectories / (time.process_time() - cpu_start))
        print(f"numpy N = {N:<6d} trajectories = {trajectories:<5d}  {best / 1e6:6.1f} M events/s"
              f" ({best_cpu / 1e6:6.1f} per CPU s)")


if __name__ == "__main__":
    main()
