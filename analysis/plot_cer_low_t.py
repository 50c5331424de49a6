#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_cer_low_t.py - beta of CER at low temperature for finite regions
(configs/cer-low-T.yaml, README "CER at low temperature").

Three panels.  (a) beta against T/V1 on log axes, one colour per region size
N: the mean-field ODE (qlevels fit, the paper's beta, black line), the KMC
fit of the ensemble mean at fixed times (timegrid: filled markers, what a
macroscopic sample of independent regions shows) and of the mean
first-passage times (qlevels: open markers).  (b) rms residual of each KWW
fit in q.  (c) the residual q_KMC(t) - KWW(t) of the timegrid fit against
t/tau at the temperature nearest --residual-T (default T/V1 = 0.05), one
curve per N.  Reads the *_qlevels and *_timegrid columns of summary.csv.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_cer_low_t.py"
BOTH = ("beta_ode_qlevels", "rms_ode_qlevels", "beta_kmc_qlevels", "beta_kmc_qlevels_err",
        "rms_kmc_qlevels", "beta_kmc_timegrid", "beta_kmc_timegrid_err", "tau_kmc_timegrid",
        "rms_kmc_timegrid")


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("run_dir", metavar="RUN_DIR", help="an lrekmc run directory (N x T sweep)")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default RUN_DIR/figures/cer-low-T.png)")
    parser.add_argument("--residual-T", type=float, default=0.05, metavar="T/V1",
                        help="temperature of panel (c) (default 0.05)")
    return parser.parse_args()


def by_size(run):
    """Row indices per N, each sorted by T/V1 (ascending)."""
    import numpy as np
    N, x = run.column("N"), run.column("T") / run.column("V1")
    groups = {}
    for index in range(len(run.rows)):
        if np.isfinite(N[index]) and np.isfinite(x[index]):
            groups.setdefault(int(N[index]), []).append(index)
    return {n: np.array(sorted(rows, key=lambda i: x[i])) for n, rows in sorted(groups.items())}


def residual_curve(run, point):
    """t / tau and q_mean - KWW(t) of the point's timegrid fit, or None."""
    import numpy as np
    row = run.row(point)
    beta, tau = data.as_float(row.get("beta_kmc_timegrid")), data.as_float(row.get("tau_kmc_timegrid"))
    if not (np.isfinite(beta) and np.isfinite(tau)) or point not in run.points:
        return None
    table = run.relaxation(point)
    t, q = table["t"], table["q_mean"]
    shown = t > 0  # the log axis would clip t = 0 to its left edge
    return t[shown] / tau, q[shown] - data.kww(t[shown], beta, tau)


def plot(args):
    import numpy as np
    run = data.Run(args.run_dir)
    missing = [name for name in BOTH if not run.has(name) and name != "beta_ode_qlevels"]
    if missing:
        raise data.DataError(f"{run.path}/summary.csv: no values in {', '.join(missing)} "
                             "(a run of lrekmc with both protocols' columns and KMC is needed)")
    V1 = run.column("V1")
    if not np.all(np.isfinite(V1) & (V1 > 0)):
        raise data.DataError(f"{run.path}/summary.csv: T/V1 needs V1 > 0 in every row")
    x = run.column("T") / V1
    groups = by_size(run)
    output = data.default_output(args.run_dir, "cer-low-T", args.output)
    plt = data.pyplot()
    fig, (ax, ax_rms, ax_res) = plt.subplots(1, 3, figsize=(15, 4.8))
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    col = {name: run.column(name) for name in BOTH}

    # The ODE does not depend on N: one line, from every row.
    order = np.argsort(x)
    ok = np.isfinite(col["beta_ode_qlevels"][order])
    ax.plot(x[order][ok], col["beta_ode_qlevels"][order][ok], color="black", linewidth=1.5,
            label="mean-field ODE (qlevels)")
    ax_rms.plot(x[order][ok], col["rms_ode_qlevels"][order][ok], color="black", linewidth=1.5,
                label="ODE, qlevels")
    for number, (N, idx) in enumerate(groups.items()):
        color = cycle[number % len(cycle)]
        for protocol, filled, style in (("timegrid", True, "-"), ("qlevels", False, ":")):
            beta, err = col[f"beta_kmc_{protocol}"][idx], col[f"beta_kmc_{protocol}_err"][idx]
            ok = np.isfinite(beta)
            ax.errorbar(x[idx][ok], beta[ok], yerr=np.where(np.isfinite(err[ok]), err[ok], 0.0),
                        fmt="o" if filled else "s", markersize=4, color=color, linestyle=style,
                        linewidth=1, capsize=2, markerfacecolor=color if filled else "none",
                        label=f"N = {N}: KMC {protocol}")
            rms = col[f"rms_kmc_{protocol}"][idx]
            ok = np.isfinite(rms)
            ax_rms.plot(x[idx][ok], rms[ok], color=color, linestyle=style, marker="o" if filled else "s",
                        markersize=3, markerfacecolor=color if filled else "none",
                        label=f"N = {N}, {protocol}")
        point = idx[np.argmin(np.abs(np.log(x[idx] / args.residual_T)))]
        curve = residual_curve(run, run.point_ids()[point])
        if curve is not None:
            ax_res.plot(curve[0], curve[1], color=color, linewidth=1.2,
                        label=f"N = {N}, T/V1 = {x[point]:.3g}")
    ax.axhline(1.0, color="gray", linestyle=":", linewidth=1.2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("T / V1")
    ax.set_ylabel("β (KWW exponent)")
    ax.set_title("(a) β of CER regions of N LREs", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    top = max(300.0, np.nanmax(col["beta_kmc_timegrid"]) * 10)
    ax.set_ylim(0.8, top)
    if np.nanmax(col["beta_ode_qlevels"]) > top:
        ax.text(0.02, 0.74, "ODE and qlevels go on to β ≈ %.0e" % np.nanmax(col["beta_ode_qlevels"]),
                transform=ax.transAxes, fontsize=7, va="top")
    data.legend(ax, fontsize=7, loc="upper right", ncol=2, framealpha=0.9)
    ax_rms.set_xscale("log")
    ax_rms.set_yscale("log")
    ax_rms.set_xlabel("T / V1")
    ax_rms.set_ylabel("rms residual of the KWW fit (in q)")
    ax_rms.set_title("(b) how far from KWW: timegrid solid, qlevels dotted", fontsize=10)
    ax_rms.grid(alpha=0.3, which="both")
    data.legend(ax_rms, fontsize=7, loc="lower left", ncol=2)
    ax_res.axhline(0.0, color="gray", linewidth=0.8)
    ax_res.set_xscale("log")
    ax_res.set_xlabel("t / τ (timegrid fit)")
    ax_res.set_ylabel("q_KMC(t) − KWW(t)")
    ax_res.set_title(f"(c) residual of the timegrid fit near T/V1 = {args.residual_T:g}", fontsize=10)
    ax_res.grid(alpha=0.3)
    data.legend(ax_res, fontsize=8, loc="best")
    fig.tight_layout()
    data.save(fig, output)


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
