# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc._results - results as pandas objects: Fit, Point, Points, Run.

Every table is parsed from the CSV the library wrote (in memory for
lrekmc.compute, on disk for a run directory) with pandas'
``float_precision="round_trip"`` reader, so each float is the double the
library computed (the files hold %.17g).  Empty fields (a reference that
was not computed) are NaN.  Column names are the run directory contract of
README.md, section Output.  Pure Python: needs pandas, not the extension.
"""

import io
import math
import os
import re

RELAXATION_COLUMNS = ("t", "q_mean", "q_std", "q_sem", "q_p05", "q_p50", "q_p95",
                      "q_ode", "q_exact_mean", "q_exact_std", "q_lna_std")
LEVELS_COLUMNS = ("q", "t_mean", "t_std", "t_sem", "t_exact_mean", "t_exact_std", "t_ode")
# the spatial tables of a point in space (docs/space.md), points/<k>/<name>.csv
SPACE_TABLES = {
    "correlation": ("q", "r", "count", "C", "C_std", "C_sem"),
    "snapshots": ("q", "events", "xi", "clusters", "cluster_mean", "largest_fraction"),
    "avalanches": ("size_from", "size_to", "count_mean", "count_sem", "fraction"),
    "local_q": ("q_from", "q_to", "events", "sampled", "local_q", "local_q_sem", "null", "z"),
}
# Read from the summary header written by the library; these must be there.
SUMMARY_REQUIRED = ("point", "mode", "V0", "V1", "T", "N", "trajectories", "seed",
                    "beta_ode", "tau_ode", "rms_ode", "beta_kmc", "beta_kmc_err",
                    "tau_kmc", "tau_kmc_err", "rms_kmc", "z_max", "chi2_p")


def read_csv_text(text, where):
    """A DataFrame from CSV text, floats exactly as written."""
    import pandas as pd
    try:
        return pd.read_csv(io.StringIO(text), float_precision="round_trip")
    except (ValueError, pd.errors.ParserError) as exc:
        raise ValueError(f"{where}: bad CSV: {exc}") from None


def _field(text):
    """A summary field: int, float (exact: Python's correctly rounded
    conversion of the %.17g text), str, or NaN when empty."""
    if text == "":
        return math.nan
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def numeric_table(text, where):
    """A DataFrame of float64 columns from the library's numeric CSV text
    (point tables); the same values as pandas' round-trip reader, without
    its per-call cost (compute() is called in loops)."""
    import numpy as np
    import pandas as pd
    lines = text.splitlines()
    if not lines:
        raise ValueError(f"{where}: empty table")
    header = lines[0].split(",")
    try:
        rows = [[float(x) if x else math.nan for x in line.split(",")] for line in lines[1:]]
        values = np.array(rows, dtype=np.float64).reshape(len(rows), len(header))
    except ValueError as exc:
        raise ValueError(f"{where}: bad CSV: {exc}") from None
    return pd.DataFrame(values, columns=header)


def summary_row(text, where):
    """The one-row summary CSV text as a Series (ints, floats, strings)."""
    import pandas as pd
    lines = text.splitlines()
    if len(lines) != 2:
        raise ValueError(f"{where}: expected a header and one row, got {len(lines)} lines")
    header, values = lines[0].split(","), lines[1].split(",")
    if len(header) != len(values):
        raise ValueError(f"{where}: {len(values)} fields, the header has {len(header)}")
    return pd.Series([_field(v) for v in values], index=header, dtype=object)


def read_csv_file(path, required=()):
    """A DataFrame from a CSV file; ValueError naming the path and what is
    wrong (missing file, missing columns, no rows)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from None
    if not text.strip():
        raise ValueError(f"{path}: empty file (no header)")
    frame = read_csv_text(text, path)
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


