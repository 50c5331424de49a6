# SPDX-License-Identifier: GPL-3.0-or-later
"""make_fake_run.py OUTDIR - synthetic lrekmc run directories for the
tests of the analysis/ scripts, so that they can be tested without the
simulator.  The deterministic columns are real (the mean-field ODE and the
linear noise approximation integrated with RK4, KWW fits by Gauss-Newton);
the "KMC" columns are those plus Gaussian noise of the right size.

Writes four run directories (docs/design.md section 6 layout):
  OUTDIR/sweep        mode [ser, cer] x model.T [0.5, 1, 2], N 1000; only the
                      required summary columns; zero-padded point names
  OUTDIR/crossover    mode crossover (V0 0.3, V1 0.115, A 0.5, T0 0.06),
                      trajectories 0: every KMC column is empty
  OUTDIR/crossover-yaml the same with A and T0 only in run.yaml
  OUTDIR/fluctuations model.N [30, 100, 1000], with bias_t, bias_kmc_ode,
                      std_sqrtN and per-trajectory first_passage.csv
  OUTDIR/broken       summary.csv without beta_ode (must be rejected)
  OUTDIR/badtable     points/0/relaxation.csv without q_ode (must be rejected)
  OUTDIR/nopoints     the sweep's summary.csv and no points/ (must be
                      rejected by the scripts that read point tables)
"""

import csv
import math
import os
import sys

import numpy as np

Q_LEVELS = np.linspace(0.01, 0.99, 99)
TRAJECTORIES = 2000


def coupling(mode, T, A=None, T0=None):
    if mode == "ser":
        return 1.0, 0.0
    if mode == "cer":
        return -1.0, 1.0
    f = 1.0 / (math.exp(-A * (1.0 / T - 1.0 / T0)) + 1.0)
    return 1.0 - 2.0 * f, f


def solve(V0, V1, T, c, N, points=200, q_max=0.99, steps=4000):
    """ODE q(t) and LNA std on a linear grid up to the time of q_max."""
    a, k = c * V1 / T, math.exp(-V0 / T)

    def rhs(y):
        q, var = y
        w = k * (1.0 - q) * math.exp(-a * q)
        dw = -k * math.exp(-a * q) * (1.0 + a * (1.0 - q))
        return np.array([w, 2.0 * dw * var + w / N])

    # t(q_max) from the separable integral, then RK4 on a fine grid.
    q = np.linspace(0.0, q_max, 20001)
    inv_w = 1.0 / (k * (1.0 - q) * np.exp(-a * q))
    t_of_q = np.concatenate(([0.0], np.cumsum(0.5 * (inv_w[1:] + inv_w[:-1]) * np.diff(q))))
    t_max = t_of_q[-1]
    h = t_max / steps
    y = np.array([0.0, 0.0])
    fine = [y.copy()]
    for _ in range(steps):
        k1 = rhs(y)
        k2 = rhs(y + 0.5 * h * k1)
        k3 = rhs(y + 0.5 * h * k2)
        k4 = rhs(y + h * k3)
        y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        fine.append(y.copy())
    fine = np.array(fine)
    t_fine = np.linspace(0.0, t_max, steps + 1)
    t = np.linspace(0.0, t_max, points)
    q_ode = np.interp(t, t_fine, fine[:, 0])
    lna_std = np.sqrt(np.maximum(np.interp(t, t_fine, fine[:, 1]), 0.0))
    t_levels = np.interp(Q_LEVELS, q, t_of_q)
    return t, q_ode, lna_std, t_levels, (a, k)


def kww_fit(t, q):
    """Least-squares KWW fit (Gauss-Newton in ln tau, ln beta)."""
    slope, intercept = np.polyfit(np.log(t), np.log(-np.log1p(-q)), 1)
    p = np.array([-intercept / slope, math.log(slope)])
    for _ in range(100):
        tau, beta = math.exp(p[0]), math.exp(p[1])
        x = (t / tau) ** beta
        model = 1.0 - np.exp(-x)
        d = np.exp(-x) * x  # d model / d ln x
        jac = np.column_stack([-beta * d, d * np.log(t / tau) * beta])
        step = np.linalg.lstsq(jac, q - model, rcond=None)[0]
        p += step
        if np.max(np.abs(step)) < 1e-12:
            break
    residual = q - (1.0 - np.exp(-(t / math.exp(p[0])) ** math.exp(p[1])))
    return math.exp(p[1]), math.exp(p[0]), float(np.sqrt(np.mean(residual ** 2)))


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None or (isinstance(v, float) and math.isnan(v)) else
                             (f"{v:.10g}" if isinstance(v, float) else v) for v in row])


