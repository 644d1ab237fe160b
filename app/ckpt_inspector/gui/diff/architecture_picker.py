"""Where the user says which architecture to diff against, and how to build it.

An editable combo lists recent architectures (most recent first); "Browse…" picks a ``.py``,
``.keras`` or config ``.json`` file, or a SavedModel folder; ``applications:Name`` is typed. The
function, model arguments and input shapes are remembered per architecture. The Keras flavour
follows what the checkpoint's keys suggest until the user picks one for that checkpoint.
Nothing here runs the user's code: ``request()`` only parses what was typed into a ``ModelSpec``
(``architecture_fields``), or raises an ``InspectorError`` whose sentence the panel shows next
to the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.records import AttachCandidate
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.diff.architecture_fields import (
    ArchitectureFields,
    RecentArchitectures,
    is_python_source,
    normalised_source,
    split_source,
)

FILE_FILTER = (
    "Model files (*.py *.keras *.json);;Python files (*.py);;Keras files (*.keras);;"
    "Keras model config (*.json);;All files (*)"
)
KERAS_CHOICES = (("Keras 3", "3"), ("Keras 2 (tf_keras)", "2"))
KERAS2_HINT = "Keys look like Keras 2 (tf_keras): suggested Keras 2"
ROOT_LABEL = "(checkpoint root)"
AUTOMATIC = "Automatic"


# -- the widget --------------------------------------------------------------------------------


class ArchitecturePicker(QWidget):
    """Emits ``submitted`` when Enter is pressed in any field."""

    submitted = Signal()
    changed = Signal()  # the architecture itself (not its arguments) changed

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recent = RecentArchitectures(settings)
        self._keras_chosen = False  # the user picked a flavour: suggestions stop applying
        self._suggested: str | None = None
        self._shown_source = ""
        self._build()
        self._fill_recent()

    def _build(self) -> None:
        self.source = QComboBox(objectName="architectureSource")
        self.source.setEditable(True)
        self.source.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.source.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.source.setMinimumContentsLength(40)
        self.source.lineEdit().setPlaceholderText(
            "model.py, model.py:build_model, model.keras, config.json, SavedModel folder, "
            "applications:MobileNetV2"
        )
        self.source.setToolTip(
            "The architecture to diff against. A Python file builds it with build_model() "
            "(or the function named after ':'); applications:Name builds a keras.applications "
            "model with weights=None."
        )
        self.browse = QToolButton(text="Browse…")
        self.browse.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.browse.setToolTip("Choose a .py, .keras or config .json file (arrow: a SavedModel)")
        menu = QMenu(self.browse)
        menu.addAction("Python, Keras or Config File…", self._on_browse_file_triggered)
        menu.addAction("SavedModel Folder…", self._on_browse_folder_triggered)
        self.browse.setMenu(menu)
        self.browse.clicked.connect(self._on_browse_file_triggered)

        self.keras = QComboBox(objectName="kerasFlavour")
        for label, value in KERAS_CHOICES:
            self.keras.addItem(label, value)
        self.keras.setToolTip(
            "Keras 2 (tf_keras) runs the model in a separate worker started with "
            "TF_USE_LEGACY_KERAS=1; checkpoints written by Keras 2 only match Keras 2 models"
        )

        self.function = QLineEdit(objectName="architectureFunction")
        self.function.setPlaceholderText("build_model")
        self.function.setToolTip(
            "For a Python file: the function that returns the model (optional when the file "
            "defines build_model or just one candidate)"
        )
        self.arguments = QLineEdit(objectName="modelArguments")
        self.arguments.setPlaceholderText("vocab_size=4, hidden=(64, 32)")
        self.arguments.setToolTip(
            "Keyword arguments for the function, as Python literals (never run as code)"
        )
        self.input_shape = QLineEdit(objectName="inputShape")
        self.input_shape.setPlaceholderText("28, 28  (inputs: 28, 28; 10)")
        self.input_shape.setToolTip(
            "Builds a model that has no Input yet by calling it on zeros of this shape "
            "(without the batch dimension); separate several inputs with ';'"
        )
        self.attach = QComboBox(objectName="attachAt")
        self.attach.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.attach.setToolTip(
            "Where in the checkpoint the model is restored: found automatically; "
            "the choices appear after the first diff"
        )
        self.set_attach_candidates(())

        self.hint = QLabel(KERAS2_HINT, objectName="mutedText")
        self.error = QLabel(objectName="errorText", wordWrap=True)
        self.error.hide()
        self.hint.hide()

        # Two rows of fields: what the model is (and its flavour), then how to build and
        # attach it; the labels of both rows line up in the first column.
        first = QHBoxLayout()
        first.addWidget(self.source, 1)
        first.addWidget(self.browse)
        first.addSpacing(8)
        first.addWidget(QLabel("Keras"))
        first.addWidget(self.keras)
        second = QHBoxLayout()
        second.addWidget(self.function, 1)
        for label, widget, stretch in (
            ("Arguments", self.arguments, 2),
            ("Input shape", self.input_shape, 1),
            ("Attach at", self.attach, 0),
        ):
            second.addSpacing(8)
            second.addWidget(QLabel(label))
            second.addWidget(widget, stretch)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("Architecture"), 0, 0)
        grid.addLayout(first, 0, 1)
        grid.addWidget(QLabel("Function"), 1, 0)
        grid.addLayout(second, 1, 1)
        grid.addWidget(self.hint, 2, 1)
        grid.addWidget(self.error, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)

        self.source.lineEdit().returnPressed.connect(self.submitted)
        self.source.currentTextChanged.connect(self._on_source_text_changed)
        for edit in (self.function, self.arguments, self.input_shape):
            edit.returnPressed.connect(self.submitted)
            edit.textEdited.connect(self._on_field_edited)
        self.keras.activated.connect(self._on_keras_activated)

    # -- public API ----------------------------------------------------------------------------

    def fields(self) -> ArchitectureFields:
        return ArchitectureFields(
            source=self.source.currentText(),
            function=self.function.text(),
            arguments=self.arguments.text(),
            input_shape=self.input_shape.text(),
            keras=self.keras.currentData(),
        )

    def request(self) -> tuple[ModelSpec, str | None]:
        """The spec and attach override (``None``: automatic) to run; shows and raises an
        ``InspectorError`` if a field does not parse."""
        try:
            spec = self.fields().to_spec()
        except InspectorError as error:
            self.show_error(error.message)
            raise
        self.show_error("")
        return spec, self.attach.currentData()

    def remember(self) -> None:
        """Put the current architecture on top of the recent list, with what was typed."""
        self.recent.add(self.fields())
        text = self.source.currentText()
        self.source.blockSignals(True)
        try:
            self._fill_recent()
            self.source.setEditText(text)
        finally:
            self.source.blockSignals(False)

    def set_fields(
        self,
        source: str,
        *,
        arguments: Iterable[str] = (),
        input_shapes: Iterable[str] = (),
        keras: str | None = None,
    ) -> None:
        """Fill the fields (the command line's ``--model``, ``--model-arg``, ``--input-shape``,
        ``--keras``); empty ones take what was remembered for ``source``."""
        path, function = split_source(source)
        self.source.setEditText(path)  # fills the rest from what was remembered
        if function:
            self.function.setText(function)
        arguments, input_shapes = list(arguments), list(input_shapes)
        if arguments:
            self.arguments.setText(", ".join(arguments))
        if input_shapes:
            self.input_shape.setText("; ".join(input_shapes))
        if keras is not None:
            self.set_keras(keras, chosen=True)

    def set_keras(self, keras: str, *, chosen: bool) -> None:
        index = self.keras.findData(keras)
        if index >= 0:
            self.keras.setCurrentIndex(index)
        self._keras_chosen = self._keras_chosen or chosen
        self._update_hint()

    def suggest_keras(self, suggested: str | None, *, new_checkpoint: bool = False) -> None:
        """What the selected checkpoint's keys suggest; applied unless the user chose a
        flavour for this checkpoint (``new_checkpoint`` forgets that choice)."""
        if new_checkpoint:
            self._keras_chosen = False
        self._suggested = suggested
        if not self._keras_chosen:
            index = self.keras.findData(suggested or "3")
            self.keras.setCurrentIndex(index)
        self._update_hint()

    def set_attach_candidates(
        self, candidates: Iterable[AttachCandidate], current: str | None = None
    ) -> None:
        """``Automatic`` plus each place the model could attach; keeps ``current`` chosen."""
        self.attach.blockSignals(True)
        try:
            self.attach.clear()
            self.attach.addItem(AUTOMATIC, None)
            for candidate in candidates:
                where = candidate.path or ROOT_LABEL
                noun = "variable" if candidate.restored == 1 else "variables"
                self.attach.addItem(f"{where} ({candidate.restored} {noun})", candidate.path)
            index = self.attach.findData(current) if current is not None else 0
            self.attach.setCurrentIndex(max(index, 0))
        finally:
            self.attach.blockSignals(False)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    # -- helpers -------------------------------------------------------------------------------

    def _fill_recent(self) -> None:
        self.source.clear()
        self.source.addItems(self.recent.sources())

    def _apply_remembered(self, source: str) -> None:
        remembered = self.recent.remembered(normalised_source(split_source(source)[0]))
        self.function.setText(remembered.get("function", ""))
        self.arguments.setText(remembered.get("arguments", ""))
        self.input_shape.setText(remembered.get("input_shape", ""))
        self.function.setEnabled(is_python_source(source) or not source.strip())

    def _update_hint(self) -> None:
        self.hint.setVisible(self._suggested == "2")
        # Boxed like other notes while the choice disagrees with the keys, muted once it agrees.
        mismatch = self._suggested == "2" and self.keras.currentData() != "2"
        self.hint.setObjectName("noteText" if mismatch else "mutedText")
        theme.restyle(self.hint)

    def _start_folder(self) -> str:
        path = split_source(self.source.currentText())[0]
        if path and not path.startswith("applications:"):
            folder = Path(path).expanduser()
            folder = folder if folder.is_dir() else folder.parent
            if folder.is_dir():
                return str(folder)
        return str(Path.home())

    def _choose(self, path: str) -> None:
        if path:
            self.source.setEditText(path)
            self.source.lineEdit().setFocus()

    # -- slots ---------------------------------------------------------------------------------

    def _on_source_text_changed(self, text: str) -> None:
        path = split_source(text)[0]
        if normalised_source(path) == self._shown_source:
            return
        self._shown_source = normalised_source(path)
        self._apply_remembered(text)
        self.show_error("")
        self.changed.emit()

    def _on_field_edited(self, _text: str) -> None:
        self.show_error("")

    def _on_keras_activated(self, _index: int) -> None:
        self._keras_chosen = True
        self._update_hint()

    def _on_browse_file_triggered(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose an Architecture", self._start_folder(), FILE_FILTER
        )
        self._choose(path)

    def _on_browse_folder_triggered(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Choose a SavedModel Folder", self._start_folder()
        )
        self._choose(path)
