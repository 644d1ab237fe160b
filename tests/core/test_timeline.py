"""The timeline of a real CheckpointManager run: every number against NumPy on TensorFlow's own
reading of each checkpoint, every finding, the order, the cache and cancelling."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory as factory
from ckpt_inspector.core.discovery import discover
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.records import CheckpointFormat, CheckpointRecord
from ckpt_inspector.core.timeline import findings as rules
from ckpt_inspector.core.timeline.cache import TimelineCache
from ckpt_inspector.core.timeline.compute import timeline, timeline_of_path
from ckpt_inspector.core.timeline.ordering import order_checkpoints
from ckpt_inspector.core.timeline.records import OrderSource, TimelineFindingKind

SAVES = factory.TIMELINE_SAVES
NOT_FOLLOWED = ("_CHECKPOINTABLE_OBJECT_GRAPH", "step/", "save_counter/", "optimizer/_iterations/")


def reference(folder: Path) -> dict[str, list[np.ndarray]]:
    """Every followed variable's value in ckpt-1 .. ckpt-N, read by TensorFlow."""
    out: dict[str, list[np.ndarray]] = {}
    for save in range(1, SAVES + 1):
        reader = tf.train.load_checkpoint(str(folder / f"ckpt-{save}"))
        for key in reader.get_variable_to_shape_map():
            if not key.startswith(NOT_FOLLOWED):
                out.setdefault(key, []).append(reader.get_tensor(key).astype(np.float64))
    return out


def finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


def norm(values: np.ndarray) -> float:
    return float(np.linalg.norm(finite(values)))


@pytest.fixture(scope="module")
def values(timeline_folder) -> dict[str, list[np.ndarray]]:
    return reference(timeline_folder)


@pytest.fixture
def cache(tmp_path) -> TimelineCache:
    return TimelineCache(tmp_path / "cache")


def compute(path, cache, keys=()):
    return run_to_completion(timeline_of_path(str(path), keys, cache=cache))


def test_order_comes_from_the_step_variable(timeline_folder, cache):
    result = compute(timeline_folder, cache)
    assert result.order_source is OrderSource.VARIABLE
    assert "step/.ATTRIBUTES/VARIABLE_VALUE" in result.order_text
    assert [c.name for c in result.checkpoints] == [f"ckpt-{i}" for i in range(1, SAVES + 1)]
    steps = [factory.TIMELINE_STEPS_PER_SAVE * i for i in range(1, SAVES + 1)]
    assert [c.step for c in result.checkpoints] == steps
    assert set(result.skipped) >= {
        "step/.ATTRIBUTES/VARIABLE_VALUE",
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
        "optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE",
    }


def test_every_number_matches_numpy(timeline_folder, values, cache):
    result = compute(timeline_folder, cache)
    assert {v.key for v in result.variables} == set(values)
    for series in result.variables:
        tensors = values[series.key]
        for t, w in enumerate(tensors):
            kept = finite(w)
            context = f"{series.label} in ckpt-{t + 1}"
            assert series.nonfinite[t] == w.size - kept.size, context
            assert series.norm[t] == pytest.approx(norm(w), rel=1e-5, abs=1e-12), context
            assert series.mean[t] == pytest.approx(kept.mean(), rel=1e-5, abs=1e-9), context
            assert series.std[t] == pytest.approx(kept.std(), rel=1e-4, abs=1e-9), context
            assert series.max_abs[t] == pytest.approx(np.abs(kept).max(), rel=1e-6), context
            if t == 0:
                assert series.relative_change[t] is None and series.identical[t] is None
                continue
            previous = tensors[t - 1]
            assert series.identical[t] == (w.tobytes() == previous.tobytes()), context
            expected = norm(w - previous) / norm(previous) if norm(previous) else None
            if expected is None:
                assert series.relative_change[t] is None, context
            else:
                assert series.relative_change[t] == pytest.approx(expected, rel=1e-4, abs=1e-9), (
                    context
                )