def fake_point(rng, directory, point, params, trajectories, first_passage):
    """Write points/<point>/ and return the summary fields of the point."""
    mode, V0, V1, T, N = params["mode"], params["V0"], params["V1"], params["T"], params["N"]
    c, f_T = coupling(mode, T, params.get("A"), params.get("T0"))
    t, q_ode, lna_std, t_levels, _ = solve(V0, V1, T, c, N)
    beta_ode, tau_ode, rms_ode = kww_fit(t_levels, Q_LEVELS)
    out = dict(mode=mode, V0=V0, V1=V1, T=T, N=N, trajectories=trajectories, seed=42,
               beta_ode=beta_ode, tau_ode=tau_ode, rms_ode=rms_ode, f_T=f_T,
               beta_kmc=None, beta_kmc_err=None, tau_kmc=None, tau_kmc_err=None,
               rms_kmc=None, z_max=None, chi2_p=None)
    exact = N <= 1000
    q_exact = q_ode - 0.1 / N * np.sin(np.pi * q_ode) if exact else None
    empty = np.full(len(t), math.nan)
    if trajectories > 0:
        std = lna_std * (1.0 + 0.02 * rng.standard_normal(len(t)))
        sem = std / math.sqrt(trajectories)
        mean = np.clip((q_exact if exact else q_ode) + sem * rng.standard_normal(len(t)), 0, 1)
        band = 1.645 * std
        kmc = [mean, std, sem, np.clip(mean - band, 0, 1), mean, np.clip(mean + band, 0, 1)]
        rate = np.gradient(q_ode, t)
        rate_levels = np.interp(t_levels, t, rate)
        t_std = np.interp(t_levels, t, lna_std) / np.maximum(rate_levels, 1e-12)
        t_sem = t_std / math.sqrt(trajectories)
        t_mean = t_levels + t_sem * rng.standard_normal(len(t_levels))
        beta_kmc, tau_kmc, rms_kmc = kww_fit(t_mean, Q_LEVELS)
        out.update(beta_kmc=beta_kmc, beta_kmc_err=0.002, tau_kmc=tau_kmc,
                   tau_kmc_err=0.01 * tau_kmc, rms_kmc=rms_kmc,
                   z_max=float(np.max(np.abs((mean - q_ode) / np.maximum(sem, 1e-12))[1:])),
                   chi2_p=0.5)
        i = int(np.argmin(np.abs(t - tau_ode)))
        out.update(bias_t=float(t[i]), bias_kmc_ode=float(mean[i] - q_ode[i]),
                   std_sqrtN=float(std[i] * math.sqrt(N)))
    else:
        kmc = [empty] * 6
        t_mean = t_std = t_sem = np.full(len(t_levels), math.nan)
    exact_mean = q_exact if exact else empty
    exact_std = lna_std * 1.01 if exact else empty
    relax = np.column_stack([t] + kmc + [q_ode, exact_mean, exact_std, lna_std])
    write_csv(os.path.join(directory, "relaxation.csv"),
              ["t", "q_mean", "q_std", "q_sem", "q_p05", "q_p50", "q_p95",
               "q_ode", "q_exact_mean", "q_exact_std", "q_lna_std"], relax.tolist())
    t_exact = t_levels + 0.1 / N if exact else np.full(len(t_levels), math.nan)
    levels = np.column_stack([Q_LEVELS, t_mean, t_std, t_sem, t_exact,
                              t_std if exact else t_exact, t_levels])
    write_csv(os.path.join(directory, "levels.csv"),
              ["q", "t_mean", "t_std", "t_sem", "t_exact_mean", "t_exact_std", "t_ode"],
              levels.tolist())
    if first_passage and trajectories > 0:
        chosen = [9, 49, 89]  # q = 0.1, 0.5, 0.9
        z = rng.standard_normal((trajectories, len(chosen)))
        times = t_levels[chosen] + z * t_std[chosen]
        times = np.maximum.accumulate(np.maximum(times, 0.0), axis=1)
        rows = [[float(i)] + list(row) for i, row in enumerate(times)]
        write_csv(os.path.join(directory, "first_passage.csv"),
                  ["trajectory"] + [f"q{Q_LEVELS[j]:g}" for j in chosen], rows)
    return out


