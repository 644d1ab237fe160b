"""The "Key mapping" tab in the window, against stand-in workers: the propose button on an
incomplete diff, the remap job it runs on the diff's worker (progress, cancel), the table it
fills, the report through the mapping, inference through it (the mapping reaches the infer job),
saving next to and exports away from the checkpoint, and a new diff dropping the mapping. The
real workers are in test_mapping_end_to_end.py."""

from __future__ import annotations

import json

import pytest
from gui_fakes import (
    FakeClient,
    fake_workers,
    mlp_variables,
    nothing_restored,
    write_model_file,
)
from PySide6.QtWidgets import QFileDialog, QMessageBox
from test_inference_panel import SPEC, result
from test_main_window import FOLDER, open_and_load

from ckpt_inspector.core.mapping.records import KeyMapping, MappingRow
from ckpt_inspector.core.mapping.remap import RemapResult
from ckpt_inspector.core.matching.records import DiffReport, MatchStatus
from ckpt_inspector.gui.diff.diff_controller import DiffController
from ckpt_inspector.gui.diff.mapping_controller import REMAP
from ckpt_inspector.gui.diff.mapping_draft import RowStatus
from ckpt_inspector.gui.inference.inference_controller import PREFLIGHT, InferenceController

MODEL = {
    "sequential/dense/kernel": (784, 128),
    "sequential/dense/bias": (128,),
    "sequential/dense_1/kernel": (128, 10),
    "sequential/dense_1/bias": (10,),
}
WEIGHTS = [v for v in mlp_variables() if v.key.startswith("model/")]


@pytest.fixture
def diff_clients(monkeypatch):
    return fake_workers(monkeypatch, DiffController)


@pytest.fixture
def infer_clients(monkeypatch):
    return fake_workers(monkeypatch, InferenceController)


@pytest.fixture
def model_file(tmp_path):
    return write_model_file(tmp_path / "models" / "mlp3.py")


def plain_report(architecture: str) -> DiffReport:
    """Keras 3 names against the fake Keras 2 keys: nothing restores."""
    model = {name: (shape, "float32") for name, shape in MODEL.items()}
    return nothing_restored(f"{FOLDER}/ckpt-2", architecture, model, mlp_variables())


def proposal() -> KeyMapping:
    return KeyMapping(
        rows=tuple(
            MappingRow(v.key, name, f"layer {i // 2 + 1} with weights, by order and shape")
            for i, (name, v) in enumerate(zip(MODEL, WEIGHTS, strict=True))
        )
    )


@pytest.fixture
def diffed(qtbot, diff_clients, window, fake_client, model_file):
    """The fake folder loaded and diffed (Keras 3) against the model file: 0 of 4 restore."""
    open_and_load(qtbot, window, fake_client)
    window.diff.action.trigger()
    panel = window.diff.panel
    panel.picker.source.setEditText(str(model_file))
    panel.picker.set_keras("3", chosen=True)
    panel.run_button.click()
    client = diff_clients["3"]
    client.finish(client.last("diff").job_id, plain_report(str(model_file)))
    return window


def propose(qtbot, window, client: FakeClient):
    """Click "Propose key mapping" and answer the remap job with the proposal."""
    diff_panel, mapping = window.diff.panel, window.diff.mapping.panel
    diff_panel.propose_button.click()
    job = client.last("remap")
    report = plain_report(diff_panel.report().architecture)
    client.finish(job.job_id, RemapResult(proposal(), report, report))
    qtbot.waitUntil(lambda: not mapping.is_running(), timeout=2000)
    return job


