#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""point_scipy.py - the deterministic work of one lrekmc parameter point done
with SciPy, timed against bench_references (C) for a ratio table.

Per point (default configuration: q_max 0.99, 400-point linear grid, 99
levels 0.01..0.99, KWW fit by the qlevels protocol):
  bare   one solve_ivp of dq/dt = k (1 - q) e^(-a q) (rtol 1e-10, atol 1e-12)
         with a terminal event at q_max (gives t_max) and dense output (gives
         q on the grid up to t_max); t(q_j) at the levels by the closed form
         (scipy.special.exp1 / expi, vectorised); curve_fit of KWW on the 99
         points (t(q_j), q_j) with the analytic Jacobian, started from the
         same straight line in ln(-ln(1 - q)) against ln t as the C fit.
  full   as lrk_point_compute: the same solve_ivp extended by the linear noise
         variance (q, N sigma^2) on the grid, plus the exact first-passage
         mean and variance at N = 1000 (numpy cumsum).
The SciPy side is given every shortcut: one integration serves t_max and the
grid (the C side integrates twice), and the closed form stands in for the ODE
level times (the C side computes both).  The method (DOP853, LSODA, Radau)
with the best time at rtol 1e-10 is chosen by measurement and reported.

usage: /usr/bin/python3 bench/point_scipy.py [--c-bench PATH] [--quick]
  --c-bench PATH   run the C program PATH (build/bench/bench_references):
                   verify beta, tau agree to 1e-6 at its check points and
                   print the ratio table
  --quick          fewer repeats (for a smoke test)
"""
import math
import subprocess
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import curve_fit
from scipy.special import exp1, expi

GRID, LEVELS, Q_MAX, N = 400, 99, 0.99, 1000
RTOL, ATOL = 1e-10, 1e-12
METHODS = ("DOP853", "LSODA", "Radau")
SWEEP_POINTS, SWEEP_T = 200, (0.3, 3.0)
AGREE = 1e-6
LEVEL_Q = np.linspace(0.01, 0.99, LEVELS)


class Model:
    """dq/dt = k (1 - q) e^(-a q); V(n) = V0 + c V1 n / N."""

    def __init__(self, mode, v0, v1, t):
        self.c = {"ser": 1.0, "cer": -1.0}[mode]
        self.v0, self.v1, self.t = v0, v1, t
        self.a, self.k = self.c * v1 / t, math.exp(-v0 / t)


def closed_form_t(m, q):
    """Exact t(q) (a != 0 via E1 / Ei)."""
    a, k = m.a, m.k
    if a == 0:
        return -np.log1p(-q) / k
    if a > 0:
        return math.exp(a) / k * (exp1(a * (1 - q)) - exp1(a))
    b = -a
    return math.exp(-b) / k * (expi(b) - expi(b * (1 - q)))


def horizon(m):
    """An upper bound of t(q_max): k t = int e^(a u) / (1 - u) du <= e^max(a,0) (-ln(1 - q))."""
    return 2.0 * math.exp(max(m.a, 0.0)) * -math.log1p(-Q_MAX) / m.k


def reach_q_max(t, y):
    return y[0] - Q_MAX


reach_q_max.terminal = True
reach_q_max.direction = 1


def solve_mean(m, method):
    """t_max by the event, q on the grid by dense output: one integration."""
    a, k = m.a, m.k

    def rhs(t, y):
        q = y[0]
        return [k * (1.0 - q) * math.exp(-a * q)]

    sol = solve_ivp(rhs, (0.0, horizon(m)), [0.0], method=method, rtol=RTOL, atol=ATOL,
                    events=reach_q_max, dense_output=True)
    t_max = sol.t_events[0][0]
    t = np.linspace(0.0, t_max, GRID)
    return t, sol.sol(t)[0]


def solve_mean_and_lna(m, method):
    """The same with the LNA variance v = N sigma^2: dv/dt = 2 w'(q) v + w(q)."""
    a, k = m.a, m.k

    def rhs(t, y):
        q, v = y
        e = k * math.exp(-a * q)
        w = e * (1.0 - q)
        return [w, -2.0 * e * (1.0 + a * (1.0 - q)) * v + w]

    sol = solve_ivp(rhs, (0.0, horizon(m)), [0.0, 0.0], method=method, rtol=RTOL, atol=ATOL,
                    events=reach_q_max, dense_output=True)
    t_max = sol.t_events[0][0]
    t = np.linspace(0.0, t_max, GRID)
    y = sol.sol(t)
    return t, y[0], np.sqrt(np.maximum(y[1], 0.0) / N)


def first_passage(m):
    """Exact E[T_n], Var[T_n] at the levels, n = smallest with n / N >= q."""
    i = np.arange(N)
    inv_rate = np.exp((m.v0 + m.c * m.v1 * i / N) / m.t) / (N - i)
    n = np.ceil(LEVEL_Q * N - 1e-9).astype(int)
    return np.cumsum(inv_rate)[n - 1], np.cumsum(inv_rate * inv_rate)[n - 1]


def kww(t, tau, beta):
    return -np.expm1(-(t / tau) ** beta)


def kww_jac(t, tau, beta):
    x = t / tau
    u = x ** beta
    d = np.exp(-u) * u
    return np.column_stack((-beta / tau * d, np.log(x) * d))


