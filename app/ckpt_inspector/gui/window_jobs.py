"""Routes the browsing worker's answers to the part of the window that asked.

Every request goes out on a channel (``JobChannels``); an answer is read against the channel it
was sent on, and an answer to a superseded request (its job id no longer awaited) is dropped
here. The histogram, heat map and compare channels belong to ``AnalysisController``, "health"
to ``HealthScan``, "timeline" to ``TimelineController``; the rest (listing, variables, preview,
export, demo) to the window itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject

from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.job_status import JobStatus

log = logging.getLogger(__name__)


class ScanLike(Protocol):
    """``HealthScan`` and ``TimelineController``: one channel, one run at a time."""

    def owns(self, channel: str | None) -> bool: ...
    def progress(self, done: int, total: int, text: str) -> None: ...
    def finished(self, result: object) -> None: ...
    def failed(self, message: str) -> None: ...
    def cancelled(self) -> None: ...


class AnalysisLike(Protocol):
    """``AnalysisController``: several channels, answered by channel."""

    def owns(self, channel: str | None) -> bool: ...
    def finished(self, channel: str, result: object) -> None: ...
    def failed(self, channel: str, message: str) -> None: ...
    def cancelled(self, channel: str) -> None: ...


@dataclass(frozen=True)
class OwnChannels:
    """The window's callbacks for the channels nobody else owns; each gets the channel."""

    progress: Callable[[str, int, int, str], None]
    finished: Callable[[str, object], bool]  # False: the result was not the expected kind
    failed: Callable[[str, str, str], None]
    cancelled: Callable[[str], None]


class JobRouter(QObject):
    """Connects to the client's job signals; after each answer calls ``settled``."""

    def __init__(
        self,
        client: Any,
        jobs: JobChannels,
        status: JobStatus,
        own: OwnChannels,
        *,
        settled: Callable[[], None],
        show_status: Callable[[str, int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._status = status
        self._own = own
        self._settled = settled
        self._show_status = show_status
        self._analysis: AnalysisLike | None = None
        self._scans: list[ScanLike] = []
        client.progress.connect(self._on_job_progress)
        client.finished.connect(self._on_job_finished)
        client.failed.connect(self._on_job_failed)
        client.cancelled.connect(self._on_job_cancelled)

    def set_analysis(self, analysis: AnalysisLike) -> None:
        self._analysis = analysis

    def add_scan(self, scan: ScanLike) -> None:
        self._scans.append(scan)

    def _scan_for(self, channel: str) -> ScanLike | None:
        return next((s for s in self._scans if s.owns(channel)), None)

    def _analysis_for(self, channel: str) -> AnalysisLike | None:
        analysis = self._analysis
        return analysis if analysis is not None and analysis.owns(channel) else None

    # -- slots ---------------------------------------------------------------------------------

    def _on_job_progress(self, job_id: int, done: int, total: int, text: str) -> None:
        channel = self._jobs.channel_of(job_id)
        if channel is None:
            return
        self._status.progress(job_id, done, total, text)
        scan = self._scan_for(channel)
        if scan is not None:
            scan.progress(done, total, text)
        else:
            self._own.progress(channel, done, total, text)

    def _on_job_finished(self, job_id: int, result: object) -> None:
        channel = self._jobs.take(job_id)
        if channel is not None:
            analysis, scan = self._analysis_for(channel), self._scan_for(channel)
            if analysis is not None:
                analysis.finished(channel, result)
            elif scan is not None:
                scan.finished(result)
            elif not self._own.finished(channel, result):
                log.warning("job %s on %s returned %r", job_id, channel, type(result).__name__)
        self._settled()

    def _on_job_failed(self, job_id: int, message: str, details: str) -> None:
        channel = self._jobs.take(job_id)
        if channel is None:
            return
        analysis, scan = self._analysis_for(channel), self._scan_for(channel)
        if analysis is not None:
            analysis.failed(channel, message)
        elif scan is not None:
            scan.failed(message)
        else:
            self._own.failed(channel, message, details)
        self._settled()

    def _on_job_cancelled(self, job_id: int) -> None:
        channel = self._jobs.take(job_id)
        if channel is not None:
            analysis, scan = self._analysis_for(channel), self._scan_for(channel)
            if analysis is not None:
                analysis.cancelled(channel)
            elif scan is not None:
                scan.cancelled()
            else:
                self._own.cancelled(channel)
            self._show_status("Cancelled.", 3000)
        self._settled()