def test_an_incomplete_diff_offers_a_proposal_that_fills_the_table(
    qtbot, diffed, diff_clients, fake_client
):
    window, client = diffed, diff_clients["3"]
    diff_panel, mapping = window.diff.panel, window.diff.mapping.panel
    assert diff_panel.summary.text().startswith("0 of 4 model variables")
    assert diff_panel.propose_button.isVisible()
    assert [diff_panel.tabs.tabText(i) for i in range(2)] == ["Report", "Key mapping"]
    assert mapping.empty.isVisible() is False  # on the hidden tab until chosen

    diff_panel.propose_button.click()
    assert diff_panel.tabs.currentWidget() is mapping and mapping.is_running()
    assert mapping.empty.isVisible() and not mapping.save_button.isEnabled()
    job = client.last("remap")
    diff_job = client.last("diff")
    assert job.channel == REMAP and "mapping" not in job.kwargs
    for name in ("record", "spec", "attach"):
        assert job.kwargs[name] == diff_job.kwargs[name]
    assert window.diff.mapping.is_busy() and window.diff.is_busy()
    client.progress.emit(job.job_id, 1, 3, "Proposing a mapping")
    assert mapping.progress.text.text() == "Proposing a mapping"
    assert mapping.progress.bar.format() == "1 of 3"

    report = plain_report(diff_panel.report().architecture)
    with qtbot.waitSignal(window.diff.mapping.busyChanged):
        client.finish(job.job_id, RemapResult(proposal(), report, report))
    assert not window.diff.mapping.is_busy()
    assert not mapping.is_running() and mapping.body.isVisible()
    assert mapping.summary.text() == (
        "4 of 4 model variables would be restored (100.0% of parameters)."
    )
    assert mapping.counts.text() == "4 proposed"
    assert mapping.message_text() == ""
    assert mapping.proxy.rowCount() == 4
    assert all(mapping.row_status(name) is RowStatus.PROPOSED for name in MODEL)
    assert not fake_client.jobs("remap")  # the browsing worker is not asked

    # Pressing the diff panel's button again shows the mapping, it does not re-propose.
    diff_panel.tabs.setCurrentIndex(0)
    diff_panel.propose_button.click()
    assert diff_panel.tabs.currentWidget() is mapping and len(client.jobs("remap")) == 1

    # The report as applied through the mapping, in the report table.
    mapping.diff_button.click()
    assert diff_panel.tabs.currentIndex() == 0
    assert diff_panel.summary.text() == (
        "4 of 4 model variables would be restored (100.0% of parameters)."
    )
    assert diff_panel.notes.text() == "⚠ Key mapping applied: 4 rows."
    shown = diff_panel.shown_entries()
    assert [e.status for e in shown] == [MatchStatus.MATCHED] * 4
    assert {e.model: e.checkpoint_key for e in shown} == {
        r.model_variable: r.checkpoint_key for r in proposal().rows
    }
    assert not diff_panel.propose_button.isVisible()


def test_cancel_and_a_new_diff_drop_the_mapping(qtbot, diffed, diff_clients, model_file):
    window, client = diffed, diff_clients["3"]
    diff_panel, mapping = window.diff.panel, window.diff.mapping.panel
    diff_panel.propose_button.click()
    job = client.last("remap")
    mapping.progress.cancel_button.click()
    assert job.job_id in client.cancel_requests
    assert not mapping.is_running() and mapping.message_text() == "The proposal was cancelled."
    assert not window.diff.mapping.is_busy()

    propose(qtbot, window, client)
    assert mapping.draft() is not None
    # The same diff again keeps the mapping under review...
    diff_panel.run_button.click()
    client.finish(client.last("diff").job_id, plain_report(str(model_file)))
    assert mapping.draft() is not None
    # ... another architecture drops it.
    other = model_file.with_name("other.py")
    other.write_text("def build_model():\n    return None\n", encoding="utf-8")
    diff_panel.picker.source.setEditText(str(other))
    diff_panel.run_button.click()
    client.finish(client.last("diff").job_id, plain_report(str(other)))
    assert mapping.draft() is None and mapping.empty.isVisible()
    assert mapping.propose_button.isEnabled()


