"""Entry point of the worker process: ``python -m ckpt_inspector.worker``.

The protocol runs over the process's original stdin/stdout, which are moved to private file
descriptors first: anything else that writes to fd 1 (``print`` in user model code, TensorFlow's
C++ logging) then lands on stderr, which the window collects as the worker log, instead of
corrupting the message stream.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import traceback
from typing import Any, BinaryIO

from ckpt_inspector.core.errors import InspectorError, UserCodeError
from ckpt_inspector.core.tensorflow_import import tensorflow
from ckpt_inspector.worker import protocol
from ckpt_inspector.worker.jobs import JOBS

# TensorFlow's import is the slow part of the worker's life (2-3 s); it starts once the worker
# has been idle this long, on a thread, so listing jobs (pure Python) never wait for it and jobs
# that need TensorFlow find it loaded or half-loaded (Python's import lock makes them wait).
_WARM_UP_AFTER_IDLE_S = 0.3


class _Channel:
    """The two protocol pipes, moved off fd 0/1 so stray prints cannot reach them."""

    def __init__(self) -> None:
        self._in: BinaryIO = os.fdopen(os.dup(0), "rb", buffering=0)
        self._out: BinaryIO = os.fdopen(os.dup(1), "wb", buffering=0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._write_lock = threading.Lock()

    def send(self, message: object) -> None:
        data = protocol.encode(message)
        with self._write_lock:
            self._out.write(data)
            self._out.flush()

    def read_messages(self):
        decoder = protocol.FrameDecoder()
        while True:
            chunk = self._in.read(65536)
            if not chunk:
                return
            yield from decoder.feed(chunk)


class Worker:
    def __init__(self, channel: _Channel) -> None:
        self._channel = channel
        self._requests: queue.Queue[object] = queue.Queue()
        self._cancelled: set[int] = set()
        self._cancel_lock = threading.Lock()
        self._warmed = False

    # --- reading requests -----------------------------------------------------------------
    def _read_loop(self) -> None:
        """Runs on a thread so that a cancel arrives while a job is busy on the main thread."""
        for message in self._channel.read_messages():
            if isinstance(message, protocol.CancelJob):
                with self._cancel_lock:
                    self._cancelled.add(message.job_id)
            else:
                self._requests.put(message)
        self._requests.put(protocol.Shutdown())  # the window went away

    def _is_cancelled(self, job_id: int) -> bool:
        with self._cancel_lock:
            return job_id in self._cancelled

    # --- running jobs ---------------------------------------------------------------------
    def serve(self) -> None:
        threading.Thread(target=self._read_loop, name="protocol-reader", daemon=True).start()
        self._channel.send(protocol.WorkerReady(versions=_versions()))
        while True:
            try:
                message = self._requests.get(timeout=_WARM_UP_AFTER_IDLE_S)
            except queue.Empty:
                self._warm_up()
                continue
            if isinstance(message, protocol.Shutdown):
                return
            if isinstance(message, protocol.RunJob):
                if self._is_cancelled(message.job_id):
                    self._channel.send(protocol.JobCancelled(message.job_id))
                else:
                    self._run(message)

    def _run(self, request: protocol.RunJob) -> None:
        send = self._channel.send
        job_id = request.job_id
        try:
            function = JOBS[request.job]
        except KeyError:
            send(protocol.JobFailed(job_id, f"The worker has no job named {request.job!r}."))
            return
        try:
            result = function(**request.kwargs)
            if _is_generator(result):
                result = self._drive(job_id, result)
                if result is _CANCELLED:
                    send(protocol.JobCancelled(job_id))
                    return
        except UserCodeError as error:
            send(protocol.JobFailed(job_id, error.message, error.user_traceback))
        except InspectorError as error:
            send(protocol.JobFailed(job_id, error.message))
        except Exception as error:  # noqa: BLE001 - the worker must answer, whatever went wrong
            details = traceback.format_exc()
            print(details, file=sys.stderr)  # noqa: T201 - stderr is the worker log
            send(protocol.JobFailed(job_id, _internal_error_sentence(request.job, error), details))
        else:
            send(protocol.JobFinished(job_id, result))
        finally:
            with self._cancel_lock:
                self._cancelled.discard(job_id)

    def _drive(self, job_id: int, generator: Any) -> Any:
        """Runs a generator job with progress; stops at the first yield after a cancel."""
        try:
            while True:
                step = next(generator)
                if self._is_cancelled(job_id):
                    generator.close()
                    return _CANCELLED
                self._channel.send(
                    protocol.JobProgress(job_id, step.done, step.total, getattr(step, "text", ""))
                )
        except StopIteration as stop:
            return stop.value

    def _warm_up(self) -> None:
        if self._warmed:
            return
        self._warmed = True
        if os.environ.get("CKPT_INSPECTOR_WORKER_WARM_UP", "1") == "0":
            return
        threading.Thread(target=_import_tensorflow, name="tensorflow-warm-up", daemon=True).start()


_CANCELLED = object()


def _import_tensorflow() -> None:
    try:
        tensorflow()
    except ImportError as error:
        logging.getLogger(__name__).warning("TensorFlow could not be imported: %s", error)


def _is_generator(value: object) -> bool:
    return hasattr(value, "send") and hasattr(value, "throw") and hasattr(value, "close")


def _internal_error_sentence(job: str, error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return (
        f"Checkpoint Inspector hit an internal error while running {job!r} ({text}); "
        "the details are in the worker log, please report them."
    )


# Distribution names TensorFlow is installed under; the first one found is reported.
_TENSORFLOW_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")


def _installed_version(*distributions: str) -> str | None:
    """A package's version from its metadata: no import, so the ready message stays quick
    (importing TensorFlow takes seconds and happens later, on the warm-up thread)."""
    from importlib import metadata

    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _versions() -> dict[str, str | None]:
    import platform

    from ckpt_inspector.core.statistics import kernels

    legacy = os.environ.get("TF_USE_LEGACY_KERAS") == "1"
    return {
        "python": platform.python_version(),
        "tensorflow": _installed_version(*_TENSORFLOW_DISTRIBUTIONS),
        # Keras 2 is the tf_keras package under TF_USE_LEGACY_KERAS=1, else Keras 3.
        "keras_flavour": "2" if legacy else "3",
        "keras": _installed_version("tf-keras" if legacy else "keras"),
        "pid": str(os.getpid()),
        # Which statistics passes this worker runs (core/statistics/kernels.py).
        "statistics": "compiled (C)" if kernels.native else "NumPy (C extension not built)",
    }


def main() -> int:
    channel = _Channel()
    # stderr is the worker log the window keeps; INFO includes TensorFlow's start-up messages.
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    Worker(channel).serve()
    return 0