class Fit:
    """One KWW fit q = 1 - exp(-(t/tau)^beta) of one curve.

    ``beta``, ``tau``, ``beta_err``, ``tau_err`` are the values summary.csv
    reports (for the KMC curve the errors are batch means); ``rms_residual``
    and ``max_residual`` are the misfit in q, a result (the LRE curves are
    only close to KWW).  ``converged`` False means the numbers are NaN.
    ``details`` holds what the library returned beyond the summary (e.g.
    ``beta_err_fit``, the covariance error, ``iterations``, ``points``)."""

    __slots__ = ("source", "converged", "beta", "tau", "beta_err", "tau_err",
                 "rms_residual", "max_residual", "details")

    def __init__(self, source, beta, tau, beta_err, tau_err, rms_residual, max_residual,
                 details=None):
        self.source = source
        self.beta, self.tau = float(beta), float(tau)
        self.beta_err, self.tau_err = float(beta_err), float(tau_err)
        self.rms_residual, self.max_residual = float(rms_residual), float(max_residual)
        self.converged = math.isfinite(self.beta) and math.isfinite(self.tau)
        self.details = dict(details or {})

    @classmethod
    def from_summary(cls, row, source):
        """The fit of `source` ("ode" or "kmc") from a summary row."""
        def get(name):
            value = row.get(f"{name}_{source}", math.nan)
            try:
                return float(value)
            except (TypeError, ValueError):
                return math.nan
        return cls(source, get("beta"), get("tau"), get_err(row, "beta", source),
                   get_err(row, "tau", source), get("rms"), get("max_residual"))

    def curve(self, t):
        """The fitted KWW curve at times t (NumPy array)."""
        import numpy as np
        t = np.maximum(np.asarray(t, dtype=float), 0.0)
        return 1.0 - np.exp(-(t / self.tau) ** self.beta)

    def poor(self, threshold=0.01):
        """True when the largest misfit in q exceeds threshold: the curve is
        not KWW at that level and beta depends on the fitted range, whatever
        its statistical error."""
        return self.converged and math.isfinite(self.max_residual) and \
            self.max_residual > threshold

    def __repr__(self):
        if not self.converged:
            return f"<Fit {self.source}: not converged>"
        return (f"<Fit {self.source}: beta={self.beta:.5g}±{self.beta_err:.2g}, "
                f"tau={self.tau:.5g}±{self.tau_err:.2g}, max residual {self.max_residual:.2g}>")


def get_err(row, name, source):
    try:
        return float(row.get(f"{name}_{source}_err", math.nan))
    except (TypeError, ValueError):
        return math.nan


