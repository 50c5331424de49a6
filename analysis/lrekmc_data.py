# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc_data - read an lrekmc run directory (docs/design.md section 6).

Shared by the plot scripts so that every one of them reads the output
contract the same way and fails the same way: one line on stderr,
`prog: error: what`, and exit status 2, never a traceback.

    run = Run("results/fig2")          # checks summary.csv
    run.rows                           # list of dicts: float, str or None
    run.column("beta_ode")             # numpy array, NaN for empty fields
    run.relaxation(k)                  # Table: run.relaxation(k)["q_mean"]
    run.levels(k), run.first_passage(k)

Only numpy and the standard library are imported here; matplotlib is
loaded by pyplot() when a script is about to draw, so that bad input is
reported before any plotting machinery starts.
"""

import csv
import math
import os
import re
import sys

import numpy as np

SUMMARY_REQUIRED = ("point", "mode", "V0", "V1", "T", "N", "trajectories", "seed",
                    "beta_ode", "tau_ode", "rms_ode", "beta_kmc", "beta_kmc_err",
                    "tau_kmc", "tau_kmc_err", "rms_kmc", "z_max", "chi2_p")
RELAXATION_COLUMNS = ("t", "q_mean", "q_std", "q_sem", "q_p05", "q_p50", "q_p95",
                      "q_ode", "q_exact_mean", "q_exact_std", "q_lna_std")
LEVELS_COLUMNS = ("q", "t_mean", "t_std", "t_sem", "t_exact_mean", "t_exact_std", "t_ode")


class DataError(Exception):
    """Bad or missing input; the message is shown to the user as is."""


def parse_value(text):
    """A CSV field as float when it is a number, None when empty, else str."""
    text = text.strip()
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def as_float(value):
    """float of a parsed field; NaN for None and for text."""
    if isinstance(value, float):
        return value
    return math.nan


def read_csv(path):
    """Header and rows (lists of str) of a CSV file; '#' lines are comments."""
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise DataError(f"{path}: not a regular file")
    try:
        with open(path, newline="", encoding="utf-8") as stream:
            lines = [line for line in stream if line.strip() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from None
    try:
        records = list(csv.reader(lines))
    except csv.Error as exc:
        raise DataError(f"{path}: bad CSV: {exc}") from None
    if not records:
        raise DataError(f"{path}: empty file (no header)")
    header = [name.strip() for name in records[0]]
    if len(set(header)) != len(header):
        raise DataError(f"{path}: duplicate column names in the header")
    rows = records[1:]
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise DataError(f"{path}: row {number} has {len(row)} fields, the header has {len(header)}")
    return header, rows


class Table:
    """A numeric CSV table: columns by name as float arrays (NaN = empty)."""

    def __init__(self, path, required=()):
        self.path = path
        self.header, rows = read_csv(path)
        missing = [name for name in required if name not in self.header]
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
        self.columns = {}
        for index, name in enumerate(self.header):
            values = [as_float(parse_value(row[index])) for row in rows]
            self.columns[name] = np.array(values, dtype=float)
        self.length = len(rows)

    def __contains__(self, name):
        return name in self.columns

    def __getitem__(self, name):
        if name not in self.columns:
            raise DataError(f"{self.path}: missing column {name}")
        return self.columns[name]

    def has_data(self, name):
        """The column exists and holds at least one finite value."""
        return name in self.columns and bool(np.isfinite(self.columns[name]).any())

    def get(self, name):
        """The column, or an all-NaN array when it is absent."""
        if name in self.columns:
            return self.columns[name]
        return np.full(self.length, math.nan)


def nonempty(table):
    if table.length == 0:
        raise DataError(f"{table.path}: no rows")
    return table


def legend(ax, **options):
    """ax.legend when something is labelled (quietly nothing otherwise)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, **options)


