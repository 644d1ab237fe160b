"""What the health scan and the timeline share: one long job at a time on one channel of the
browsing worker, its progress and outcome shown in a panel in a bottom dock, and the panel's
Cancel (like the status-bar area's) asking the worker to stop it.

Subclasses set ``CHANNEL`` and ``DOCK_HEIGHT``, build ``panel`` and ``dock``, and say what a
finished job shows (``finished``). The window routes the answers (``window_jobs.ScanLike``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from ckpt_inspector.gui.docks import raise_dock
from ckpt_inspector.gui.job_channels import JobChannels


class ScanController(QObject):
    CHANNEL = ""
    DOCK_HEIGHT = 0

    def __init__(
        self,
        window: QMainWindow,
        jobs: JobChannels,
        submit: Callable[..., int],
        cancel: Callable[[int], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._jobs = jobs
        self._submit = submit
        self._cancel = cancel
        self.panel = None  # set by the subclass: show_progress, show_error, show_cancelled
        self.dock = None

    def owns(self, channel: str | None) -> bool:
        return channel == self.CHANNEL

    def progress(self, done: int, total: int, text: str) -> None:
        self.panel.show_progress(done, total, text)

    def finished(self, result: object) -> None:
        raise NotImplementedError

    def failed(self, message: str) -> None:
        self.panel.show_error(message)

    def cancelled(self) -> None:
        self.panel.show_cancelled()

    def _raise_dock(self) -> None:
        raise_dock(self._window, self.dock, self.DOCK_HEIGHT)

    def _on_cancel_requested(self) -> None:
        job_id = self._jobs.job_of(self.CHANNEL)
        if job_id is not None:
            self._cancel(job_id)