def test_inference_runs_through_the_mapping(qtbot, diffed, diff_clients, infer_clients):
    window = diffed
    propose(qtbot, window, diff_clients["3"])
    mapping = window.diff.mapping.panel
    spec = window.diff.panel.picker.fields().to_spec()
    # Not before the user chooses it for inference.
    assert window.diff.current_mapping(window.checkpoints.selected(), spec) is None
    mapping.infer_button.click()
    assert mapping.use_for_inference.isChecked()
    client = infer_clients["3"]
    panel = window.inference.panel
    preflight = client.last("remap")
    assert preflight.channel == PREFLIGHT
    assert preflight.kwargs["mapping"] == mapping.mapping() == proposal()
    assert "through the key mapping" in panel.progress.text.text()
    report = plain_report(window.diff.panel.report().architecture)
    through = mapping.draft().applied_report()
    client.finish(preflight.job_id, RemapResult(proposal(), through, report))
    assert not panel.is_asking()  # 4 of 4 through the mapping: no partial-restore question
    job = client.last("infer")
    assert job.kwargs["mapping"] == proposal() and job.kwargs["spec"].keras == "3"
    assert job.kwargs["allow_cast"] is False and preflight.kwargs["allow_cast"] is False
    client.finish(job.job_id, result())
    assert panel.result() is not None and panel.error() == ""

    # "Allow dtype casts" in the mapping tab reaches the next run's jobs.
    mapping.allow_cast.setChecked(True)
    panel.run_button.click()
    preflight = client.last("remap")
    assert preflight.kwargs["allow_cast"] is True
    client.finish(preflight.job_id, RemapResult(proposal(), through, report))
    assert client.last("infer").kwargs["allow_cast"] is True
    client.finish(client.last("infer").job_id, result())

    # Unticked, the inference dock restores by name again.
    mapping.use_for_inference.setChecked(False)
    panel.run_button.click()
    assert "mapping" not in client.last("diff").kwargs
    if client.jobs("input_specs"):
        client.finish(client.last("input_specs").job_id, (SPEC,))


def test_save_refuses_the_checkpoint_folder_and_export_asks_before_replacing(
    qtbot, monkeypatch, diffed, diff_clients, tmp_path
):
    window, client = diffed, diff_clients["3"]
    propose(qtbot, window, client)
    mapping = window.diff.mapping.panel

    saved = tmp_path / "mapping.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    mapping.save_button.click()
    assert json.loads(saved.read_text(encoding="utf-8")) == proposal().to_json()
    assert mapping.message_text() == f"Saved {saved}"
    assert not mapping.save_to(f"{FOLDER}/mapping.json")
    assert "does not write into the checkpoint folder /data/run" in mapping.message_text()

    # Loading it back: every row accepted, the same summary.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(saved), ""))
    mapping.load_button.click()
    assert mapping.counts.text() == "4 accepted" and mapping.message_text() == f"Loaded {saved}"
    assert mapping.summary.text().startswith("4 of 4")

    # Exports: refused in the checkpoint's folder, confirmed before replacing a file.
    assert not mapping.export_to("checkpoint", f"{FOLDER}/mapped")
    assert "choose another folder for the exported checkpoint" in mapping.message_text()
    target = tmp_path / "out" / "mapped.weights.h5"
    target.parent.mkdir()
    target.write_bytes(b"")
    asked = []

    def answer(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    mapping.export_weights.trigger()
    assert asked and str(target) in asked[0] and not client.jobs("remap")[1:]
    assert mapping.message_text() == "Nothing was exported: the files exist."

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    mapping.export_weights.trigger()
    job = client.last("remap")
    assert job.kwargs["export_weights"] == str(target) and job.kwargs["overwrite"] is True
    assert job.kwargs["mapping"] == mapping.mapping() and job.kwargs["allow_cast"] is False
    assert mapping.is_running()
    report = plain_report(window.diff.panel.report().architecture)
    through = mapping.draft().applied_report()
    client.finish(job.job_id, RemapResult(proposal(), through, report, (str(target),)))
    assert mapping.message_text() == f"Wrote {target}."

    prefix = tmp_path / "new" / "mapped"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(prefix), ""))
    mapping.export_checkpoint.trigger()
    job = client.last("remap")
    assert job.kwargs["export_checkpoint"] == str(prefix) and job.kwargs["overwrite"] is False
    client.fail(job.job_id, "The export failed.")
    assert mapping.message_text() == "The export failed."
    assert mapping.message.objectName() == "errorText"
