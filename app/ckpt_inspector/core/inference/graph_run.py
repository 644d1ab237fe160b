"""Run a TF1 checkpoint through the graph in its ``.meta`` file: feed placeholders, fetch tensors.

A ``tf.compat.v1.train.Saver`` checkpoint usually sits next to the ``MetaGraphDef`` it was
trained with, so no architecture file is needed: import the graph, restore with the graph's own
``Saver`` and run a session. The graph also holds the training machinery (loss, gradients,
optimizer updates, savers, summaries), so ``graph_endpoints`` guesses which tensors are the
model's outputs and offers a wider list for the user to choose from.

All graph work happens in a fresh ``tf.Graph()`` and ``tf.compat.v1.Session(graph=...)``: the
worker also runs eager TF2 jobs, and ``disable_eager_execution`` would break those.
"""

from __future__ import annotations

import difflib
import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ckpt_inspector.core.errors import InspectorError, NotFoundError
from ckpt_inspector.core.inference.inputs import prepare_inputs
from ckpt_inspector.core.inference.python_script import graph_script
from ckpt_inspector.core.inference.records import InferenceResult, InputSource, InputSpec
from ckpt_inspector.core.inference.saved_model_run import (
    REPEATED_CALLS,
    first_line,
    input_notes,
    output_records,
    timed_calls,
    timings,
)
from ckpt_inspector.core.progress import Job, Progress
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.tensorflow_import import tensorflow

# Op types that are never a model output: graph plumbing, variables and their bookkeeping,
# savers, summaries and debugging ops.
_SKIP_TYPES = frozenset(
    {
        "NoOp", "Const", "Placeholder", "PlaceholderWithDefault",
        "VarHandleOp", "VariableV2", "Variable", "VarIsInitializedOp", "IsVariableInitialized",
        "ReadVariableOp", "DestroyResourceOp", "Assign", "AssignAdd", "AssignSub",
        "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "ScatterUpdate",
        "SaveV2", "RestoreV2", "Save", "SaveSlices", "Restore", "RestoreSlice",
        "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec", "StringJoin",
        "Shape", "ShapeN", "Size", "Rank", "Assert", "Print", "PrintV2", "StringFormat",
        "MergeSummary", "ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary",
        "AudioSummaryV2", "TensorSummary", "TensorSummaryV2", "WriteSummary",
    }
)  # fmt: skip
# Optimizer update ops: their top-level scope (``Adam/``, ``train/``) is the optimizer's.
_APPLY_TYPE = re.compile(r"^(Resource)?(Sparse)?Apply")
# Scopes written by the Saver, the gradients, the initialisers and checks around them.
_SKIP_SCOPE = re.compile(
    r"(^|/)(save|gradients)(_\d+)?/|^(init(_\d+)?|init_all_tables|report_uninitialized_\w*)(/|$)"
)
# Last name components that say "this is the prediction".
_OUTPUT_NAME = re.compile(
    r"(^|/|_)(logits?|outputs?|predictions?|probabilities|probs?|softmax|scores?|y_pred|y_hat)(_\d+)?$",
    re.IGNORECASE,
)
_NUMERIC_KINDS = "fiuc"
# The candidates list is for a chooser; a huge graph's intermediates beyond this are not useful.
CANDIDATES_LIMIT = 2000


@dataclass(frozen=True)
class GraphEndpoints:
    """What a TF1 graph takes and likely gives.

    ``placeholders`` are the graph's inputs (names without ``:0``); ``likely_outputs`` are
    tensor names (``name:0``) nothing else consumes, training ops left out, prediction-like
    names first; ``candidates`` are float tensors the user may fetch instead.
    """

    placeholders: tuple[InputSpec, ...]
    likely_outputs: tuple[str, ...]
    candidates: tuple[str, ...]


def graph_endpoints(record: CheckpointRecord) -> GraphEndpoints:
    """Placeholders, likely outputs and candidate tensors of ``record``'s ``.meta`` graph."""
    graph, _ = _import(record)
    return _endpoints(graph)