class Point:
    """Everything lrekmc computed for one parameter point.

    ``summary``: a pandas Series with the fields of summary.csv (``point``,
    the swept keys, ``mode``, ..., ``events``).  ``relaxation``: DataFrame
    with columns t, q_mean, q_std, q_sem, q_p05, q_p50, q_p95, q_ode,
    q_exact_mean, q_exact_std, q_lna_std (one row per grid time).
    ``levels``: DataFrame with q, t_mean, t_std, t_sem, t_exact_mean,
    t_exact_std, t_ode (one row per q-level).  ``ode_fit``, ``kmc_fit``:
    :class:`Fit` (``kmc_fit`` is None without trajectories).  ``config``: the
    :class:`lrekmc.Config` it was computed from (None when read from a run
    directory).  ``csv(name)`` gives the CSV text (for a computed point: the
    bytes the CLI writes).  ``space(name)``: a spatial table of a point in
    space (docs/space.md)."""

    def __init__(self, summary, relaxation, levels, config=None, texts=None, fits=None,
                 first_passage=None, space=None):
        self.summary = summary
        self.relaxation = relaxation
        self.levels = levels
        self.config = config
        self._texts = texts or {}
        self._first_passage = first_passage
        self._space = space
        fits = fits or {}
        self.ode_fit = _fit_with(Fit.from_summary(summary, "ode"), fits.get("ode_fit"))
        has_kmc = int(summary.get("trajectories", 0) or 0) > 0
        self.kmc_fit = _fit_with(Fit.from_summary(summary, "kmc"), fits.get("kmc_fit")) \
            if has_kmc else None

    @classmethod
    def _from_texts(cls, texts, config):
        summary = summary_row(texts["summary"], "summary")
        levels = numeric_table(texts["levels"], "levels.csv")
        texts = dict(texts)
        rows = texts.pop("first_passage_rows", None)
        first_passage = None
        if rows is not None:
            # the header campaign_run.c writes: trajectory, then each level (%.15g)
            header = ",".join(["trajectory"] + ["%.15g" % q for q in levels["q"]])
            texts["first_passage"] = header + "\n" + rows
            first_passage = numeric_table(texts["first_passage"], "first_passage.csv")
            first_passage["trajectory"] = first_passage["trajectory"].astype("int64")
        return cls(summary, numeric_table(texts["relaxation"], "relaxation.csv"), levels,
                   config=config, texts=texts, first_passage=first_passage,
                   fits={"ode_fit": texts.get("ode_fit"), "kmc_fit": texts.get("kmc_fit")})

    @property
    def index(self):
        """The point number (``summary["point"]``)."""
        return int(self.summary["point"])

    @property
    def N(self):
        """LREs per trajectory."""
        return int(self.summary["N"])

    @property
    def trajectories(self):
        """KMC trajectories (0: references only)."""
        return int(self.summary["trajectories"])

    @property
    def first_passage(self):
        """Per-trajectory first-passage times (DataFrame: trajectory, then one
        column per q-level), or None when they were not written."""
        return self._first_passage() if callable(self._first_passage) else self._first_passage

    def space(self, name):
        """A spatial table (docs/space.md) as a DataFrame: "correlation"
        (C(r) at the snapshots), "snapshots" (xi, clusters), "avalanches" (the
        size distribution) or "local_q" (the local q of the LREs that fire
        against its exact null, per bin of q); None for a point without them
        (no lattice, or the uniform kernel with disorder)."""
        if name not in SPACE_TABLES:
            raise ValueError(f"space: the table is one of {', '.join(SPACE_TABLES)}, not {name!r}")
        if name in self._texts:  # parsed as the file is (Run.space): the same dtypes
            return read_csv_text(self._texts[name], f"{name}.csv")
        return self._space(name) if callable(self._space) else None

    def csv(self, name):
        """The CSV text of "summary", "relaxation", "levels" and, for a
        computed point in space, of its spatial tables."""
        if name not in self._texts:
            raise KeyError(f"{name}: no CSV text kept (texts: {', '.join(self._texts) or 'none'})")
        return self._texts[name]

    def swept(self):
        """{swept key: value} of this point (empty without a sweep)."""
        return {key: self.summary[key] for key in self.summary.index if "." in key}

    def label(self, keys=None):
        """A short label: the swept values (or mode, T, N)."""
        keys = keys or [key for key in self.summary.index if "." in key] or ["mode", "T", "N"]
        parts = []
        for key in keys:
            value = self.summary.get(key)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            short = key.split(".")[-1]
            parts.append(f"{short}={value:.4g}" if isinstance(value, float) else f"{short}={value}")
        return ", ".join(parts) if parts else f"point {self.index}"

    def __repr__(self):
        fit = self.kmc_fit if self.kmc_fit is not None else self.ode_fit
        return (f"<lrekmc.Point {self.index}: {self.label()}, N={self.N}, "
                f"{self.trajectories} trajectories, {fit!r}>")


def _fit_with(fit, details):
    """Attach the library's full fit record (compute only) to a Fit."""
    if details:
        renamed = dict(details)
        renamed["beta_err_fit"] = renamed.pop("beta_err", math.nan)
        renamed["tau_err_fit"] = renamed.pop("tau_err", math.nan)
        fit.details = renamed
    return fit


