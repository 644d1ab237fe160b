"""The inference dock in the window, against stand-in workers: what it asks which worker, the
partial-restore question, which answers it keeps, and what the panel shows. The real workers are
in test_inference_end_to_end.py."""

from __future__ import annotations

import numpy as np
import pytest
from gui_fakes import FakeClient, fake_workers, write_model_file
from PySide6.QtGui import QGuiApplication, QKeySequence
from test_main_window import FOLDER, open_and_load

from ckpt_inspector.core.inference.records import (
    InferenceResult,
    InputSpec,
    OutputRecord,
    PreparedInput,
    Timings,
)
from ckpt_inspector.core.matching.records import DiffEntry, DiffReport, MatchMethod, MatchStatus
from ckpt_inspector.core.records import CheckpointFormat, CheckpointRecord
from ckpt_inspector.core.statistics.tensor_stats import compute_tensor_stats
from ckpt_inspector.gui.inference.inference_controller import (
    INPUTS,
    PREFLIGHT,
    RUN,
    InferenceController,
)
from ckpt_inspector.gui.inference.model_chooser import ARCHITECTURE, GRAPH, SIGNATURE

SPEC = InputSpec("features", (None, 4), "float32")


@pytest.fixture
def infer_clients(monkeypatch) -> dict[str, FakeClient]:
    """The inference workers the controller starts, by Keras flavour."""
    return fake_workers(monkeypatch, InferenceController)


@pytest.fixture
def model_file(tmp_path):
    return write_model_file(tmp_path / "models" / "mlp.py")


@pytest.fixture
def loaded(qtbot, infer_clients, window, fake_client, model_file):
    open_and_load(qtbot, window, fake_client)
    window.diff.open(focus=False)
    window.diff.panel.picker.source.setEditText(str(model_file))
    window.diff.panel.picker.set_keras("3", chosen=True)  # the fake keys suggest Keras 2
    return window


def report(restored: int, of: int) -> DiffReport:
    entries = [
        DiffEntry(MatchStatus.MATCHED if i < restored else MatchStatus.MISSING, f"dense/v{i}")
        for i in range(of)
    ]
    return DiffReport(f"{FOLDER}/ckpt-2", "mlp", "3", MatchMethod.OBJECT_GRAPH, tuple(entries))


def result(restored=4, of=4, *, values=None, checkpoint=f"{FOLDER}/ckpt-2") -> InferenceResult:
    values = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], np.float32) if values is None else values
    return InferenceResult(
        checkpoint=checkpoint,
        architecture="build_model() in mlp.py (Keras 3)",
        restored=restored,
        of=of,
        inputs=(PreparedInput("features", np.zeros((2, 4), np.float32), "random normal seed 1"),),
        outputs=(
            OutputRecord(
                "logits",
                values,
                compute_tensor_stats(values, "logits"),
                fresh_max_abs_diff=0.75,
                other_max_abs_diff=0.125,
            ),
        ),
        timings=Timings(restore_ms=3.5, first_call_ms=40.25, median_call_ms=1.5, calls=5),
        script="import numpy as np\nprint('hello')\n",
    )


def answer_inputs(qtbot, client: FakeClient, specs=(SPEC,)) -> None:
    qtbot.waitUntil(lambda: bool(client.jobs("input_specs")), timeout=3000)
    job = client.last("input_specs")
    assert job.channel == INPUTS
    client.finish(job.job_id, tuple(specs))


def ready_to_run(qtbot, window, infer_clients):
    """Open the dock and answer its request for the model's inputs: the panel and the Keras 3
    worker."""
    window.inference.open()
    qtbot.waitUntil(lambda: "3" in infer_clients, timeout=3000)
    client = infer_clients["3"]
    answer_inputs(qtbot, client)
    return window.inference.panel, client


def run_past_preflight(panel, client: FakeClient, restored: int = 4, of: int = 4) -> None:
    """Press Run and answer the diff that checks what would be restored."""
    panel.run_button.click()
    client.finish(client.last("diff").job_id, report(restored, of))


