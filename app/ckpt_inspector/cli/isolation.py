"""Commands that run the user's model code run it in a child process.

A model file can take its interpreter down (a segfault in a native extension, ``os._exit``, the
out-of-memory killer). In the window that costs only the worker; on the command line it would
end the command with a shell's "Segmentation fault" instead of one sentence and status 2. So
``diff``, ``infer`` and ``remap`` re-run themselves in a child with the same arguments and
inherited standard streams, and the parent turns a death by signal into the usual sentence.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence

CHILD_FLAG = "CKPT_INSPECTOR_ISOLATED"
USER_CODE_COMMANDS = frozenset({"diff", "infer", "remap"})


def needs_child(argv: Sequence[str]) -> bool:
    return bool(argv) and argv[0] in USER_CODE_COMMANDS and os.environ.get(CHILD_FLAG) != "1"


def run_in_child(argv: Sequence[str]) -> int:
    """The command's exit status, or 2 with a sentence when the child died by a signal."""
    env = dict(os.environ, **{CHILD_FLAG: "1"})
    if getattr(sys, "frozen", False):  # the PyInstaller bundle's executable is the CLI itself
        command = [sys.executable, *argv]
    else:
        command = [sys.executable, "-m", "ckpt_inspector", *argv]
    try:
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:  # the child got the same SIGINT and stops by itself
        return 130
    if code >= 0:
        return code
    name = _signal_name(-code)
    if -code == signal.SIGINT:
        return 130
    sys.stderr.write(
        f"ckpt-inspector: the {argv[0]} process was killed by {name} while running the model "
        "code; check the model file (a native crash or running out of memory), or run it "
        "alone in Python to see where.\n"
    )
    return 2


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
