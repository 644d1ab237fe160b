"""The diff dock with real workers: a checkpoint TensorFlow wrote, diffed against the demo's own
model file, a model file that raises, and one that hangs until cancelled.

The window process still never imports TensorFlow: the checkpoints are written by the test
(``checkpoint_factory``), the models are built in the diff worker.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_end_to_end import LOAD_MS

from ckpt_inspector.core.matching.records import MatchStatus
from ckpt_inspector.gui.diff.diff_histograms import CHECKPOINT_LABEL, MODEL_LABEL
from ckpt_inspector.resources_path import resource_file

pytestmark = pytest.mark.slow

DIFF_MS = 180_000  # a diff worker imports TensorFlow and Keras, then builds the model


def _open(qtbot, window, folder: Path) -> None:
    with qtbot.waitSignal(window.loadingFinished, timeout=LOAD_MS):
        window.open_path(str(folder))
    assert window.checkpoints.selected().name == "ckpt-2"


def _diff(qtbot, window, source: str):
    window.diff.action.trigger()
    panel = window.diff.panel
    panel.picker.source.setEditText(source)
    assert window.diff.run()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=DIFF_MS)
    return panel


def test_demo_checkpoint_against_its_own_model_is_all_matched(qtbot, live_window, demo_like_folder):
    _open(qtbot, live_window, demo_like_folder)
    model = f"{resource_file('demo', 'mlp_model.py')}:build_model"
    panel = _diff(qtbot, live_window, model)
    assert panel.error() == ""
    report = panel.report()
    assert report is not None and report.keras == "3"
    assert panel.summary.text() == (
        "4 of 4 model variables would be restored (100.0% of parameters)."
    )
    assert panel.summary.property("level") == "ok"
    assert report.attach == "model" and "attached at model" in panel.about.text()
    assert panel.status_button(MatchStatus.MATCHED).text() == "Matched (4)"
    assert panel.status_button(MatchStatus.MISSING).text() == "Missing (0)"
    shown = panel.shown_entries()
    assert [e.status for e in shown] == [MatchStatus.MATCHED] * 4
    assert sorted((e.model_shape, e.checkpoint_shape) for e in shown) == [
        ((10,), (10,)),
        ((128,), (128,)),
        ((128, 10), (128, 10)),
        ((784, 128), (784, 128)),
    ]
    assert panel.leftovers.text().startswith("Show optimizer && bookkeeping (")
    assert live_window.diff.client("3") is not None and live_window.diff.client("2") is None

    # The first row is selected: both sides' histograms come from the two workers.
    qtbot.waitUntil(live_window.is_loading_finished, timeout=DIFF_MS)
    entry = panel.proxy.record_at(panel.view.currentIndex())
    checkpoint, model_side = panel.histograms.checkpoint, panel.histograms.model
    assert checkpoint.text() == "" and model_side.text() == ""
    size = int(np.prod(entry.model_shape))
    assert checkpoint.stats().key == entry.checkpoint_key and checkpoint.stats().count == size
    assert model_side.stats().count == size
    assert checkpoint.plot.curve_data(CHECKPOINT_LABEL)[1].sum() == size
    assert model_side.plot.curve_data(MODEL_LABEL)[1].sum() == size


def test_a_model_file_that_raises_shows_one_sentence_and_its_traceback(
    qtbot, live_window, demo_like_folder, tmp_path
):
    model_file = tmp_path / "broken_model.py"
    model_file.write_text(
        "def build_model():\n    layers = []\n    return layers[3]\n", encoding="utf-8"
    )
    _open(qtbot, live_window, demo_like_folder)
    panel = _diff(qtbot, live_window, str(model_file))
    assert panel.report() is None
    message = panel.error()
    assert message and message.count(". ") == 0 and message.endswith(".")
    assert "IndexError" in message or "index out of range" in message
    assert panel.traceback.isVisible()
    text = panel.traceback_text()
    assert "broken_model.py" in text and "return layers[3]" in text
    assert "ckpt_inspector" not in text  # the user's frames, not ours
    assert live_window.isVisible() and panel.run_button.isEnabled()


def test_a_hanging_model_is_cancelled_and_the_worker_replaced(
    qtbot, live_window, demo_like_folder, tmp_path
):
    model_file = tmp_path / "slow_model.py"
    model_file.write_text(
        "import time\n\ndef build_model():\n    time.sleep(600)\n", encoding="utf-8"
    )
    _open(qtbot, live_window, demo_like_folder)
    live_window.diff.action.trigger()
    panel = live_window.diff.panel
    panel.picker.source.setEditText(str(model_file))
    client = None

    def building() -> bool:
        return client is not None and client.running_job() is not None

    assert live_window.diff.run()
    client = live_window.diff.client("3")
    qtbot.waitUntil(building, timeout=DIFF_MS)
    with qtbot.waitSignal(client.cancelled, timeout=DIFF_MS):
        panel.progress.cancel_button.click()
    assert panel.summary.text() == "The diff was cancelled."
    assert not panel.is_running() and live_window.isVisible()
    qtbot.waitUntil(client.is_ready, timeout=DIFF_MS)  # a fresh diff worker took its place
    assert live_window.jobs.job_of("diff") is None  # the browsing worker was never involved
