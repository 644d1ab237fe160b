"""How to start a worker process: the program and arguments, for source installs and bundles.

From a venv or a source checkout the worker is ``python -m ckpt_inspector.worker``. In a
PyInstaller bundle ``sys.executable`` is the bundle's own executable, not a Python interpreter,
so ``-m`` means nothing to it. Instead the bundle's entry script (``ckpt_inspector/__main__.py``)
runs the worker's main loop when its first argument is ``--worker``: the trick
``multiprocessing.freeze_support()`` uses for ``--multiprocessing-fork``. ``sys.frozen`` is set
by PyInstaller's bootloader (PyInstaller manual, "Run-time information"). Kept free of Qt so
the window and the tests share one definition.
"""

from __future__ import annotations

import sys

# The first argument that turns the frozen executable into a worker process.
WORKER_FLAG = "--worker"


def is_frozen() -> bool:
    """True inside a PyInstaller bundle (its bootloader sets ``sys.frozen``)."""
    return bool(getattr(sys, "frozen", False))


def worker_command() -> tuple[str, list[str]]:
    """``(program, arguments)`` that start a worker process speaking ``protocol`` on stdio."""
    if is_frozen():
        return sys.executable, [WORKER_FLAG]
    return sys.executable, ["-m", "ckpt_inspector.worker"]


def is_worker_invocation(argv: list[str]) -> bool:
    """Whether ``argv`` (without the program) asks the entry script for a worker process.

    Not limited to the bundle: ``python -m ckpt_inspector --worker`` is the same worker, which
    lets the tests run the bundle's code path without building a bundle. The public
    ``ckpt-inspector`` console script does not accept the flag.
    """
    return argv[:1] == [WORKER_FLAG]
