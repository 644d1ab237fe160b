"""The inference panel's table models and output rules with numbers: the values table, top-k,
logits vs probabilities, image outputs, and saving outputs outside the checkpoint folder."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from test_inference_panel import result

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InputSpec
from ckpt_inspector.gui.inference.input_values_model import InputValuesModel, fits_table
from ckpt_inspector.gui.inference.output_export import save_outputs
from ckpt_inspector.gui.inference.output_models import (
    VALUE_ROLE,
    OutputValuesModel,
    TopKModel,
    image_of,
    is_image,
    is_vector,
    looks_like_logits,
    softmax,
    top_k,
)


def cells(model, role=VALUE_ROLE) -> list[list[object]]:
    return [
        [model.data(model.index(r, c), role) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_models_pass_qtmodeltester(qtmodeltester):
    values = OutputValuesModel()
    qtmodeltester.check(values)
    values.set_values(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    qtmodeltester.check(values)
    top = TopKModel()
    qtmodeltester.check(top)
    top.set_vector(np.array([0.1, 0.7, 0.2]), 2, ["cat", "dog"])
    qtmodeltester.check(top)
    typed = InputValuesModel(InputSpec("x", (None, 3)), batch=2)
    qtmodeltester.check(typed)


def test_values_table_shows_one_example_as_a_grid():
    model = OutputValuesModel()
    batch = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    model.set_values(batch, 1)
    assert (model.rowCount(), model.columnCount()) == (3, 4)
    assert cells(model) == batch[1].tolist()
    assert model.data(model.index(2, 3)) == "23"
    model.set_values(np.array([[0.5, -1.25]]))  # a vector is one column
    assert cells(model) == [[0.5], [-1.25]]
    model.set_values(np.array([3.0, 4.0]), 1)  # one value per example
    assert cells(model) == [[4.0]]
    model.set_values(None)
    assert model.rowCount() == 0


def test_top_k_with_labels_and_the_logits_rule():
    vector = np.array([0.05, 0.6, 0.05, 0.3])
    assert top_k(vector, 2).tolist() == [1, 3]
    assert not looks_like_logits(vector)  # in [0, 1] and summing to 1
    assert looks_like_logits(np.array([2.0, -1.0, 0.5]))
    assert looks_like_logits(np.array([0.2, 0.2]))  # sums to 0.4
    probabilities = softmax(np.array([2.0, -1.0, 0.5]))
    assert probabilities.sum() == pytest.approx(1.0)
    assert probabilities.tolist() == pytest.approx([0.7856, 0.0391, 0.1753], abs=1e-4)
    model = TopKModel()
    model.set_vector(vector, 3, ["cat", "dog"])
    assert cells(model) == [[1, 1, "dog", 0.6], [2, 3, "", 0.3], [3, 0, "cat", 0.05]]
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Label"


def test_output_kinds_and_image_outputs(qapp):
    assert is_vector(np.zeros((2, 10))) and not is_vector(np.zeros((2, 1)))
    assert is_image(np.zeros((1, 4, 5, 3))) and is_image(np.zeros((1, 4, 5, 1)))
    assert not is_image(np.zeros((1, 4, 5, 2))) and not is_image(np.zeros((1, 4, 5)))
    gradient = np.linspace(-1.0, 1.0, 6).reshape(2, 3, 1)
    image = image_of(gradient)
    assert (image.width(), image.height()) == (3, 2)
    assert [image.pixelColor(x, 0).red() for x in range(3)] == [0, 51, 102]
    assert image.pixelColor(2, 1).red() == 255
    rgb = image_of(np.array([[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]))
    assert rgb.pixelColor(0, 0).getRgb()[:3] == (255, 0, 0)
    assert rgb.pixelColor(1, 0).getRgb()[:3] == (0, 0, 255)


def test_typed_values_follow_the_dtype_and_the_batch():
    spec = InputSpec("ids", (None, 2, 2), "int32")
    assert fits_table(spec) and not fits_table(InputSpec("x", (None, 65)))
    model = InputValuesModel(spec, batch=1)
    assert model.setData(model.index(0, 3), "7")
    assert not model.setData(model.index(0, 0), "1.5")  # not an integer
    assert not model.setData(model.index(0, 0), "abc")
    model.set_batch(2)
    model.set_row(1, [1, 2, 3, 4])
    array = model.array()
    assert array.dtype == np.int32 and array.shape == (2, 2, 2)
    assert array.tolist() == [[[0, 0], [0, 7]], [[1, 2], [3, 4]]]
    model.set_batch(1)
    assert model.array().shape == (1, 2, 2)


def test_outputs_are_saved_outside_the_checkpoint_folder_only(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    shown = result(checkpoint=str(folder / "ckpt-2"))
    with pytest.raises(InspectorError, match="does not write into the checkpoint folder"):
        save_outputs(shown, str(folder / "out.npy"), "logits")
    written = save_outputs(shown, str(tmp_path / "out"), "logits")
    assert written.endswith("out.npy")
    np.testing.assert_array_equal(np.load(written), shown.outputs[0].values)
    archive = save_outputs(shown, str(tmp_path / "all.npz"))
    with np.load(archive) as data:
        assert data.files == ["logits"]
