"""The key mapping under review, on a hand-built diff and proposal: the draft's counts and live
summary as rows are accepted, rejected and edited, refusals (shape, dtype, optimizer state),
rules filling rows, the table model (qtmodeltester, check boxes, the key combo's candidates),
and the JSON saved and loaded again."""

from __future__ import annotations

import json

import pytest
from gui_fakes import OPT, B, nothing_restored, variable
from PySide6.QtCore import Qt

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.mapping.records import AmbiguousRow, KeyMapping, MappingRow
from ckpt_inspector.core.mapping.remap import RemapResult
from ckpt_inspector.core.mapping.rules import MappingRule
from ckpt_inspector.core.matching.records import DiffReport
from ckpt_inspector.gui.diff.mapping_delegate import NONE_TEXT, fill_key_combo
from ckpt_inspector.gui.diff.mapping_draft import MappingDraft, RowStatus
from ckpt_inspector.gui.diff.mapping_files import check_export, load_mapping, write_mapping
from ckpt_inspector.gui.diff.mapping_model import (
    CANDIDATES_ROLE,
    MappingFilterProxy,
    MappingTableModel,
    short_key,
)
from ckpt_inspector.gui.diff.mapping_panel import MappingPanel

KEY = "{}/.ATTRIBUTES/VARIABLE_VALUE".format
PREFIX = "/data/run/ckpt-2"
K0, B0 = KEY("model/layer_with_weights-0/kernel"), KEY("model/layer_with_weights-0/bias")
K1, B1 = KEY("model/layer_with_weights-1/kernel"), KEY("model/layer_with_weights-1/bias")
HEAD2, HEAD3 = KEY("model/layer_with_weights-2/kernel"), KEY("model/layer_with_weights-3/kernel")
OLD, RENAMED = KEY("model/old/kernel"), KEY("model/renamed/bias")
SLOT = KEY("model/layer_with_weights-1/kernel/.OPTIMIZER_SLOT/optimizer/m")

# model variable -> (shape, dtype)
MODEL = {
    "seq/dense/kernel": ((16, 8), "float32"),
    "seq/dense/bias": ((8,), "float32"),
    "seq/dense_1/kernel": ((8, 4), "float32"),
    "seq/dense_1/bias": ((4,), "float32"),
    "seq/head_a/kernel": ((4, 4), "float32"),
    "seq/head_b/kernel": ((4, 4), "float32"),
    "seq/extra/bias": ((3,), "float32"),
}
TOTAL = 128 + 8 + 32 + 4 + 16 + 16 + 3


def checkpoint_variables():
    return (
        variable(KEY("save_counter"), (), role=B, dtype="int64"),
        variable(K0, (16, 8)),
        variable(B0, (8,)),
        variable(K1, (8, 4)),
        variable(B1, (4,)),
        variable(HEAD2, (4, 4)),
        variable(HEAD3, (4, 4)),
        variable(OLD, (8, 4), dtype="float16"),
        variable(RENAMED, (3,)),
        variable(SLOT, (8, 4), role=OPT, slot_of=K1, slot_name="m"),
    )


def original_report() -> DiffReport:
    """A Keras 3 model against Keras 2 keys: nothing restores."""
    return nothing_restored(PREFIX, "/models/mlp3.py", MODEL, checkpoint_variables())


def proposal() -> KeyMapping:
    reason = "layer {} with weights, by order and shape".format
    return KeyMapping(
        rows=(
            MappingRow(K0, "seq/dense/kernel", reason(1)),
            MappingRow(B0, "seq/dense/bias", reason(1)),
            MappingRow(K1, "seq/dense_1/kernel", reason(2)),
            MappingRow(B1, "seq/dense_1/bias", reason(2)),
        ),
        unmapped_model_variables=("seq/extra/bias",),
        unmapped_checkpoint_keys=(HEAD2, HEAD3, OLD, RENAMED),
        ambiguous=(
            AmbiguousRow("seq/head_a/kernel", (HEAD2, HEAD3), "layers 3, 4 have the same shapes"),
            AmbiguousRow("seq/head_b/kernel", (HEAD3, HEAD2), "layers 3, 4 have the same shapes"),
        ),
    )


