"""Run a SavedModel's serving signature on sample input, as ``saved_model_cli run`` does.

A SavedModel carries its own graph and weights, so no architecture file is needed: the inputs
come from the signature, the outputs are named by its keys, and the weights are whatever the
folder holds. There are no fresh weights to compare with, which the result says in a note.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ckpt_inspector.core.errors import InspectorError, NotFoundError
from ckpt_inspector.core.inference.inputs import prepare_inputs
from ckpt_inspector.core.inference.python_script import saved_model_script
from ckpt_inspector.core.inference.records import (
    InferenceResult,
    InputSource,
    InputSpec,
    OutputRecord,
    PreparedInput,
    Timings,
)
from ckpt_inspector.core.progress import Job, Progress
from ckpt_inspector.core.tensorflow_import import tensorflow

DEFAULT_SIGNATURE = "serving_default"
REPEATED_CALLS = 5
# The key TensorFlow adds to every object-based checkpoint; it is bookkeeping, not a variable.
_OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


@dataclass(frozen=True)
class SignatureInfo:
    """One signature of a SavedModel: its keyword inputs and its output keys."""

    name: str
    inputs: tuple[InputSpec, ...]
    outputs: tuple[str, ...]


def saved_model_signatures(path: str) -> tuple[SignatureInfo, ...]:
    """The SavedModel's signatures, ``serving_default`` first, for the window to offer."""
    loaded = _load(path)
    return _signature_infos(loaded)


def run_saved_model(
    path: str,
    source: InputSource,
    signature: str | None = None,
    repeats: int = REPEATED_CALLS,
) -> Job[InferenceResult]:
    """Load the SavedModel at ``path``, call ``signature`` (``serving_default`` unless named)
    on inputs made from ``source``, and time the calls."""
    tf = tensorflow()
    yield Progress(0, 3, f"Loading the SavedModel {path}")
    started = time.perf_counter()
    loaded = _load(path)
    load_s = time.perf_counter() - started
    infos = {info.name: info for info in _signature_infos(loaded)}
    name = signature or (DEFAULT_SIGNATURE if DEFAULT_SIGNATURE in infos else None)
    if name not in infos:
        available = ", ".join(infos) or "none"
        raise InspectorError(
            f"The SavedModel {path} has no signature {name or DEFAULT_SIGNATURE!r} (it has: "
            f"{available}); choose one of those."
        )
    info = infos[name]
    function = loaded.signatures[name]
    inputs = prepare_inputs(info.inputs, source)
    feeds = {i.name: tf.constant(i.values) for i in inputs}

    def call() -> Any:
        try:
            return function(**feeds)
        except (tf.errors.OpError, ValueError, TypeError) as exc:
            raise InspectorError(
                f"Signature {name!r} of {path} failed on the inputs "
                f"({first_line(exc)}); check the inputs against the signature."
            ) from None

    yield Progress(1, 3, f"First call and {repeats} more for the timing")
    result, first_s, durations = timed_calls(call, repeats)
    yield Progress(2, 3, "Statistics")
    named = [(str(k), np.asarray(v.numpy())) for k, v in result.items()]
    variables = _variable_count(path)
    return InferenceResult(
        checkpoint=path,
        architecture=f"SavedModel signature {name!r}",
        restored=variables,
        of=variables,
        inputs=inputs,
        outputs=output_records(named),
        timings=timings(load_s, first_s, durations),
        script=saved_model_script(path, name, info.inputs, source, [i.values for i in inputs]),
        notes=(
            "A SavedModel holds its own weights, so there are no fresh weights to compare the "
            "outputs with.",
            *input_notes(inputs),
        ),
    )


# --- Shared with graph_run: timing, output records -------------------------------------------


def timed_calls(call: Callable[[], Any], repeats: int) -> tuple[Any, float, list[float]]:
    """The first call's result and duration, then ``repeats`` more durations for the median
    (the first call pays for tracing and graph set-up, so it is reported on its own)."""
    started = time.perf_counter()
    result = call()
    first_s = time.perf_counter() - started
    durations = []
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return result, first_s, durations


def timings(restore_s: float, first_s: float, durations: Sequence[float]) -> Timings:
    return Timings(
        restore_ms=_ms(restore_s),
        first_call_ms=_ms(first_s),
        median_call_ms=_ms(statistics.median(durations)),
        calls=len(durations),
    )


def output_records(named: Sequence[tuple[str, np.ndarray]]) -> tuple[OutputRecord, ...]:
    from ckpt_inspector.core.statistics.tensor_stats import compute_tensor_stats

    return tuple(
        OutputRecord(name=name, values=values, stats=compute_tensor_stats(values, name))
        for name, values in named
    )


def input_notes(inputs: Sequence[PreparedInput]) -> tuple[str, ...]:
    return tuple(f"{i.name}: {i.note}" for i in inputs if i.note)


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def first_line(exc: BaseException) -> str:
    """The first line of a TensorFlow error, for a one-sentence message."""
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


# --- Loading -------------------------------------------------------------------------------


def _load(path: str) -> Any:
    tf = tensorflow()
    if not os.path.isdir(path):
        raise NotFoundError(f"{path} is not a folder; give a SavedModel folder.", path=path)
    if not any(
        os.path.isfile(os.path.join(path, f)) for f in ("saved_model.pb", "saved_model.pbtxt")
    ):
        raise NotFoundError(
            f"{path} holds no saved_model.pb, so it is not a SavedModel; give the folder "
            "tf.saved_model.save wrote.",
            path=path,
        )
    try:
        return tf.saved_model.load(path)
    except (tf.errors.OpError, OSError, ValueError) as exc:
        raise InspectorError(
            f"The SavedModel {path} could not be loaded ({first_line(exc)}); check that it "
            "was written completely and by a compatible TensorFlow.",
            path=path,
        ) from None


def _signature_infos(loaded: Any) -> tuple[SignatureInfo, ...]:
    names = sorted(loaded.signatures.keys(), key=lambda n: (n != DEFAULT_SIGNATURE, n))
    infos = []
    for name in names:
        function = loaded.signatures[name]
        _, kwargs = function.structured_input_signature
        outputs = function.structured_outputs
        infos.append(
            SignatureInfo(
                name=name,
                # Sorted by name: the loaded signature's dict order is not guaranteed, and
                # random inputs are drawn in this order (the copied script relies on it).
                inputs=tuple(_input_spec(key, kwargs[key]) for key in sorted(kwargs)),
                outputs=tuple(str(k) for k in outputs) if isinstance(outputs, dict) else (),
            )
        )
    return tuple(infos)


def _input_spec(key: str, spec: Any) -> InputSpec:
    rank_known = spec.shape.rank is not None
    return InputSpec(
        name=key,
        shape=tuple(spec.shape.as_list()) if rank_known else (),
        dtype=spec.dtype.name,
    )


def _variable_count(path: str) -> int:
    """How many variables the SavedModel's checkpoint holds (all of them are restored on load)."""
    tf = tensorflow()
    prefix = os.path.join(path, "variables", "variables")
    if not os.path.isfile(prefix + ".index"):
        return 0
    return sum(1 for key, _ in tf.train.list_variables(prefix) if key != _OBJECT_GRAPH_KEY)