def test_findings_are_the_events_of_the_run(timeline_folder, values, cache):
    result = compute(timeline_folder, cache)
    names = {v.key: v.name for v in result.variables}
    keys = {name: key for key, name in names.items()}
    by_kind: dict[TimelineFindingKind, list] = {}
    for finding in result.findings:
        by_kind.setdefault(finding.kind, []).append(finding)

    # NaN: first at the known save, in the aux kernel only; later saves are not reported again.
    [nan] = by_kind[TimelineFindingKind.NAN_INF]
    first_nan = min(
        t for tensors in values.values() for t, w in enumerate(tensors) if not np.isfinite(w).all()
    )
    assert nan.checkpoint == first_nan == factory.TIMELINE_NAN_SAVE - 1
    assert nan.keys == (keys["aux/kernel"],)
    assert "ckpt-7 (step 35)" in nan.message and "1 value in aux/kernel" in nan.message

    # Identical: exactly the stalled save.
    [identical] = by_kind[TimelineFindingKind.IDENTICAL]
    assert identical.checkpoint == factory.TIMELINE_STALLED_SAVE - 1
    pairs = [
        t
        for t in range(1, SAVES)
        if all(tensors[t].tobytes() == tensors[t - 1].tobytes() for tensors in values.values())
    ]
    assert pairs == [identical.checkpoint]

    # Never changes: the frozen layer's kernel and bias, and no other weight.
    frozen = {f.keys[0] for f in by_kind[TimelineFindingKind.NEVER_CHANGES]}
    assert frozen == {keys["frozen/kernel"], keys["frozen/bias"]}

    # Blow-ups: the rule applied to NumPy's norms, and the known spike of the aux kernel.
    expected = {}
    for key, tensors in values.items():
        for t in range(1, SAVES):
            before, after = norm(tensors[t - 1]), norm(tensors[t])
            rms = before / math.sqrt(tensors[t].size)
            if rms >= rules.MIN_RMS and after >= rules.BLOW_UP_FACTOR * before:
                expected[key] = t
                break
    found = {f.keys[0]: f.checkpoint for f in by_kind[TimelineFindingKind.BLOW_UP]}
    assert found == expected
    assert found[keys["aux/kernel"]] == factory.TIMELINE_BLOWUP_SAVE - 1
    assert set(by_kind) == set(TimelineFindingKind)
    # Most urgent first.
    order = [f.kind for f in result.findings]
    assert order == sorted(order, key=list(TimelineFindingKind).index)


def test_selected_variables_by_name_or_key(timeline_folder, cache):
    full = compute(timeline_folder, cache)
    key = next(v.key for v in full.variables if v.name == "head/kernel")
    result = compute(timeline_folder, cache, ("head/kernel", key))
    assert [v.key for v in result.variables] == [key]
    assert result.variables[0] == full.series(key)
    with pytest.raises(InspectorError, match="did you mean 'head/kernel'"):
        compute(timeline_folder, cache, ("head/kernl",))


def test_reopening_is_served_from_the_cache(timeline_folder, cache):
    before = sorted(p.name for p in timeline_folder.iterdir())
    first = compute(timeline_folder, cache)
    assert first.cached == 0 and first.tensors_read == len(first.variables) * SAVES
    second = compute(timeline_folder, cache)
    assert second.tensors_read == 0 and second.cached == SAVES
    assert second.variables == first.variables and second.findings == first.findings
    # The cache lives in the cache folder, one file per checkpoint; the run folder is untouched.
    assert len(list(cache.folder.glob("*.json"))) == SAVES
    assert sorted(p.name for p in timeline_folder.iterdir()) == before


def test_a_new_checkpoint_adds_one_column(timeline_folder, tmp_path, cache):
    run = tmp_path / "run"
    run.mkdir()
    for path in timeline_folder.glob("ckpt-*"):
        if not path.name.startswith(f"ckpt-{SAVES}."):
            shutil.copy2(path, run / path.name)
    partial = compute(run, cache)
    assert len(partial.checkpoints) == SAVES - 1
    for path in timeline_folder.glob(f"ckpt-{SAVES}.*"):
        shutil.copy2(path, run / path.name)
    grown = compute(run, cache)
    fresh = compute(run, TimelineCache(enabled=False))
    # The new checkpoint's tensors, and the previous checkpoint's for the change, except where
    # the digests show the two saves are equal (the frozen layer, the learning rate).
    assert grown.cached == SAVES - 2
    changed = [v for v in grown.variables if not v.identical[-1]]
    assert len(changed) == len(grown.variables) - 3
    assert grown.tensors_read == len(grown.variables) + len(changed)
    assert grown.variables == fresh.variables and grown.findings == fresh.findings


def test_a_rewritten_checkpoint_is_read_again(timeline_folder, tmp_path, cache):
    run = tmp_path / "run"
    shutil.copytree(timeline_folder, run)
    compute(run, cache)
    index = run / "ckpt-2.index"
    stat = index.stat()
    import os

    os.utime(index, (stat.st_atime, stat.st_mtime + 10))
    again = compute(run, cache)
    # ckpt-2 itself, and ckpt-1 and ckpt-3 for the two changes that involve it.
    assert again.cached == SAVES - 3
    assert again.variables == compute(run, TimelineCache(enabled=False)).variables


