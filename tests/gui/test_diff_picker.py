"""The architecture picker: parsing what was typed into a ModelSpec, the recent list, what is
remembered per architecture, the Keras flavour suggestion and the attach choices."""

from __future__ import annotations

import pytest
from gui_fakes import mlp_variables, variable, write_model_file

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.records import AttachCandidate
from ckpt_inspector.gui.diff.architecture_fields import (
    ArchitectureFields,
    RecentArchitectures,
    split_arguments,
    split_source,
    suggest_keras,
)
from ckpt_inspector.gui.diff.architecture_picker import KERAS2_HINT, ArchitecturePicker


@pytest.fixture
def picker(qtbot, settings) -> ArchitecturePicker:
    widget = ArchitecturePicker(settings)
    qtbot.addWidget(widget)
    widget.resize(1000, 120)
    widget.show()
    return widget


@pytest.fixture
def model_file(tmp_path):
    return write_model_file(tmp_path / "models" / "model.py")


def test_arguments_split_on_top_level_commas_only():
    assert split_arguments("") == []
    assert split_arguments("a=1, shape=(28, 28), name='x,y', d={'k': [1, 2]},") == [
        "a=1",
        "shape=(28, 28)",
        "name='x,y'",
        "d={'k': [1, 2]}",
    ]
    assert split_source("/m/model.py:build") == ("/m/model.py", "build")
    assert split_source("/m/model.py") == ("/m/model.py", "")
    assert split_source("applications:MobileNetV2") == ("applications:MobileNetV2", "")


def test_fields_become_a_model_spec(model_file):
    spec = ArchitectureFields(
        source=str(model_file),
        function="build",
        arguments="units=[64, 32], activation=relu, dropout=0.5",
        input_shape="28, 28; None x 10",
        keras="2",
    ).to_spec()
    assert spec.source == f"{model_file}:build"
    assert spec.model_args == (("units", [64, 32]), ("activation", "relu"), ("dropout", 0.5))
    assert spec.input_shapes == ((28, 28), (None, 10))
    assert spec.keras == "2"
    # A function typed after the file name works as well as the function field.
    typed = ArchitectureFields(source=f"{model_file}:make").to_spec()
    assert typed.source == f"{model_file}:make" and typed.model_args == ()
    # Not a Python file: the function field does not apply.
    assert ArchitectureFields("applications:MobileNetV2", function="x").to_spec().source == (
        "applications:MobileNetV2"
    )


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (ArchitectureFields(source=""), "Choose an architecture"),
        (ArchitectureFields(source="m.py", arguments="units"), "has no value"),
        (ArchitectureFields(source="m.py", arguments="x=1, x=2"), "given twice"),
        (ArchitectureFields(source="m.py", input_shape="28, -1"), "positive sizes"),
    ],
)
def test_bad_fields_raise_one_sentence(fields, words):
    with pytest.raises(InspectorError) as raised:
        fields.to_spec()
    assert words in raised.value.message
    assert raised.value.message.endswith(".")


def test_an_invalid_field_is_said_inline(picker, model_file):
    picker.source.setEditText(str(model_file))
    picker.arguments.setText("units=")
    with pytest.raises(InspectorError):
        picker.request()
    assert picker.error.isVisible()
    assert "has an empty value" in picker.error.text()
    picker.arguments.setText("units=4")
    spec, attach = picker.request()
    assert spec.model_args == (("units", 4),) and attach is None
    assert not picker.error.isVisible()


def test_recent_list_is_most_recent_first_and_limited(settings, tmp_path):
    recent = RecentArchitectures(settings)
    for n in range(12):
        recent.add(ArchitectureFields(source=str(tmp_path / f"m{n}.py")))
    recent.add(ArchitectureFields(source=str(tmp_path / "m3.py:build")))
    sources = recent.sources()
    assert len(sources) == RecentArchitectures.LIMIT
    assert sources[:3] == [str(tmp_path / n) for n in ("m3.py", "m11.py", "m10.py")]
    assert recent.remembered(str(tmp_path / "m3.py"))["function"] == "build"


def test_remembered_fields_come_back_with_their_architecture(qtbot, settings, model_file):
    first = ArchitecturePicker(settings)
    qtbot.addWidget(first)
    first.source.setEditText(str(model_file))
    first.function.setText("build")
    first.input_shape.setText("28, 28, 1")
    first.arguments.setText("classes=10")
    first.remember()
    first.source.setEditText("applications:MobileNetV2")
    assert first.input_shape.text() == "" and not first.function.isEnabled()
    first.input_shape.setText("224, 224, 3")
    first.remember()

    again = ArchitecturePicker(settings)  # a new session, same settings
    qtbot.addWidget(again)
    assert [again.source.itemText(i) for i in range(again.source.count())] == [
        "applications:MobileNetV2",
        str(model_file),
    ]
    assert again.input_shape.text() == "224, 224, 3"
    again.source.setCurrentIndex(1)
    assert again.function.text() == "build" and again.function.isEnabled()
    assert again.input_shape.text() == "28, 28, 1"
    assert again.arguments.text() == "classes=10"


def test_keras_flavour_follows_the_keys_until_chosen(picker):
    assert suggest_keras(mlp_variables()) == "2"  # layer_with_weights-N
    assert suggest_keras([variable("a/b/.OPTIMIZER_SLOT/c/m/.ATTRIBUTES/VARIABLE_VALUE")]) == "2"
    assert suggest_keras([variable("optimizer/_variables/1/.ATTRIBUTES/VARIABLE_VALUE")]) is None
    assert suggest_keras([variable("model/_functional/_operations/1/_kernel/.ATTRIBUTES/V")]) == "3"

    assert picker.keras.currentData() == "3" and not picker.hint.isVisible()
    picker.suggest_keras("2")
    assert picker.keras.currentData() == "2"
    assert picker.hint.isVisible() and picker.hint.text() == KERAS2_HINT
    picker.suggest_keras("3")
    assert picker.keras.currentData() == "3" and not picker.hint.isVisible()
    # Once the user picks, suggestions no longer move the combo; the hint still says it.
    picker.keras.activated.emit(0)
    picker.suggest_keras("2")
    assert picker.keras.currentData() == "3"
    assert picker.hint.isVisible() and picker.hint.objectName() == "noteText"
    # ... until another checkpoint is selected.
    picker.suggest_keras("2", new_checkpoint=True)
    assert picker.keras.currentData() == "2" and picker.hint.objectName() == "mutedText"


def test_attach_choices(picker):
    assert picker.attach.count() == 1 and picker.attach.currentData() is None
    picker.set_attach_candidates((AttachCandidate("model", 4), AttachCandidate("", 0)))
    labels = [picker.attach.itemText(i) for i in range(picker.attach.count())]
    assert labels == ["Automatic", "model (4 variables)", "(checkpoint root) (0 variables)"]
    picker.attach.setCurrentIndex(2)
    assert picker.attach.currentData() == ""
    picker.set_attach_candidates((AttachCandidate("", 1),), current="")
    assert picker.attach.currentData() == ""
    assert picker.attach.currentText() == "(checkpoint root) (1 variable)"


def test_enter_in_any_field_submits(qtbot, picker):
    for edit in (picker.source.lineEdit(), picker.arguments, picker.input_shape):
        with qtbot.waitSignal(picker.submitted, timeout=1000):
            edit.returnPressed.emit()
