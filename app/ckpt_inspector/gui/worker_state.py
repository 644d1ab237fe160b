"""The status-bar corner that names the browsing worker: starting, the TensorFlow and Keras it
runs once it is ready, restarting after a crash.

The versions come from the worker's ready message (``worker/main.py`` ``_versions``); the
tooltip lists all of them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from ckpt_inspector.gui import startup_trace
from ckpt_inspector.gui.worker_client import WorkerClient

STARTING = "Starting TensorFlow worker…"
RESTARTING = "Restarting the worker…"


def ready_text(info: dict) -> str:
    """``TensorFlow 2.21.0 · Keras 3.15.1``, or ``Worker ready`` with what is known of them."""
    parts = [f"TensorFlow {info['tensorflow']}"] if info.get("tensorflow") else ["Worker ready"]
    if info.get("keras") or info.get("keras_flavour"):
        parts.append(f"Keras {info.get('keras') or info['keras_flavour']}")
    return " · ".join(parts)


class WorkerState(QLabel):
    def __init__(self, client: WorkerClient, parent: QWidget | None = None) -> None:
        super().__init__(STARTING, parent, objectName="workerState")
        self._ready = False
        client.ready.connect(self._on_worker_ready)
        client.crashed.connect(self._on_worker_crashed)

    def is_ready(self) -> bool:
        return self._ready

    # -- slots ---------------------------------------------------------------------------------

    def _on_worker_ready(self, info: dict) -> None:
        startup_trace.mark("worker_ready")
        self._ready = True
        self.setText(ready_text(info))
        details = ", ".join(f"{k}: {v}" for k, v in sorted(info.items()) if v is not None)
        self.setToolTip(f"Worker process ({details})")

    def _on_worker_crashed(self, _message: str) -> None:
        self._ready = False
        self.setText(RESTARTING)
