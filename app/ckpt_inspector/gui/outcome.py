"""How a dock panel says how its job went: one sentence, and the user's traceback under it.

The sentence is coloured by its ``level`` property (``ok``, ``warning``, ``error`` or none)
through the theme's style sheet. The traceback box shows only the lines of the user's own code
when it failed, monospace and unwrapped so that the columns of a traceback line up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from ckpt_inspector.gui import theme


class SummaryLabel(QLabel):
    """Selectable, wrapped; hidden while empty."""

    def __init__(self, object_name: str, text: str = "") -> None:
        super().__init__(text, objectName=object_name, wordWrap=True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_summary(self, text: str, *, level: str = "") -> None:
        self.setText(text)
        self.setVisible(bool(text))
        theme.set_style_property(self, "level", level)

    def error(self) -> str:
        """The sentence if it says an error, else ``""``."""
        return self.text() if self.property("level") == "error" else ""


class TracebackBox(QPlainTextEdit):
    def __init__(self) -> None:
        super().__init__(objectName="userTraceback", readOnly=True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(theme.monospace_font())

    def show_details(self, details: str) -> bool:
        """Shows ``details`` (hidden when blank); True when shown."""
        self.setPlainText(details.rstrip())
        self.setVisible(bool(details.strip()))
        return not self.isHidden()

    def shown_text(self) -> str:
        return self.toPlainText() if not self.isHidden() else ""


def set_message(label: QLabel, text: str, *, error: bool = False) -> None:
    """A muted line under a panel's results (``Saved …``), red for an error."""
    label.setText(text)
    label.setObjectName("errorText" if error else "mutedText")
    theme.restyle(label)