def run_graph(
    record: CheckpointRecord,
    source: InputSource,
    outputs: Sequence[str] | None = None,
    repeats: int = REPEATED_CALLS,
) -> Job[InferenceResult]:
    """Import ``record``'s meta graph, restore it with its ``Saver``, feed the placeholders the
    ``outputs`` need (default: the likely outputs) from ``source`` and fetch ``outputs``."""
    tf = tensorflow()
    meta = _meta_path(record)
    yield Progress(0, 3, f"Importing {os.path.basename(meta)} and restoring")
    started = time.perf_counter()
    graph, saver = _import(record)
    fetches = _fetch_names(graph, record, outputs)
    specs = _needed_placeholders(graph, fetches, meta)
    inputs = prepare_inputs(specs, source)
    feed = {f"{i.name}:0": i.values for i in inputs}
    # Closed in ``finally`` rather than by ``with``: entering a Session also makes its graph the
    # thread's default, which must not stay in force across this generator's yields.
    session = tf.compat.v1.Session(graph=graph)
    try:
        variables = _restore(graph, saver, session, record)
        restore_s = time.perf_counter() - started

        def call() -> Any:
            try:
                return session.run(fetches, feed_dict=feed)
            except (tf.errors.OpError, ValueError) as exc:
                raise InspectorError(
                    f"Running the graph of {os.path.basename(meta)} failed "
                    f"({first_line(exc)}); check the inputs and the tensors fetched."
                ) from None

        yield Progress(1, 3, f"First call and {repeats} more for the timing")
        values, first_s, durations = timed_calls(call, repeats)
    finally:
        session.close()
    yield Progress(2, 3, "Statistics")
    named = [(name, np.asarray(v)) for name, v in zip(fetches, values, strict=True)]
    notes = [
        "The graph holds its own architecture, so there are no fresh weights to compare the "
        "outputs with."
    ]
    if saver is None:
        notes.append(f"{os.path.basename(meta)} has no Saver, so nothing was restored.")
    return InferenceResult(
        checkpoint=record.prefix,
        architecture=f"TF1 graph {os.path.basename(meta)}",
        restored=variables,
        of=variables,
        inputs=inputs,
        outputs=output_records(named),
        timings=timings(restore_s, first_s, durations),
        script=graph_script(record.prefix, specs, source, [i.values for i in inputs], fetches),
        notes=(*notes, *input_notes(inputs)),
    )


# --- Importing -------------------------------------------------------------------------------


def _meta_path(record: CheckpointRecord) -> str:
    return record.prefix + ".meta"


def _import(record: CheckpointRecord) -> tuple[Any, Any]:
    """A fresh graph with the meta graph in it, and the graph's ``Saver`` (``None`` when the
    graph has no variables to save)."""
    tf = tensorflow()
    meta = _meta_path(record)
    if not os.path.isfile(meta):
        raise NotFoundError(
            f"{record.name} has no graph file {os.path.basename(meta)}; run it with an "
            "architecture file instead.",
            path=meta,
        )
    graph = tf.Graph()
    with graph.as_default():
        try:
            saver = tf.compat.v1.train.import_meta_graph(meta, clear_devices=True)
        except (tf.errors.OpError, ValueError, KeyError, OSError) as exc:
            # KeyError: the graph uses an op this TensorFlow does not have (a custom op).
            raise InspectorError(
                f"The graph in {meta} could not be imported ({first_line(exc)}); it may need "
                "custom ops or another TensorFlow version.",
                path=meta,
            ) from None
    return graph, saver


def _restore(graph: Any, saver: Any, session: Any, record: CheckpointRecord) -> int:
    """Restore with the graph's own Saver; returns how many variables it restored."""
    tf = tensorflow()
    if saver is None:
        return 0
    # Saver.restore outside the graph's context takes the eager path and finds no variables.
    with graph.as_default():
        try:
            saver.restore(session, record.prefix)
        except (tf.errors.OpError, ValueError) as exc:
            raise InspectorError(
                f"The Saver in {os.path.basename(_meta_path(record))} could not restore "
                f"{record.prefix} ({first_line(exc)}); check that the .meta file belongs to "
                "this checkpoint.",
                path=record.prefix,
            ) from None
    return _saver_variable_count(graph)


def _saver_variable_count(graph: Any) -> int:
    """How many checkpoint keys the Saver restores: the names its restore ops read."""
    tf = tensorflow()
    names: set[bytes] = set()
    for op in graph.get_operations():
        if op.type not in {"RestoreV2", "Restore", "RestoreSlice"}:
            continue
        source = op.inputs[1].op
        if source.type == "Const":
            names.update(np.asarray(tf.make_ndarray(source.get_attr("value"))).reshape(-1))
    return len(names)


# --- Endpoints -------------------------------------------------------------------------------


