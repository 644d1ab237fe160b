"""The diff table's model and proxy on a hand-built report: model checks, row counts per status
filter, the optimizer/bookkeeping switch, sort order and colours; and the Markdown export."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ckpt_inspector.core.matching.markdown import report_markdown
from ckpt_inspector.core.matching.records import (
    AttachCandidate,
    DiffEntry,
    DiffReport,
    MatchMethod,
    MatchStatus,
)
from ckpt_inspector.core.records import VariableRole
from ckpt_inspector.gui.diff.diff_model import (
    STATUS_LOOKS,
    DiffEntriesModel,
    DiffFilterProxy,
    count_by_status,
)

KEY = "{}/.ATTRIBUTES/VARIABLE_VALUE".format
PREFIX = "/data/run/ckpt-2"


def sample_entries() -> tuple[DiffEntry, ...]:
    """Every status once or more, plus unused optimizer state and bookkeeping."""
    return (
        DiffEntry(
            MatchStatus.MATCHED,
            "sequential/dense/kernel",
            KEY("model/layer_with_weights-0/kernel"),
            (784, 128),
            (784, 128),
            "float32",
            "float32",
            checkpoint_name="sequential/dense/kernel",
        ),
        DiffEntry(
            MatchStatus.MATCHED,
            "sequential/dense/bias",
            KEY("model/layer_with_weights-0/bias"),
            (128,),
            (128,),
            "float32",
            "float32",
        ),
        DiffEntry(
            MatchStatus.SHAPE_MISMATCH,
            "sequential/dense_1/kernel",
            KEY("model/layer_with_weights-1/kernel"),
            (64, 10),
            (128, 10),
            "float32",
            "float32",
        ),
        DiffEntry(
            MatchStatus.DTYPE_MISMATCH,
            "sequential/dense_1/bias",
            KEY("model/layer_with_weights-1/bias"),
            (10,),
            (10,),
            "float16",
            "float32",
        ),
        DiffEntry(
            MatchStatus.MISSING,
            "sequential/dense_2/kernel",
            None,
            (10, 4),
            None,
            "float32",
            None,
            note="No layer at this place in the checkpoint.",
        ),
        DiffEntry(
            MatchStatus.UNUSED,
            None,
            KEY("model/layer_with_weights-2/kernel"),
            None,
            (10, 10),
            None,
            "float32",
        ),
        DiffEntry(
            MatchStatus.UNUSED,
            None,
            KEY("optimizer/iter"),
            None,
            (),
            None,
            "int64",
            role=VariableRole.OPTIMIZER,
        ),
        DiffEntry(
            MatchStatus.UNUSED,
            None,
            KEY("save_counter"),
            None,
            (),
            None,
            "int64",
            role=VariableRole.BOOKKEEPING,
            checkpoint_name="save_counter",
        ),
    )


def sample_report(entries=None, *, notes=(), keras="3") -> DiffReport:
    return DiffReport(
        checkpoint=PREFIX,
        architecture="/home/user/models/mlp.py:build_model",
        keras=keras,
        method=MatchMethod.OBJECT_GRAPH,
        entries=sample_entries() if entries is None else tuple(entries),
        attach="model",
        attach_candidates=(AttachCandidate("model", 2), AttachCandidate("", 0)),
        notes=tuple(notes),
    )


@pytest.fixture
def proxy() -> DiffFilterProxy:
    model = DiffEntriesModel()
    model.set_records(sample_entries())
    proxy = DiffFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(DiffEntriesModel.STATUS)
    return proxy


def test_models_pass_qtmodeltester(qtmodeltester):
    model = DiffEntriesModel()
    qtmodeltester.check(model)
    model.set_records(sample_entries())
    qtmodeltester.check(model)
    proxy = DiffFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(DiffEntriesModel.CHECKPOINT, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    proxy.set_status(MatchStatus.UNUSED)
    proxy.set_show_leftovers(True)
    proxy.set_text("counter")
    qtmodeltester.check(proxy)


def test_row_counts_per_status_filter(proxy):
    # Unused optimizer state and bookkeeping are hidden until asked for.
    assert proxy.rowCount() == 6
    expected = {
        None: 6,
        MatchStatus.MATCHED: 2,
        MatchStatus.SHAPE_MISMATCH: 1,
        MatchStatus.DTYPE_MISMATCH: 1,
        MatchStatus.MISSING: 1,
        MatchStatus.UNUSED: 1,
    }
    for status, rows in expected.items():
        proxy.set_status(status)
        assert proxy.rowCount() == rows, status
    proxy.set_show_leftovers(True)
    assert proxy.rowCount() == 3
    proxy.set_status(None)
    assert proxy.rowCount() == 8
    assert count_by_status(sample_entries(), leftovers=False) == {k: v for k, v in expected.items()}
    assert count_by_status(sample_entries(), leftovers=True)[MatchStatus.UNUSED] == 3


def test_text_filter_needs_every_term(proxy):
    proxy.set_text("dense_1 KERNEL")
    assert [e.model for e in proxy.shown_records()] == ["sequential/dense_1/kernel"]
    proxy.set_text("no layer at this place")  # the note is searched too
    assert [e.status for e in proxy.shown_records()] == [MatchStatus.MISSING]
    proxy.set_text("save_counter")
    assert proxy.rowCount() == 0  # bookkeeping stays hidden
    proxy.set_show_leftovers(True)
    assert proxy.rowCount() == 1


def test_problems_sort_first_and_leftovers_last(proxy):
    proxy.set_show_leftovers(True)
    shown = [(proxy.index(r, 0).data(), proxy.index(r, 1).data()) for r in range(8)]
    assert shown == [
        ("Shape mismatch", "sequential/dense_1/kernel"),
        ("Dtype mismatch", "sequential/dense_1/bias"),
        ("Missing", "sequential/dense_2/kernel"),
        ("Unused", ""),
        ("Matched", "sequential/dense/bias"),
        ("Matched", "sequential/dense/kernel"),
        ("Unused (optimizer)", ""),
        ("Unused (bookkeeping)", ""),
    ]


def test_cells_show_both_sides(proxy):
    row = 0  # the shape mismatch
    cells = [proxy.index(row, c).data() for c in range(len(DiffEntriesModel.COLUMNS))]
    assert cells == [
        "Shape mismatch",
        "sequential/dense_1/kernel",
        "",  # no readable name beyond the key
        KEY("model/layer_with_weights-1/kernel"),
        "64 × 10",
        "128 × 10",
        "float32",
        "float32",
        "weight",
    ]
    # The two shapes that disagree are bold; the dtypes are not.
    assert proxy.index(row, DiffEntriesModel.MODEL_SHAPE).data(Qt.ItemDataRole.FontRole).bold()
    assert proxy.index(row, DiffEntriesModel.MODEL_DTYPE).data(Qt.ItemDataRole.FontRole) is None
    missing = proxy.index(2, DiffEntriesModel.CHECKPOINT_SHAPE).data()
    assert missing == ""
    assert "No layer at this place" in proxy.index(2, 0).data(Qt.ItemDataRole.ToolTipRole)


def test_the_checkpoints_readable_name_sits_beside_the_model_variable(proxy):
    """Keras 3 saves a kernel under optimizer/_trainable_variables/N: the name reads better."""
    proxy.set_status(MatchStatus.MATCHED)
    proxy.sort(DiffEntriesModel.NAME, Qt.SortOrder.AscendingOrder)  # nameless rows last
    rows = [
        [proxy.index(r, c).data() for c in (1, DiffEntriesModel.NAME, DiffEntriesModel.CHECKPOINT)]
        for r in range(proxy.rowCount())
    ]
    assert rows == [
        [
            "sequential/dense/kernel",
            "sequential/dense/kernel",
            KEY("model/layer_with_weights-0/kernel"),
        ],
        ["sequential/dense/bias", "", KEY("model/layer_with_weights-0/bias")],
    ]
    assert DiffEntriesModel.COLUMNS[DiffEntriesModel.NAME] == "Checkpoint name"
    tooltip = proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Checkpoint name: sequential/dense/kernel" in tooltip


def test_rows_are_coloured_by_status_with_readable_text(proxy):
    proxy.set_show_leftovers(True)
    for row in range(proxy.rowCount()):
        entry = proxy.record_at(proxy.index(row, 0))
        look = STATUS_LOOKS[entry.status]
        for column in range(len(DiffEntriesModel.COLUMNS)):
            index = proxy.index(row, column)
            assert index.data(Qt.ItemDataRole.BackgroundRole).color() == look.background
            foreground = index.data(Qt.ItemDataRole.ForegroundRole).color()
            # Dark text on a pale background whatever the palette (light or dark theme).
            assert foreground.lightnessF() < 0.45 < look.background.lightnessF()
    red = STATUS_LOOKS[MatchStatus.SHAPE_MISMATCH].background
    green = STATUS_LOOKS[MatchStatus.MATCHED].background
    grey = STATUS_LOOKS[MatchStatus.UNUSED].background
    assert red.red() > red.green() and green.green() > green.red()
    assert grey.red() == grey.green() or abs(grey.red() - grey.green()) < 8


def test_markdown_has_the_summary_notes_and_a_table_per_section():
    report = sample_report(notes=("Keys look like Keras 2; try --keras 2.",))
    text = report_markdown(report)
    lines = text.splitlines()
    assert lines[0] == f"# {report.summary_sentence()}"
    assert lines[0] == "# 2 of 5 model variables would be restored (99.3% of parameters)."
    assert "> **Note:** Keys look like Keras 2; try --keras 2." in lines
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Shape mismatch (1)",
        "## Dtype mismatch (1)",
        "## Missing in the checkpoint (would keep their initial values) (1)",
        "## Unused weights in the checkpoint (1)",
        "## Matched (2)",
        "## Unused optimizer state and bookkeeping (2)",
    ]
    shape = lines.index("## Shape mismatch (1)")
    assert lines[shape + 2].startswith("| Model variable | Checkpoint key | Model shape |")
    assert (
        f"| `sequential/dense_1/kernel` | `{KEY('model/layer_with_weights-1/kernel')}` "
        "| 64 × 10 | 128 × 10 |"
    ) in lines[shape + 4]
    assert "- Matched by: object-graph, attached at `model`" in lines
    assert "- Possible attach points: `model` (2 restored), the checkpoint root (0 restored)" in (
        lines
    )
    empty = report_markdown(sample_report(entries=sample_entries()[:2]))
    assert "## Shape mismatch" not in empty and "## Matched (2)" in empty
