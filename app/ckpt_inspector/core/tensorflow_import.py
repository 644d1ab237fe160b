"""The one way the app imports TensorFlow: lazily, and without its start-up noise on stderr.

TensorFlow 2.21 logs through absl before ``absl::InitializeLog()`` runs, and absl writes such
messages to stderr whatever ``TF_CPP_MIN_LOG_LEVEL`` says (abseil-cpp PR #1957, still open), so
every CLI command that reads a tensor would print oneDNN/CUDA notices above its one-sentence
answer. The import therefore runs with file descriptor 2 pointed at a temporary file; what
TensorFlow printed goes to this module's logger (the worker log in the window, or
``CKPT_INSPECTOR_DEBUG=1`` on the CLI) instead of being lost.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from types import ModuleType

log = logging.getLogger(__name__)


# Held for the whole first import. ``sys.modules`` holds TensorFlow from the moment its import
# starts, so without the lock a job thread would get the half-initialised module from the worker's
# warm-up thread ("partially initialized module 'tensorflow' has no attribute 'errors'"), and two
# threads would swap fd 2 under each other.
_import_lock = threading.Lock()
_module: ModuleType | None = None


def tensorflow() -> ModuleType:
    """``import tensorflow``, quietly the first time; later calls return the loaded module."""
    global _module
    if _module is not None:
        return _module
    with _import_lock:
        if _module is None:
            _module = _quiet_import()
        return _module


def _quiet_import() -> ModuleType:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import tensorflow as tf

            # Device discovery runs at the first op otherwise, and on a machine without a GPU
            # it logs "failed call to cuInit" at error level, past TF_CPP_MIN_LOG_LEVEL,
            # under the CLI's one-sentence answer; doing it here puts that line in the log.
            tf.config.list_physical_devices()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            noise = sink.read().decode("utf-8", "replace").strip()
    if noise:
        log.info("TensorFlow start-up messages:\n%s", noise)
    return tf
