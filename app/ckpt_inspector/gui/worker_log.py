"""Help > Worker Log: what the worker processes wrote to stderr, live.

Every worker's stderr is its log (``worker/main.py`` points stdout there too): TensorFlow's
start-up notices and warnings, prints from the user's model code, tracebacks. The window never
prints them to the terminal; this dock shows them, one worker at a time: the browsing worker,
and the diff and inference workers once they were started.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.gui import theme
from ckpt_inspector.gui.docks import bottom_dock, raise_dock

DOCK_HEIGHT = 260
MAX_LINES = 5000  # as many as WorkerClient keeps


class WorkerLog(QWidget):
    """A worker chooser, the chosen worker's log (read-only, monospace, following new lines
    unless the user scrolled up), and Copy All / Clear."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clients: list[Any] = []
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("workerLogSource")
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.view = QPlainTextEdit(readOnly=True, objectName="workerLogView")
        self.view.setFont(theme.monospace_font())
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setPlaceholderText("Nothing logged yet.")
        self.copy_button = QPushButton("Copy All")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget what this worker logged so far")
        self.clear_button.clicked.connect(self._on_clear_clicked)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Worker:"))
        bar.addWidget(self.source_combo, 1)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def add_source(self, label: str, client: Any) -> None:
        """Offer ``client``'s log as ``label``; its new lines show while it is the one chosen."""
        if client in self._clients:
            return
        self._clients.append(client)
        client.logged.connect(partial(self._on_line_logged, client))
        self.source_combo.addItem(label)

    def sources(self) -> list[str]:
        return [self.source_combo.itemText(i) for i in range(self.source_combo.count())]

    def choose(self, label: str) -> None:
        self.source_combo.setCurrentIndex(self.source_combo.findText(label))

    def text(self) -> str:
        return self.view.toPlainText()

    def _client(self) -> Any | None:
        index = self.source_combo.currentIndex()
        return self._clients[index] if 0 <= index < len(self._clients) else None

    def _follows(self) -> bool:
        bar = self.view.verticalScrollBar()
        return bar.value() >= bar.maximum() - 2

    def _scroll_to_end(self) -> None:
        self.view.moveCursor(QTextCursor.MoveOperation.End)
        self.view.verticalScrollBar().setValue(self.view.verticalScrollBar().maximum())

    # -- slots ---------------------------------------------------------------------------------

    def _on_source_changed(self, _index: int) -> None:
        client = self._client()
        self.view.setPlainText("\n".join(client.log_lines) if client is not None else "")
        self._scroll_to_end()

    def _on_line_logged(self, client: Any, line: str) -> None:
        if client is not self._client():
            return
        follow = self._follows()
        self.view.appendPlainText(line)
        if follow:  # reading further up: leave the view where it is
            self._scroll_to_end()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def _on_clear_clicked(self) -> None:
        client = self._client()
        if client is not None:
            client.clear_log()
        self.view.clear()


class WorkerLogDock:
    """The log in a dock at the bottom, hidden until Help > Worker Log opens it."""

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.log = WorkerLog()
        self.dock = bottom_dock(window, "Worker Log", "workerLogDock", self.log)

    def open(self) -> None:
        raise_dock(self._window, self.dock, DOCK_HEIGHT)
        self.log.view.setFocus(Qt.FocusReason.OtherFocusReason)
