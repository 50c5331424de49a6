#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_fluctuations.py - finite-N behaviour of the KMC (an N sweep only).

Panel 1: √N·std(q) against t for every N (colour bar) with the linear noise
approximation dashed: the curves collapse when the noise is O(1/√N).
Panel 2: against N on log-log axes, |KMC mean − ODE|, its standard error,
|master equation − ODE| and std(q), all at t = τ_ODE, with the slopes 1/N
and 1/√N.  Panel 3 (when points/<k>/first_passage.csv exist): histograms of
the first-passage time to the q-level nearest 0.5 (--level) against a
normal curve with the exact mean and std.  A run whose points do not differ
in N alone is refused.  The drawing is lrekmc.plot's.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_fluctuations.py"


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("run_dir", metavar="RUN_DIR", help="an lrekmc run directory (an N sweep)")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default RUN_DIR/figures/fluctuations.png)")
    parser.add_argument("--points", metavar="LIST",
                        help="comma-separated point numbers (default: all)")
    parser.add_argument("--level", type=float, default=0.5, metavar="Q",
                        help="q-level of the first-passage histograms (default 0.5)")
    return parser.parse_args()


def plot(args):
    lrekmc = data.import_lrekmc()
    run = lrekmc.open_run(args.run_dir)
    points = [run.point(k) for k in data.parse_points(args.points, run)]
    import lrekmc.plot as lp
    if not lp.is_n_sweep(points):
        raise data.DataError(f"{args.run_dir}: not an N sweep (its points must differ in "
                             "model.N and in nothing else swept; see configs/fluctuations.yaml)")
    output = data.default_output(args.run_dir, "fluctuations", args.output)
    data.pyplot()
    data.save(lp.figure_fluctuations(points, level=args.level), output)


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