class Points(list):
    """The points of a campaign computed in memory (lrekmc.compute_all): a
    list of :class:`Point` with the joined tables of a run directory."""

    @property
    def summary(self):
        """One row per point, the columns of summary.csv (swept keys
        included)."""
        import pandas as pd
        return pd.DataFrame([p.summary for p in self]).reset_index(drop=True)

    def point(self, k):
        """The point whose number is k."""
        for p in self:
            if p.index == int(k):
                return p
        raise KeyError(f"no point {k} (points are {', '.join(map(str, self.points))})")

    def relaxation(self, k):
        """Point k's relaxation table (as Run.relaxation)."""
        return self.point(k).relaxation

    def levels(self, k):
        """Point k's levels table (as Run.levels)."""
        return self.point(k).levels

    @property
    def points(self):
        """The point numbers, in order."""
        return [p.index for p in self]

    @property
    def swept_keys(self):
        """The swept keys (dotted summary fields)."""
        return [key for key in self[0].summary.index if "." in key] if self else []

    def tidy(self, table="relaxation", columns=None):
        """See :meth:`Run.tidy`."""
        return _tidy(self, table, columns)


class Run:
    """An lrekmc run directory (README.md, section Output), read-only.

    ``summary`` (DataFrame, one row per finished point), ``record`` (run.yaml
    as a dict, or None), ``points`` (the point numbers), ``swept_keys``,
    ``relaxation(k)``, ``levels(k)``, ``first_passage(k)``, ``point(k)`` (a
    :class:`Point`), ``tidy()`` (every point's table, long, with its swept
    values joined) and ``config`` (the resolved configuration of run.yaml)."""

    def __init__(self, path, required=SUMMARY_REQUIRED):
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path}: no such directory")
        if not os.path.isdir(path):
            raise NotADirectoryError(f"{path}: not a directory")
        self.path = path
        summary_path = os.path.join(path, "summary.csv")
        self.summary = read_csv_file(summary_path, required)
        if len(self.summary) == 0:
            raise ValueError(f"{summary_path}: no rows")
        if not self.summary["point"].map(lambda v: isinstance(v, (int, float)) and
                                         not isinstance(v, bool) and v == v).all():
            raise ValueError(f"{summary_path}: the point column holds a non-number")
        self.summary["point"] = self.summary["point"].astype(int)
        self._record = None
        self._cache = {}
        self.computed = self.kept = None  # set by lrekmc.run

    @property
    def record(self):
        """run.yaml as a dict (version, command line, host, seed, threads,
        per-point state and seconds, the resolved config), or None when it is
        missing or does not parse."""
        if self._record is None:
            try:
                import yaml
                with open(os.path.join(self.path, "run.yaml"), encoding="utf-8") as stream:
                    loaded = yaml.safe_load(stream)
                self._record = loaded if isinstance(loaded, dict) else {}
            except Exception:  # optional input: any failure means "not known"
                self._record = {}
        return self._record or None

    @property
    def config(self):
        """The campaign's resolved configuration (from run.yaml) as a
        :class:`lrekmc.Config` (needs the extension), or None."""
        record = self.record
        if not record or not isinstance(record.get("config"), dict):
            return None
        from ._config import Config
        return Config.load(record["config"])

    @property
    def points(self):
        """The point numbers in summary.csv, in order."""
        return [int(k) for k in self.summary["point"]]

    @property
    def swept_keys(self):
        """The dotted summary columns (``model.T``): the keys the sweep varies."""
        return [name for name in self.summary.columns if "." in name]

    def row(self, k):
        """The summary row of point k (a Series)."""
        rows = self.summary[self.summary["point"] == int(k)]
        if len(rows) == 0:
            raise KeyError(f"{os.path.join(self.path, 'summary.csv')}: no point {k} "
                           f"(points are {', '.join(map(str, self.points))})")
        return rows.iloc[0]

    def _point_dir(self, k):
        """points/<k>; a directory whose name ends in the number k (``003``,
        ``point-3``) is accepted too, for directories made by other tools."""
        self.row(k)
        points = os.path.join(self.path, "points")
        exact = os.path.join(points, str(int(k)))
        if os.path.isdir(exact) or not os.path.isdir(points):
            return exact
        for name in sorted(os.listdir(points)):
            match = re.search(r"(\d+)$", name)
            if match and int(match.group(1)) == int(k) and os.path.isdir(os.path.join(points, name)):
                return os.path.join(points, name)
        return exact

    def _table(self, k, name, required):
        key = (int(k), name)
        if key not in self._cache:
            frame = read_csv_file(os.path.join(self._point_dir(k), name), required)
            if len(frame) == 0:
                raise ValueError(f"{os.path.join(self._point_dir(k), name)}: no rows")
            self._cache[key] = frame
        return self._cache[key]

    def relaxation(self, k):
        """points/<k>/relaxation.csv as a DataFrame."""
        return self._table(k, "relaxation.csv", RELAXATION_COLUMNS)

    def levels(self, k):
        """points/<k>/levels.csv as a DataFrame."""
        return self._table(k, "levels.csv", LEVELS_COLUMNS)

    def first_passage(self, k):
        """points/<k>/first_passage.csv (one row per trajectory, a column per
        q-level named by the level), or None when it was not written."""
        path = os.path.join(self._point_dir(k), "first_passage.csv")
        if not os.path.exists(path):
            return None
        return self._table(k, "first_passage.csv", ("trajectory",))

    def space(self, k, name):
        """points/<k>/<name>.csv, a spatial table (see :meth:`Point.space`),
        as a DataFrame; None when the point has none."""
        if name not in SPACE_TABLES:
            raise ValueError(f"space: the table is one of {', '.join(SPACE_TABLES)}, not {name!r}")
        if not os.path.exists(os.path.join(self._point_dir(k), f"{name}.csv")):
            return None
        return self._table(k, f"{name}.csv", SPACE_TABLES[name])

    def verify(self):
        """Check the directory without changing it (``lrekmc verify``): every
        finished point's files against their checksums, summary.csv against
        the done files, no temporaries.  Returns a dict: points_finished,
        points_outdated (finished by another results version of their engine:
        a resumed run computes them again), points_unfinished, problems,
        messages (each naming its file).  Needs the compiled extension."""
        from . import _core_or_none
        finished, outdated, unfinished, problems, messages = _core_or_none.require().verify(self.path)
        return dict(points_finished=finished, points_outdated=outdated, points_unfinished=unfinished,
                    problems=problems, messages=messages)

    def point(self, k):
        """Point k as a :class:`Point` (tables read on first use)."""
        return Point(self.row(k), self.relaxation(k), self.levels(k),
                     first_passage=lambda: self.first_passage(k), space=lambda name: self.space(k, name))

    def tidy(self, table="relaxation", columns=None):
        """Every point's ``table`` ("relaxation" or "levels") in one long
        DataFrame: a ``point`` column, the swept keys, the summary
        ``columns`` asked for (default: mode, T, V1, N, trajectories), then
        the table's own columns."""
        return _tidy(self, table, columns)

    def __len__(self):
        """The number of finished points."""
        return len(self.summary)

    def __repr__(self):
        return f"<lrekmc.Run {self.path}: {len(self)} point(s), swept {self.swept_keys or 'nothing'}>"


def _tidy(results, table, columns):
    import pandas as pd
    if table not in ("relaxation", "levels"):
        raise ValueError(f"tidy: table is 'relaxation' or 'levels', not {table!r}")
    columns = list(columns) if columns is not None else ["mode", "T", "V1", "N", "trajectories"]
    keys = results.swept_keys
    summary = results.summary
    frames = []
    for k in results.points:
        frame = getattr(results, table)(k).copy()
        row = summary[summary["point"] == k].iloc[0]
        joined = {"point": k}
        for name in keys + [c for c in columns if c not in keys]:
            joined[name] = row[name]
        for position, (name, value) in enumerate(joined.items()):
            frame.insert(position, name, value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def open_run(directory):
    """Open a run directory written by ``lrekmc run`` or :func:`lrekmc.run`
    (FileNotFoundError / ValueError naming the file when it is not one)."""
    return Run(directory)