def remap_result() -> RemapResult:
    report = original_report()
    return RemapResult(proposal(), report, report)


def draft() -> MappingDraft:
    result = remap_result()
    return MappingDraft(result.original, checkpoint_variables(), result.mapping)


def summary(restored: int, params: int) -> str:
    return (
        f"{restored} of 7 model variables would be restored ({params / TOTAL:.1%} of parameters)."
    )


@pytest.fixture
def model(qtbot) -> MappingTableModel:
    model = MappingTableModel()
    model.set_draft(draft())
    return model


def row(model: MappingTableModel, name: str) -> int:
    return model.row_of(name)


def test_the_proposal_counts_each_status_and_what_it_restores():
    d = draft()
    counts = d.counts()
    assert counts[RowStatus.PROPOSED] == 4
    assert counts[RowStatus.AMBIGUOUS] == 2
    assert counts[RowStatus.UNMAPPED] == 1
    assert d.summary() == summary(4, 128 + 8 + 32 + 4)
    mapping = d.mapping()
    assert [r.model_variable for r in mapping.rows] == list(MODEL)[:4]
    assert {a.model_variable for a in mapping.ambiguous} == {
        "seq/head_a/kernel",
        "seq/head_b/kernel",
    }
    # Optimizer state and bookkeeping are never candidates, not even of another shape.
    same, other = d.candidates(list(MODEL).index("seq/dense_1/kernel"))
    assert same == [K1, OLD] and SLOT not in other and KEY("save_counter") not in other
    # An ambiguous row lists its own candidates first, in the proposal's order.
    same, _other = d.candidates(list(MODEL).index("seq/head_b/kernel"))
    assert same == [HEAD3, HEAD2]


def test_model_passes_qtmodeltester(qtmodeltester, model):
    qtmodeltester.check(model)
    proxy = MappingFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)


