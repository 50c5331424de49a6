#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_space.py - figures of LREs in space (docs/space.md).

  beta-del RUN_DIR     beta against d_el, one series per (mode, T); the
                       mean-field ODE beta of each series dashed (d_el -> inf)
  beta-L RUN_DIR       beta against L (model.elastic, d_el = L/2), KMC and
                       mean-field ODE with the same effective V1
  observables RUN_DIR  chi4(t) = N Var q(t), C(r) at q = 0.5, the
                       avalanche size distribution and the local q of the LREs
                       that fire minus its exact null, against q, of every
                       point (r3 against the uniform-kernel null)
  cer-low-T RUN_DIR    CER beta against alpha = V1/T, one series per d_el,
                       mean-field ODE dashed; beside it the correlation length xi(q = 0.5) and the
                       mean avalanche size, and the local q of the LREs that fire
                       (local_q_early) against alpha
  disorder RUN_DIR     beta against w/T (model.disorder.width / T), one panel
                       per mode: r3 in space, the uniform kernel (mean-field
                       disorder, KMC) and the multi-class mean-field ODE
"""

import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_space.py"


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("kind", choices=("beta-del", "beta-L", "observables", "cer-low-T", "disorder"))
    parser.add_argument("run_dir", metavar="RUN_DIR", help="an lrekmc run directory")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default RUN_DIR/figures/space-KIND.png)")
    return parser.parse_args()


def series(run, keys):
    groups = {}
    for index, row in enumerate(run.rows):
        label = ", ".join(f"{k.split('.')[-1]}={row.get(k):.4g}" if isinstance(row.get(k), float)
                          else f"{k.split('.')[-1]}={row.get(k)}" for k in keys if k in row)
        groups.setdefault(label, []).append(index)
    return groups


def plot_beta(run, xkey, xlabel, ax):
    import numpy as np
    if xkey not in run.header:
        raise data.DataError(f"{run.path}/summary.csv: no column {xkey} (is this a {xkey} sweep?)")
    x = run.column(xkey)
    beta, err, ode = run.column("beta_kmc"), run.column("beta_kmc_err"), run.column("beta_ode")
    others = [k for k in ("mode", "model.mode", "model.T", "T") if k in run.header and k != xkey]
    for n, (label, rows) in enumerate(series(run, others[:2]).items()):
        rows = sorted(rows, key=lambda i: x[i])
        color = f"C{n}"
        ax.errorbar(x[rows], beta[rows], yerr=err[rows], fmt="o-", color=color, label=f"{label} lattice")
        ax.plot(x[rows], ode[rows], "--", color=color, label=f"{label} mean field")
    ax.axhline(1.0, color="gray", lw=0.5, ls=":")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("KWW β")
    data.legend(ax, fontsize=7)
    return np


def plot_observables(run, axes):
    import numpy as np
    chi_ax, c_ax, a_ax, l_ax = axes
    for n, point in enumerate(run.point_ids()):
        label, color = run.label(point), f"C{n}"
        rel = run.relaxation(point)
        if "chi4" in rel:
            # t = 0 has no place on the log axis (a segment from it would look like a plateau)
            t, chi4 = np.asarray(rel["t"]), np.asarray(rel["chi4"])
            keep = t > 0
            chi_ax.plot(t[keep], chi4[keep], color=color, label=label)
            if "chi4_err" in rel:
                err = np.asarray(rel["chi4_err"])[keep]
                chi_ax.fill_between(t[keep], chi4[keep] - err, chi4[keep] + err, color=color, alpha=0.2, lw=0)
        path = run.point_file(point, "correlation.csv")
        if os.path.exists(path):
            table = data.Table(path, ("q", "r", "C", "C_sem"))
            keep = np.isclose(table["q"], 0.5)
            c_ax.errorbar(table["r"][keep], table["C"][keep], yerr=table["C_sem"][keep], fmt="o-",
                          ms=3, color=color, label=label)
        path = run.point_file(point, "avalanches.csv")
        if os.path.exists(path):
            table = data.Table(path, ("size_from", "fraction"))
            a_ax.loglog(table["size_from"], table["fraction"], "o-", ms=3, color=color, label=label)
        path = run.point_file(point, "local_q.csv")
        if os.path.exists(path):
            table = data.Table(path, ("q_from", "q_to", "local_q", "local_q_sem", "null"))
            mid = 0.5 * (table["q_from"] + table["q_to"])
            l_ax.errorbar(mid, table["local_q"] - table["null"], yerr=table["local_q_sem"], fmt="o-", ms=3,
                          color=color, label=label)
    chi_ax.set_xscale("log")
    chi_ax.set_xlabel("t")
    chi_ax.set_ylabel("χ4 = N Var q")
    c_ax.axhline(0, color="gray", lw=0.5)
    c_ax.set_xlabel("r / d0")
    c_ax.set_ylabel("C(r) at q = 0.5")
    a_ax.set_xlabel("avalanche size (lower bin edge)")
    a_ax.set_ylabel("fraction of avalanches")
    l_ax.axhline(0, color="gray", lw=0.5)
    l_ax.set_xlabel("q before the event")
    l_ax.set_ylabel("local q of the LRE that fires − null")
    for ax in axes:
        data.legend(ax, fontsize=6)


def plot_cer_low_t(run, axes):
    import numpy as np
    beta_ax, xi_ax, local_ax = axes
    local = run.column("local_q_early") if "local_q_early" in run.header else None
    for name in ("model.space.d_el", "V1", "T", "beta_kmc", "beta_ode", "xi_q50", "avalanche_mean"):
        if name not in run.header:
            raise data.DataError(f"{run.path}/summary.csv: no column {name} (run configs/space-cer-low-T.yaml)")
    d_el, alpha = run.column("model.space.d_el"), run.column("V1") / run.column("T")
    beta, err, ode = run.column("beta_kmc"), run.column("beta_kmc_err"), run.column("beta_ode")
    xi, avalanche = run.column("xi_q50"), run.column("avalanche_mean")
    order = np.argsort(alpha, kind="stable")
    first = True
    for n, value in enumerate(sorted(set(d_el))):
        rows = [i for i in order if d_el[i] == value]
        color = f"C{n}"
        beta_ax.errorbar(alpha[rows], beta[rows], yerr=err[rows], fmt="o-", ms=4, color=color,
                         label=f"lattice, d_el = {value:g}")
        if first:
            beta_ax.plot(alpha[rows], ode[rows], "k--", label="mean field (ODE)")
            first = False
        xi_ax.plot(alpha[rows], xi[rows], "o-", ms=4, color=color, label=f"ξ(q = 0.5), d_el = {value:g}")
        xi_ax.plot(alpha[rows], avalanche[rows] - 1, "s:", ms=4, color=color,
                   label=f"mean avalanche − 1, d_el = {value:g}")
        if local is not None:
            local_ax.plot(alpha[rows], local[rows], "o-", ms=4, color=color, label=f"d_el = {value:g}")
    local_ax.set_ylabel("local q of the LREs that fire − null, q < 1/2")
    if local is None:
        local_ax.text(0.5, 0.5, "no local_q_early column\n(a run of an older lrekmc)", ha="center",
                      va="center", transform=local_ax.transAxes)
    else:
        local_ax.set_yscale("log")
        data.legend(local_ax, fontsize=7)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("α = V1 / T")
    beta_ax.set_yscale("log")
    beta_ax.set_ylabel("KWW β (CER)")
    xi_ax.set_yscale("symlog", linthresh=1e-2)
    values = np.concatenate([xi[np.isfinite(xi)], avalanche[np.isfinite(avalanche)] - 1])
    if values.size:
        xi_ax.set_ylim(0 if values.min() >= 0 else 1.5 * values.min(), 1.5 * max(values.max(), 1e-2))
    xi_ax.set_ylabel("ξ / d0 and mean avalanche size − 1")
    data.legend(beta_ax, fontsize=7)
    data.legend(xi_ax, fontsize=6)


def plot_disorder(run, axes):
    """Top row: beta per mode; bottom row: beta(space) - beta(mean-field
    disorder KMC), the effect of space at each width, with both errors."""
    import numpy as np
    for key in ("model.disorder.width", "model.space.kernel"):
        if key not in run.header:
            raise data.DataError(f"{run.path}/summary.csv: no column {key} (is this a width x kernel sweep?)")
    x = run.column("model.disorder.width") / run.column("T")
    beta, err, ode = run.column("beta_kmc"), run.column("beta_kmc_err"), run.column("beta_ode")
    modes = sorted({row.get("mode") for row in run.rows})
    if len(modes) > axes.shape[1]:
        raise data.DataError(f"{run.path}: {len(modes)} modes, at most {axes.shape[1]} panels")

    def rows_of(mode, kernel):
        return sorted((i for i, row in enumerate(run.rows)
                       if row.get("mode") == mode and row.get("model.space.kernel") == kernel), key=lambda i: x[i])

    for column, mode in enumerate(modes):
        ax, low = axes[0, column], axes[1, column]
        space, mean_field = rows_of(mode, "r3"), rows_of(mode, "uniform")
        if space:
            ax.errorbar(x[space], beta[space], yerr=err[space], fmt="o-", ms=4, color="C0", label="space (r3)")
        if mean_field:
            ax.errorbar(x[mean_field], beta[mean_field], yerr=err[mean_field], fmt="s", ms=4, color="C1",
                        label="mean-field disorder (KMC)")
            ax.plot(x[mean_field], ode[mean_field], "--", color="k", lw=1, label="mean-field ODE (N → ∞)")
        if space and len(space) == len(mean_field) and np.allclose(x[space], x[mean_field]):
            diff = beta[space] - beta[mean_field]
            low.errorbar(x[space], diff, yerr=np.hypot(err[space], err[mean_field]), fmt="o-", ms=4, color="C0")
            low.axhline(0.0, color="gray", lw=0.5, ls=":")
        ax.set_title(f"{mode}")
        ax.set_ylabel("KWW β")
        ax.axhline(1.0, color="gray", lw=0.5, ls=":")
        data.legend(ax, fontsize=7)
        low.set_xlabel("w / T (normal offsets)")
        low.set_ylabel("β(space) − β(mean-field disorder)")
    return np


def draw():
    args = parse_arguments()
    run = data.Run(args.run_dir)
    plt = data.pyplot()
    if args.kind == "observables":
        fig, axes = plt.subplots(2, 2, figsize=(11, 8))
        plot_observables(run, axes.ravel())
    elif args.kind == "cer-low-T":
        fig, axes = plt.subplots(1, 3, figsize=(16, 4.3))
        plot_cer_low_t(run, axes)
    elif args.kind == "disorder":
        fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharex=True, squeeze=False)
        plot_disorder(run, axes)
    else:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        if args.kind == "beta-del":
            plot_beta(run, "model.space.d_el", "d_el / d0", ax)
        else:
            plot_beta(run, "model.space.L", "L (d_el = L/2, model.elastic)", ax)
    fig.tight_layout()
    data.save(fig, data.default_output(args.run_dir, f"space-{args.kind}", args.output))


if __name__ == "__main__":
    data.main_guard(PROG, draw)