def _endpoints(graph: Any) -> GraphEndpoints:
    ops = graph.get_operations()
    optimizer_scopes = tuple(
        {_optimizer_scope(op.name) + "/" for op in ops if _APPLY_TYPE.match(op.type)}
    )
    placeholders = [op for op in ops if op.type == "Placeholder"]
    fed = _downstream_of(placeholders)
    consumed = {t.name for op in ops for t in op.inputs}

    def inference_tensors() -> Iterable[Any]:
        for op in ops:
            if op.type in _SKIP_TYPES or _APPLY_TYPE.match(op.type) or "Summary" in op.type:
                continue
            if _SKIP_SCOPE.search(op.name) or f"{op.name}/".startswith(optimizer_scopes):
                continue
            if placeholders and op.name not in fed:
                continue
            yield from op.outputs

    likely, candidates = [], []
    for tensor in inference_tensors():
        kind = _kind(tensor)
        if tensor.name not in consumed and kind in _NUMERIC_KINDS:
            likely.append(tensor.name)
        elif _preferred(tensor) and kind in _NUMERIC_KINDS:
            likely.append(tensor.name)  # logits feeding only a loss are still an output
        if kind == "f":
            candidates.append(tensor.name)
    return GraphEndpoints(
        placeholders=tuple(_placeholder_spec(op) for op in placeholders if _rank(op) is not None),
        likely_outputs=tuple(sorted(likely, key=_preference)),
        candidates=tuple(sorted(candidates, key=_preference)[:CANDIDATES_LIMIT]),
    )


def _preference(tensor_name: str) -> tuple[bool, str]:
    """Sort key: prediction-like names first, then by name."""
    return (not _OUTPUT_NAME.search(tensor_name.rsplit(":", 1)[0]), tensor_name)


def _optimizer_scope(apply_op_name: str) -> str:
    """``train`` for ``train/update_dense/kernel/ResourceApplyAdam``: the optimizer's scope, which
    also holds its learning-rate and beta-power updates."""
    if "/update_" in apply_op_name:
        return apply_op_name.split("/update_", 1)[0]
    return apply_op_name.rsplit("/", 1)[0]


def _preferred(tensor: Any) -> bool:
    """A tensor named like a prediction (``logits``, ``probabilities``) or made by Softmax."""
    last = tensor.op.name.rsplit("/", 1)[-1]
    return tensor.value_index == 0 and (
        tensor.op.type == "Softmax" or bool(_OUTPUT_NAME.fullmatch(last))
    )


def _kind(tensor: Any) -> str:
    try:
        return np.dtype(tensor.dtype.as_numpy_dtype).kind
    except TypeError:  # resource and variant tensors have no NumPy dtype
        return ""


def _downstream_of(placeholders: Sequence[Any]) -> set[str]:
    """Names of the ops that depend on any of ``placeholders`` (through data edges)."""
    seen: set[str] = set()
    stack = list(placeholders)
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack.extend(c for t in op.outputs for c in t.consumers())
    return seen


def _rank(op: Any) -> int | None:
    return op.outputs[0].shape.rank


def _placeholder_spec(op: Any) -> InputSpec:
    tensor = op.outputs[0]
    return InputSpec(name=op.name, shape=tuple(tensor.shape.as_list()), dtype=tensor.dtype.name)


# --- Running ---------------------------------------------------------------------------------


def _fetch_names(graph: Any, record: CheckpointRecord, outputs: Sequence[str] | None) -> list[str]:
    """Tensor names to fetch: ``outputs`` checked against the graph (``name`` means
    ``name:0``), or the likely outputs."""
    meta = os.path.basename(_meta_path(record))
    if not outputs:
        likely = _endpoints(graph).likely_outputs
        if not likely:
            raise InspectorError(
                f"No output tensor could be guessed in {meta}; choose the tensors to fetch."
            )
        return list(likely)
    tensors = {t.name for op in graph.get_operations() for t in op.outputs}
    names = []
    for name in outputs:
        full = name if ":" in name else f"{name}:0"
        if full not in tensors:
            close = difflib.get_close_matches(full, tensors, n=3, cutoff=0.5)
            hint = f"close matches: {', '.join(close)}" if close else "no name is close"
            raise InspectorError(
                f"The graph in {meta} has no tensor {name!r} ({hint}); choose one of its tensors."
            )
        names.append(full)
    return names


def _needed_placeholders(graph: Any, fetches: Sequence[str], meta: str) -> tuple[InputSpec, ...]:
    """The placeholders ``fetches`` depend on, in graph order (the order inputs are drawn in):
    feeding only those keeps labels and other training inputs out of an inference run."""
    seen: set[str] = set()
    stack = [graph.get_tensor_by_name(name).op for name in fetches]
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    specs = []
    for op in graph.get_operations():
        if op.type != "Placeholder" or op.name not in seen:
            continue
        if _rank(op) is None:
            raise InspectorError(
                f"Placeholder {op.name!r} in {os.path.basename(meta)} has no known rank, so no "
                "input can be made for it; fetch tensors that do not depend on it."
            )
        specs.append(_placeholder_spec(op))
    return tuple(specs)
