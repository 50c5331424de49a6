# SPDX-License-Identifier: GPL-3.0-or-later
"""check_script.py - run one analysis/ script and check how it ends.

    check_script.py png   OUT.png  SCRIPT ARGS...   exit 0, OUT.png a non-empty
                                                    PNG, its path printed on stdout
    check_script.py error SCRIPT ARGS...            exit 2, exactly one stderr line
                                                    `NAME: error: ...`, no traceback

OUT.png is removed first so that a stale file cannot pass.  The script
runs with the interpreter running this checker (/usr/bin/python3 in ctest).
"""

import os
import subprocess
import sys

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(script, args):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("LREKMC_DEBUG", None)
    return subprocess.run([sys.executable, script] + args, capture_output=True, text=True,
                          env=env, timeout=300)


def fail(message, result=None):
    print(f"check_script.py: FAIL: {message}")
    if result is not None:
        print(f"--- exit status {result.returncode}\n--- stdout:\n{result.stdout}"
              f"--- stderr:\n{result.stderr}")
    return 1


def check_png(output, script, args):
    if os.path.exists(output):
        os.remove(output)
    result = run(script, args)
    if result.returncode != 0:
        return fail(f"{script} exited with {result.returncode}, expected 0", result)
    if not os.path.isfile(output):
        return fail(f"{output} was not written", result)
    with open(output, "rb") as stream:
        head = stream.read(len(PNG_MAGIC))
    size = os.path.getsize(output)
    if head != PNG_MAGIC or size < 1000:
        return fail(f"{output} is not a plausible PNG ({size} bytes)", result)
    if output not in result.stdout.splitlines():
        return fail(f"the written path {output} was not printed on stdout", result)
    if "Traceback" in result.stderr:
        return fail("a traceback on stderr", result)
    print(f"ok: {output} ({size} bytes)")
    return 0


def check_error(script, args):
    result = run(script, args)
    name = os.path.basename(script)
    lines = result.stderr.splitlines()
    if result.returncode != 2:
        return fail(f"{name} exited with {result.returncode}, expected 2", result)
    if len(lines) != 1:
        return fail(f"expected one line on stderr, got {len(lines)}", result)
    if not lines[0].startswith(f"{name}: error: "):
        return fail(f"stderr does not start with '{name}: error: '", result)
    print(f"ok: exit 2, {lines[0]}")
    return 0


def main():
    argv = sys.argv[1:]
    if len(argv) >= 3 and argv[0] == "png":
        return check_png(argv[1], argv[2], argv[3:])
    if len(argv) >= 2 and argv[0] == "error":
        return check_error(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
