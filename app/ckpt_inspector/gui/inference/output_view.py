"""One output of a run, several ways: its values (one example at a time), the top-k entries of a
vector as bars and a table (with a labels file, and softmax when the values look like logits),
an H×W×1/3 output as an image, and its statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.dtype_names import numpy_dtype_name
from ckpt_inspector.core.inference.records import OutputRecord
from ckpt_inspector.gui.inference.output_models import (
    OutputValuesModel,
    TopKModel,
    example,
    image_of,
    is_image,
    is_vector,
    looks_like_logits,
    softmax,
    top_k,
)
from ckpt_inspector.gui.plotting import SELECTED, SINGLE, new_plot, pg
from ckpt_inspector.gui.stats_table_model import StatsTableModel

DEFAULT_K = 5
ALL_BARS_LIMIT = 50  # up to this many classes every bar is drawn, the top k highlighted
TICK_LABELS_LIMIT = 20
IMAGE_SIDE = 220
ROW_HEIGHT = 22


def read_labels(path: str) -> list[str]:
    """One label a line (a trailing empty line is not a label)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read().rstrip("\n").split("\n")


class OutputView(QWidget):
    labelsChosen = Signal(str)  # a labels file was loaded (the panel remembers its folder)

    VALUES, TOP_K, IMAGE, STATISTICS = range(4)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outputs: tuple[OutputRecord, ...] = ()
        self._labels: list[str] = []
        self.labels_folder = str(Path.home())
        self._tab_chosen = False  # the user picked a tab: new results keep it
        self.other_name = ""  # the A/B checkpoint's name, set by the panel before the outputs
        self.bar_heights = np.empty(0)  # what the chart draws, for tests and the tooltip
        self._build()

    def _build(self) -> None:
        self.output = QComboBox(objectName="outputChoice")
        self.output.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.header = QLabel(objectName="outputHeader")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.example = QSpinBox(minimum=0, maximum=0, objectName="exampleIndex")
        self.example.setToolTip("Which example of the batch the views show")
        top = QHBoxLayout()
        top.addWidget(self.output)
        top.addWidget(self.header, 1)
        top.addWidget(QLabel("Example"))
        top.addWidget(self.example)
        self.proof = QLabel(objectName="proofText", wordWrap=True)
        self.proof.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.values_model = OutputValuesModel(self)
        self.values_view = QTableView(objectName="outputValues")
        self.values_view.setModel(self.values_model)
        self.values_view.horizontalHeader().setDefaultSectionSize(96)
        self.values_view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)

        self.top_k_model = TopKModel(self)
        self.tabs = QTabWidget(objectName="outputTabs", documentMode=True)
        self.tabs.addTab(self.values_view, "Values")
        self.tabs.addTab(self._top_k_page(), "Top-k")
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, objectName="outputImage")
        self.tabs.addTab(self.image, "Image")
        self.stats_model = StatsTableModel(self)
        stats_view = QTableView(showGrid=False)
        stats_view.setModel(self.stats_model)
        stats_view.verticalHeader().hide()
        stats_view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        stats_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs.addTab(stats_view, "Statistics")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.proof)
        layout.addWidget(self.tabs, 1)
        self.tabs.tabBarClicked.connect(self._on_tab_bar_clicked)
        self.output.currentIndexChanged.connect(self._on_output_changed)
        self.example.valueChanged.connect(self._on_example_changed)

    def _top_k_page(self) -> QWidget:
        page = QWidget()
        self.k = QSpinBox(minimum=1, maximum=1000, value=DEFAULT_K)
        self.softmax = QCheckBox("Softmax")
        self.softmax.setToolTip(
            "Show softmax(values): offered when the values look like logits (not all in [0, 1] "
            "summing to 1)"
        )
        self.labels_button = QPushButton("Labels…")
        self.labels_button.setToolTip("A text file with one class label a line")
        self.labels_name = QLabel(objectName="mutedText")
        controls = QHBoxLayout()
        for widget in (QLabel("Top"), self.k, self.softmax, self.labels_button):
            controls.addWidget(widget)
        controls.addWidget(self.labels_name, 1)
        self.chart = pg.GraphicsLayoutWidget()
        self.plot = new_plot(self.chart.ci, bottom="index", left="value")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.plot.addItem(self.bars)
        self.top_k_view = table = QTableView(objectName="topKTable", showGrid=False)
        table.setModel(self.top_k_model)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.chart)
        split.addWidget(table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([420, 280])
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(split, 1)
        self.k.valueChanged.connect(self._on_top_k_option_changed)
        self.softmax.toggled.connect(self._on_top_k_option_changed)
        self.labels_button.clicked.connect(self._on_labels_button_clicked)
        return page

    # -- public API ----------------------------------------------------------------------------

    def set_outputs(self, outputs: tuple[OutputRecord, ...]) -> None:
        self._outputs = tuple(outputs)
        self.output.blockSignals(True)
        self.output.clear()
        for record in self._outputs:
            self.output.addItem(record.name)
        self.output.blockSignals(False)
        self.output.setVisible(len(self._outputs) > 1)
        self._show_output()
        record = self.current()
        if record is not None and not self._tab_chosen:
            # The most telling view first: classes as bars, pictures as pictures.
            if is_image(record.values):
                self.tabs.setCurrentIndex(self.IMAGE)
            elif is_vector(record.values):
                self.tabs.setCurrentIndex(self.TOP_K)

    def current(self) -> OutputRecord | None:
        index = self.output.currentIndex()
        return self._outputs[index] if 0 <= index < len(self._outputs) else None

    def select_output(self, name: str) -> None:
        self.output.setCurrentIndex(self.output.findText(name))

    def set_labels(self, labels: list[str], name: str = "") -> None:
        self._labels = list(labels)
        self.labels_name.setText(f"{name} ({len(labels)} labels)" if name else "")
        self._show_top_k()

    def tab_enabled(self, tab: int) -> bool:
        return self.tabs.isTabEnabled(tab)

    def shown_vector(self) -> np.ndarray | None:
        """The vector the top-k views show (softmax applied when ticked)."""
        record = self.current()
        if record is None or not is_vector(record.values):
            return None
        vector = np.asarray(example(record.values, self.example.value()), np.float64)
        return softmax(vector) if self.softmax.isChecked() and self.softmax.isEnabled() else vector

    # -- helpers -------------------------------------------------------------------------------

    def _show_output(self) -> None:
        record = self.current()
        values = record.values if record is not None else None
        batch = values.shape[0] if values is not None and values.ndim else 1
        self.example.blockSignals(True)
        self.example.setMaximum(max(batch - 1, 0))
        self.example.setValue(min(self.example.value(), max(batch - 1, 0)))
        self.example.blockSignals(False)
        self.example.setEnabled(batch > 1)
        if record is None:
            self.header.setText("")
            self.proof.setText("")
            self.stats_model.set_stats(())
        else:
            self.header.setText(
                f"<b>{record.name}</b> ({', '.join(map(str, record.shape))}) "
                f"{numpy_dtype_name(record.values.dtype)}"
            )
            self.proof.setText(self._proof_text(record))
            self.stats_model.set_stats([(record.name, record.stats)] if record.stats else ())
        vector = values is not None and is_vector(values)
        self.tabs.setTabEnabled(self.TOP_K, vector)
        self.tabs.setTabEnabled(self.IMAGE, values is not None and is_image(values))
        if vector:
            logits = looks_like_logits(example(values, self.example.value()))
            self.softmax.setEnabled(logits)
            self.softmax.setChecked(logits)
        if not self.tabs.isTabEnabled(self.tabs.currentIndex()):
            self.tabs.setCurrentIndex(self.VALUES)
        self._show_example()

    def _proof_text(self, record: OutputRecord) -> str:
        parts = []
        if record.fresh_max_abs_diff is not None:
            parts.append(f"fresh weights: max |Δ| = {record.fresh_max_abs_diff:.6g}")
        if record.other_max_abs_diff is not None:
            parts.append(f"{self.other_name or 'other'}: max |Δ| = {record.other_max_abs_diff:.6g}")
        return " · ".join(parts)

    def _show_example(self) -> None:
        record = self.current()
        index = self.example.value()
        self.values_model.set_values(record.values if record is not None else None, index)
        self._show_top_k()
        if record is not None and is_image(record.values):
            pixmap = QPixmap.fromImage(image_of(example(record.values, index)))
            self.image.setPixmap(
                pixmap.scaled(
                    IMAGE_SIDE,
                    IMAGE_SIDE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,  # pixels stay visible as squares
                )
            )
        else:
            self.image.clear()

    def _show_top_k(self) -> None:
        vector = self.shown_vector()
        k = self.k.value()
        self.top_k_model.set_vector(vector, k, self._labels)
        self.top_k_view.setColumnHidden(TopKModel.COLUMNS.index("Label"), not self._labels)
        if vector is None:
            self.bar_heights = np.empty(0)
            self.bars.setOpts(x=[], height=[])
            return
        best = top_k(vector, k)
        if vector.size <= ALL_BARS_LIMIT:
            positions = np.arange(vector.size)
            brushes = [pg.mkBrush(SELECTED if i in set(best) else SINGLE) for i in positions]
        else:
            positions = best
            brushes = [pg.mkBrush(SELECTED)] * len(best)
        self.bar_heights = vector[positions]
        x = np.arange(len(positions))
        self.bars.setOpts(x=x, height=self.bar_heights, width=0.8, brushes=brushes)
        ticks = [(float(i), self._tick(int(p))) for i, p in zip(x, positions, strict=True)]
        shown = ticks if len(ticks) <= TICK_LABELS_LIMIT else ticks[:: len(ticks) // 10 or 1]
        self.plot.getAxis("bottom").setTicks([shown])
        self.plot.setLabel("left", "softmax" if self.softmax.isChecked() else "value")
        self.plot.autoRange()

    def _tick(self, index: int) -> str:
        return self._labels[index] if index < len(self._labels) else str(index)

    # -- slots ---------------------------------------------------------------------------------

    def _on_tab_bar_clicked(self, _index: int) -> None:
        self._tab_chosen = True

    def _on_output_changed(self, _index: int) -> None:
        self._show_output()

    def _on_example_changed(self, _value: int) -> None:
        self._show_example()

    def _on_top_k_option_changed(self, *_args) -> None:
        self._show_top_k()

    def _on_labels_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a Labels File", self.labels_folder, "Text (*.txt);;All files (*)"
        )
        if not path:
            return
        try:
            labels = read_labels(path)
        except OSError as error:
            self.labels_name.setText(f"Could not read {Path(path).name}: {error.strerror}.")
            return
        self.labels_folder = str(Path(path).parent)
        self.set_labels(labels, Path(path).name)
        self.labelsChosen.emit(path)