def test_cancelling_keeps_what_was_finished(timeline_folder, cache):
    job = timeline_of_path(str(timeline_folder), cache=cache)
    reads = 0
    for progress in job:
        reads += progress.text.startswith("Reading ") and " in ckpt-" in progress.text
        if reads == 2 * SAVES + 1:
            break
    job.close()  # what the worker does on cancel
    files = list(cache.folder.glob("*.json"))
    assert len(files) == SAVES
    resumed = compute(timeline_folder, cache)
    assert resumed.tensors_read == (len(resumed.variables) - 2) * SAVES
    assert resumed.variables == compute(timeline_folder, TimelineCache(enabled=False)).variables


def _record(prefix: str, mtime: float) -> CheckpointRecord:
    return CheckpointRecord(prefix, CheckpointFormat.TF2, mtime=mtime)


def test_order_falls_back_to_names_then_state_file_then_time(tmp_path):
    records = [_record(str(tmp_path / n), t) for n, t in (("c-10", 1), ("c-9", 2), ("c-100", 3))]
    order = order_checkpoints(records, [{}, {}, {}])
    assert order.source is OrderSource.FILE_NAME and order.steps == (9, 10, 100)
    assert [records[i].name for i in order.indices] == ["c-9", "c-10", "c-100"]

    unnamed = [_record(str(tmp_path / n), t) for n, t in (("b", 1), ("a", 3), ("c", 2))]
    assert order_checkpoints(unnamed, [{}, {}, {}]).source is OrderSource.MODIFICATION_TIME
    assert order_checkpoints(unnamed, [{}, {}, {}]).indices == (0, 2, 1)
    for name in "abc":
        (tmp_path / f"{name}.index").write_bytes(b"")
    (tmp_path / "checkpoint").write_text(
        'model_checkpoint_path: "b"\nall_model_checkpoint_paths: "c"\n'
        'all_model_checkpoint_paths: "a"\nall_model_checkpoint_paths: "b"\n'
    )
    state = order_checkpoints(unnamed, [{}, {}, {}])
    assert state.source is OrderSource.STATE_FILE
    assert [unnamed[i].name for i in state.indices] == ["c", "a", "b"]

    # A counter inside wins over names; ``step`` over ``save_counter``; ties by name.
    counters = [
        {"save_counter/.ATTRIBUTES/VARIABLE_VALUE": 1, "step/.ATTRIBUTES/VARIABLE_VALUE": 50},
        {"save_counter/.ATTRIBUTES/VARIABLE_VALUE": 2, "step/.ATTRIBUTES/VARIABLE_VALUE": 50},
        {"save_counter/.ATTRIBUTES/VARIABLE_VALUE": 3, "step/.ATTRIBUTES/VARIABLE_VALUE": 7},
    ]
    by_step = order_checkpoints(records, counters)
    assert by_step.source is OrderSource.VARIABLE and by_step.steps == (7, 50, 50)
    assert [records[i].name for i in by_step.indices] == ["c-100", "c-9", "c-10"]


def test_blow_up_ignores_growth_from_a_negligible_norm():
    from ckpt_inspector.core.timeline.records import TimelineCheckpoint, VariableSeries

    checkpoints = [TimelineCheckpoint(f"/r/c-{i}", f"c-{i}", i) for i in (1, 2, 3)]

    def series(key: str, norms: tuple[float, ...]) -> VariableSeries:
        none = (None, None, None)
        return VariableSeries(
            key, None, "weight", "float32", (100,), norms, none, none, none, none,
            (0, 0, 0), (None, False, False),
        )  # fmt: skip

    # RMS 1e-3 -> 1e-1 (a zero-initialised bias after its first steps): no finding.
    small = series("bias", (0.01, 1.0, 1.5))
    # RMS 0.1 -> 1.0: a blow-up at the second save.
    large = series("kernel", (1.0, 10.0, 11.0))
    found = rules.blow_ups(checkpoints, [small, large])
    assert [(f.keys, f.checkpoint) for f in found] == [(("kernel",), 1)]


def test_no_complete_checkpoint_is_an_error(tmp_path, cache):
    broken = CheckpointRecord(str(tmp_path / "c-1"), CheckpointFormat.TF2, problem="gone")
    with pytest.raises(InspectorError, match="no complete checkpoint"):
        run_to_completion(timeline([broken], cache=cache))
    assert discover  # imported for the folder tests above
