#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_fluctuations.py - finite-N behaviour of the KMC (an N sweep).

Panel 1: sqrt(N) std(q) against t for every point, with the linear noise
approximation sqrt(N) q_lna_std dashed (and the master equation dotted
where it was computed): the curves collapse when the noise is O(1/sqrt N).
Panel 2: against N on log-log axes, the difference |KMC mean - ODE| and
std(q), all read at t = tau_ode, with reference slopes 1/N and 1/sqrt(N)
(the KMC bias sinks into its standard error at large N; the master
equation shows the exact 1/N bias where it was computed).  Panel 3 (when
points/<k>/first_passage.csv exist): histograms of the first-passage time to the q-level nearest 0.5 (--level) for up to
four points, with the exact mean and std (levels.csv) as a normal curve.
"""

import math
import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_fluctuations.py"
MAX_HISTOGRAMS = 4


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


def fixed_time(run, point, table):
    """The time at which bias and std are read from the tables: tau_ode."""
    import numpy as np
    row = run.row(point)
    for key in ("tau_ode",):
        if data.finite(row.get(key)):
            return row[key]
    q_ode = table["q_ode"]
    return float(table["t"][int(np.nanargmin(np.abs(q_ode - 0.5)))])


def at_time(table, name, t_star):
    import numpy as np
    t, values = table["t"], table[name]
    ok = np.isfinite(t) & np.isfinite(values)
    if not ok.any():
        return math.nan
    return float(np.interp(t_star, t[ok], values[ok]))


def scaling_rows(run, points, tables):
    """Per point, all read at the same time t* (tau_ode): N, |KMC mean - ODE|,
    its standard error, |master equation - ODE|, std(q), the LNA std, t*."""
    import numpy as np
    out = []
    for point in points:
        row, table = run.row(point), tables[point]
        N = row.get("N")
        if not data.finite(N) or N <= 0:
            raise data.DataError(f"{run.path}/summary.csv: point {point}: N is not a positive number")
        t_star = fixed_time(run, point, table)
        ode = at_time(table, "q_ode", t_star)
        bias = abs(at_time(table, "q_mean", t_star) - ode)
        exact = abs(at_time(table, "q_exact_mean", t_star) - ode)
        out.append((N, bias, at_time(table, "q_sem", t_star), exact, at_time(table, "q_std", t_star),
                    at_time(table, "q_lna_std", t_star), t_star))
    return np.array(out, dtype=float)


def panel_noise(ax, run, points, tables, colors):
    Ns = [run.row(point).get("N") for point in points]
    by_N = len(set(Ns)) == len(Ns)  # an N sweep: label by N, else by the swept keys
    for index, point in enumerate(points):
        table, N = tables[point], run.row(point).get("N")
        if not data.finite(N):
            continue
        color = colors[index % len(colors)]
        scale = math.sqrt(N)
        if table.has_data("q_std"):
            ax.plot(table["t"], scale * table["q_std"], color=color, linewidth=1.3,
                    label=f"N={N:g}" if by_N else run.label(point))
        if table.has_data("q_lna_std"):  # N-independent after scaling: one black curve
            ax.plot(table["t"], scale * table["q_lna_std"], color="black", linestyle="--",
                    linewidth=1.0, zorder=3)
        if table.has_data("q_exact_std"):
            ax.plot(table["t"], scale * table["q_exact_std"], color=color, linestyle=":",
                    linewidth=1.0)
    ax.plot([], [], color="black", linestyle="--", label="noise approximation (LNA)")
    if any(tables[p].has_data("q_exact_std") for p in points):
        ax.plot([], [], color="gray", linestyle=":", label="master equation")
    ax.set_xlabel("t / τ0")
    ax.set_ylabel("√N · std(q)")
    ax.set_title("fluctuations scale as 1/√N", fontsize=10)
    data.legend(ax, fontsize=7)
    ax.grid(alpha=0.3)


def reference_slope(ax, N, anchor_N, anchor_y, power, label, style):
    import numpy as np
    if not (math.isfinite(anchor_y) and anchor_y > 0):
        return
    line = anchor_y * (np.asarray(N) / anchor_N) ** (-power)
    ax.plot(N, line, color="gray", linestyle=style, linewidth=1.0, label=label)


def panel_scaling(ax, rows):
    import numpy as np
    order = np.argsort(rows[:, 0])
    rows = rows[order]
    N, bias, sem, exact, std, lna = (rows[:, i] for i in range(6))
    positive = lambda v: np.isfinite(v) & (v > 0)  # noqa: E731
    ok = positive(bias)
    if ok.any():
        ax.plot(N[ok], bias[ok], "o", color="tab:red", markerfacecolor="none",
                label="|KMC mean − ODE|")
    if positive(sem).any():
        ax.plot(N[positive(sem)], sem[positive(sem)], "x", color="gray", markersize=5,
                label="standard error of the KMC mean")
    ok_exact = positive(exact)
    if ok_exact.any():
        ax.plot(N[ok_exact], exact[ok_exact], "s-", color="tab:orange", markersize=4,
                linewidth=1, label="|master eq. − ODE|")
    ok_std = positive(std)
    if ok_std.any():
        ax.plot(N[ok_std], std[ok_std], "D", color="tab:blue", markerfacecolor="none",
                label="std(q) KMC")
    if positive(lna).any():
        ax.plot(N[positive(lna)], lna[positive(lna)], "--", color="tab:blue", linewidth=1,
                label="std(q) LNA")
    span = np.geomspace(N.min(), N.max(), 50) if N.min() > 0 and N.max() > N.min() else N
    if ok_std.any():
        first = np.flatnonzero(ok_std)[0]
        reference_slope(ax, span, N[first], std[first] * 1.6, 0.5, "∝ 1/√N", ":")
    source = exact if ok_exact.any() else bias
    good = positive(source)
    if good.any():
        first = np.flatnonzero(good)[0]
        reference_slope(ax, span, N[first], source[first] / 1.6, 1.0, "∝ 1/N", "-.")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N (LREs per trajectory)")
    ax.set_ylabel("value at a fixed time t")
    t_star = rows[:, 6]
    same = np.isfinite(t_star).all() and np.allclose(t_star, t_star[0])
    ax.set_title("bias and noise against N" + (f" (t = {t_star[0]:.3g})" if same else ""),
                 fontsize=10)
    data.legend(ax, fontsize=7)
    ax.grid(alpha=0.3, which="both")


def panel_first_passage(ax, run, points, level, colors):
    """Histograms of the first-passage time to the level nearest `level`."""
    import numpy as np
    drawn = 0
    with_data = [point for point in points if run.first_passage(point) is not None]
    if len(with_data) > MAX_HISTOGRAMS:  # evenly spread, first and last included
        picks = np.linspace(0, len(with_data) - 1, MAX_HISTOGRAMS).round().astype(int)
        with_data = [with_data[i] for i in sorted(set(picks))]
    for index, point in enumerate(points):
        if point not in with_data:
            continue
        found = run.first_passage(point)
        levels, times = found
        j = int(np.argmin(np.abs(levels - level)))
        sample = times[:, j]
        sample = sample[np.isfinite(sample)]
        if sample.size < 2:
            continue
        color = colors[index % len(colors)]
        N = run.row(point).get("N")
        name = f"N={N:g}" if data.finite(N) else f"point {point}"
        ax.hist(sample, bins=min(60, max(10, int(math.sqrt(sample.size)))), density=True,
                histtype="step", color=color, linewidth=1.2, label=f"{name}, q={levels[j]:g}")
        mean, std = exact_time_moments(run, point, levels[j])
        if math.isfinite(mean) and math.isfinite(std) and std > 0:
            t = np.linspace(sample.min(), sample.max(), 200)
            ax.plot(t, np.exp(-0.5 * ((t - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi)),
                    color=color, linestyle="--", linewidth=1.0)
        drawn += 1
    if drawn:
        ax.plot([], [], color="gray", linestyle="--", label="normal, exact mean and std")
    ax.set_xlabel("first-passage time")
    ax.set_ylabel("density")
    ax.set_title("first-passage times", fontsize=10)
    data.legend(ax, fontsize=7)
    ax.grid(alpha=0.3)


def exact_time_moments(run, point, level):
    """Exact mean and std of the first-passage time at a level, or NaN."""
    import numpy as np
    try:
        table = run.levels(point)
    except data.DataError:
        return math.nan, math.nan
    q = table["q"]
    if not np.isfinite(q).any():
        return math.nan, math.nan
    i = int(np.nanargmin(np.abs(q - level)))
    if abs(q[i] - level) > 1e-6:
        return math.nan, math.nan
    return table["t_exact_mean"][i], table["t_exact_std"][i]


def plot(args):
    run = data.Run(args.run_dir)
    points = data.parse_points(args.points, run)
    tables = {point: run.relaxation(point) for point in points}
    rows = scaling_rows(run, points, tables)
    with_fpt = any(run.first_passage(point) is not None for point in points)
    output = data.default_output(args.run_dir, "fluctuations", args.output)
    plt = data.pyplot()
    panels = 3 if with_fpt else 2
    fig, axes = plt.subplots(1, panels, figsize=(5.0 * panels, 4.3))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    panel_noise(axes[0], run, points, tables, colors)
    panel_scaling(axes[1], rows)
    if with_fpt:
        panel_first_passage(axes[2], run, points, args.level, colors)
    fig.tight_layout()
    data.save(fig, output)


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
