# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc._config - lrekmc.Config: a configuration loaded and checked by the
library itself (the same keys, ranges and messages as ``lrekmc check``).

A Python dict is turned into YAML text and loaded like a file named
``<dict>``; overrides become ``--set KEY=VALUE`` assignments, so their
messages are the CLI's ``--set KEY: ...`` ones.
"""

import json
import math
import os
import re

from . import _core_or_none

_PLAIN = re.compile(r"^[A-Za-z0-9_.+\-][A-Za-z0-9_.+\- ]*$")


def _scalar(value, where):
    """A Python value as the text of one YAML scalar."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)  # shortest text that reads back to the same double
    if hasattr(value, "item") and callable(value.item):  # a NumPy scalar
        return _scalar(value.item(), where)
    if isinstance(value, str):
        if _PLAIN.match(value) and value.strip() == value:
            return value
        return json.dumps(value)  # a JSON string is a YAML double-quoted scalar
    raise TypeError(f"{where}: expected a number, a string or a boolean, got {type(value).__name__}")


def _yaml_lines(node, indent, where):
    """Block YAML of a dict; lists become flow sequences of scalars."""
    lines = []
    for key, value in node.items():
        key = str(key)
        path = f"{where}.{key}" if where else key
        if isinstance(value, dict):
            lines.append(" " * indent + f"{_scalar(key, path)}:")
            lines.extend(_yaml_lines(value, indent + 2, path))
        elif isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and
                                                  not hasattr(value, "item")):
            items = value.tolist() if hasattr(value, "tolist") else value
            lines.append(" " * indent + f"{_scalar(key, path)}: [" +
                         ", ".join(_scalar(v, path) for v in items) + "]")
        else:
            lines.append(" " * indent + f"{_scalar(key, path)}: {_scalar(value, path)}")
    return lines


def dict_to_yaml(config):
    """The YAML text lrekmc.Config.load reads for a (nested) dict.  Dotted
    keys at any level (``{"model.T": 0.5}``) are nested first."""
    return "\n".join(_yaml_lines(_nest(config, ""), 0, "")) + "\n"


def _nest(node, where):
    """{"model.T": 1, "model": {"N": 5}} -> {"model": {"T": 1, "N": 5}} (not
    under sweep:, whose keys are dotted names)."""
    out = {}
    for key, value in node.items():
        key = str(key)
        path = f"{where}.{key}" if where else key
        if isinstance(value, dict) and not path.startswith("sweep"):
            value = _nest(value, path)
        parts = key.split(".") if not where.startswith("sweep") and "." in key else [key]
        if parts[0] == "sweep" and len(parts) > 1:
            parts = ["sweep", ".".join(parts[1:])]
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise TypeError(f"{path}: {part} is both a value and a section")
        if isinstance(value, dict) and isinstance(target.get(parts[-1]), dict):
            target[parts[-1]].update(value)
        else:
            target[parts[-1]] = value
    return out


def _assignments(overrides):
    """Overrides (dotted keys or nested dicts) as KEY=VALUE texts."""
    out = []

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            out.append(f"{prefix}={_scalar(value, prefix)}")

    walk("", overrides)
    return out


