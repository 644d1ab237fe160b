"""The sample input, derived from the model's input signature.

Per input: its name, shape (the batch size set here) and dtype. Values come from a random
generator (the seed is shown and editable: the run can be repeated, and "Copy as Python"
reproduces it), a .npy/.npz/.csv file the worker reads, an image decoded here with Qt and
preprocessed to the input's shape, or a small table typed by hand. ``source()`` turns the
choice into the ``InputSource`` the worker's ``infer`` jobs take; the core checks shapes and
dtypes, and its one-sentence complaint is shown by the panel.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import DISTRIBUTIONS, InputSource, InputSpec
from ckpt_inspector.gui.inference.image_input import SCALINGS, image_array, image_layout
from ckpt_inspector.gui.inference.input_values_model import InputValuesModel, fits_table

RANDOM, FILE, IMAGE, TABLE = "random", "file", "image", "table"
SOURCES = (
    (RANDOM, "Random"),
    (FILE, "File (.npy, .npz, .csv)"),
    (IMAGE, "Image"),
    (TABLE, "Table"),
)
FILE_FILTER = "Arrays (*.npy *.npz *.csv);;All files (*)"
SEED_LIMIT = 2**31 - 1
THUMBNAIL = 40


def shape_text(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"


def image_filter() -> str:
    formats = sorted({bytes(f).decode().lower() for f in QImageReader.supportedImageFormats()})
    wanted = [f for f in ("png", "jpg", "jpeg", "bmp", "gif", "webp") if f in formats]
    return "Images (" + " ".join(f"*.{f}" for f in wanted) + ");;All files (*)"


class InputEditor(QWidget):
    """Emits ``changed`` whenever what would be fed changes (the panel clears old complaints)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._specs: tuple[InputSpec, ...] = ()
        self._tables: list[InputValuesModel] = []
        self._image: QImage | None = None
        self.start_folder = str(Path.home())
        self._build()
        self.set_specs((), note="The inputs are read from the model when it is loaded.")

    def _build(self) -> None:
        self.inputs = QLabel(objectName="inputSignature", wordWrap=True)
        self.inputs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.batch = QSpinBox(minimum=1, maximum=4096, value=1, objectName="batchSize")
        self.batch.setToolTip("Examples per call: the first (free) dimension of every input")
        self.kind = QComboBox(objectName="inputSource")
        for key, label in SOURCES:
            self.kind.addItem(label, key)
        top = QHBoxLayout()
        top.addWidget(QLabel("Batch"))
        top.addWidget(self.batch)
        top.addSpacing(8)
        top.addWidget(QLabel("Values"))
        top.addWidget(self.kind, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._random_page())
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._image_page())
        self.tabs = QTabWidget(objectName="inputTables", documentMode=True)
        self.pages.addWidget(self.tabs)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.inputs)
        layout.addLayout(top)
        layout.addWidget(self.pages)
        self.batch.valueChanged.connect(self._on_batch_value_changed)
        self.kind.currentIndexChanged.connect(self._on_kind_current_index_changed)

    def _random_page(self) -> QWidget:
        page = QWidget()
        self.distribution = QComboBox(objectName="distribution")
        self.distribution.addItems(DISTRIBUTIONS)
        self.low = QDoubleSpinBox(minimum=-1e6, maximum=1e6, decimals=3, value=0.0)
        self.high = QDoubleSpinBox(minimum=-1e6, maximum=1e6, decimals=3, value=1.0)
        self.low.setToolTip("Lowest value (uniform, integers)")
        self.high.setToolTip("Highest value, not included (uniform, integers)")
        self.seed = QSpinBox(minimum=0, maximum=SEED_LIMIT, value=0, objectName="seed")
        self.seed.setToolTip("numpy.random.default_rng(seed): the same seed gives the same input")
        self.new_seed = QPushButton("New seed")
        for box in (self.low, self.high, self.seed):
            box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            box.setMinimumWidth(60)
        row = QHBoxLayout()
        for label, widget in (("Low", self.low), ("High", self.high), ("Seed", self.seed)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addWidget(self.new_seed)
        form = QVBoxLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.distribution)
        form.addLayout(row)
        form.addStretch(1)
        self.distribution.currentTextChanged.connect(self._on_distribution_changed)
        self.new_seed.clicked.connect(self._on_new_seed_clicked)
        for box in (self.low, self.high, self.seed):
            box.valueChanged.connect(self.changed)
        self._on_distribution_changed(self.distribution.currentText())
        return page

    def _file_page(self) -> QWidget:
        page = QWidget()
        self.file_path = QLineEdit(objectName="inputFile")
        self.file_path.setPlaceholderText(".npy (one input), .npz (by input name) or .csv")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_file_clicked)
        self.file_path.textEdited.connect(self.changed)
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file_path, 1)
        row.addWidget(browse)
        return page

    def _image_page(self) -> QWidget:
        page = QWidget()
        self.image_path = QLineEdit(objectName="inputImage")
        self.image_path.setPlaceholderText("an image file, resized to the input")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_image_clicked)
        self.scaling = QComboBox(objectName="imageScaling")
        for label, key in SCALINGS:
            self.scaling.addItem(label, key)
        self.thumbnail = QLabel()
        self.thumbnail.setFixedSize(THUMBNAIL, THUMBNAIL)
        self.preprocessing = QLabel(objectName="mutedText", wordWrap=True)
        self.preprocessing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.image_path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(row)
        scale_row = QHBoxLayout()
        scale_row.addWidget(QLabel("Scale to"))
        scale_row.addWidget(self.scaling)
        scale_row.addWidget(self.thumbnail)
        scale_row.addWidget(self.preprocessing, 1)
        form.addRow(scale_row)
        page.setLayout(form)
        self.image_path.editingFinished.connect(self._on_image_path_editing_finished)
        self.scaling.currentIndexChanged.connect(self._on_scaling_changed)
        return page

    # -- public API ----------------------------------------------------------------------------

    def specs(self) -> tuple[InputSpec, ...]:
        return self._specs

    def set_specs(self, specs: Sequence[InputSpec], *, note: str = "") -> None:
        """The model's inputs; ``note`` is shown instead when there are none (yet)."""
        self._specs = tuple(specs)
        self._show_signature(note)
        self._enable_kind(IMAGE, len(self._specs) == 1 and image_layout(self._specs[0]) is not None)
        self._enable_kind(TABLE, bool(self._specs) and all(fits_table(s) for s in self._specs))
        self._build_tables()
        self._update_image()
        self.changed.emit()

    def current_kind(self) -> str:
        return self.kind.currentData()

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def set_image(self, path: str) -> None:
        self.image_path.setText(path)
        self._load_image(path)

    def tables(self) -> list[InputValuesModel]:
        return list(self._tables)

    def source(self) -> InputSource:
        """What the worker should feed; raises ``InspectorError`` (one sentence) when the choice
        is incomplete."""
        kind, batch = self.current_kind(), self.batch.value()
        if kind == RANDOM:
            return InputSource(
                kind="random",
                distribution=self.distribution.currentText(),
                seed=self.seed.value(),
                low=self.low.value(),
                high=self.high.value(),
                batch=batch,
            )
        if kind == FILE:
            path = self.file_path.text().strip()
            if not path:
                raise InspectorError("Choose the input file (.npy, .npz or .csv).")
            return InputSource(kind="file", path=os.path.abspath(os.path.expanduser(path)))
        if kind == IMAGE:
            spec = self._specs[0] if self._specs else None
            if self._image is None or spec is None:
                raise InspectorError("Choose an image file to feed the model.")
            values, _text = self._image_values(spec)
            return InputSource(kind="values", arrays=((spec.name, values[None]),), batch=1)
        arrays = tuple((model.spec.name, model.array()) for model in self._tables)
        return InputSource(kind="values", arrays=arrays, batch=batch)

    # -- helpers -------------------------------------------------------------------------------

    def _enable_kind(self, kind: str, enabled: bool) -> None:
        item = self.kind.model().item(self.kind.findData(kind))
        item.setEnabled(enabled)
        if not enabled and self.current_kind() == kind:
            self.set_kind(RANDOM)

    def _show_signature(self, note: str = "") -> None:
        if not self._specs:
            self.inputs.setText(note or "The model's inputs are not known yet.")
            return
        batch = self.batch.value()
        lines = [
            f"<b>{s.name}</b> {shape_text(s.concrete_shape(batch))} {s.dtype}" for s in self._specs
        ]
        self.inputs.setText("Inputs: " + " · ".join(lines))

    def _build_tables(self) -> None:
        self.tabs.clear()
        self._tables = []
        if not all(fits_table(s) for s in self._specs):
            return
        for spec in self._specs:
            model = InputValuesModel(spec, self.batch.value(), self)
            model.dataChanged.connect(self.changed)
            view = QTableView()
            view.setModel(model)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.tabs.addTab(view, spec.name)
            self._tables.append(model)

    def _image_values(self, spec: InputSpec):
        layout = image_layout(spec)
        if layout is None or self._image is None:
            raise InspectorError(f"Input {spec.name!r} does not take an image.")
        return image_array(self._image, layout, self.scaling.currentData(), spec.dtype)

    def _load_image(self, path: str) -> None:
        path = path.strip()
        self._image = None
        if path:
            image = QImage(path)
            if image.isNull():
                self.preprocessing.setText(f"{Path(path).name} could not be read as an image.")
                self.thumbnail.clear()
                self.changed.emit()
                return
            self._image = image
            self.start_folder = str(Path(path).parent)
        self._update_image()
        self.changed.emit()

    def _update_image(self) -> None:
        if self._image is None:
            self.thumbnail.clear()
            if not self.image_path.text().strip():
                self.preprocessing.setText("")
            return
        self.thumbnail.setPixmap(
            QPixmap.fromImage(self._image).scaled(
                THUMBNAIL,
                THUMBNAIL,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        spec = self._specs[0] if len(self._specs) == 1 else None
        if spec is None or image_layout(spec) is None:
            self.preprocessing.setText("The model's input does not take an image.")
            return
        try:
            _values, text = self._image_values(spec)
        except InspectorError as error:
            text = error.message
        self.preprocessing.setText(text)

    # -- slots ---------------------------------------------------------------------------------

    def _on_batch_value_changed(self, batch: int) -> None:
        for model in self._tables:
            model.set_batch(batch)
        self._show_signature()
        self.changed.emit()

    def _on_kind_current_index_changed(self, index: int) -> None:
        self.pages.setCurrentIndex(max(index, 0))
        self.batch.setEnabled(self.current_kind() in (RANDOM, TABLE))
        self.changed.emit()

    def _on_distribution_changed(self, distribution: str) -> None:
        ranged = distribution in ("uniform", "integers")
        self.low.setEnabled(ranged)
        self.high.setEnabled(ranged)
        self.seed.setEnabled(distribution not in ("zeros", "ones"))
        self.new_seed.setEnabled(self.seed.isEnabled())
        if distribution == "integers" and self.high.value() <= self.low.value() + 1:
            self.high.setValue(self.low.value() + 10)
        self.changed.emit()

    def _on_new_seed_clicked(self) -> None:
        self.seed.setValue(secrets.randbelow(SEED_LIMIT))

    def _on_browse_file_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose the Input Values", self.start_folder, FILE_FILTER
        )
        if path:
            self.file_path.setText(path)
            self.start_folder = str(Path(path).parent)
            self.changed.emit()

    def _on_browse_image_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose an Image", self.start_folder, image_filter()
        )
        if path:
            self.set_image(path)

    def _on_image_path_editing_finished(self) -> None:
        self._load_image(self.image_path.text())

    def _on_scaling_changed(self, _index: int) -> None:
        self._update_image()
        self.changed.emit()
