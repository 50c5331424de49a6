# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the Python package tests (run by ctest through
python/tests/tests.cmake with PYTHONPATH = BUILD/python and LREKMC_CLI = the
command-line program of the same build)."""

import os
import subprocess

import pytest

import lrekmc

SOURCE_DIR = os.environ.get("LREKMC_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
CLI = os.environ.get("LREKMC_CLI", os.path.join(SOURCE_DIR, "build", "lrekmc"))

# A campaign of a few milliseconds: both modes at two temperatures, every
# reference (N <= 5000: the master equation too).
TINY = """\
model: {mode: ser, V0: 1.0, V1: 1.0, T: 1.0, N: 60}
kmc: {trajectories: 300, seed: 11, threads: 1}
grid: {t_max: auto, q_max: 0.99, points: 60, spacing: linear}
fit: {protocol: qlevels, q_levels: {from: 0.05, to: 0.95, count: 19}, batches: 10}
sweep:
  model.mode: [ser, cer]
  model.T: [0.5, 1.0]
"""


@pytest.fixture
def tiny_file(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def run_cli(*args, check=True):
    """The command-line program; returns the CompletedProcess."""
    result = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"lrekmc {' '.join(map(str, args))}: exit {result.returncode}\n"
                             f"{result.stderr}")
    return result


@pytest.fixture
def cli_run(tiny_file, tmp_path):
    """The tiny campaign run by the CLI: its directory."""
    out = tmp_path / "cli"
    run_cli("run", tiny_file, "-o", out, "--quiet")
    return out


def test_extension_is_loaded():
    """The tests run against the compiled extension, not the pure fallback."""
    assert lrekmc._core_or_none.core is not None, lrekmc._core_or_none.error
    assert lrekmc.__version__ == run_cli("--version").stdout.split()[1]
