# SPDX-License-Identifier: GPL-3.0-or-later
"""check_run_agree.py - what `lrekmc check` accepts, `lrekmc run` runs.

For a fixed list of configurations that once broke the promise, and for
random small configurations (fixed seed) across the mean-field chain,
disorder, space, disorder in space and model.elastic: when `check` exits 0,
`run` must exit 0, a second `run` must keep every point (resume), and
`verify` must find the directory sound.  When `check` refuses (exit 2) the
configuration is skipped: the refusal is the promise kept.

    check_run_agree.py LREKMC WORK_DIR [COUNT]

CHECK_RUN_SEED=S draws another set of random configurations (a longer hunt:
COUNT 300 and a few seeds); CHECK_RUN_TIMEOUT=SECONDS how long one command may
take before it counts as hung (default 120).  Exit 0 when every accepted configuration ran; 1 with one line per failure.
"""

import os
import random
import shutil
import subprocess
import sys

# Configurations that check accepted and run could not run (found by the
# adversarial sweep of 2026-12-01), each followed by the part that matters.
FIXED = [
    # coupled disorder so wide that the mean field's clock quadrature fails (left out, not fatal)
    "model: {mode: cer, V0: 0, T: 1.31111, V1: 0.3, N: 5, disorder: {distribution: normal, width: 10.4889}}\n"
    "kmc: {trajectories: 16, seed: 428}\ngrid: {t_max: 0.01329, points: 40}\n"
    "fit: {protocol: timegrid, batches: 2}\nreferences: {master_equation: off}\nsweep: {model.T: [0.5, 1]}\n",
    # the pilot cannot bound q_max = 0.999 (check must refuse it; strong CER, where auto takes the pilot)
    "model: {mode: cer, T: 0.25, space: {lattice: cubic, L: 4, d_el: 1.5}}\nkmc: {trajectories: 8}\nfit: {batches: 4}\n"
    "grid: {q_max: 0.999}\n",
    # references.master_equation: on over its work budget (left out with a warning)
    "model: {mode: cer, V0: 1, V1: 10, T: 0.143334, N: 50}\nkmc: {trajectories: 16}\n"
    "fit: {batches: 4}\ngrid: {points: 10}\nreferences: {master_equation: on}\n",
    # the mean field across 26 decades of rates (uniform w/T = 30)
    "model: {V0: 3, V1: 1, T: 3.39752, N: 2, disorder: {distribution: uniform, width: 101.926}}\n"
    "kmc: {trajectories: 0}\ngrid: {points: 10, q_max: 0.5, t_max_rule: pilot}\n",
    # uncoupled disorder wider than the Gauss nodes converge for
    "model: {V1: 0, N: 100, disorder: {distribution: normal, width: 10}}\nkmc: {trajectories: 8}\n"
    "fit: {batches: 2}\ngrid: {points: 10}\n",
    # a far Gauss node whose rate overflows (q(0) was NaN)
    "model: {mode: cer, V0: 0.5, V1: 0, T: 0.688625, disorder: {distribution: normal, width: 6.88625},\n"
    "        space: {lattice: cubic, L: 1, Ly: 8, Lz: 4, d_el: 3}}\n"
    "kmc: {trajectories: 0}\ngrid: {t_max: 29270, points: 10}\n",
    # moments for CER in space (check must refuse it)
    "model: {mode: cer, space: {lattice: cubic, L: 4, d_el: 1.5}}\nkmc: {trajectories: 8}\nfit: {batches: 4}\n"
    "grid: {t_max_rule: moments}\n",
    # a width sweep from 0 that also switches the distribution on: the resume hash
    "model: {N: 10}\nkmc: {trajectories: 8}\nfit: {batches: 2}\ngrid: {points: 3}\n"
    "sweep: {zip: {model.disorder.distribution: [none, normal], model.disorder.width: [0, 0.5]}}\n",
    # a swept lattice: the resume hash
    "model: {N: 64, space: {L: 4, d_el: 1.5}}\nkmc: {trajectories: 8}\nfit: {batches: 2}\n"
    "grid: {points: 5}\nsweep: {model.space.lattice: [none, cubic]}\n",
]


def pick(rng, *values):
    return rng.choice(values)


