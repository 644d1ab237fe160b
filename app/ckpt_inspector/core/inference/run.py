"""Restore a checkpoint into an architecture and run it: the "does it work?" answer.

The run also proves the checkpoint mattered: the same input goes through the same architecture
with freshly initialised weights (and optionally with a second checkpoint's), and the largest
difference per output is reported. A difference of 0 means the checkpoint changed nothing.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.inference.inputs import prepare_inputs
from ckpt_inspector.core.inference.model_io import call_model, input_specs, named_outputs
from ckpt_inspector.core.inference.python_script import python_script
from ckpt_inspector.core.inference.records import (
    InferenceResult,
    InputSource,
    OutputRecord,
    Timings,
)
from ckpt_inspector.core.inference.restore import restore_matched
from ckpt_inspector.core.mapping.records import KeyMapping
from ckpt_inspector.core.progress import Job, Progress
from ckpt_inspector.core.records import CheckpointRecord

REPEATED_CALLS = 5


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def _restored_model(
    record: CheckpointRecord,
    spec: ModelSpec,
    attach: str | None,
    load: Callable,
    mapping: KeyMapping | None = None,
    allow_cast: bool = False,
) -> tuple[Any, Any, float]:
    from ckpt_inspector.core.matching.diff import diff_contents
    from ckpt_inspector.core.variables import list_checkpoint_variables

    contents = list_checkpoint_variables(record)
    architecture = load(spec)
    report = diff_contents(
        contents, architecture.root, architecture.description, spec.keras, attach
    )
    if mapping is not None:
        from ckpt_inspector.core.mapping.apply import apply_mapping

        report = apply_mapping(report, mapping, contents.variables, allow_cast=allow_cast)
    started = time.perf_counter()
    restore_matched(record, report, architecture.root)
    return architecture, report, time.perf_counter() - started


def run_inference(
    record: CheckpointRecord,
    spec: ModelSpec,
    source: InputSource,
    *,
    attach: str | None = None,
    other: CheckpointRecord | None = None,
    repeats: int = REPEATED_CALLS,
    load: Callable[[ModelSpec], Any] | None = None,
    mapping: KeyMapping | None = None,
    allow_cast: bool = False,
) -> Job[InferenceResult]:
    """Restore ``record`` into ``spec``'s model, run it on ``source``, compare with fresh weights
    (and ``other``'s). ``load`` must build a new model each call (the default does)."""
    from ckpt_inspector.core.statistics.tensor_stats import compute_tensor_stats

    if load is None:
        from ckpt_inspector.core.architecture.loading import load_architecture as load
    steps = 6 if other is not None else 5
    yield Progress(0, steps, f"Building {spec.describe()} and restoring")
    architecture, report, restore_s = _restored_model(
        record, spec, attach, load, mapping, allow_cast
    )
    specs = input_specs(architecture.root, spec)
    inputs = prepare_inputs(specs, source)
    arrays = [i.values for i in inputs]

    yield Progress(1, steps, "First call")
    started = time.perf_counter()
    result = call_model(architecture.root, arrays)
    first_s = time.perf_counter() - started
    outputs = named_outputs(architecture.root, result)

    yield Progress(2, steps, f"{repeats} more calls for the timing")
    durations = []
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        call_model(architecture.root, arrays)
        durations.append(time.perf_counter() - started)

    yield Progress(3, steps, "The same input with fresh weights")
    fresh = named_outputs(None, call_model(load(spec).root, arrays))
    other_outputs = None
    if other is not None:
        yield Progress(4, steps, f"The same input with {other.prefix}")
        other_model, _, _ = _restored_model(other, spec, attach, load, mapping, allow_cast)
        other_outputs = named_outputs(None, call_model(other_model.root, arrays))

    yield Progress(steps - 1, steps, "Statistics")
    records = []
    for index, (name, values) in enumerate(outputs):
        records.append(
            OutputRecord(
                name=name,
                values=values,
                stats=compute_tensor_stats(values, name),
                fresh_max_abs_diff=_max_abs_diff(values, fresh[index][1]),
                other_max_abs_diff=(
                    None
                    if other_outputs is None
                    else _max_abs_diff(values, other_outputs[index][1])
                ),
            )
        )
    notes = list(report.notes)
    notes.extend(f"{i.name}: {i.note}" for i in inputs if i.note)
    if any(r.fresh_max_abs_diff == 0.0 for r in records):
        notes.append(
            "Some outputs are identical with fresh weights: the checkpoint did not change them."
        )
    return InferenceResult(
        checkpoint=record.prefix,
        architecture=architecture.description,
        restored=report.restored,
        of=report.model_variables,
        inputs=inputs,
        outputs=tuple(records),
        timings=Timings(
            restore_ms=_ms(restore_s),
            first_call_ms=_ms(first_s),
            median_call_ms=_ms(statistics.median(durations)),
            calls=len(durations),
        ),
        script=python_script(spec, report, specs, source, mapped=mapping is not None),
        notes=tuple(notes),
    )


def _max_abs_diff(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.shape != b.shape or a.dtype.kind not in "fiuc":
        return None
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
