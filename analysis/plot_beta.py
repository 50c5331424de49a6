#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_beta.py - the KWW exponent beta against temperature (paper Fig. 2, 3).

One series per mode (and per value of any other swept key): the ODE fit as
a line, the KMC fit as points with error bars, beta = 1 dotted.  For a
crossover run the fraction of avalanche (CER) processes
f(T) = 1 / (exp(-A (1/T - 1/T0)) + 1) is drawn dashed on a second y axis.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_beta.py"
MODE_STYLE = {"ser": ("tab:blue", "o"), "cer": ("tab:red", "s"), "crossover": ("black", "o")}


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("run_dir", metavar="RUN_DIR", help="an lrekmc run directory (a sweep)")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default RUN_DIR/figures/beta.png)")
    parser.add_argument("--x", choices=("T/V1", "T"), default=None,
                        help="abscissa (default T/V1, or T for crossover runs)")
    parser.add_argument("--logx", action="store_true", help="logarithmic abscissa")
    return parser.parse_args()


def crossover_f(T, A, T0):
    """f(T) of Eq. 10, the fraction of CER processes."""
    import numpy as np
    with np.errstate(over="ignore"):
        return 1.0 / (np.exp(-A * (1.0 / T - 1.0 / T0)) + 1.0)


def series_keys(run):
    """Row groups: mode plus every swept key except the temperature."""
    others = [key for key in run.swept_keys() if key not in ("model.T", "model.mode")]
    groups = {}
    for index, row in enumerate(run.rows):
        mode = row.get("mode") if isinstance(row.get("mode"), str) else "?"
        label = [mode]
        for key in others:
            value = row.get(key)
            if value is not None:
                text = f"{value:.4g}" if isinstance(value, float) else str(value)
                label.append(f"{key.split('.')[-1]}={text}")
        groups.setdefault(", ".join(label), []).append(index)
    return groups


def is_crossover(run):
    modes = set(run.strings("mode"))
    return "crossover" in modes or (run.has("A") and run.has("T0"))


def abscissa(run, choice):
    import numpy as np
    T = run.column("T")
    if choice == "T":
        return T, "T (k_B = 1)"
    V1 = run.column("V1")
    if not np.all(np.isfinite(V1) & (V1 > 0)):
        raise data.DataError(f"{run.path}/summary.csv: T/V1 needs V1 > 0 in every row "
                             "(use --x T)")
    return T / V1, "T / V1"


def plot(args):
    import numpy as np
    run = data.Run(args.run_dir)
    crossover = is_crossover(run)
    choice = args.x or ("T" if crossover else "T/V1")
    x, xlabel = abscissa(run, choice)
    beta_ode = run.column("beta_ode")
    beta_kmc, beta_err = run.column("beta_kmc"), run.column("beta_kmc_err")
    if not (np.isfinite(x).any() and (np.isfinite(beta_ode).any() or np.isfinite(beta_kmc).any())):
        raise data.DataError(f"{run.path}/summary.csv: no finite T and beta to plot")
    output = data.default_output(args.run_dir, "beta", args.output)
    plt = data.pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    groups = series_keys(run)
    modes = [name.split(",")[0] for name in groups]
    by_mode = len(set(modes)) == len(modes)  # one series per mode: colour by mode
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for number, (name, indices) in enumerate(groups.items()):
        idx = np.array(sorted(indices, key=lambda i: x[i]))
        mode = modes[number]
        color, marker = MODE_STYLE.get(mode, (None, "o"))
        if color is None or not by_mode:
            color = cycle[number % len(cycle)]
        shown = mode.upper() if mode in ("ser", "cer") else mode
        shown += name[len(mode):]
        ok = np.isfinite(x[idx]) & np.isfinite(beta_ode[idx])
        if ok.any():
            ax.plot(x[idx][ok], beta_ode[idx][ok], color=color, linewidth=1.4,
                    marker="." if ok.sum() <= 60 else None, markersize=4,
                    label=f"{shown}: ODE")
        ok = np.isfinite(x[idx]) & np.isfinite(beta_kmc[idx])
        if ok.any():
            err = np.where(np.isfinite(beta_err[idx][ok]), beta_err[idx][ok], 0.0)
            ax.errorbar(x[idx][ok], beta_kmc[idx][ok], yerr=err, fmt=marker, markersize=5,
                        color=color, markerfacecolor="none", capsize=2, linewidth=1,
                        label=f"{shown}: KMC")
    ax.axhline(1.0, color="gray", linestyle=":", linewidth=1.2, label="β = 1")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("β (KWW exponent)")
    if args.logx:
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if crossover:
        add_crossover_axis(ax, run, choice, handles, labels)
    ax.legend(handles, labels, fontsize=8, loc="best")
    title = "β of the SER–CER crossover (Eq. 10)" if crossover else "β against temperature"
    protocol = run.strings("protocol")[0] if run.has("protocol") else ""
    ax.set_title(title + (f", fit protocol {protocol}" if protocol else ""), fontsize=10)
    fig.tight_layout()
    data.save(fig, output)