def test_action_opens_the_dock_tabbed_with_the_diff_and_reads_the_inputs(
    qtbot, loaded, infer_clients, model_file
):
    window = loaded
    assert window.inference.action.shortcut() == QKeySequence("Ctrl+I")
    assert window.inference.action in window.menuBar().actions()[-2].menu().actions()
    window.inference.action.trigger()
    assert window.inference.dock.isVisible()
    assert window.inference.dock in window.tabifiedDockWidgets(window.diff.dock)
    panel = window.inference.panel
    assert panel.chooser.current_mode() == ARCHITECTURE
    assert "build_model" not in panel.chooser.model_text.text()  # no function given
    assert panel.chooser.model_text.text() == "mlp.py (Keras 3)"
    qtbot.waitUntil(lambda: "3" in infer_clients, timeout=3000)
    answer_inputs(qtbot, infer_clients["3"])
    job = infer_clients["3"].last("input_specs")
    assert job.kwargs["spec"].source == str(model_file)
    assert panel.editor.specs() == (SPEC,)
    assert "features" in panel.editor.inputs.text() and "(1, 4)" in panel.editor.inputs.text()
    panel.editor.batch.setValue(3)
    assert "(3, 4)" in panel.editor.inputs.text()
    assert [panel.other.itemText(i) for i in range(panel.other.count())] == [
        "none",
        "ckpt-1",
        "ckpt-3",
        "best.weights.h5",
    ]


