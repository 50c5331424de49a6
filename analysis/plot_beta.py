#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_beta.py - the KWW exponent beta against temperature (paper Fig. 2, 3).

One series per mode (and per value of any other swept key): the ODE fit as
a line, the KMC fit as points with 1σ error bars, β = 1 dotted, poor KWW
fits circled, and β_KMC − β_ODE in a panel below.  For a crossover run the
fraction of avalanche (CER) processes f(T) = 1 / (exp(−A (1/T − 1/T0)) + 1)
is drawn dashed on a second y axis.  The drawing is lrekmc.plot's
(python/lrekmc/plot.py); this script only reads arguments.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_beta.py"


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("run_dir", metavar="RUN_DIR", help="an lrekmc run directory (a sweep)")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default RUN_DIR/figures/beta.png)")
    parser.add_argument("--x", choices=("T/V1", "T"), default=None,
                        help="abscissa (default T/V1, or T for crossover runs)")
    parser.add_argument("--logx", action="store_true", help="logarithmic abscissa")
    return parser.parse_args()


def plot(args):
    lrekmc = data.import_lrekmc()
    run = lrekmc.open_run(args.run_dir)
    import lrekmc.plot as lp
    lp.beta_abscissa(run.summary, args.x)  # refuse a bad abscissa before drawing
    output = data.default_output(args.run_dir, "beta", args.output)
    data.pyplot()
    data.save(lp.figure_beta(run, x=args.x, logx=args.logx), output)


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
