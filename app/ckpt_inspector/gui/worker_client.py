"""The window's handle on the worker process.

A ``QProcess`` rather than a thread because a Python thread cannot be stopped: cancelling a job
that is stuck inside TensorFlow or user code means killing the process (the qutebrowser
``GuiProcess`` pattern). Jobs are queued here and sent one at a time, so that superseded requests
can be dropped before they ever reach the worker; the worker restarts itself after a crash.
"""

from __future__ import annotations

import collections
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from ckpt_inspector.worker import launch, protocol

# A cancelled job gets this long to reach its next yield before the process is killed.
CANCEL_GRACE_MS = 1500
LOG_LINES_KEPT = 5000


@dataclass
class _Job:
    job_id: int
    job: str
    kwargs: dict[str, Any]
    channel: str | None
    cancel_requested: bool = False
    sent: bool = field(default=False)


class WorkerClient(QObject):
    ready = Signal(dict)
    started = Signal(int, str)  # job_id, job name
    progress = Signal(int, int, int, str)  # job_id, done, total, text
    finished = Signal(int, object)  # job_id, result
    failed = Signal(int, str, str)  # job_id, one-sentence message, details
    cancelled = Signal(int)
    crashed = Signal(str)
    idleChanged = Signal(bool)
    logged = Signal(str)  # a line the worker wrote to stderr (also kept in log_lines)

    def __init__(self, parent: QObject | None = None, *, keras: str = "3") -> None:
        super().__init__(parent)
        self.keras = keras
        self.versions: dict[str, Any] = {}
        self.log_lines: collections.deque[str] = collections.deque(maxlen=LOG_LINES_KEPT)
        self._next_id = 1
        self._queue: list[_Job] = []
        self._running: _Job | None = None
        self._ready = False
        self._stopping = False
        self._was_idle = True
        self._decoder = protocol.FrameDecoder()
        self._stderr_tail = b""
        self._process: QProcess | None = None
        self._kill_timer = QTimer(self, singleShot=True, interval=CANCEL_GRACE_MS)
        self._kill_timer.timeout.connect(self._on_cancel_grace_expired)

    # --- public API -------------------------------------------------------------------------
    def start(self) -> None:
        """Spawns the worker; returns at once. ``ready`` fires when it answers."""
        self._stopping = False
        self._ready = False
        self._decoder = protocol.FrameDecoder()
        process = QProcess(self)
        # A PyInstaller bundle has no Python to run ``-m``: it starts itself with --worker.
        program, arguments = launch.worker_command()
        process.setProgram(program)
        process.setArguments(arguments)
        process.setProcessEnvironment(self._environment())
        process.readyReadStandardOutput.connect(self._on_stdout)
        process.readyReadStandardError.connect(self._on_stderr)
        process.finished.connect(self._on_process_finished)
        process.errorOccurred.connect(self._on_process_error)
        self._process = process
        process.start()

    def submit(self, job: str, *, channel: str | None = None, **kwargs: Any) -> int:
        """Queues a job. A job on the same ``channel`` supersedes the previous one."""
        if channel is not None:
            self._supersede(channel)
        job_id = self._next_id
        self._next_id += 1
        self._queue.append(_Job(job_id, job, kwargs, channel))
        self._pump()
        self._emit_idle()
        return job_id

    def cancel(self, job_id: int) -> None:
        for queued in self._queue:
            if queued.job_id == job_id:
                self._queue.remove(queued)
                self.cancelled.emit(job_id)
                self._emit_idle()
                return
        running = self._running
        if running is not None and running.job_id == job_id and not running.cancel_requested:
            running.cancel_requested = True
            self._write(protocol.CancelJob(job_id))
            self._kill_timer.start()

    def is_idle(self) -> bool:
        return self._running is None and not self._queue

    def is_ready(self) -> bool:
        return self._ready

    def clear_log(self) -> None:
        """Forget the lines logged so far (the Worker Log's Clear)."""
        self.log_lines.clear()

    def running_job(self) -> tuple[int, str] | None:
        return (self._running.job_id, self._running.job) if self._running else None

    def shutdown(self) -> None:
        self._stopping = True
        process = self._process
        if process is None or process.state() == QProcess.ProcessState.NotRunning:
            return
        self._write(protocol.Shutdown())
        process.closeWriteChannel()
        if not process.waitForFinished(1000):
            process.kill()
            process.waitForFinished(1000)

    def restart(self) -> None:
        """Stops the current worker (failing its job) and starts a fresh one."""
        process = self._process
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.kill()  # _on_process_finished restarts it
        else:
            self.start()

    # --- internals --------------------------------------------------------------------------
    def _environment(self) -> QProcessEnvironment:
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("TF_CPP_MIN_LOG_LEVEL", env.value("TF_CPP_MIN_LOG_LEVEL", "1"))
        # Keras 2 vs 3 is fixed when TensorFlow is imported, so it is a property of the process.
        if self.keras == "2":
            env.insert("TF_USE_LEGACY_KERAS", "1")
        else:
            env.remove("TF_USE_LEGACY_KERAS")
        # The worker must import this very package, also when running from a source checkout.
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        existing = env.value("PYTHONPATH", "")
        env.insert("PYTHONPATH", os.pathsep.join(p for p in (package_root, existing) if p))
        return env

    def _supersede(self, channel: str) -> None:
        for queued in [j for j in self._queue if j.channel == channel]:
            self._queue.remove(queued)
            self.cancelled.emit(queued.job_id)
        if self._running is not None and self._running.channel == channel:
            self.cancel(self._running.job_id)

    def _pump(self) -> None:
        if not self._ready or self._running is not None or not self._queue:
            return
        job = self._queue.pop(0)
        self._running = job
        job.sent = True
        self._write(protocol.RunJob(job.job_id, job.job, job.kwargs))
        self.started.emit(job.job_id, job.job)

    def _write(self, message: object) -> None:
        process = self._process
        if process is not None and process.state() == QProcess.ProcessState.Running:
            process.write(protocol.encode(message))

    def _emit_idle(self) -> None:
        idle = self.is_idle()
        if idle != self._was_idle:
            self._was_idle = idle
            self.idleChanged.emit(idle)

    def _finish_running(self) -> _Job | None:
        job, self._running = self._running, None
        self._kill_timer.stop()
        return job

    # --- slots ------------------------------------------------------------------------------
    def _on_stdout(self) -> None:
        process = self._process
        if process is None:
            return
        for message in self._decoder.feed(bytes(process.readAllStandardOutput().data())):
            self._on_message(message)

    def _on_message(self, message: object) -> None:
        if isinstance(message, protocol.WorkerReady):
            self.versions = dict(message.versions)
            self._ready = True
            self.ready.emit(self.versions)
            self._pump()
            return
        running = self._running
        if running is None or getattr(message, "job_id", None) != running.job_id:
            return  # an answer to a job we already gave up on
        if isinstance(message, protocol.JobProgress):
            self.progress.emit(message.job_id, message.done, message.total, message.text)
            return
        self._finish_running()
        if isinstance(message, protocol.JobFinished):
            if running.cancel_requested:
                self.cancelled.emit(running.job_id)
            else:
                self.finished.emit(message.job_id, message.result)
        elif isinstance(message, protocol.JobFailed):
            self.failed.emit(message.job_id, message.message, message.details)
        elif isinstance(message, protocol.JobCancelled):
            self.cancelled.emit(message.job_id)
        self._pump()
        self._emit_idle()

    def _on_stderr(self) -> None:
        process = self._process
        if process is None:
            return
        data = self._stderr_tail + bytes(process.readAllStandardError().data())
        *lines, self._stderr_tail = data.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            self.log_lines.append(line)
            self.logged.emit(line)

    def _on_cancel_grace_expired(self) -> None:
        running = self._running
        if running is not None and running.cancel_requested and self._process is not None:
            self._process.kill()

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._fail_everything(
                f"The worker process could not be started with {sys.executable}; "
                "check that the Python environment is intact and reinstall with `make run`."
            )

    def _on_process_finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        self._ready = False
        if self._stopping:
            return
        job = self._finish_running()
        if job is not None and job.cancel_requested:
            self.cancelled.emit(job.job_id)
        elif job is not None:
            how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exited ({exit_code})"
            message = (
                f"The worker process {how} while running {job.job!r}; it has been restarted "
                "and the rest of the window is unaffected (details in the worker log)."
            )
            self.failed.emit(job.job_id, message, "\n".join(list(self.log_lines)[-30:]))
            self.crashed.emit(message)
        self.start()
        self._emit_idle()

    def _fail_everything(self, message: str) -> None:
        jobs = [j for j in [self._finish_running(), *self._queue] if j is not None]
        self._queue.clear()
        for job in jobs:
            self.failed.emit(job.job_id, message, "")
        self.crashed.emit(message)
        self._emit_idle()
