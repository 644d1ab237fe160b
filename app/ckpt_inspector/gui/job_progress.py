"""What a dock panel shows while its worker job runs: a bar, a line of text and Cancel.

The bar is busy until the first progress report, then counts ("3 of 12"). The three widgets are
made here and laid out by each panel where it wants them (Cancel sits next to the panel's own
Run button in most), so this is a holder, not a widget of its own.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QWidget

from ckpt_inspector.gui import formatting


class JobProgress:
    def __init__(self, cancel_tip: str = "", *, keep_text: bool = False) -> None:
        """``keep_text``: a progress report without text leaves the line as it was."""
        self.bar = QProgressBar(textVisible=True)
        self.text = QLabel(objectName="mutedText")
        self.cancel_button = QPushButton("Cancel")
        if cancel_tip:
            self.cancel_button.setToolTip(cancel_tip)
        self._keep_text = keep_text

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.bar, self.text, self.cancel_button)

    def is_running(self) -> bool:
        return not self.bar.isHidden()

    def set_running(self, running: bool) -> None:
        for widget in self.widgets():
            widget.setVisible(running)

    def start(self, text: str = "") -> None:
        """Busy, saying ``text``; the panel shows the widgets with ``set_running(True)``."""
        self.bar.setRange(0, 0)
        self.text.setText(text)

    def show_progress(self, done: int, total: int, text: str = "") -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{formatting.count(done)} of {formatting.count(total)}")
        if text or not self._keep_text:
            self.text.setText(text)
