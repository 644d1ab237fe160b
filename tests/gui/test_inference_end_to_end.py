"""The inference dock with real workers: the demo-like checkpoint restored into the demo's own
model file and run on a seeded random input, read back from the output table and checked
against a plain TensorFlow restore and call (then an image input); and a model file that raises.

The window never imports TensorFlow for this: the reference is computed by the test process
itself, after the window has done its work in the inference worker.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from test_diff_end_to_end import DIFF_MS, _open

from ckpt_inspector.gui.inference.input_editor import IMAGE
from ckpt_inspector.gui.inference.output_models import VALUE_ROLE
from ckpt_inspector.resources_path import resource_file

pytestmark = pytest.mark.slow

MLP = str(resource_file("demo", "mlp_model.py"))


def plain_tensorflow_outputs(prefix: str, x: np.ndarray) -> np.ndarray:
    """What the user's own script gives: build, ``tf.train.Checkpoint`` restore, call."""
    import tensorflow as tf

    spec = importlib.util.spec_from_file_location("demo_mlp_model", MLP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.build_model()
    tf.train.Checkpoint(model=model).restore(prefix).expect_partial()
    return np.asarray(model(x, training=False))


def table_values(view) -> np.ndarray:
    model = view.values_model
    return np.array(
        [
            [model.data(model.index(r, c), VALUE_ROLE) for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]
    )


def window_run(qtbot, window) -> bool:
    panel = window.inference.panel
    if not window.inference.run():
        return False
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=DIFF_MS)
    return panel.error() == ""


def _run(qtbot, window, source: str):
    window.diff.open(focus=False)
    window.diff.panel.picker.source.setEditText(source)
    window.inference.action.trigger()
    panel = window.inference.panel
    panel.editor.seed.setValue(1)
    panel.editor.batch.setValue(2)
    assert window.inference.run()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=DIFF_MS)
    return panel


def test_demo_checkpoint_runs_and_matches_a_plain_tensorflow_restore(
    qtbot, live_window, demo_like_folder, tmp_path
):
    _open(qtbot, live_window, demo_like_folder)
    panel = _run(qtbot, live_window, f"{MLP}:build_model")
    assert panel.error() == "", panel.traceback_text()
    result = panel.result()
    assert result is not None and (result.restored, result.of) == (4, 4)
    assert panel.summary.text() == "Restored all 4 variables."
    # The input editor learnt the model's signature from the worker.
    qtbot.waitUntil(lambda: bool(panel.editor.specs()), timeout=DIFF_MS)
    [spec] = panel.editor.specs()
    assert (spec.shape, spec.dtype) == ((None, 784), "float32")

    view = panel.outputs
    first = table_values(view)
    assert first.shape == (10, 1)
    view.example.setValue(1)
    second = table_values(view)
    shown = np.stack([first[:, 0], second[:, 0]])

    x = np.random.default_rng(1).standard_normal((2, 784)).astype("float32")
    np.testing.assert_array_equal(result.inputs[0].values, x)
    expected = plain_tensorflow_outputs(str(demo_like_folder / "ckpt-2"), x)
    np.testing.assert_allclose(shown, expected, rtol=1e-5, atol=1e-6)
    # Softmax outputs: probabilities, so no softmax view; the top-k bars are the values.
    assert view.tab_enabled(view.TOP_K) and not view.softmax.isEnabled()
    np.testing.assert_allclose(view.bar_heights, expected[1], rtol=1e-5, atol=1e-6)
    assert view.top_k_model.rows()[0][0] == int(np.argmax(expected[1]))
    assert "fresh weights: max |Δ| = " in view.proof.text()
    assert "ms" in panel.timings.text() and panel.copy_script.isEnabled()

    # An image, preprocessed here, goes through the same worker as given values.
    image = QImage(56, 56, QImage.Format.Format_RGB32)
    image.fill(QColor("#808080"))
    assert image.save(str(tmp_path / "gray.png"))
    panel.editor.set_kind(IMAGE)
    panel.editor.set_image(str(tmp_path / "gray.png"))
    assert window_run(qtbot, live_window)
    fed = panel.result().inputs[0].values
    assert fed.shape == (1, 784) and np.allclose(fed, 128 / 255)
    expected = plain_tensorflow_outputs(str(demo_like_folder / "ckpt-2"), fed)
    np.testing.assert_allclose(table_values(view)[:, 0], expected[0], rtol=1e-5, atol=1e-6)
    qtbot.waitUntil(live_window.is_loading_finished, timeout=DIFF_MS)


def test_a_model_that_raises_shows_one_sentence_and_its_traceback(
    qtbot, live_window, demo_like_folder, tmp_path
):
    model_file = tmp_path / "broken_model.py"
    model_file.write_text(
        "def build_model():\n    layers = []\n    return layers[3]\n", encoding="utf-8"
    )
    _open(qtbot, live_window, demo_like_folder)
    panel = _run(qtbot, live_window, str(model_file))
    assert panel.result() is None
    message = panel.error()
    assert message and message.endswith(".") and "index out of range" in message
    text = panel.traceback_text()
    assert "broken_model.py" in text and "return layers[3]" in text
    assert "ckpt_inspector" not in text
    assert live_window.isVisible() and panel.run_button.isEnabled()
