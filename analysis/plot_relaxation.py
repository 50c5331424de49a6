#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_relaxation.py - q(t) of each point of an lrekmc run (paper Fig. 1).

For every point (up to four, a row each): the KMC mean with its ±std and
5–95 % bands, the mean-field ODE, the master equation and both KWW fits
with their β and τ, on a linear and a log time axis, and the KWW misfit
q − q_KWW beside them.  More points (or --overlay) share one panel per
axis, coloured by the swept parameter with a colour bar.  The drawing is
lrekmc.plot's (python/lrekmc/plot.py); this script only reads arguments.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_relaxation.py"
MAX_PANEL_ROWS = 4


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
    parser.add_argument("--no-residuals", action="store_true",
                        help="leave out the KWW misfit panel")
    return parser.parse_args()


def axes_kinds(args):
    if args.log and not args.linear:
        return [True]
    if args.linear and not args.log:
        return [False]
    return [False, True]


def plot(args):
    lrekmc = data.import_lrekmc()
    run = lrekmc.open_run(args.run_dir)
    chosen = data.parse_points(args.points, run)
    points = [run.point(k) for k in chosen]
    output = data.default_output(args.run_dir, "relaxation", args.output)
    plt = data.pyplot()
    import lrekmc.plot as lp
    kinds = axes_kinds(args)
    overlay = args.overlay or len(points) > MAX_PANEL_ROWS
    residuals = not args.no_residuals and not overlay
    columns = len(kinds) + int(residuals)
    rows = 1 if overlay else len(points)
    fig, axes = plt.subplots(rows, columns, squeeze=False, layout="constrained",
                             figsize=(5.4 * columns + 2.2, 3.7 * rows))
    if overlay:
        for ax, log in zip(axes[0], kinds):
            lp.relaxation_overlay(ax, points, log=log, legend=ax is axes[0][-1])
    else:
        for row, point in zip(axes, points):
            for ax, log in zip(row, kinds):  # one legend a row: the same fits in both
                lp.relaxation(ax, point, log=log, legend=ax is row[len(kinds) - 1])
            if residuals:
                lp.residuals(row[-1], point, log=kinds[-1])
    data.save(fig, output)


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