def test_accept_reject_and_edit_update_the_summary(qtbot, model):
    d = model.draft()
    bias = row(model, "seq/dense/bias")
    status = model.index(bias, MappingTableModel.STATUS)
    assert status.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert status.data() == "Proposed"

    with qtbot.waitSignal(model.changed):
        assert model.setData(status, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert d.row(bias).status is RowStatus.REJECTED and status.data() == "Rejected"
    assert d.summary() == summary(3, 128 + 32 + 4)
    assert "seq/dense/bias" in d.mapping().unmapped_model_variables

    assert model.setData(status, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert d.row(bias).status is RowStatus.ACCEPTED
    assert d.summary() == summary(4, 128 + 8 + 32 + 4)

    # Choosing one of an ambiguous row's candidates maps it.
    head = row(model, "seq/head_a/kernel")
    key = model.index(head, MappingTableModel.KEY)
    assert key.data() == f"Choose: {short_key(HEAD2)} or {short_key(HEAD3)}"
    assert model.index(head, MappingTableModel.STATUS).data(Qt.ItemDataRole.CheckStateRole) is None
    assert model.setData(key, HEAD3)
    assert d.row(head).status is RowStatus.EDITED and key.data() == short_key(HEAD3)
    assert d.row(head).reason == "chosen by the user among 2 candidates"
    assert model.index(head, MappingTableModel.KEY_SHAPE).data() == "4 × 4"
    assert d.summary() == summary(5, 128 + 8 + 32 + 4 + 16)
    assert d.counts()[RowStatus.AMBIGUOUS] == 1

    # "(none)" leaves the row out again.
    assert model.setData(key, "")
    assert d.row(head).status is RowStatus.REJECTED
    assert d.summary() == summary(4, 128 + 8 + 32 + 4)


def test_a_tensor_of_another_shape_or_optimizer_state_is_refused(qtbot, model):
    d = model.draft()
    kernel = row(model, "seq/dense_1/kernel")
    key = model.index(kernel, MappingTableModel.KEY)
    with qtbot.waitSignal(model.refused) as refused:
        assert not model.setData(key, K0)
    assert refused.args == [
        f"{K0} has shape 16 × 8 but seq/dense_1/kernel has 8 × 4: only a tensor of the "
        "same shape can restore it."
    ]
    assert d.row(kernel).checkpoint_key == K1 and d.row(kernel).status is RowStatus.PROPOSED

    with qtbot.waitSignal(model.refused) as refused:
        assert not model.setData(key, SLOT)
    assert "never mapped onto a model weight" in refused.args[0]

    # Another dtype only with "Allow dtype casts".
    with qtbot.waitSignal(model.refused) as refused:
        assert not model.setData(key, OLD)
    assert "Allow dtype casts" in refused.args[0]
    assert model.set_allow_cast(True)
    assert model.setData(key, OLD)
    assert d.row(kernel).status is RowStatus.EDITED
    assert model.index(kernel, MappingTableModel.KEY_DTYPE).data() == "float16"
    assert d.summary() == summary(4, 128 + 8 + 32 + 4)
    # Casts turned off again: the row stays, but no longer restores, and says so.
    assert model.set_allow_cast(False)
    assert d.summary() == summary(3, 128 + 8 + 4)
    assert model.index(kernel, MappingTableModel.STATUS).data() == "Edited: not restored"


def test_rules_fill_the_rows_nobody_decided(qtbot, model):
    d = model.draft()
    extra = row(model, "seq/extra/bias")
    assert model.set_rules([MappingRule("prefix", "model/renamed/", "seq/extra/")])
    assert d.row(extra).status is RowStatus.PROPOSED and d.row(extra).checkpoint_key == RENAMED
    assert model.index(extra, MappingTableModel.STATUS).data() == "Proposed (rule)"
    assert d.row(extra).reason == "rule prefix 'model/renamed/'"
    assert d.summary() == summary(5, 128 + 8 + 32 + 4 + 3)

    # A regex rule settles an ambiguous row; a rule never overrides a decided row.
    head_b = row(model, "seq/head_b/kernel")
    rules = [
        MappingRule("prefix", "model/renamed/", "seq/extra/"),
        MappingRule("regex", r"model/layer_with_weights-3/(\w+)", r"seq/head_b/\1"),
        MappingRule("regex", r"model/layer_with_weights-0/(\w+)", r"seq/head_a/\1"),
    ]
    assert model.set_rules(rules)
    assert d.row(head_b).checkpoint_key == HEAD3 and d.row(head_b).by_rule
    assert d.row(row(model, "seq/dense/kernel")).checkpoint_key == K0
    assert d.counts()[RowStatus.AMBIGUOUS] == 1
    assert d.summary() == summary(6, 128 + 8 + 32 + 4 + 3 + 16)

    # Accepting a rule's row keeps it when the rules go.
    assert model.accept(head_b)
    assert model.set_rules([])
    assert d.row(head_b).status is RowStatus.ACCEPTED
    assert d.row(extra).status is RowStatus.UNMAPPED
    assert d.summary() == summary(5, 128 + 8 + 32 + 4 + 16)

    with qtbot.waitSignal(model.refused) as refused:
        assert not model.set_rules([MappingRule("regex", "(", "x")])
    assert "not a valid regular expression" in refused.args[0]


def test_the_key_combo_lists_same_shaped_weights_then_the_others(qtbot, model):
    from PySide6.QtWidgets import QComboBox

    head = row(model, "seq/head_a/kernel")
    same, other = model.index(head, MappingTableModel.KEY).data(CANDIDATES_ROLE)
    combo = QComboBox()
    qtbot.addWidget(combo)
    fill_key_combo(combo, same, other, "")
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts[:3] == [NONE_TEXT, short_key(HEAD2), short_key(HEAD3)]
    assert texts[3] == ""  # the separator
    assert f"{short_key(K0)} (other shape)" in texts
    assert not any("OPTIMIZER_SLOT" in t or "save_counter" in t for t in texts)
    assert combo.itemData(1) == HEAD2 and combo.currentIndex() == 0


def test_save_and_load_round_trip(tmp_path, model):
    d = model.draft()
    model.setData(model.index(row(model, "seq/head_a/kernel"), MappingTableModel.KEY), HEAD2)
    path = tmp_path / "mapping.json"
    write_mapping(d.mapping(), str(path), PREFIX)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {
        "mapping",
        "unmapped_model_variables",
        "unmapped_checkpoint_keys",
        "ambiguous",
    }
    assert data["mapping"][0] == {
        "checkpoint_key": K0,
        "model_variable": "seq/dense/kernel",
        "reason": "layer 1 with weights, by order and shape",
    }
    assert len(data["mapping"]) == 5 and data["unmapped_model_variables"] == [
        "seq/head_b/kernel",
        "seq/extra/bias",
    ]

    loaded = load_mapping(str(path))
    assert loaded.rows == d.mapping().rows
    again = MappingDraft(
        original_report(), checkpoint_variables(), loaded, status=RowStatus.ACCEPTED
    )
    assert again.summary() == d.summary()
    assert again.counts()[RowStatus.ACCEPTED] == 5

    # Never into the checkpoint's folder; never a mapping for another model.
    with pytest.raises(InspectorError, match="does not write into the checkpoint folder"):
        write_mapping(d.mapping(), "/data/run/mapping.json", PREFIX)
    other = KeyMapping((MappingRow(K0, "other/kernel", "given"),))
    with pytest.raises(InspectorError, match="model variable 'other/kernel'"):
        MappingDraft(original_report(), checkpoint_variables(), other)
    slot = KeyMapping((MappingRow(SLOT, "seq/dense_1/kernel", "given"),))
    with pytest.raises(InspectorError, match="only checkpoint weights"):
        MappingDraft(original_report(), checkpoint_variables(), slot)


def test_export_paths_never_go_into_the_checkpoint_folder(tmp_path):
    target, existing = check_export("weights", str(tmp_path / "out"), PREFIX)
    assert target == str(tmp_path / "out.weights.h5") and existing == []
    (tmp_path / "mapped.index").write_text("")
    target, existing = check_export("checkpoint", str(tmp_path / "mapped.index"), PREFIX)
    assert target == str(tmp_path / "mapped") and existing == [str(tmp_path / "mapped.index")]
    with pytest.raises(InspectorError, match="checkpoint folder /data/run"):
        check_export("checkpoint", "/data/run/sub/mapped", PREFIX)


def test_panel_summary_follows_the_edits(qtbot):
    panel = MappingPanel()
    qtbot.addWidget(panel)
    panel.show_empty(can_propose=True)
    assert not panel.save_button.isEnabled() and panel.propose_button.isEnabled()
    panel.show_draft(draft(), "Proposed.")
    assert panel.summary.text() == summary(4, 128 + 8 + 32 + 4)
    assert panel.summary.property("level") == "warning"
    assert panel.counts.text() == "4 proposed · 2 ambiguous · 1 unmapped"
    model = panel.model
    model.setData(model.index(row(model, "seq/head_a/kernel"), MappingTableModel.KEY), HEAD2)
    assert panel.summary.text() == summary(5, 128 + 8 + 32 + 4 + 16)
    assert panel.counts.text() == "4 proposed · 1 edited · 1 ambiguous · 1 unmapped"
    model.setData(model.index(row(model, "seq/dense/kernel"), MappingTableModel.KEY), B0)
    assert "only a tensor of the same shape" in panel.message_text()
    assert panel.message.objectName() == "errorText"
    panel.rules.request_rule("regex", "(", "")
    assert "not a valid regular expression" in panel.message_text()
    assert panel.rules.rules() == []
    panel.rules.request_rule("prefix", "model/renamed/", "seq/extra/")
    assert [r.pattern for r in panel.rules.rules()] == ["model/renamed/"]
    assert panel.summary.text() == summary(6, 128 + 8 + 32 + 4 + 16 + 3)
    panel.filter_edit.setText("head")
    assert panel.proxy.rowCount() == 2
