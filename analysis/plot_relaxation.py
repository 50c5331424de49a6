#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_relaxation.py - q(t) of each point of an lrekmc run (paper Fig. 1).

For every point: the KMC mean with its +-std band and the p05-p95 band,
the mean-field ODE, and the two KWW fits q = 1 - exp(-(t/tau)^beta) of
summary.csv (ODE and KMC) dashed.  Time is shown on a linear and on a log
axis side by side.  Up to four points get a row each; more are overlaid
(mean and ODE only, so the figure stays readable).
"""

import math
import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_relaxation.py"
MAX_PANEL_ROWS = 4
MAX_LEGEND = 12


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("run_dir", metavar="RUN_DIR", help="an lrekmc run directory")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default RUN_DIR/figures/relaxation.png)")
    parser.add_argument("--points", metavar="LIST",
                        help="comma-separated point numbers (default: all)")
    parser.add_argument("--log", action="store_true",
                        help="log time axis only (default: linear and log side by side)")
    parser.add_argument("--linear", action="store_true",
                        help="linear time axis only")
    parser.add_argument("--overlay", action="store_true",
                        help="all points in one panel even when there are few")
    return parser.parse_args()


def kww_label(source, beta, tau):
    return f"KWW {source}: β={beta:.3f}, τ={tau:.3g}"


def draw_point(ax, run, point, table, color, detailed, log_axis, labelled=True):
    """One point's curves on one axis (labelled: in the overlay legend)."""
    import numpy as np
    t = table["t"]
    keep = t > 0 if log_axis else np.isfinite(t)
    t = t[keep]
    label = run.label(point) if labelled else None
    row = run.row(point)
    have_kmc = table.has_data("q_mean")
    if have_kmc and detailed:
        if table.has_data("q_p05") and table.has_data("q_p95"):
            ax.fill_between(t, table["q_p05"][keep], table["q_p95"][keep], color=color,
                            alpha=0.12, linewidth=0, label="KMC p05–p95")
        if table.has_data("q_std"):
            mean, std = table["q_mean"][keep], table["q_std"][keep]
            ax.fill_between(t, mean - std, mean + std, color=color, alpha=0.28, linewidth=0,
                            label="KMC mean ± std")
    if have_kmc:
        ax.plot(t, table["q_mean"][keep], color=color, linewidth=1.6,
                label="KMC mean" if detailed else label)
    if table.has_data("q_ode"):
        ax.plot(t, table["q_ode"][keep], color="black" if detailed else color, linewidth=1.0,
                linestyle=":" if have_kmc and not detailed else "-",
                label="ODE" if detailed else (None if have_kmc else label))
    if detailed and table.has_data("q_exact_mean"):
        ax.plot(t, table["q_exact_mean"][keep], color="tab:green", linewidth=0.9,
                linestyle=":", label="master equation")
    if not detailed:
        return
    tt = np.linspace(t.min(), t.max(), 400) if not log_axis else \
        np.geomspace(t.min(), t.max(), 400)
    if data.finite(row.get("beta_ode"), row.get("tau_ode")):
        ax.plot(tt, data.kww(tt, row["beta_ode"], row["tau_ode"]), color="tab:red",
                linestyle="--", linewidth=1.2, label=kww_label("ODE", row["beta_ode"], row["tau_ode"]))
    if data.finite(row.get("beta_kmc"), row.get("tau_kmc")):
        ax.plot(tt, data.kww(tt, row["beta_kmc"], row["tau_kmc"]), color="tab:purple",
                linestyle=(0, (6, 3)), linewidth=1.0,
                label=kww_label("KMC", row["beta_kmc"], row["tau_kmc"]))


def axes_kinds(args):
    if args.log and not args.linear:
        return ["log"]
    if args.linear and not args.log:
        return ["linear"]
    return ["linear", "log"]


def plot(args):
    run = data.Run(args.run_dir)
    points = data.parse_points(args.points, run)
    tables = {point: run.relaxation(point) for point in points}
    output = data.default_output(args.run_dir, "relaxation", args.output)
    plt = data.pyplot()
    kinds = axes_kinds(args)
    overlay = args.overlay or len(points) > MAX_PANEL_ROWS
    rows = 1 if overlay else len(points)
    fig, axes = plt.subplots(rows, len(kinds), squeeze=False,
                             figsize=(5.2 * len(kinds), 3.6 * rows + (1.2 if overlay else 0)))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if len(points) > MAX_LEGEND:  # a long sweep: a colour ramp, every k-th point named
        ramp = plt.get_cmap("viridis")
        colors = [ramp(i / (len(points) - 1)) for i in range(len(points))]
        step = math.ceil(len(points) / MAX_LEGEND)
        named = set(points[::step]) | {points[-1]}
    else:
        named = set(points)
    for index, point in enumerate(points):
        row_axes = axes[0] if overlay else axes[index]
        for ax, kind in zip(row_axes, kinds):
            draw_point(ax, run, point, tables[point], colors[index % len(colors)] if overlay
                       else "tab:blue", not overlay, kind == "log", point in named)
            if kind == "log":
                ax.set_xscale("log")
            if not overlay:
                ax.set_title(f"point {point}: {run.label(point)}", fontsize=9)
    for ax_row in axes:
        for ax, kind in zip(ax_row, kinds):
            ax.set_xlabel("t / τ0" + (" (log)" if kind == "log" else ""))
            ax.set_ylabel("q = n / N")
            ax.set_ylim(-0.02, 1.02)
            ax.grid(alpha=0.3)
    if overlay:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=min(4, max(1, len(labels))),
                   fontsize=7, frameon=False)
        with_kmc = any(tables[p].has_data("q_mean") for p in points)
        what = "q(t), KMC mean (solid) and ODE (dotted)" if with_kmc else "q(t) of the ODE"
        fig.suptitle(f"{os.path.basename(os.path.normpath(args.run_dir))}: {what}", fontsize=10)
        fig.tight_layout(rect=(0, 0.06 + 0.02 * math.ceil(len(labels) / 4), 1, 1))
    else:
        data.legend(axes[0][-1], fontsize=7, loc="lower right")  # the same in every row
        fig.tight_layout()
    data.save(fig, output)


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