def point_directories(points_dir, point_ids):
    """{point number: directory} for the subdirectories of points/.

    A name is read as the number it ends with (`3`, `003`, `point-3`).  If
    some name holds no number, or two names give the same one, the
    directories are matched to the summary's points in sorted order instead
    (when the counts agree)."""
    if not os.path.isdir(points_dir):
        return {}
    names = sorted(name for name in os.listdir(points_dir)
                   if os.path.isdir(os.path.join(points_dir, name)))
    numbers = [re.search(r"(\d+)$", name) for name in names]
    if all(numbers) and len({int(m.group(1)) for m in numbers}) == len(names):
        found = {int(m.group(1)): os.path.join(points_dir, name)
                 for m, name in zip(numbers, names)}
        return dict(sorted(found.items()))
    if len(names) == len(point_ids):
        return {point: os.path.join(points_dir, name)
                for point, name in zip(sorted(point_ids), names)}
    return {}


class Run:
    """One run directory: summary.csv plus points/<k>/ tables."""

    def __init__(self, path, required=SUMMARY_REQUIRED):
        if not os.path.exists(path):
            raise DataError(f"{path}: no such directory")
        if not os.path.isdir(path):
            raise DataError(f"{path}: not a directory")
        self.path = path
        summary = os.path.join(path, "summary.csv")
        self.header, raw = read_csv(summary)
        missing = [name for name in required if name not in self.header]
        if missing:
            raise DataError(f"{summary}: missing column(s) {', '.join(missing)}")
        if not raw:
            raise DataError(f"{summary}: no rows")
        self.rows = [{name: parse_value(value) for name, value in zip(self.header, row)}
                     for row in raw]
        for number, row in enumerate(self.rows, start=2):
            if "point" in row and not isinstance(row["point"], float):
                raise DataError(f"{summary}: row {number}: point is not a number")
        self.points = point_directories(os.path.join(path, "points"), self.point_ids())

    def config_value(self, dotted):
        """A value of run.yaml by dotted key (nested or flat), or None.

        run.yaml is optional input: without it, or without PyYAML, or when
        it does not parse, the answer is None."""
        if not hasattr(self, "_config"):
            self._config = None
            path = os.path.join(self.path, "run.yaml")
            try:
                import yaml
                with open(path, encoding="utf-8") as stream:
                    loaded = yaml.safe_load(stream)
                self._config = loaded if isinstance(loaded, dict) else None
            except Exception:  # optional input: any failure means "not known"
                self._config = None
        node = self._config
        if node is None:
            return None
        if dotted in node:
            value = node[dotted]
        else:
            value = node
            for part in dotted.split("."):
                if not isinstance(value, dict) or part not in value:
                    return None
                value = value[part]
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return None
        return parse_value(str(value))

    def has(self, name):
        """The summary has this column with at least one non-empty value."""
        return name in self.header and any(row[name] is not None for row in self.rows)

    def column(self, name):
        """A summary column as floats; NaN where empty or absent."""
        return np.array([as_float(row.get(name)) for row in self.rows], dtype=float)

    def strings(self, name, default=""):
        """A summary column as text (numbers formatted with %g)."""
        out = []
        for row in self.rows:
            value = row.get(name)
            if value is None:
                out.append(default)
            elif isinstance(value, float):
                out.append(f"{value:g}")
            else:
                out.append(value)
        return out

    def swept_keys(self):
        """Dotted column names (`model.T`): the keys the sweep varies."""
        return [name for name in self.header if "." in name]

    def point_ids(self):
        return [int(row["point"]) for row in self.rows]

    def row(self, point):
        for row in self.rows:
            if int(row["point"]) == point:
                return row
        raise DataError(f"{os.path.join(self.path, 'summary.csv')}: no point {point}")

    def label(self, point):
        """A short legend label from the swept keys (or mode, T, N)."""
        row = self.row(point)
        keys = self.swept_keys() or ["mode", "T", "N"]
        parts = []
        for key in keys:
            value = row.get(key)
            if value is None:
                continue
            short = key.split(".")[-1]
            parts.append(f"{short}={value:.4g}" if isinstance(value, float) else f"{short}={value}")
        return ", ".join(parts) if parts else f"point {point}"

    def point_file(self, point, name):
        if point not in self.points:
            raise DataError(f"{os.path.join(self.path, 'points', str(point))}: no such directory")
        return os.path.join(self.points[point], name)

    def relaxation(self, point):
        return nonempty(Table(self.point_file(point, "relaxation.csv"), RELAXATION_COLUMNS))

    def levels(self, point):
        return nonempty(Table(self.point_file(point, "levels.csv"), LEVELS_COLUMNS))

    def first_passage(self, point):
        """Per-trajectory first-passage times, or None when not written.

        Returns (levels, times): levels as floats parsed from the headers
        (`q0.5` or `0.5`), times as an array (trajectories x levels)."""
        if point not in self.points:
            return None
        path = os.path.join(self.points[point], "first_passage.csv")
        if not os.path.exists(path):
            return None
        table = Table(path)
        names = table.header[1:]
        if not names:
            raise DataError(f"{path}: no level columns after the trajectory column")
        levels = []
        for name in names:
            try:
                levels.append(float(name.lstrip("qQ_")))
            except ValueError:
                raise DataError(f"{path}: column {name!r} does not name a q-level") from None
        times = np.column_stack([table[name] for name in names])
        return np.array(levels), times