def fit_kww(t, q):
    """curve_fit from the straight line ln(-ln(1 - q)) = beta (ln t - ln tau)."""
    slope, icpt = np.polyfit(np.log(t), np.log(-np.log1p(-q)), 1)
    p0 = (math.exp(-icpt / slope), slope)
    (tau, beta), _ = curve_fit(kww, t, q, p0=p0, jac=kww_jac, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    return beta, tau


def bare_point(m, method):
    t, q = solve_mean(m, method)
    t_levels = closed_form_t(m, LEVEL_Q)
    return fit_kww(t_levels, LEVEL_Q)


def full_point(m, method):
    t, q, std = solve_mean_and_lna(m, method)
    fp_mean, fp_var = first_passage(m)
    t_levels = closed_form_t(m, LEVEL_Q)
    return fit_kww(t_levels, LEVEL_Q)


def sweep(method, point=None):
    point = point or full_point
    for T in np.linspace(*SWEEP_T, SWEEP_POINTS):
        point(Model("ser", 1.0, 1.0, T), method)


def time_per_call(fn, repeats, min_seconds):
    """Minimum over repeats of the mean seconds per call over >= min_seconds."""
    fn()
    best = math.inf
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / calls)
    return best


def accuracy(m, method):
    """max |q_ode - q_exact| on the grid; q_exact by Newton on the closed form t(q) = t."""
    t, q = solve_mean(m, method)
    fine = np.linspace(0.0, Q_MAX, 100001)
    q_exact = np.interp(t, closed_form_t(m, fine), fine)
    for _ in range(4):
        q_exact -= (closed_form_t(m, q_exact) - t) * m.k * (1 - q_exact) * np.exp(-m.a * q_exact)
    return float(np.max(np.abs(q - q_exact)))


def run_c(path, mode):
    out = subprocess.run([path, mode], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines() if line and not line.startswith("#")]


def verify(path, method):
    worst = 0.0
    for _, mode, T, beta_c, tau_c in run_c(path, "check"):
        beta, tau = bare_point(Model(mode, 1.0, 1.0, float(T)), method)
        d = max(abs(beta / float(beta_c) - 1), abs(tau / float(tau_c) - 1))
        worst = max(worst, d)
        print(f"  {mode} T/V1 = {float(T):.4g}: beta C {float(beta_c):.10f} SciPy {beta:.10f}, "
              f"tau C {float(tau_c):.10g} SciPy {tau:.10g}, max rel diff {d:.1e}")
    ok = worst <= AGREE
    print(f"  beta, tau agree to {worst:.1e} relative ({'OK' if ok else 'FAIL'}: limit {AGREE:g})")
    return ok


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    c_bench = args[args.index("--c-bench") + 1] if "--c-bench" in args else None
    repeats, min_seconds = (1, 0.2) if quick else (5, 1.0)
    m = Model("ser", 1.0, 1.0, 1.0)

    print(f"SciPy {__import__('scipy').__version__}, ser V0/T = V1/T = 1, rtol {RTOL:g}, atol {ATOL:g}, "
          f"grid {GRID}, levels {LEVELS}, q_max {Q_MAX}; best of {repeats}")
    per_method = {}
    for method in METHODS:
        seconds = time_per_call(lambda: bare_point(m, method), repeats, min_seconds)
        per_method[method] = seconds
        print(f"  {method:<7} bare point {1e3 * seconds:8.2f} ms   max |q - q_exact| on grid "
              f"{accuracy(m, method):.1e}")
    method = min(per_method, key=per_method.get)
    print(f"  fastest at this accuracy: {method}")
    parts = {
        "solve_ivp (event + dense)": lambda: solve_mean(m, method),
        "solve_ivp with LNA": lambda: solve_mean_and_lna(m, method),
        "closed-form levels": lambda: closed_form_t(m, LEVEL_Q),
        "first passage N=1000": lambda: first_passage(m),
        "curve_fit": lambda: fit_kww(closed_form_t(m, LEVEL_Q), LEVEL_Q),
    }
    for name, fn in parts.items():
        print(f"  {name:<28} {1e6 * time_per_call(fn, repeats, min_seconds):10.1f} us")
    py = {
        "bare": per_method[method],
        "point": time_per_call(lambda: full_point(m, method), repeats, min_seconds),
    }
    py["sweep"] = time_per_call(lambda: sweep(method), max(1, repeats // 2), min_seconds)
    py["sweep_bare"] = time_per_call(lambda: sweep(method, bare_point), max(1, repeats // 2), min_seconds)
    print(f"  full point (as lrk_point_compute) {1e3 * py['point']:.2f} ms; "
          f"200-point sweep {py['sweep']:.3f} s ({SWEEP_POINTS / py['sweep']:.1f} points/s), "
          f"bare {py['sweep_bare']:.3f} s")

    if c_bench is None:
        return 0
    print("verification against the C program (lrk_point_compute, qlevels fit):")
    ok = verify(c_bench, method)
    c = {row[0]: float(row[1]) for row in run_c(c_bench, "point") + run_c(c_bench, "sweep")}
    print(f"\n| work (ser V0/T = V1/T = 1; SciPy {method}) | C points/s | SciPy points/s | ratio |")
    print("|---|---:|---:|---:|")
    rows = [("point, bare: t_max + ODE grid + levels + CF + fit", "bare", 1),
            ("point, lrk_point_compute (+ LNA, first passage)", "point", 1),
            (f"{SWEEP_POINTS}-point beta(T) sweep, bare", "sweep_bare", SWEEP_POINTS),
            (f"{SWEEP_POINTS}-point beta(T) sweep, lrk_point_compute", "sweep", SWEEP_POINTS)]
    for name, key, points in rows:
        cps, pps = points / c[key], points / py[key]
        print(f"| {name} | {cps:.0f} | {pps:.1f} | {cps / pps:.0f}x |")
    for key in ("sweep_bare", "sweep"):
        print(f"| total seconds, {key} | {c[key]:.3f} s | {py[key]:.2f} s | |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
