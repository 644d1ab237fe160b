"""Help > About: the versions of the app, TensorFlow, Keras, Qt and Python, and whether the
statistics run compiled.

TensorFlow and Keras are the worker's: the window never imports them, so their versions come
from the worker's ready message (``WorkerClient.versions``, see ``worker/main.py``
``_versions``). A dialog opened before the worker answered fills them in when it does.
"""

from __future__ import annotations

import html
import platform
from typing import Any

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector import __version__

BLURB = (
    "See what a TensorFlow or Keras checkpoint holds. TensorFlow runs in a separate worker "
    "process; this window never imports it."
)
NOT_YET = "the worker is starting…"


def version_rows(versions: dict[str, Any]) -> list[tuple[str, str]]:
    """``(name, version)`` rows; ``versions`` is the worker's ready message (may be empty)."""
    answered = bool(versions)
    tensorflow = versions.get("tensorflow") or ("not installed" if answered else NOT_YET)
    flavour = versions.get("keras_flavour")
    keras = versions.get("keras")
    if not answered:
        keras_text = NOT_YET
    elif flavour == "2":
        keras_text = f"{keras or 'unknown'} (Keras 2, tf_keras)"
    else:
        keras_text = f"{keras or 'unknown'} (Keras {flavour or '3'})"
    return [
        ("Checkpoint Inspector", __version__),
        ("TensorFlow", tensorflow),
        ("Keras", keras_text),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
        ("Statistics passes", versions.get("statistics") or NOT_YET),
    ]


def versions_text(versions: dict[str, Any]) -> str:
    """Plain text, one ``name: version`` a line, for bug reports (the Copy button)."""
    return "\n".join(f"{name}: {value}" for name, value in version_rows(versions))


class AboutDialog(QDialog):
    """Modeless; ``client`` is the browsing worker's ``WorkerClient``."""

    def __init__(self, client: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Checkpoint Inspector")
        self._client = client
        self.versions_label = QLabel(objectName="aboutVersions")
        self.versions_label.setTextFormat(Qt.TextFormat.RichText)
        self.versions_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        blurb = QLabel(BLURB, wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(
            "Copy Versions", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Checkpoint Inspector", objectName="panelTitle"))
        layout.addWidget(blurb)
        layout.addWidget(self.versions_label)
        layout.addWidget(buttons)
        client.ready.connect(self._on_worker_ready)
        self._show_versions()

    def text(self) -> str:
        return versions_text(self._versions())

    def _versions(self) -> dict[str, Any]:
        return dict(getattr(self._client, "versions", {}) or {})

    def _show_versions(self) -> None:
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>&nbsp;&nbsp;{html.escape(value)}</td></tr>"
            for name, value in version_rows(self._versions())
        )
        self.versions_label.setText(f"<table>{rows}</table>")

    # -- slots ---------------------------------------------------------------------------------

    def _on_worker_ready(self, _info: dict) -> None:
        self._show_versions()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
