#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""plot_fit.py - the figure of an `lrekmc fit` output directory.

Data with the fitted model (solid) and KWW (dashed) per curve against log t;
the residuals of both; and, when the curves have a temperature, beta(T) of
the per-curve KWW fits (points with errors) against the beta the joint
model predicts for the same sampling (line).
"""

import math
import os
import sys

sys.dont_write_bytecode = True  # keep analysis/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lrekmc_data as data  # noqa: E402

PROG = "plot_fit.py"


def parse_arguments():
    parser = data.argument_parser(PROG, __doc__.split("\n\n")[1])
    parser.add_argument("fit_dir", metavar="FIT_DIR", help="an lrekmc fit output directory")
    parser.add_argument("-o", "--output", metavar="OUT.png",
                        help="output file (default FIT_DIR/fit.png)")
    return parser.parse_args()


def fitted_model(fit_dir):
    """options.model of fit.yaml (the file is flat enough to scan)."""
    path = os.path.join(fit_dir, "fit.yaml")
    if not os.path.isfile(path):
        raise data.DataError(f"{path}: no such file (not an lrekmc fit directory?)")
    section = None
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            if not line.startswith(" "):
                section = line.split(":")[0]
            elif section == "options" and line.strip().startswith("model:"):
                return line.split(":", 1)[1].strip()
    raise data.DataError(f"{path}: no options.model")


def read_table(path, required):
    """Columns of a CSV by name: lists of str (labels) and float arrays."""
    import numpy as np
    header, rows = data.read_csv(path)
    missing = [name for name in required if name not in header]
    if missing:
        raise data.DataError(f"{path}: missing column(s) {', '.join(missing)}")
    if not rows:
        raise data.DataError(f"{path}: no rows")
    table = {}
    for index, name in enumerate(header):
        texts = [row[index].strip() for row in rows]
        table[name] = texts if name == "curve" else np.array(
            [data.as_float(data.parse_value(text)) for text in texts], dtype=float)
    return table


def curve_groups(labels):
    groups = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    return groups


def plot(args):
    import numpy as np
    model = fitted_model(args.fit_dir)
    curves_path = os.path.join(args.fit_dir, "curves.csv")
    header, _ = data.read_csv(curves_path)
    y_name = "q" if "q" in header else "phi"
    curves = read_table(curves_path, ("curve", "T", "t", y_name, "fit_kww", "residual_kww",
                                      f"fit_{model}", f"residual_{model}"))
    beta = read_table(os.path.join(args.fit_dir, "beta.csv"),
                      ("curve", "T", "beta_kww", "beta_kww_err", "beta_predicted"))
    output = args.output or os.path.join(args.fit_dir, "fit.png")
    has_T = bool(np.isfinite(beta["T"]).any())
    plt = data.pyplot()
    panels = 3 if has_T else 2
    fig, axes = plt.subplots(1, panels, figsize=(5.0 * panels, 4.2))
    groups = curve_groups(curves["curve"])
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, max(len(groups), 1)))
    for colour, (label, rows) in zip(colours, groups.items()):
        rows = np.array(rows)
        t = curves["t"][rows]
        shown = t > 0
        name = label if not has_T else f"T = {curves['T'][rows][0]:.4g}"
        axes[0].plot(t[shown], curves[y_name][rows][shown], "o", ms=2.5, color=colour, alpha=0.6)
        axes[0].plot(t[shown], curves[f"fit_{model}"][rows][shown], "-", color=colour, label=name)
        kww_shown = shown & np.isfinite(curves["fit_kww"][rows])  # empty if the KWW fit failed
        if model != "kww" and kww_shown.any():
            axes[0].plot(t[kww_shown], curves["fit_kww"][rows][kww_shown], "--", color=colour, lw=0.8)
        axes[1].plot(t[shown], curves[f"residual_{model}"][rows][shown], "o", ms=2.5, color=colour)
        if model != "kww" and kww_shown.any():
            axes[1].plot(t[kww_shown], curves["residual_kww"][rows][kww_shown], "x", ms=2.5,
                         color=colour, alpha=0.4)
    axes[0].set_xscale("log")
    axes[0].set_xlabel("t")
    axes[0].set_ylabel(y_name)
    axes[0].set_title(f"{model} (solid)" + (", KWW (dashed)" if model != "kww" else ""))
    data.legend(axes[0], fontsize=7)
    axes[1].axhline(0.0, color="grey", lw=0.8)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("t")
    axes[1].set_ylabel("residual (data - fit)")
    axes[1].set_title(f"residuals: {model} (o)" + (", KWW (x)" if model != "kww" else ""))
    if has_T:
        order = np.argsort(beta["T"])
        T = beta["T"][order]
        measured = np.isfinite(beta["beta_kww"][order])
        if measured.any():
            axes[2].errorbar(T[measured], beta["beta_kww"][order][measured],
                             yerr=beta["beta_kww_err"][order][measured], fmt="o", color="black",
                             label="KWW fit per curve")
        predicted = beta["beta_predicted"][order]
        if np.isfinite(predicted).any():
            good = np.isfinite(predicted)
            axes[2].plot(T[good], predicted[good], "-", color="tab:red", label=f"{model}: predicted")
        axes[2].axhline(1.0, color="grey", ls=":", lw=0.8)
        axes[2].set_xlabel("T")
        axes[2].set_ylabel("beta")
        axes[2].set_title("KWW exponent")
        data.legend(axes[2], fontsize=8)
    fig.tight_layout()
    data.save(fig, output)


def main():
    args = parse_arguments()
    if not os.path.isdir(args.fit_dir):
        raise data.DataError(f"{args.fit_dir}: no such directory")
    plot(args)


if __name__ == "__main__":
    data.main_guard(PROG, main)
