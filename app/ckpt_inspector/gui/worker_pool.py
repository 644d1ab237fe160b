"""The diff and inference workers, one per Keras flavour, started on first use, and the channels
their answers are read against (job ids of two worker processes overlap, so each client's
answers go to the callbacks with its own ``JobChannels``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject

from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.worker_client import WorkerClient


class NoStatus:
    """The panel shows its own progress and Cancel; the status-bar corner is keyed by the
    browsing worker's job ids, so these channels report to nobody."""

    def start(self, job_id: int, text: str) -> None:
        pass

    def finish(self, job_id: int) -> None:
        pass


class WorkerPool:
    """``start(keras)`` returns a started client; the callbacks get ``(channels, job_id, ...)``
    with the client's own signal arguments."""

    def __init__(
        self,
        start: Callable[[str], Any],
        *,
        progress: Callable[..., None],
        finished: Callable[..., None],
        failed: Callable[..., None],
        cancelled: Callable[..., None],
    ) -> None:
        self._start = start
        self._callbacks = (progress, finished, failed, cancelled)
        self._clients: dict[str, Any] = {}
        self._jobs: dict[str, JobChannels] = {}

    def submit(self, keras: str, channel: str, job: str, text: str, **kwargs: Any) -> int:
        return self._channels(keras).submit(channel, job, text, **kwargs)

    def is_waiting(self, *channels: str) -> bool:
        """Waiting on any of ``channels`` (on anything when none are named)."""
        if not channels:
            return any(jobs.is_waiting() for jobs in self._jobs.values())
        return any(jobs.is_waiting(c) for jobs in self._jobs.values() for c in channels)

    def drop(self, *channels: str) -> None:
        for jobs in self._jobs.values():
            for channel in channels:
                jobs.drop(channel)

    def cancel(self, *channels: str) -> None:
        """Ask the workers to cancel what runs on ``channels``; the answer comes as
        ``cancelled`` (or the client kills a worker that does not stop)."""
        for keras, jobs in self._jobs.items():
            for channel in channels:
                job_id = jobs.job_of(channel)
                if job_id is not None:
                    self._clients[keras].cancel(job_id)

    def client(self, keras: str) -> Any | None:
        """The worker of a flavour, if it was started."""
        return self._clients.get(keras)

    def worker(self, keras: str) -> Any:
        """The worker of a flavour, started if it was not."""
        self._channels(keras)
        return self._clients[keras]

    def shutdown(self) -> None:
        for client in self._clients.values():
            client.shutdown()

    def _channels(self, keras: str) -> JobChannels:
        jobs = self._jobs.get(keras)
        if jobs is None:
            client = self._start(keras)
            jobs = JobChannels(client, NoStatus())  # type: ignore[arg-type]
            self._clients[keras], self._jobs[keras] = client, jobs
            connect_channels(client, jobs, *self._callbacks)
        return jobs


def start_worker(parent: QObject, keras: str) -> WorkerClient:
    """A worker process of its own for the user's model, with Keras ``keras``, started."""
    client = WorkerClient(parent, keras=keras)
    client.start()
    return client


def connect_channels(
    client: Any,
    jobs: JobChannels,
    progress: Callable[..., None],
    finished: Callable[..., None],
    failed: Callable[..., None],
    cancelled: Callable[..., None],
) -> None:
    """The client's job signals to the callbacks, each called with ``jobs`` first."""
    client.progress.connect(partial(progress, jobs))
    client.finished.connect(partial(finished, jobs))
    client.failed.connect(partial(failed, jobs))
    client.cancelled.connect(partial(cancelled, jobs))
