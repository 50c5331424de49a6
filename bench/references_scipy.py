#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""references_scipy.py - the work of bench_references.c done with SciPy, for
comparison: per parameter point, t_max = time of q_max (solve_ivp with a
terminal event), the ODE on a 400-point grid (solve_ivp, DOP853, rtol 1e-10,
dense output at t_eval) and the closed-form t(q) at 99 q-levels
(scipy.special.exp1 / expi, vectorised).  Prints points/s and the accuracy
of the SciPy ODE against the closed form.

usage: /usr/bin/python3 bench/references_scipy.py [mode V0/T V1/T]   (default: ser 1 1)
"""
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.special import exp1, expi

GRID, LEVELS, Q_MAX, MIN_SECONDS = 400, 99, 0.99, 1.0
RTOL, ATOL = 1e-10, 1e-12


def closed_form_t(q, a, k):
    """t(q) of dq/dt = k (1 - q) exp(-a q) (a != 0 via E1 / Ei)."""
    q = np.asarray(q, dtype=float)
    if a == 0:
        return -np.log1p(-q) / k
    if a > 0:
        return np.exp(a) / k * (exp1(a * (1 - q)) - exp1(a))
    b = -a
    return np.exp(-b) / k * (expi(b) - expi(b * (1 - q)))


def rhs(t, q, a, k):
    return k * (1 - q) * np.exp(-a * q)


def t_max_by_event(a, k):
    def reach(t, q, a, k):
        return q[0] - Q_MAX
    reach.terminal = True
    horizon = 1e3 * float(closed_form_t(0.5, a, k))  # generous: the event stops it
    sol = solve_ivp(rhs, (0, horizon), [0.0], method="DOP853", rtol=RTOL, atol=ATOL, events=reach, args=(a, k))
    return sol.t_events[0][0]


def ode_on_grid(t, a, k):
    sol = solve_ivp(rhs, (0, t[-1]), [0.0], method="DOP853", t_eval=t, rtol=RTOL, atol=ATOL, args=(a, k))
    return sol.y[0]


def reference_point(a, k, levels):
    t_max = t_max_by_event(a, k)
    t = np.linspace(0, t_max, GRID)
    q = ode_on_grid(t, a, k)
    t_levels = closed_form_t(levels, a, k)
    return t, q, t_levels


def time_per_call(fn):
    fn()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= MIN_SECONDS:
            return elapsed / calls


def main():
    mode, v0, v1 = "ser", 1.0, 1.0
    if len(sys.argv) == 4:
        mode, v0, v1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    c = {"ser": 1.0, "cer": -1.0}[mode]
    a, k = c * v1, np.exp(-v0)
    levels = np.linspace(0.01, 0.99, LEVELS)

    t, q, _ = reference_point(a, k, levels)
    q_exact = np.array([brentq(lambda x: closed_form_t(x, a, k) - ti, 0, 1 - 1e-15, xtol=1e-16, rtol=1e-15)
                        if ti > 0 else 0.0 for ti in t])
    print(f"references for {mode} V0/T = {v0:g} V1/T = {v1:g} (a = {a:g}), grid {GRID}, levels {LEVELS}, "
          f"q_max {Q_MAX}")
    print(f"  SciPy DOP853 (rtol {RTOL:g}, atol {ATOL:g}) vs closed form: max |dq| = {np.max(np.abs(q - q_exact)):.3g}")
    parts = [
        ("parameter point (t_max + ODE grid + CF levels)", lambda: reference_point(a, k, levels)),
        ("  t_max: solve_ivp with terminal event", lambda: t_max_by_event(a, k)),
        ("  ODE on the grid (solve_ivp t_eval)", lambda: ode_on_grid(t, a, k)),
        ("  closed-form t(q) at the levels (vector)", lambda: closed_form_t(levels, a, k)),
    ]
    point = None
    for name, fn in parts:
        seconds = time_per_call(fn)
        point = point or seconds
        print(f"  {name:<44} {1e6 * seconds:10.2f} us   {1 / seconds:10.0f} /s")
    print(f"points/s: {1 / point:.0f}")


if __name__ == "__main__":
    main()