def test_a_full_restore_runs_and_shows_outputs_timings_and_proof(
    qtbot, loaded, infer_clients, tmp_path
):
    window = loaded
    panel, client = ready_to_run(qtbot, window, infer_clients)
    panel.editor.seed.setValue(1)
    panel.editor.batch.setValue(2)
    panel.other.setCurrentIndex(1)  # A/B with ckpt-1
    panel.run_button.click()
    assert panel.is_running() and window.inference.is_busy()
    preflight = client.last("diff")
    assert preflight.channel == PREFLIGHT
    assert preflight.kwargs["record"].name == "ckpt-2"
    client.finish(preflight.job_id, report(4, 4))
    job = client.last("infer")
    assert job.channel == RUN
    source = job.kwargs["source"]
    assert (source.kind, source.distribution, source.seed, source.batch) == (
        "random",
        "normal",
        1,
        2,
    )
    assert job.kwargs["other"].name == "ckpt-1" and job.kwargs["attach"] is None
    client.progress.emit(job.job_id, 2, 5, "5 more calls for the timing")
    assert panel.progress.bar.value() == 2 and "timing" in panel.progress.text.text()
    client.finish(job.job_id, result())
    assert not panel.is_running()
    qtbot.waitUntil(lambda: not window.inference.is_busy(), timeout=3000)
    assert panel.summary.text() == "Restored all 4 variables."
    assert panel.summary.property("level") == "ok"
    assert panel.timings.text() == (
        "Restore 3.5 ms · first call 40.2 ms · median of 5 calls 1.50 ms"
    )
    view = panel.outputs
    assert "fresh weights: max |Δ| = 0.75" in view.proof.text()
    assert "vs ckpt-1: max |Δ| = 0.125" in view.proof.text()
    assert view.values_model.grid()[:, 0].tolist() == [2.0, -1.0, 0.5]
    view.example.setValue(1)
    assert view.values_model.grid()[:, 0].tolist() == pytest.approx([0.1, 0.2, 3.0])
    panel.copy_script.click()
    assert QGuiApplication.clipboard().text() == result().script
    assert not panel.save_outputs(f"{FOLDER}/outputs.npy")  # the checkpoint's own folder
    assert "does not write into the checkpoint folder" in panel.message.text()
    assert panel.save_outputs(str(tmp_path / "logits.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "logits.npy"), result().outputs[0].values)
    assert panel.message.text() == f"Saved {tmp_path / 'logits.npy'}"


def test_a_partial_restore_asks_before_running(qtbot, loaded, infer_clients):
    panel, client = ready_to_run(qtbot, loaded, infer_clients)
    run_past_preflight(panel, client, 1, 4)
    assert panel.is_asking() and not panel.is_running()
    assert panel.partial_text.text().startswith("Partial restore: 1 of 4 variables")
    assert not client.jobs("infer")
    panel.stop.click()
    assert not panel.is_asking() and not client.jobs("infer")
    assert panel.summary.text().startswith("Stopped before running")

    run_past_preflight(panel, client, 1, 4)
    panel.run_anyway.click()
    job = client.last("infer")
    client.finish(job.job_id, result(1, 4))
    assert panel.summary.text().startswith("Partial restore: 1 of 4 variables were restored")
    assert panel.summary.property("level") == "warning"


def test_failures_show_one_sentence_and_the_users_traceback(qtbot, loaded, infer_clients):
    panel, client = ready_to_run(qtbot, loaded, infer_clients)
    run_past_preflight(panel, client)
    trace = 'File "mlp.py", line 3, in call\n    return layers[3]\nIndexError: out of range'
    client.fail(client.last("infer").job_id, "The model raised IndexError: out of range.", trace)
    assert panel.error() == "The model raised IndexError: out of range."
    assert panel.traceback_text() == trace and panel.outputs.isHidden()
    assert panel.input_error.isHidden()

    run_past_preflight(panel, client)
    bad = "Input 'features' must have shape (batch, 4) float32, but the values give (2, 3)."
    client.fail(client.last("infer").job_id, bad)
    assert panel.error() == bad and panel.input_error.text() == bad
    assert panel.traceback_text() == ""


def test_selecting_another_checkpoint_drops_the_run(qtbot, loaded, infer_clients):
    window = loaded
    panel, client = ready_to_run(qtbot, window, infer_clients)
    run_past_preflight(panel, client)
    job = client.last("infer")
    window.checkpoints.select(f"{FOLDER}/ckpt-1")
    assert job.job_id in client.cancel_requests
    assert panel.summary.text() == "The run of ckpt-2 was dropped: the selection changed."
    client.finished.emit(job.job_id, result())  # a late answer is ignored
    assert panel.result() is None and not panel.is_running()
    assert [panel.other.itemText(i) for i in range(panel.other.count())][:3] == [
        "none",
        "ckpt-2",
        "ckpt-3",
    ]


def test_cancel_asks_the_worker(qtbot, loaded, infer_clients):
    panel, client = ready_to_run(qtbot, loaded, infer_clients)
    panel.run_button.click()
    job = client.last("diff")
    panel.progress.cancel_button.click()
    assert job.job_id in client.cancel_requests
    assert panel.summary.text() == "The run was cancelled." and not panel.is_running()


def test_saved_model_and_meta_graph_checkpoints_need_no_architecture(qtbot, loaded, infer_clients):
    window = loaded
    saved = CheckpointRecord(f"{FOLDER}/sm/variables/variables", CheckpointFormat.SAVED_MODEL)
    window.inference.open()
    window.inference.set_checkpoint(saved)
    panel = window.inference.panel
    assert panel.chooser.current_mode() == SIGNATURE and panel.chooser.mode.isVisible()
    qtbot.waitUntil(lambda: "3" in infer_clients, timeout=3000)
    client = infer_clients["3"]
    qtbot.waitUntil(lambda: bool(client.jobs("saved_model_signatures")), timeout=3000)
    job = client.last("saved_model_signatures")
    assert job.kwargs["path"].replace("\\", "/").endswith("/sm")

    class Signature:
        def __init__(self, name, inputs, outputs):
            self.name, self.inputs, self.outputs = name, inputs, outputs

    client.finish(
        job.job_id,
        (
            Signature("other", (InputSpec("x", (None, 2)),), ("y",)),
            Signature("serving_default", (SPEC,), ("scores",)),
        ),
    )
    assert panel.chooser.signature_name() == "serving_default"
    assert panel.editor.specs() == (SPEC,)
    assert panel.chooser.signature_outputs.text() == "Outputs: scores"
    panel.chooser.signature.setCurrentIndex(0)
    assert panel.editor.specs() == (InputSpec("x", (None, 2)),)
    panel.run_button.click()
    run = client.last("infer_saved_model")
    assert run.kwargs["signature"] == "other" and not client.jobs("diff")

    graph = CheckpointRecord(f"{FOLDER}/tf1/model.ckpt", CheckpointFormat.TF1, has_meta_graph=True)
    window.inference.set_checkpoint(graph)
    assert panel.chooser.current_mode() == GRAPH
    qtbot.waitUntil(lambda: bool(client.jobs("graph_endpoints")), timeout=3000)

    class Endpoints:
        placeholders = (InputSpec("x:0", (None, 3)),)
        likely_outputs = ("logits:0",)
        candidates = ("logits:0", "hidden/Relu:0")

    client.finish(client.last("graph_endpoints").job_id, Endpoints())
    assert panel.editor.specs() == (InputSpec("x:0", (None, 3)),)
    assert panel.chooser.chosen_outputs() == ("logits:0",)
    panel.run_button.click()
    run = client.last("infer_graph")
    assert run.kwargs["outputs"] == ("logits:0",) and run.kwargs["record"] == graph


def test_infer_option_reaches_the_window(monkeypatch):
    from ckpt_inspector.cli import main as cli_main
    from ckpt_inspector.gui import app

    calls: list[dict] = []
    monkeypatch.setattr(app, "run", lambda *args, **kwargs: calls.append(kwargs) or 0)
    monkeypatch.setattr(cli_main, "display_problem", lambda *args, **kwargs: "")
    assert cli_main.main(["run", "--model", "m.py", "--infer"]) == 0
    assert calls[0]["infer"] is True and calls[0]["model"].source == "m.py"
    assert cli_main.main(["run"]) == 0
    assert calls[1]["infer"] is False


def test_run_when_loaded_waits_for_the_variables_and_the_screenshot_waits_for_the_run(
    qtbot, infer_clients, window, fake_client, model_file, tmp_path
):
    from gui_fakes import contents, listing, mlp_variables, preview_of, stats_of

    from ckpt_inspector.gui.screenshot import ScreenshotWhenLoaded

    out = tmp_path / "shot.png"
    shooter = ScreenshotWhenLoaded(window, str(out), timeout_s=60)
    window.open_path(FOLDER)
    window.diff.open(focus=False)
    window.diff.panel.picker.set_fields(str(model_file), keras="3")
    window.inference.run_when_loaded(prefer_architecture=True)
    assert window.inference.dock.isVisible()
    assert window.inference.dock in window.tabifiedDockWidgets(window.diff.dock)
    fake_client.finish(fake_client.last("discover").job_id, listing(FOLDER))
    job = fake_client.last("list_variables")
    assert "3" not in infer_clients or not infer_clients["3"].jobs("diff")
    fake_client.finish(job.job_id, contents(job.kwargs["record"]))
    client = infer_clients["3"]
    preflight = client.last("diff")  # started as the variables arrived
    assert preflight.channel == PREFLIGHT and preflight.kwargs["record"].name == "ckpt-2"
    client.finish(preflight.job_id, report(4, 4))
    qtbot.waitUntil(lambda: bool(fake_client.jobs("preview")), timeout=3000)
    qtbot.waitUntil(lambda: bool(fake_client.jobs("tensor_stats")), timeout=3000)
    preview = fake_client.last("preview")
    variable = next(v for v in mlp_variables() if v.key == preview.kwargs["key"])
    fake_client.finish(preview.job_id, preview_of(variable))
    fake_client.finish(fake_client.last("tensor_stats").job_id, stats_of(variable))
    qtbot.waitUntil(lambda: bool(client.jobs("input_specs")), timeout=3000)
    client.finish(client.last("input_specs").job_id, (SPEC,))
    qtbot.wait(600)  # settle: the run is still awaited, so no screenshot yet
    assert shooter.exit_code is None and not out.exists()
    with qtbot.waitSignal(shooter.done, timeout=10_000):
        client.finish(client.last("infer").job_id, result())
    assert shooter.exit_code == 0 and out.exists()
    assert window.inference.panel.result() is not None