def write_run(rng, root, name, swept, points, trajectories, extra=(), first_passage=False,
              pad=0, drop=()):
    """A run directory with one summary row per entry of points."""
    run = os.path.join(root, name)
    base = ["mode", "V0", "V1", "T", "N", "trajectories", "seed", "beta_ode", "tau_ode",
            "rms_ode", "beta_kmc", "beta_kmc_err", "tau_kmc", "tau_kmc_err", "rms_kmc",
            "z_max", "chi2_p"]
    header = ["point"] + [key for key in swept] + [c for c in base + list(extra) if c not in drop]
    rows = []
    for point, params in enumerate(points):
        directory = os.path.join(run, "points", f"{point:0{pad}d}" if pad else str(point))
        fields = fake_point(rng, directory, point, params, trajectories, first_passage)
        fields.update(A=params.get("A"), T0=params.get("T0"), protocol="qlevels")
        swept_values = [params[key.split(".")[-1]] for key in swept]
        rows.append([point] + swept_values + [fields.get(c) for c in header[1 + len(swept):]])
    write_csv(os.path.join(run, "summary.csv"), header, rows)
    with open(os.path.join(run, "run.yaml"), "w") as stream:
        stream.write(f"# synthetic run written by make_fake_run.py\nkmc:\n  trajectories: {trajectories}\n")
    return run


def main():
    if len(sys.argv) != 2:
        print("usage: make_fake_run.py OUTDIR", file=sys.stderr)
        return 2
    root = sys.argv[1]
    rng = np.random.default_rng(12345)
    sweep = [dict(mode=mode, V0=1.0, V1=1.0, T=T, N=1000)
             for mode in ("ser", "cer") for T in (0.5, 1.0, 2.0)]
    write_run(rng, root, "sweep", ["model.mode", "model.T"], sweep, TRAJECTORIES, pad=3)
    cross = [dict(mode="crossover", V0=0.3, V1=0.115, T=T, N=1000, A=0.5, T0=0.06)
             for T in np.geomspace(0.045, 0.6, 8)]
    write_run(rng, root, "crossover", ["model.T"], cross, 0,
              extra=("A", "T0", "f_T", "beta_ode_err", "tau_ode_err", "protocol"))
    # The same without A and T0 columns: plot_beta must find them in run.yaml.
    cross_yaml = write_run(rng, root, "crossover-yaml", ["model.T"], cross, 0, extra=("f_T",))
    with open(os.path.join(cross_yaml, "run.yaml"), "w") as stream:
        stream.write("model:\n  mode: crossover\n  V0: 0.3\n  V1: 0.115\n"
                     "  crossover: {A: 0.5, T0: 0.06}\n")
    fluct = [dict(mode="ser", V0=1.0, V1=1.0, T=1.0, N=N) for N in (30, 100, 1000)]
    write_run(rng, root, "fluctuations", ["model.N"], fluct, TRAJECTORIES,
              extra=("bias_t", "bias_kmc_ode", "std_sqrtN", "protocol"), first_passage=True)
    write_run(rng, root, "broken", [], sweep[:1], 100, drop=("beta_ode",))
    badtable = write_run(rng, root, "badtable", [], sweep[:1], 100)
    relaxation = os.path.join(badtable, "points", "0", "relaxation.csv")
    with open(relaxation) as stream:
        lines = stream.read().splitlines()
    with open(relaxation, "w") as stream:  # drop the q_ode column (the 8th)
        for line in lines:
            fields = line.split(",")
            stream.write(",".join(fields[:7] + fields[8:]) + "\n")
    nopoints = os.path.join(root, "nopoints")
    os.makedirs(nopoints, exist_ok=True)
    with open(os.path.join(root, "sweep", "summary.csv")) as src, \
            open(os.path.join(nopoints, "summary.csv"), "w") as dst:
        dst.write(src.read())
    print(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
