"""The health-scan panel on its own: model checks, severity order, filtering, colours and the
finding a click selects."""

from __future__ import annotations

import pytest
from gui_fakes import checkpoint, finding, health_report
from PySide6.QtCore import Qt

from ckpt_inspector.core.statistics.records import FindingKind
from ckpt_inspector.gui.health_model import (
    HealthFilterProxy,
    HealthFindingsModel,
    severity_look,
)
from ckpt_inspector.gui.health_panel import HealthPanel

CKPT = checkpoint("/data/run", "ckpt-2", 2)
# Severities on the core's scale: 0 NaN/Inf, 2 all-zero kernels, 3 dead units, extreme scale.
FINDINGS = (
    finding("w/extreme", FindingKind.EXTREME_NORM, 3, name="dense/kernel"),
    finding("w/zero", FindingKind.ALL_ZERO, 2, 128, name="dense/embedding"),
    finding("w/nan", FindingKind.NAN_INF, 0, 3, name="out/kernel"),
    finding("w/dead", FindingKind.DEAD_ROWS, 3, 7, name="attention/query"),
    finding("w/nan2", FindingKind.NAN_INF, 0, 1, name="attention/key"),
)


@pytest.fixture
def panel(qtbot) -> HealthPanel:
    widget = HealthPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 300)
    widget.show()
    return widget


def test_models_pass_qtmodeltester(qtmodeltester):
    model = HealthFindingsModel()
    qtmodeltester.check(model)
    model.set_records(FINDINGS)
    qtmodeltester.check(model)
    proxy = HealthFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(0)
    qtmodeltester.check(proxy)
    proxy.set_text("attention")
    proxy.set_max_severity(0)
    qtmodeltester.check(proxy)


def test_findings_are_sorted_by_severity_then_variable(panel):
    panel.show_running(CKPT)
    panel.show_report(health_report(CKPT.prefix, FINDINGS, scanned=40))
    assert [f.key for f in panel.shown_findings()] == [
        "w/nan2",
        "w/nan",
        "w/zero",
        "w/dead",
        "w/extreme",
    ]
    model = panel.proxy
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "Critical",
        "Critical",
        "Broken",
        "Warning",
        "Warning",
    ]
    assert model.index(0, HealthFindingsModel.PROBLEM).data() == "NaN / Inf"
    assert model.index(0, HealthFindingsModel.VARIABLE).data() == "attention/key"
    assert model.index(2, HealthFindingsModel.COUNT).data() == "128"
    assert panel.summary.text() == "5 problems in 40 variables of ckpt-2, 2 critical."

    # Coloured by severity: every cell of a critical row has the critical background.
    _label, red, pink = severity_look(0)
    assert model.index(0, 4).data(Qt.ItemDataRole.BackgroundRole).color() == pink
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).color() == red
    assert model.index(4, 0).data(Qt.ItemDataRole.BackgroundRole).color() == severity_look(3)[2]
    assert severity_look(9) == severity_look(4)  # milder than the scale: the mildest look

    # Any header re-sorts; ties keep the severity order.
    panel.view.sortByColumn(HealthFindingsModel.COUNT, Qt.SortOrder.DescendingOrder)
    assert [f.key for f in panel.shown_findings()] == [
        "w/zero",
        "w/dead",
        "w/nan",
        "w/nan2",
        "w/extreme",
    ]


def test_filter_by_text_and_severity(panel):
    panel.show_running(CKPT)
    panel.show_report(health_report(CKPT.prefix, FINDINGS))
    panel.filter_edit.setText("ATTENTION")
    assert [f.key for f in panel.shown_findings()] == ["w/nan2", "w/dead"]
    panel.filter_edit.setText("")
    panel.severity.setCurrentIndex(1)  # NaN / Inf only
    assert [f.key for f in panel.shown_findings()] == ["w/nan2", "w/nan"]
    panel.severity.setCurrentIndex(2)  # unreadable, broken and worse
    assert [f.key for f in panel.shown_findings()] == ["w/nan2", "w/nan", "w/zero"]


def test_selecting_a_finding_emits_it(qtbot, panel):
    panel.show_running(CKPT)
    panel.show_report(health_report(CKPT.prefix, FINDINGS))
    with qtbot.waitSignal(panel.findingActivated) as activated:
        panel.select_row(2)
    assert activated.args[0].key == "w/zero"
    # Keyboard: moving down selects the next one.
    panel.view.setFocus()
    with qtbot.waitSignal(panel.findingActivated) as activated:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert activated.args[0].key == "w/dead"


def test_a_clean_report_says_so(panel):
    panel.show_running(CKPT)
    panel.show_report(health_report(CKPT.prefix, (), scanned=12, skipped=("save_counter",)))
    assert panel.summary.text() == (
        "No problems found in 12 variables of ckpt-2. (1 not scanned: strings, bookkeeping)"
    )
    assert not panel.view.isVisibleTo(panel)
    assert panel.skipped.text() == "Not scanned: save_counter"
    assert panel.summary.property("level") == "ok"


def test_running_progress_cancel_and_errors(qtbot, panel):
    panel.show_running(CKPT)
    assert panel.is_running()
    assert panel.summary.text() == "Scanning ckpt-2…"
    assert panel.progress.bar.maximum() == 0  # busy until the first report
    panel.show_progress(3, 12, "dense/kernel")
    assert (panel.progress.bar.value(), panel.progress.bar.maximum()) == (3, 12)
    assert panel.progress.bar.text() == "3 of 12"
    assert panel.progress.text.text() == "dense/kernel"
    assert not panel.scan_button.isEnabled()
    with qtbot.waitSignal(panel.cancelRequested):
        panel.progress.cancel_button.click()
    panel.show_cancelled()
    assert not panel.is_running() and panel.scan_button.isEnabled()
    assert panel.summary.text() == "The health scan was cancelled."
    panel.show_error("The data shard is missing.")
    assert panel.summary.property("level") == "error"
