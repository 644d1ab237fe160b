"""The "Key mapping" tab with real workers: a Keras 2 (tf_keras) MLP checkpoint, saved with its
Adam state, diffed under Keras 3 against the same MLP (nothing restores), the proposal mapping
all four weights, inference through the mapping read back from the output table and checked
against the Keras 2 model's own output, and a .weights.h5 export.

The window never imports TensorFlow: the checkpoint is written and the reference computed by the
test process, the models are built in the workers.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_diff_end_to_end import DIFF_MS
from test_end_to_end import LOAD_MS
from test_inference_end_to_end import table_values

import checkpoint_factory
from ckpt_inspector.gui.diff.mapping_draft import RowStatus

pytestmark = pytest.mark.slow

MLP3 = """import keras


def build_model():
    return keras.Sequential([
        keras.Input(shape=(16,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
"""


def keras2_outputs(prefix: str, x: np.ndarray) -> np.ndarray:
    """The Keras 2 model's own output: build it with tf_keras, restore, call."""
    import tensorflow as tf
    import tf_keras

    model = tf_keras.Sequential(
        [
            tf_keras.layers.Dense(8, activation="relu", input_shape=(16,)),
            tf_keras.layers.Dense(10, activation="softmax"),
        ]
    )
    tf.train.Checkpoint(model=model).restore(prefix).expect_partial()
    return np.asarray(model(x, training=False))


@pytest.fixture(scope="module")
def keras2_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras2_run")
    prefix = checkpoint_factory.write_tf2_training(
        folder, saves=1, hidden=8, inputs=16, keras2=True
    )
    return folder, prefix


def test_keras2_checkpoint_restores_through_the_proposed_mapping(
    qtbot, live_window, keras2_folder, tmp_path
):
    folder, prefix = keras2_folder
    model_file = tmp_path / "mlp3.py"
    model_file.write_text(MLP3, encoding="utf-8")
    window = live_window
    with qtbot.waitSignal(window.loadingFinished, timeout=LOAD_MS):
        window.open_path(str(folder))

    # The plain diff under Keras 3 restores nothing.
    window.diff.action.trigger()
    diff_panel = window.diff.panel
    diff_panel.picker.source.setEditText(str(model_file))
    diff_panel.picker.set_keras("3", chosen=True)
    assert window.diff.run()
    qtbot.waitUntil(lambda: not diff_panel.is_running(), timeout=DIFF_MS)
    assert diff_panel.report() is not None, diff_panel.traceback_text()
    assert diff_panel.report().restored == 0 and diff_panel.report().model_variables == 4
    assert diff_panel.propose_button.isVisible()

    # The proposal maps every weight, never the optimizer's slots.
    mapping = window.diff.mapping.panel
    diff_panel.propose_button.click()
    qtbot.waitUntil(lambda: mapping.draft() is not None, timeout=DIFF_MS)
    assert not mapping.is_running() and mapping.message.objectName() == "mutedText"
    draft = mapping.draft()
    assert draft.counts() == {RowStatus.PROPOSED: 4}
    assert mapping.summary.text() == (
        "4 of 4 model variables would be restored (100.0% of parameters)."
    )
    rows = draft.mapping().rows
    assert len(rows) == 4
    assert all("layer_with_weights-" in r.checkpoint_key for r in rows)
    assert not any("OPTIMIZER_SLOT" in r.checkpoint_key for r in rows)
    assert all("by order and shape" in r.reason for r in rows)

    # Inference through the mapping gives the Keras 2 model's own output.
    window.inference.open()
    infer = window.inference.panel
    infer.editor.seed.setValue(1)
    infer.editor.batch.setValue(2)
    qtbot.waitUntil(lambda: bool(infer.editor.specs()), timeout=DIFF_MS)
    mapping.infer_button.click()
    qtbot.waitUntil(lambda: not infer.is_running() and not infer.is_asking(), timeout=DIFF_MS)
    assert infer.error() == "", infer.traceback_text()
    result = infer.result()
    assert result is not None and (result.restored, result.of) == (4, 4)
    x = result.inputs[0].values
    assert x.shape == (2, 16)
    view = infer.outputs
    first = table_values(view)
    view.example.setValue(1)
    shown = np.stack([first[:, 0], table_values(view)[:, 0]])
    np.testing.assert_allclose(shown, keras2_outputs(prefix, x), rtol=1e-5, atol=1e-6)

    # The mapped weights exported as a Keras 3 file, in a new folder.
    target = tmp_path / "export" / "mlp3.weights.h5"
    assert mapping.export_to("weights", str(target))
    qtbot.waitUntil(lambda: not mapping.is_running(), timeout=DIFF_MS)
    assert mapping.message_text() == f"Wrote {target}."
    assert target.is_file()
    qtbot.waitUntil(window.is_loading_finished, timeout=DIFF_MS)