def import_lrekmc():
    """The lrekmc package of this checkout (python/lrekmc), so that a script
    draws with the code beside it, not with an older installed copy.  Its
    pure-Python modules read run directories and plot without the compiled
    extension."""
    here = os.path.dirname(os.path.abspath(__file__))
    package_root = os.path.join(os.path.dirname(here), "python")
    if os.path.isdir(os.path.join(package_root, "lrekmc")) and package_root not in sys.path:
        sys.path.insert(0, package_root)
    import lrekmc
    return lrekmc


def parse_points(text, run):
    """`--points 0,3` against the points of the run (this module's Run or
    an lrekmc.Run)."""
    ids = run.point_ids() if hasattr(run, "point_ids") else list(run.points)
    if text is None:
        return ids
    chosen = []
    for item in text.split(","):
        item = item.strip()
        if not item.isdigit():
            raise DataError(f"--points: {item!r} is not a point number (expected e.g. 0,3)")
        point = int(item)
        if point not in ids:
            raise DataError(f"--points: no point {point} in {run.path} "
                            f"(points are {', '.join(map(str, ids))})")
        chosen.append(point)
    return chosen


def kww(t, beta, tau):
    """The Kohlrausch-Williams-Watts curve q = 1 - exp(-(t/tau)^beta)."""
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    return 1.0 - np.exp(-(t / tau) ** beta)


def finite(*values):
    return all(v is not None and isinstance(v, float) and math.isfinite(v) for v in values)


def default_output(run_dir, name, output):
    """OUT as given, else RUN_DIR/figures/<name>.png; creates the directory."""
    path = output if output else os.path.join(run_dir, "figures", name + ".png")
    directory = os.path.dirname(path)
    if directory:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise DataError(f"{directory}: cannot create directory: {exc.strerror}") from None
    return path


def pyplot():
    """matplotlib.pyplot with the file-only Agg backend."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save(fig, path):
    try:
        fig.savefig(path, dpi=150, bbox_inches="tight")  # legends beside the axes stay whole
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot write figure: {exc}") from None
    print(path)


def main_guard(prog, function):
    """Run function(); bad input becomes `prog: error: ...` and exit 2.

    LREKMC_DEBUG=1 in the environment lets unexpected errors raise with a
    traceback (for debugging the scripts themselves)."""
    try:
        function()
    except DataError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"{prog}: error: interrupted", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # no traceback for users; see LREKMC_DEBUG
        if os.environ.get("LREKMC_DEBUG"):
            raise
        message = str(exc).splitlines()[0] if str(exc) else ""
        print(f"{prog}: error: {type(exc).__name__}: {message}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0)


class _OneLineParser:
    """Mixed into argparse.ArgumentParser: usage errors as one line too."""

    def error(self, message):
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def argument_parser(prog, description):
    import argparse

    class Parser(_OneLineParser, argparse.ArgumentParser):
        pass

    return Parser(prog=prog, description=description,
                  formatter_class=argparse.RawDescriptionHelpFormatter,
                  epilog="Prints the path of the figure written and exits 0; bad input "
                         "gives one line\n`" + prog + ": error: ...` on stderr and exit "
                         "status 2.")
