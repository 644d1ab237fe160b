"""Two small histograms side by side for the selected diff row: the checkpoint's tensor and the
model variable's freshly initialised values.

Each side is its own plot (trained weights and initial values rarely share a range); the line
under it gives mean, std and range, and NaN/Inf counts in red, so a glance tells whether the
checkpoint holds trained values worth restoring. Imports pyqtgraph, so the diff dock builds it
only when it is first shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.statistics.records import TensorStats, ValueKind
from ckpt_inspector.gui import formatting, plotting
from ckpt_inspector.gui.histogram_panel import X_LABELS, single_value_text
from ckpt_inspector.gui.histogram_stack import HistogramStack
from ckpt_inspector.gui.stats_table_model import not_finite_text

CHECKPOINT_LABEL = "checkpoint"
MODEL_LABEL = "model (initial values)"


def _short(value: float) -> str:
    return f"{value:.3g}"


def stats_caption(stats: TensorStats) -> str:
    """``mean 0.0123 · std 0.0501 · -0.2 … 0.2``: what the axes do not say (the count is the
    variable's size, said in the table)."""
    if stats.kind is ValueKind.BOOL and stats.true_count is not None:
        return f"{formatting.count(stats.true_count)} of {formatting.count(stats.count)} True"
    parts = []
    if stats.mean is not None:
        parts.append(f"mean {_short(stats.mean)}")
    if stats.std is not None:
        parts.append(f"std {_short(stats.std)}")
    if stats.min is not None and stats.max is not None:
        parts.append(f"{_short(stats.min)} … {_short(stats.max)}")
    return " · ".join(parts)


class SideHistogram(QWidget):
    """One side: a title, the plot (or a sentence instead of it) and a caption."""

    def __init__(self, title: str, color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_text = title
        self._color = color
        self._stats: TensorStats | None = None
        self.title = QLabel(title, objectName="sectionTitle")
        self.subject = QLabel(objectName="mutedText")
        self.subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = HistogramStack()
        self.stack.graphics.setMinimumSize(160, 110)
        self.plot, self.message = self.stack.plot, self.stack.message
        # Two lines on both sides whatever the text, so the two plots stay the same height.
        self.caption = QLabel(objectName="mutedText", wordWrap=True)
        self.caption.setMinimumHeight(2 * self.caption.fontMetrics().lineSpacing())
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alarm = QLabel(objectName="errorText", wordWrap=True)
        # Long names and captions must not widen one side at the other's expense.
        for label in (self.subject, self.caption, self.alarm):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.subject, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(heading)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.alarm)
        self.show_message("")

    # -- public API ----------------------------------------------------------------------------

    def stats(self) -> TensorStats | None:
        return self._stats

    def text(self) -> str:
        """The sentence shown instead of a plot, if any."""
        return self.message.text() if self.stack.currentIndex() == HistogramStack.MESSAGE else ""

    def set_subject(self, name: str) -> None:
        self.subject.setText(name)
        self.subject.setToolTip(name)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self._stats = None
        self.plot.clear()
        self.stack.show_message(text, error=error)
        self.caption.hide()
        self.alarm.hide()

    def show_stats(self, stats: TensorStats) -> None:
        self._stats = stats
        alarm = not_finite_text(stats)
        self.alarm.setText(f"{alarm} (not in the bins)" if alarm else "")
        self.alarm.setVisible(bool(alarm))
        self.caption.setText(stats_caption(stats))
        self.caption.setToolTip(self.caption.text())
        self.caption.setVisible(True)
        if stats.kind is ValueKind.EMPTY or stats.count == 0:
            self._sentence("Empty: it holds no values.")
        elif not stats.shape and stats.count == 1:
            self._sentence(f"A single {stats.dtype} value: {single_value_text(stats)}")
            self.caption.hide()
        elif stats.kind is ValueKind.BOOL and stats.true_count is not None:
            self.plot.set_bool(stats.count - stats.true_count, stats.true_count, self._color)
            self.stack.show_plot()
        elif stats.histogram is None or int(stats.histogram.counts.sum()) == 0:
            self._sentence("No finite values to plot.")
        else:
            self.plot.set_histograms(
                [(self.title_text, stats.histogram, self._color)],
                x_label=X_LABELS.get(stats.kind, "value"),
            )
            self.stack.show_plot()

    def _sentence(self, text: str) -> None:
        self.plot.clear()
        self.stack.show_message(text)


class DiffHistograms(QWidget):
    """``checkpoint`` on the left, ``model`` on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checkpoint = SideHistogram(CHECKPOINT_LABEL, plotting.REFERENCE)
        self.model = SideHistogram(MODEL_LABEL, plotting.SELECTED)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.checkpoint, 1)
        layout.addWidget(self.model, 1)

    def clear(self, text: str = "") -> None:
        for side in (self.checkpoint, self.model):
            side.set_subject("")
            side.show_message(text)