def random_config(rng):
    mode = pick(rng, "ser", "cer", "crossover")
    T = 10 ** rng.uniform(-1.5, 1)
    kind = pick(rng, "chain", "chain", "disorder", "space", "space-disorder", "elastic")
    lines = [f"model:\n  mode: {mode}\n  V0: {pick(rng, -1, 0, 1, 3)}\n  T: {T:.6g}"]
    if kind != "elastic":
        lines.append(f"  V1: {pick(rng, 0, 0.3, 1, 3, 10)}")
    else:
        lines.append(f"  elastic: {{n_r: {pick(rng, 1, 10)}, q0: {pick(rng, 0.1, 1)}, dp0: {pick(rng, 0, 0.5, 2)},"
                     f" d0: 1, d_el: {pick(rng, 2, 4)}}}")
    if mode == "crossover":
        lines.append(f"  crossover: {{A: {pick(rng, -2, 0.5, 3)}, T0: {pick(rng, 0.3, 1, 3)}}}")
    if kind in ("chain", "disorder", "elastic"):
        lines.append(f"  N: {pick(rng, 1, 2, 5, 30, 200)}")
    if kind in ("disorder", "space-disorder"):
        lines.append(f"  disorder: {{distribution: {pick(rng, 'normal', 'uniform', 'exponential', 'bimodal')},"
                     f" width: {pick(rng, 0, 0.1, 0.5, 1, 3, 8) * T:.6g}}}")
    if kind in ("space", "space-disorder"):
        lines.append(f"  space: {{lattice: cubic, L: {pick(rng, 1, 2, 3, 4, 6)}, Ly: {pick(rng, 0, 1, 2, 4)},"
                     f" Lz: {pick(rng, 0, 1, 2)}, d_el: {pick(rng, 0.5, 1, 1.5, 3)},"
                     f" kernel: {pick(rng, 'r3', 'r3', 'uniform')}}}")
    trajectories = pick(rng, 0, 2, 16, 64)
    lines.append(f"kmc: {{trajectories: {trajectories}, seed: {rng.randrange(1000)},"
                 f" streams: {pick(rng, 'independent', 'common')}, threads: {pick(rng, 1, 2)}}}")
    t_max = pick(rng, "auto", "auto", f"{10 ** rng.uniform(-2, 4):.4g}")
    lines.append(f"grid: {{t_max: {t_max}, points: {pick(rng, 2, 10, 40)}, q_max: {pick(rng, 0.5, 0.9, 0.99)},"
                 f" t_max_rule: {pick(rng, 'auto', 'auto', 'ode', 'moments', 'pilot')},"
                 f" spacing: {pick(rng, 'linear', 'log')}}}")
    low = pick(rng, 0.01, 0.3)
    lines.append(f"fit: {{protocol: {pick(rng, 'qlevels', 'timegrid')},"
                 f" q_levels: {{from: {low}, to: {pick(rng, 0.5, 0.9)}, count: {pick(rng, 1, 5, 20)}}},"
                 f" batches: 2}}")
    lines.append(f"references: {{master_equation: {pick(rng, 'auto', 'on', 'off')}}}")
    width = "model.disorder.width: [0, 0.5]" if "disorder" in kind else "model.T: [1, 2]"  # else refused
    sweep = pick(rng, None, None, "model.T: [0.5, 1]", width, "model.V1: [0, 2]")
    if sweep:
        lines.append(f"sweep: {{{sweep}}}")
    return "\n".join(lines) + "\n"


# Seconds a command may take before it counts as hung (CHECK_RUN_TIMEOUT:
# the sanitizer build sets more).
TIMEOUT = float(os.environ.get("CHECK_RUN_TIMEOUT", "120"))


def run(lrekmc, *args, timeout=TIMEOUT):
    try:
        r = subprocess.run([lrekmc, *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return r


def check_one(lrekmc, work, name, text):
    """Empty string when the promise holds, else what went wrong."""
    path = os.path.join(work, name + ".yaml")
    out = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    checked = run(lrekmc, "check", path)
    if checked is None or checked.returncode not in (0, 2):
        return f"check exited {checked.returncode if checked else 'by timeout'}"
    if checked.returncode == 2:
        return ""
    first = run(lrekmc, "run", path, "-o", out)
    if first is None or first.returncode != 0:
        why = first.stderr.strip().splitlines()[-1:] if first else ["timeout"]
        return f"check accepted, run exited {first.returncode if first else 'by timeout'}: {why}"
    again = run(lrekmc, "run", path, "-o", out)
    if again is None or again.returncode != 0 or " 0 computed" not in again.stdout:
        said = (again.stdout + again.stderr).strip()[-160:] if again else "timeout"
        return f"the second run did not keep every point: {said}"
    verified = run(lrekmc, "verify", out)
    if verified is None or verified.returncode != 0:
        return f"verify exited {verified.returncode if verified else 'by timeout'}"
    shutil.rmtree(out, ignore_errors=True)
    return ""


def main():
    if len(sys.argv) not in (3, 4):
        print("usage: check_run_agree.py LREKMC WORK_DIR [COUNT]", file=sys.stderr)
        return 2
    lrekmc, work = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) == 4 else 40
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rng = random.Random(int(os.environ.get("CHECK_RUN_SEED", "20261201")))
    cases = [(f"fixed{i}", text) for i, text in enumerate(FIXED)]
    cases += [(f"random{i}", random_config(rng)) for i in range(count)]
    failures = 0
    for name, text in cases:
        why = check_one(lrekmc, work, name, text)
        if why:
            failures += 1
            print(f"{name}: {why}\n{text}", flush=True)
    print(f"{len(cases)} configurations, {failures} broke 'what check accepts, run runs'")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
