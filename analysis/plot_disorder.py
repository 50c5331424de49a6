#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_disorder.py - quenched barrier disorder and interaction side by side.

Left: the KWW exponent beta against width/T of the barrier offsets, one
series per (mode, V1) of a configs/disorder.yaml run: the mean-field fit as a
line, the KMC fit as points with error bars.  Right: the rms KWW residual
against beta, the same series plus (optional second run, e.g.
configs/disorder-interaction.yaml) the interaction alone: at equal beta a
different residual means a different shape.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_disorder.py"
WIDTH = "model.disorder.width"


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run sweeping model.disorder.width")
    parser.add_argument("interaction_dir", metavar="INTERACTION_DIR", nargs="?",
                        help="optional run without disorder sweeping model.V1")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default RUN_DIR/figures/disorder.png)")
    return parser.parse_args()


def label(mode, V1, T):
    if V1 == 0:
        return "disorder alone (V1 = 0)"
    return f"{mode.upper()} V1/T = {V1 / T:g} + disorder"


def series(run):
    """Row indices grouped by (mode, V1), each sorted by width."""
    import numpy as np
    if not run.has(WIDTH):
        raise data.DataError(f"{run.path}/summary.csv: no {WIDTH} column (sweep the width)")
    width, V1, T = run.column(WIDTH), run.column("V1"), run.column("T")
    modes = run.strings("mode")
    groups = {}
    for i in range(len(run.rows)):
        key = (modes[i], V1[i], T[i])
        groups.setdefault(key, []).append(i)
    return {key: np.array(sorted(idx, key=lambda i: width[i])) for key, idx in groups.items()}


def plot(args):
    import numpy as np
    run = data.Run(args.run_dir)
    groups = series(run)
    width, T = run.column(WIDTH), run.column("T")
    beta_ode, rms_ode = run.column("beta_ode"), run.column("rms_ode")
    beta_kmc, beta_err, rms_kmc = run.column("beta_kmc"), run.column("beta_kmc_err"), run.column("rms_kmc")
    plt = data.pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    colors = {"ser": "tab:blue", "cer": "tab:red"}
    for (mode, V1, temperature), idx in groups.items():
        color = "black" if V1 == 0 else colors.get(mode, None)
        name = label(mode, V1, temperature)
        x = width[idx] / T[idx]
        ok = np.isfinite(beta_ode[idx])
        left.plot(x[ok], beta_ode[idx][ok], color=color, linewidth=1.4, label=f"{name}: mean field")
        right.plot(beta_ode[idx][ok], rms_ode[idx][ok], color=color, linewidth=1.4, label=name)
        ok = np.isfinite(beta_kmc[idx])
        if ok.any():
            err = np.where(np.isfinite(beta_err[idx][ok]), beta_err[idx][ok], 0.0)
            left.errorbar(x[ok], beta_kmc[idx][ok], yerr=err, fmt="o", markersize=4, color=color,
                          markerfacecolor="none", capsize=2, linewidth=1, label=f"{name}: KMC")
            right.plot(beta_kmc[idx][ok], rms_kmc[idx][ok], "o", markersize=4, color=color,
                       markerfacecolor="none")
    if args.interaction_dir:
        other = data.Run(args.interaction_dir)
        b, r = other.column("beta_ode"), other.column("rms_ode")
        V1, T2 = other.column("V1"), other.column("T")
        order = np.argsort(V1 / T2)
        ok = np.isfinite(b[order]) & np.isfinite(r[order])
        right.plot(b[order][ok], r[order][ok], color="tab:green", linestyle="--", linewidth=1.6,
                   label="interaction alone (SER, V1/T varied)")
        bk, rk = other.column("beta_kmc"), other.column("rms_kmc")
        ok = np.isfinite(bk) & np.isfinite(rk)
        right.plot(bk[ok], rk[ok], "s", markersize=4, color="tab:green", markerfacecolor="none")
    left.axhline(1.0, color="gray", linestyle=":", linewidth=1.2)
    left.set_xlabel("width / T of the barrier offsets (normal: std)")
    left.set_ylabel("β (KWW exponent)")
    left.grid(alpha=0.3)
    left.legend(fontsize=7, loc="best")
    left.set_title("β against disorder", fontsize=10)
    right.set_xlabel("β (KWW exponent)")
    right.set_ylabel("rms KWW residual")
    right.grid(alpha=0.3)
    right.legend(fontsize=7, loc="best")
    right.set_title("shape at equal β: KWW residual (lines mean field, symbols KMC)", fontsize=10)
    fig.tight_layout()
    data.save(fig, data.default_output(args.run_dir, "disorder", args.output))


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