class Config:
    """A validated lrekmc configuration (DESIGN.md section 5).

    Build one with :meth:`Config.load`; ``str(config)`` / :attr:`yaml` is
    the fully resolved YAML that ``lrekmc check`` prints, ``config["model.T"]``
    reads a value, :meth:`with_` makes a changed copy, :meth:`point` gives one
    point of the sweep.  The object is immutable."""

    def __init__(self, core):
        """Internal: use Config.load."""
        self._core = core
        self._tree = None

    @classmethod
    def load(cls, source=None, /, **overrides):
        """Load, override and validate a configuration.

        ``source`` is a path (str or os.PathLike) to a YAML file, a YAML text
        (a str that is not an existing file and holds a newline or a ``:``), a dict with the file's
        structure (``{"model": {"T": 0.5}}``, dotted keys allowed), another
        Config, or None for the defaults.  ``overrides`` are applied after it
        like ``--set``: ``Config.load("c.yaml", **{"model.T": 0.5})`` or
        ``Config.load("c.yaml", model={"T": 0.5, "N": 100})``.

        Raises :class:`lrekmc.ConfigError` carrying every problem, each
        message as the CLI prints it (``FILE:LINE:COLUMN: ...``,
        ``--set KEY: ...``)."""
        core = _core_or_none.require()
        assignments = _assignments(overrides)
        if isinstance(source, Config):
            if source._core.base is not None:
                raise ValueError("Config.load: pass the campaign, not one of its points")
            name, text = source._core.name + " (resolved)", source.yaml
        elif source is None:
            name, text = "<defaults>", "{}\n"
        elif isinstance(source, dict):
            name, text = "<dict>", dict_to_yaml(source)
        elif isinstance(source, os.PathLike) or (isinstance(source, str) and (
                os.path.isfile(source) or ("\n" not in source and ":" not in source))):
            name, text = os.fspath(source), None
        elif isinstance(source, str):
            name, text = "<string>", source
        else:
            raise TypeError(f"Config.load: expected a path, YAML text, a dict or a Config, "
                            f"got {type(source).__name__}")
        return cls(core._Config._load(name, text, assignments))

    def with_(self, **overrides):
        """A copy with ``overrides`` applied (same forms as :meth:`load`)."""
        if self._core.base is not None:
            return Config.load(Config(self._core.base), **overrides).point(self._core.index)
        return Config.load(self, **overrides)

    @property
    def yaml(self):
        """The resolved configuration as YAML (what ``lrekmc check`` prints)."""
        return self._core._yaml()

    @property
    def source(self):
        """Where it came from: the file name, ``<string>`` or ``<dict>``."""
        return self._core.name

    def to_dict(self):
        """The resolved configuration as nested dicts (a fresh copy)."""
        import yaml
        return yaml.safe_load(self.yaml)

    def __getitem__(self, dotted):
        """A resolved value by dotted key, e.g. ``config["model.T"]``."""
        if self._tree is None:
            self._tree = self.to_dict()
        node = self._tree
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(dotted)
            node = node[part]
        return node

    @property
    def point_count(self):
        """Points of the sweep: the product of its axes (1 without one)."""
        return self._core._point_count()

    def point(self, k):
        """Point ``k`` of the sweep (numbered like the run directory's
        points/<k>, the last axis varying fastest) as a Config without a
        sweep; :func:`lrekmc.compute` on it gives the CLI's summary row k."""
        return Config(self._core._point(int(k)))

    def points(self):
        """Every point of the sweep, in order (a list of Config)."""
        return [self.point(k) for k in range(self.point_count)]

    @property
    def index(self):
        """This point's number in its campaign (0 for a configuration without
        a sweep)."""
        return self._core.index

    @property
    def events(self):
        """The number of events the KMC will simulate (N x trajectories,
        summed over the sweep for a campaign)."""
        if self._core.base is None and self.point_count > 1:
            return sum(p._core._event_estimate() for p in self.points())
        return self._core._event_estimate()

    def __eq__(self, other):
        """Same values (the library's lrk_config_equal; sources ignored)."""
        if not isinstance(other, Config):
            return NotImplemented
        return self._core._equal(other._core)

    __hash__ = None

    def __str__(self):
        return self.yaml

    def __repr__(self):
        where = f", point {self.index}" if self._core.base is not None else ""
        return f"<lrekmc.Config from {self.source}{where}: {self.point_count} point(s)>"


def key_reference():
    """``[(key, description)]`` of every scalar configuration key with what it
    accepts (the table ``lrekmc check --help`` prints)."""
    return _core_or_none.require().key_reference()
