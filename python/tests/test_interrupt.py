# SPDX-License-Identifier: GPL-3.0-or-later
"""Ctrl-C: KeyboardInterrupt promptly, nothing half-written, resume works.

A child Python runs a computation of minutes and says when it has started
(its progress callback ran); the test sends SIGINT and times the exit.  The
library checks its stop flag between groups of a few trajectories (of
microseconds here), so the child should end within milliseconds; the bound
of 5 s only absorbs a machine loaded by other jobs."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import lrekmc

CHILD = textwrap.dedent("""
    import sys, time, lrekmc
    started = [False]
    def progress(*state):
        if not started[0]:
            started[0] = True
            print("started", flush=True)
    what = sys.argv[1]
    config = {"model": {"N": 2000}, "kmc": {"trajectories": 5000000, "threads": 1},
              "references": {"master_equation": "off"}, "grid": {"points": 40}}
    begun = time.monotonic()
    try:
        if what == "compute":
            lrekmc.compute(config, progress=progress)
        elif what == "quiet":  # no Python code runs during the call: only the C handler can stop it
            print("started", flush=True)
            lrekmc.compute(config)
        else:
            config["sweep"] = {"model.T": [0.5, 1.0, 2.0]}
            config["kmc"]["trajectories"] = 20000
            def campaign_progress(state):
                if state["points_done"] >= 1:
                    progress()
            lrekmc.run(config, sys.argv[2], progress=campaign_progress)
    except KeyboardInterrupt:
        print(f"KeyboardInterrupt after {time.monotonic() - begun:.3f} s", flush=True)
        sys.exit(3)
    print("finished", flush=True)
""")


def interrupt(*args, wait=0.0):
    child = subprocess.Popen([sys.executable, "-c", CHILD, *map(str, args)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    line = child.stdout.readline()
    assert line == "started\n", child.stderr.read()
    time.sleep(wait)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    try:
        out, err = child.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise AssertionError("SIGINT did not stop the child within 30 s") from None
    return child.returncode, out, err, time.monotonic() - sent


def test_compute_raises_keyboard_interrupt_promptly():
    code, out, err, seconds = interrupt("compute")
    assert code == 3 and out.startswith("KeyboardInterrupt after"), err
    assert seconds < 5.0


def test_compute_without_callbacks_is_interrupted_too():
    """No progress callback: the library's stop flag, set by the C handler,
    is the only way out (without it the call would take minutes)."""
    code, out, err, seconds = interrupt("quiet", wait=1.0)
    assert code == 3 and out.startswith("KeyboardInterrupt after"), err
    assert float(out.split()[2]) >= 0.9  # it was inside compute() when the signal came
    assert seconds < 5.0


def test_run_interrupted_keeps_points_and_resumes(tmp_path):
    directory = tmp_path / "run"
    code, out, err, seconds = interrupt("run", directory)
    assert code == 3, err
    assert seconds < 5.0
    # no temporary file left, the finished points are whole
    leftovers = [name for _, _, files in os.walk(directory) for name in files if ".tmp." in name]
    assert leftovers == []
    done = [k for k in range(3) if (directory / "points" / str(k) / "done").exists()]
    assert 1 <= len(done) < 3
    config = {"model": {"N": 2000}, "kmc": {"trajectories": 20000, "threads": 1},
              "references": {"master_equation": "off"}, "grid": {"points": 40},
              "sweep": {"model.T": [0.5, 1.0, 2.0]}}
    resumed = lrekmc.run(config, directory)
    assert resumed.kept == len(done) and resumed.computed == 3 - len(done)
    fresh = lrekmc.run(config, tmp_path / "fresh")
    assert (directory / "summary.csv").read_bytes() == (tmp_path / "fresh" / "summary.csv").read_bytes()
    assert fresh.computed == 3


def c_handler():
    """The C-level SIGINT handler's address (glibc: the first member of
    struct sigaction), whatever Python's signal module believes."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(256)  # >= sizeof(struct sigaction)
    assert libc.sigaction(signal.SIGINT, None, buffer) == 0
    return ctypes.c_void_p.from_buffer(buffer).value


def test_python_handler_is_restored():
    """After a computation, SIGINT is Python's again (not the library's)."""
    before, python_before = c_handler(), signal.getsignal(signal.SIGINT)
    seen = []
    lrekmc.compute({"model": {"N": 20}, "kmc": {"trajectories": 50000, "threads": 1},
                    "fit": {"batches": 5}, "grid": {"points": 10}},
                   progress=lambda *a: seen.append(c_handler()))
    assert seen and seen[0] != before  # the library's handler was in front during the call
    assert c_handler() == before and signal.getsignal(signal.SIGINT) is python_before
    try:
        signal.raise_signal(signal.SIGINT)
        time.sleep(0.01)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("SIGINT after compute() did not raise KeyboardInterrupt")
