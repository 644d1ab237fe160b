"""The jobs the worker can run, by name.

Each job is a function of keyword arguments that returns a result or a generator yielding
``core.progress.Progress`` and returning the result. Modules are imported when a job first runs,
so the worker is ready to answer within a fraction of a second of starting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _discover(path: str) -> Any:
    from ckpt_inspector.core.discovery import discover

    return discover(path)


def _list_variables(record: Any) -> Any:
    from ckpt_inspector.core.variables import list_checkpoint_variables

    return list_checkpoint_variables(record)


def _preview(record: Any, key: str) -> Any:
    from ckpt_inspector.core.tensor_values import preview

    return preview(record, key)


def _export_npy(record: Any, key: str, out_path: str) -> Any:
    from ckpt_inspector.core.tensor_values import export_npy

    return export_npy(record, key, out_path)


def _tensor_stats(record: Any, key: str, options: Any = None) -> Any:
    from ckpt_inspector.core.statistics.records import HistogramOptions
    from ckpt_inspector.core.statistics.tensor_stats import tensor_stats

    return tensor_stats(record, key, options if options is not None else HistogramOptions())


def _heatmap(record: Any, key: str, max_side: int = 512) -> Any:
    from ckpt_inspector.core.statistics.heatmap import heatmap

    return heatmap(record, key, max_side)


def _compare(record_a: Any, record_b: Any, key: str, options: Any = None) -> Any:
    from ckpt_inspector.core.statistics.comparison import compare
    from ckpt_inspector.core.statistics.records import HistogramOptions

    return compare(record_a, record_b, key, options if options is not None else HistogramOptions())


def _health_scan(record: Any) -> Any:
    from ckpt_inspector.core.statistics.health import health_scan

    return health_scan(record)


def _timeline(records: Any, keys: Any = (), folder: str | None = None) -> Any:
    from ckpt_inspector.core.timeline.compute import timeline

    return timeline(records, tuple(keys), folder=folder)


def _diff(record: Any, spec: Any, attach: str | None = None) -> Any:
    from ckpt_inspector.core.matching.diff import diff_checkpoint
    from ckpt_inspector.worker import architectures

    return diff_checkpoint(record, spec, attach, load=architectures.load)


def _model_variable_stats(spec: Any, model_variable: str, options: Any = None) -> Any:
    """Statistics of a model variable's initial values, for the diff panel's model side."""
    import numpy as np

    from ckpt_inspector.core.statistics.records import HistogramOptions
    from ckpt_inspector.core.statistics.tensor_stats import compute_tensor_stats
    from ckpt_inspector.worker import architectures

    variable = architectures.model_variable(spec, model_variable)
    values = np.asarray(variable.obj.numpy())
    return compute_tensor_stats(
        values, variable.name, options if options is not None else HistogramOptions()
    )


def _infer(
    record: Any,
    spec: Any,
    source: Any,
    attach: str | None = None,
    other: Any = None,
    mapping: Any = None,
    allow_cast: bool = False,
) -> Any:
    """Restore and run; builds new models (the diff's cached one keeps its initial values).
    ``allow_cast`` lets mapping rows of another dtype restore (cast on load)."""
    from ckpt_inspector.core.inference.run import run_inference

    return run_inference(
        record, spec, source, attach=attach, other=other, mapping=mapping, allow_cast=allow_cast
    )


def _remap(
    record: Any, spec: Any, mapping: Any = None, attach: str | None = None, **export: Any
) -> Any:
    """Propose (or check) a key mapping; with export_checkpoint / export_weights, write files.
    Builds a new model: exporting restores values into it."""
    from ckpt_inspector.core.mapping.remap import remap

    return remap(record, spec, mapping, attach=attach, **export)


def _input_specs(spec: Any) -> Any:
    from ckpt_inspector.core.inference.model_io import input_specs
    from ckpt_inspector.worker import architectures

    return input_specs(architectures.load(spec).root, spec)


def _saved_model_signatures(path: str) -> Any:
    from ckpt_inspector.core.inference.saved_model_run import saved_model_signatures

    return saved_model_signatures(path)


def _infer_saved_model(path: str, source: Any, signature: str | None = None) -> Any:
    from ckpt_inspector.core.inference.saved_model_run import run_saved_model

    return run_saved_model(path, source, signature)


def _graph_endpoints(record: Any) -> Any:
    from ckpt_inspector.core.inference.graph_run import graph_endpoints

    return graph_endpoints(record)


def _infer_graph(record: Any, source: Any, outputs: Any = None) -> Any:
    from ckpt_inspector.core.inference.graph_run import run_graph

    return run_graph(record, source, outputs)


def _build_demo() -> Any:
    from ckpt_inspector.core.user_dirs import demo_workspace_dir
    from ckpt_inspector.demo.workspace import build_demo_workspace

    return build_demo_workspace(demo_workspace_dir())


def _diagnostic(name: str) -> Callable[..., Any]:
    def run(**kwargs: Any) -> Any:
        from ckpt_inspector.worker import diagnostic_jobs

        return getattr(diagnostic_jobs, name)(**kwargs)

    return run


JOBS: dict[str, Callable[..., Any]] = {
    "discover": _discover,
    "list_variables": _list_variables,
    "preview": _preview,
    "export_npy": _export_npy,
    # Statistics panel and ``ckpt-inspector stats``: TensorStats, HeatMap, Comparison, and
    # a generator yielding Progress per variable that returns a HealthReport.
    "tensor_stats": _tensor_stats,
    "heatmap": _heatmap,
    "compare": _compare,
    "health_scan": _health_scan,
    # Timeline panel: a generator yielding Progress per tensor read, returning a Timeline.
    "timeline": _timeline,
    # Diff against an architecture (DiffReport), run in a worker of the architecture's Keras
    # flavour; model_variable_stats reads the model the last diff loaded.
    "diff": _diff,
    "model_variable_stats": _model_variable_stats,
    # Inference (InferenceResult) and the model's input signature (tuple of InputSpec).
    "infer": _infer,
    # Key mappings (RemapResult: the proposal, the report through it, the plain report).
    "remap": _remap,
    "input_specs": _input_specs,
    # Without an architecture file: a SavedModel's signatures (tuple of SignatureInfo) and a run of
    # one; a TF1 .meta graph's GraphEndpoints and a run of it (generators returning the result).
    "saved_model_signatures": _saved_model_signatures,
    "infer_saved_model": _infer_saved_model,
    "graph_endpoints": _graph_endpoints,
    "infer_graph": _infer_graph,
    "build_demo": _build_demo,
    # Used by the worker's own tests and by "Help > Check worker": they prove that cancel,
    # hang and crash handling work against a real process.
    "diagnostic.sleep": _diagnostic("sleep"),
    "diagnostic.hang": _diagnostic("hang"),
    "diagnostic.crash": _diagnostic("crash"),
    "diagnostic.echo": _diagnostic("echo"),
    "diagnostic.keras_flavour": _diagnostic("keras_flavour"),
}
