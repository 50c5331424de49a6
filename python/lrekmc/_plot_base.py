# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc._plot_base - what every lrekmc.plot function shares: typeset
names, legends beside the axes, counts and sizes in titles, curves on log
time without false kinks, colour scales of a swept parameter."""

import math

import numpy as np

POOR_FIT = 0.01          # max |q - KWW| above which a fit is marked poor
MAX_LABELS = 12          # curves of an overlay named in its legend
DENSE_LOG_STEP = 0.1     # ln-time step below which a grid curve is drawn as a line
TIME = r"$t/\tau_0$"
Q = r"$q = n/N$"
BETA = r"$\beta$ (KWW exponent)"
NAMES = {"T": r"$T$", "T/V1": r"$T/V_1$", "V0": r"$V_0$", "V1": r"$V_1$", "N": r"$N$",
         "A": r"$A$", "T0": r"$T_0$", "mode": "mode", "trajectories": "trajectories"}


def axis_name(key):
    """The typeset name of a summary column or swept key (``model.T`` -> $T$)."""
    short = key.split(".")[-1]
    return NAMES.get(short, short)

def _pyplot():
    import matplotlib.pyplot as plt
    return plt

def _outside_legend(ax, offset=1.02, **options):
    """A legend to the right of the axes (beyond a right-hand axis: offset),
    where it covers no data."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    options.setdefault("fontsize", 7)
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(offset, 1.0),
                     borderaxespad=0.0, frameon=False, **options)

def _count(n):
    """10000 -> '10⁴', 20000 -> '2×10⁴', 400 -> '400'."""
    n = int(n)
    if n < 10000:
        return str(n)
    exponent = int(math.floor(math.log10(n)))
    mantissa = n / 10 ** exponent
    sup = str(exponent).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return (f"10{sup}" if mantissa == 1 else f"{mantissa:g}×10{sup}")

def _range_text(values, name):
    values = sorted({int(v) for v in values if v == v})
    if not values:
        return ""
    if len(values) == 1:
        return f"{name} = {_count(values[0])}"
    return f"{name} = {_count(values[0])}…{_count(values[-1])}"

def sizes_text(summary):
    """'N = 1000, 10⁴ trajectories' for a summary row or table."""
    N = np.atleast_1d(np.asarray(summary["N"], dtype=float))
    trajectories = np.atleast_1d(np.asarray(summary["trajectories"], dtype=float))
    text = _range_text(N, "N")
    if np.nanmax(trajectories) > 0:
        counts = sorted({int(v) for v in trajectories})
        text += ", " + (_count(counts[0]) if len(counts) == 1 else
                        f"{_count(counts[0])}…{_count(counts[-1])}") + " trajectories"
    else:
        text += ", no KMC (references only)"
    return text

def _finite(value):
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False

def _has(frame, name):
    return name in frame and np.isfinite(np.asarray(frame[name], dtype=float)).any()

def fit_label(fit, poor_fit=POOR_FIT):
    """'KWW ODE: β = 0.8153 ± 0.0082, τ = 4.048 ± 0.033' (+ a poor-fit mark)."""
    if fit is None or not fit.converged:
        return None
    def pm(value, error):
        return f"{value:.4g} ± {error:.2g}" if _finite(error) else f"{value:.4g}"
    text = f"KWW {fit.source.upper()}: β = {pm(fit.beta, fit.beta_err)}, τ = {pm(fit.tau, fit.tau_err)}"
    if fit.poor(poor_fit):
        text += (f"\n   poor fit: max |q − KWW| = {fit.max_residual:.2g}, "
                 "β depends on the range")
    return text

def _time_curve(ax, t, y, log, **style):
    """y(t) on the output grid; on a log axis the sparse early part (ln-time
    steps > DENSE_LOG_STEP) as points, so the curve shows no false kinks."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(t) & np.isfinite(y) & ((t > 0) if log else True)
    t, y = t[keep], y[keep]
    if not log or t.size < 2:
        return ax.plot(t, y, **style)
    step = np.diff(np.log(t))
    dense = np.concatenate((step < DENSE_LOG_STEP, [True]))
    first = int(np.argmax(dense)) if dense.any() else t.size - 1
    lines = ax.plot(t[first:], y[first:], **style)
    if first > 0:
        marker = dict(color=lines[0].get_color(), linestyle="none", marker=".", markersize=3)
        ax.plot(t[:first + 1], y[:first + 1], **marker)
    return lines

def _fit_times(t, log):
    t = np.asarray(t, dtype=float)
    t = t[np.isfinite(t) & (t > 0)]
    if t.size == 0:
        return t
    return np.geomspace(t.min(), t.max(), 400) if log else np.linspace(0.0, t.max(), 400)

def _points_of(results):
    """A list of Point from a Run, a Points list or a list of Point."""
    if hasattr(results, "point") and hasattr(results, "points") and not isinstance(results, list):
        return [results.point(k) for k in results.points]
    return list(results)

def _colour_key(points, by):
    """The summary column to colour by: `by`, or the first swept numeric key."""
    if by is not None:
        return by
    for key in points[0].summary.index:
        if "." in key and _finite(points[0].summary[key]):
            values = {float(p.summary[key]) for p in points}
            if len(values) > 1:
                return key
    return None

def _norm(values):
    import matplotlib.colors as colors
    values = np.asarray(values, dtype=float)
    lo, hi = np.nanmin(values), np.nanmax(values)
    if lo > 0 and hi / lo > 10:
        return colors.LogNorm(lo, hi)
    return colors.Normalize(lo, hi if hi > lo else lo + 1)

def _colour_bar(ax, norm, colormap, values, label):
    """A colour bar whose ticks are the swept values themselves (up to ten)."""
    plt = _pyplot()
    bar = ax.figure.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=colormap), ax=ax, pad=0.02)
    bar.set_label(label)
    ticks = sorted({float(v) for v in values if v == v})
    if len(ticks) <= 10:
        bar.ax.minorticks_off()
        bar.set_ticks(ticks)
        bar.set_ticklabels([_count(v) if v == int(v) and v >= 1 else f"{v:.3g}" for v in ticks])
    return bar

def _summary_frame(results):
    import pandas as pd
    if hasattr(results, "summary") and isinstance(results.summary, pd.DataFrame):
        return results.summary
    return pd.DataFrame([p.summary for p in results])

def _column(summary, name):
    if name not in summary:
        return np.full(len(summary), math.nan)
    return np.asarray(summary[name].map(lambda v: v if _finite(v) else math.nan), dtype=float)