def crossover_parameters(run):
    """A and T0 per row: summary columns `A`, `T0` (or the swept keys
    `model.crossover.A`, `model.crossover.T0`), else run.yaml; NaN if none."""
    import numpy as np
    for a_name, t0_name in (("A", "T0"), ("model.crossover.A", "model.crossover.T0")):
        if run.has(a_name) and run.has(t0_name):
            return run.column(a_name), run.column(t0_name)
    a = data.as_float(run.config_value("model.crossover.A"))
    t0 = data.as_float(run.config_value("model.crossover.T0"))
    return np.full(len(run.rows), a), np.full(len(run.rows), t0)


def add_crossover_axis(ax, run, choice, handles, labels):
    """f(T) dashed on a right-hand axis, computed from A, T0 and T (or, when
    A and T0 are nowhere to be found, the f_T column as reported)."""
    import numpy as np
    A, T0 = crossover_parameters(run)
    T, V1 = run.column("T"), run.column("V1")
    scale = np.ones_like(T) if choice == "T" else 1.0 / V1
    ok = np.isfinite(A) & np.isfinite(T0) & np.isfinite(T) & (T > 0) & np.isfinite(scale)
    twin = ax.twinx()
    if ok.any() and np.allclose(A[ok], A[ok][0]) and np.allclose(T0[ok], T0[ok][0]):
        a, t0 = A[ok][0], T0[ok][0]
        T_line = np.geomspace(T[ok].min(), T[ok].max(), 300)
        line, = twin.plot(T_line * scale[ok][0], crossover_f(T_line, a, t0), color="tab:green",
                          linestyle="--", linewidth=1.3, label=f"f(T), A={a:.3g}, T0={t0:.3g}")
        check_reported_f(run, ok, crossover_f(T[ok], a, t0))
    else:
        f = crossover_f(T, A, T0) if ok.any() else run.column("f_T")
        ok = np.isfinite(f) & np.isfinite(T) & np.isfinite(scale)
        if not ok.any():
            twin.remove()
            return
        order = np.argsort(T[ok] * scale[ok])
        line, = twin.plot((T[ok] * scale[ok])[order], f[ok][order], color="tab:green",
                          linestyle="--", marker=".", linewidth=1.3, label="f(T)")
    twin.set_ylabel("f(T): fraction of CER processes", color="tab:green")
    twin.set_ylim(-0.03, 1.03)
    twin.tick_params(axis="y", colors="tab:green")
    handles.append(line)
    labels.append(line.get_label())


def check_reported_f(run, rows, computed):
    """Warn (not fail) when the program's f_T disagrees with f(T) from A, T0."""
    import numpy as np
    if not run.has("f_T"):
        return
    reported = run.column("f_T")[rows]
    good = np.isfinite(reported)
    if good.any() and not np.allclose(reported[good], computed[good], rtol=1e-6, atol=1e-9):
        print(f"{PROG}: warning: f_T in summary.csv differs from f(T) computed from A and T0",
              file=sys.stderr)


if __name__ == "__main__":
    data.main_guard(PROG, lambda: plot(parse_arguments()))
