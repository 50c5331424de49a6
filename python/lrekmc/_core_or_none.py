# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc._core_or_none - the compiled extension, or why it is missing.

Reading run directories and plotting (lrekmc.open_run, lrekmc.plot) are pure
Python and work from a source checkout without the extension (the
analysis/ scripts use them that way); everything that computes needs it.
"""

try:
    from . import _core as core
    error = None
except ImportError as exc:  # not built: the pure-Python parts still work
    core = None
    error = exc


def require():
    """The extension module, or ImportError saying how to build it."""
    if core is None:
        raise ImportError(
            "lrekmc: the compiled extension lrekmc._core is not available "
            f"({error}); build it with CMake (python3-dev and cython3 installed, "
            "see README.md) and import lrekmc from BUILD/python or after cmake --install")
    return core
