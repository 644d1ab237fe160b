"""Plain records for widget tests, and a stand-in for the worker client's signals.

``FakeClient`` has the client's signals and methods and records what the window asks for; a test
answers with real records from ``core.records``. It exists to test the window's own logic (which
answer it keeps, what it shows); anything touching checkpoints uses the real ``WorkerClient``
(see ``test_end_to_end.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from ckpt_inspector.core.matching.records import DiffEntry, DiffReport, MatchMethod, MatchStatus
from ckpt_inspector.core.records import (
    CheckpointContents,
    CheckpointFormat,
    CheckpointRecord,
    FolderListing,
    StaleStateEntry,
    TensorPreview,
    VariableRecord,
    VariableRole,
)
from ckpt_inspector.core.statistics.records import (
    Comparison,
    FindingKind,
    HealthFinding,
    HealthReport,
    HeatMap,
    Histogram,
    TensorStats,
    ValueKind,
)

W, OPT, B = VariableRole.WEIGHT, VariableRole.OPTIMIZER, VariableRole.BOOKKEEPING


def variable(
    key: str,
    shape: tuple[int, ...] = (2, 3),
    *,
    name: str | None = None,
    role: VariableRole = W,
    dtype: str = "float32",
    slot_of: str | None = None,
    slot_name: str | None = None,
) -> VariableRecord:
    size = int(np.prod(shape)) if shape else 1
    return VariableRecord(
        key=key,
        shape=shape,
        dtype=dtype,
        bytes=size * 4,
        role=role,
        name=name,
        slot_of=slot_of,
        slot_name=slot_name,
    )


def mlp_variables() -> tuple[VariableRecord, ...]:
    """What a 784 -> 128 -> 10 Keras model with Adam looks like after the core has named it."""
    k0 = "model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    b0 = "model/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE"
    k1 = "model/layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    b1 = "model/layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE"
    return (
        variable(
            "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
            (),
            name="save_counter",
            role=B,
            dtype="int64",
        ),
        variable(
            "optimizer/iterations/.ATTRIBUTES/VARIABLE_VALUE",
            (),
            name="optimizer/iterations",
            role=B,
            dtype="int64",
        ),
        variable(k0, (784, 128), name="sequential/dense/kernel"),
        variable(b0, (128,), name="sequential/dense/bias"),
        variable(k1, (128, 10), name="sequential/dense_1/kernel"),
        variable(b1, (10,), name="sequential/dense_1/bias"),
        variable(
            "optimizer/_variables/1/.ATTRIBUTES/VARIABLE_VALUE",
            (784, 128),
            name="optimizer/dense/kernel/m",
            role=OPT,
            slot_of=k0,
            slot_name="m",
        ),
        variable(
            "optimizer/_variables/2/.ATTRIBUTES/VARIABLE_VALUE",
            (784, 128),
            name="optimizer/dense/kernel/v",
            role=OPT,
            slot_of=k0,
            slot_name="v",
        ),
        variable(
            "optimizer/_variables/3/.ATTRIBUTES/VARIABLE_VALUE",
            (128,),
            name="optimizer/dense/bias/m",
            role=OPT,
            slot_of=b0,
            slot_name="m",
        ),
    )


def checkpoint(folder: str, name: str, step: int | None = None, **kwargs) -> CheckpointRecord:
    return CheckpointRecord(
        prefix=f"{folder}/{name}",
        format=kwargs.pop("format", CheckpointFormat.TF2),
        step=step,
        bytes=kwargs.pop("bytes", 1_234_567),
        **kwargs,
    )


def listing(folder: str = "/data/run", *, focus: str | None = None) -> FolderListing:
    return FolderListing(
        folder=folder,
        checkpoints=(
            checkpoint(folder, "ckpt-1", 1, in_state_file=True),
            checkpoint(folder, "ckpt-2", 2, in_state_file=True, latest=True),
            checkpoint(
                folder,
                "ckpt-3",
                3,
                shards=2,
                missing_shards=(f"{folder}/ckpt-3.data-00001-of-00002",),
            ),
            checkpoint(f"{folder}/eval", "best.weights.h5", format=CheckpointFormat.KERAS3_WEIGHTS),
        ),
        stale_entries=(
            StaleStateEntry(
                state_file=f"{folder}/checkpoint",
                written_path=f"{folder}/ckpt-0",
                reason="The state file names ckpt-0, but its files were deleted.",
            ),
        ),
        focus=focus,
    )


def contents(record: CheckpointRecord) -> CheckpointContents:
    return CheckpointContents(checkpoint=record, variables=mlp_variables())


def preview_of(record: VariableRecord, values=None) -> TensorPreview:
    if values is None:
        values = np.arange(24, dtype=np.float32).reshape(4, 6) / 8
    return TensorPreview(
        key=record.key,
        shape=record.shape,
        dtype=record.dtype,
        values=values,
        slice_text=f"[0:{values.shape[0]}, 0:{values.shape[1]}] of 784x128"
        if values.ndim == 2
        else "",
    )


def histogram(edges, counts, **kwargs) -> Histogram:
    return Histogram(
        edges=np.asarray(edges, dtype=np.float64),
        counts=np.asarray(counts, dtype=np.int64),
        **kwargs,
    )


def stats_of(record: VariableRecord, values=None, *, bins: int = 8, **overrides) -> TensorStats:
    """Statistics of ``values`` (default: a small ramp) in the shape the worker sends.

    Written out plainly with NumPy so a test knows every number it feeds the window; the
    real computation is the core's and is tested there.
    """
    if values is None:
        values = np.linspace(-1.0, 1.0, 24, dtype=np.float32)
    values = np.asarray(values, dtype=np.float64).ravel()
    finite = values[np.isfinite(values)]
    counts, edges = np.histogram(finite, bins=bins) if finite.size else ([], [])
    fields = dict(
        key=record.key,
        dtype=record.dtype,
        shape=record.shape,
        kind=ValueKind.REAL,
        count=int(values.size),
        mean=float(finite.mean()) if finite.size else None,
        std=float(finite.std()) if finite.size else None,
        min=float(finite.min()) if finite.size else None,
        max=float(finite.max()) if finite.size else None,
        max_abs=float(np.abs(finite).max()) if finite.size else None,
        l2_norm=float(np.sqrt((finite**2).sum())) if finite.size else None,
        zeros=int((values == 0).sum()),
        nan=int(np.isnan(values).sum()),
        posinf=int(np.isposinf(values).sum()),
        neginf=int(np.isneginf(values).sum()),
        percentiles={q: float(np.percentile(finite, q)) for q in (1.0, 50.0, 99.0)}
        if finite.size
        else {},
        histogram=histogram(edges, counts) if finite.size else None,
    )
    fields.update(overrides)
    return TensorStats(**fields)


def heatmap_of(record: VariableRecord, values, **kwargs) -> HeatMap:
    values = np.asarray(values, dtype=np.float32)
    finite = values[np.isfinite(values)]
    value_range = (float(finite.min()), float(finite.max())) if finite.size else None
    return HeatMap(
        key=record.key,
        shape=record.shape,
        values=values,
        reshape_rule=kwargs.pop("reshape_rule", "shown as it is"),
        value_range=kwargs.pop("value_range", value_range),
        **kwargs,
    )


def comparison_of(record: VariableRecord, a_values, b_values, *, a: str, b: str) -> Comparison:
    """Both histograms on shared edges (as the contract says), and b - a."""
    a_values = np.asarray(a_values, dtype=np.float64)
    b_values = np.asarray(b_values, dtype=np.float64)
    edges = np.histogram_bin_edges(np.concatenate([a_values, b_values]), bins=6)
    shared = {
        name: stats_of(record, v, histogram=histogram(edges, np.histogram(v, bins=edges)[0]))
        for name, v in (("a", a_values), ("b", b_values))
    }
    difference = stats_of(record, b_values - a_values, bins=5)
    change = float(np.linalg.norm(b_values - a_values) / np.linalg.norm(a_values))
    return Comparison(
        key=record.key,
        checkpoint_a=a,
        checkpoint_b=b,
        a=shared["a"],
        b=shared["b"],
        difference=difference,
        relative_change=change,
    )


def finding(
    key: str, kind: FindingKind, severity: int, count: int = 0, name: str | None = None
) -> HealthFinding:
    return HealthFinding(
        key=key,
        name=name,
        kind=kind,
        severity=severity,
        message=f"{kind.value} in {name or key}",
        count=count,
    )


def health_report(prefix: str, findings=(), scanned: int = 9, skipped=()) -> HealthReport:
    return HealthReport(
        checkpoint=prefix, scanned=scanned, findings=tuple(findings), skipped=tuple(skipped)
    )


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@dataclass
class Job:
    job_id: int
    job: str
    channel: str | None
    kwargs: dict = field(default_factory=dict)


class FakeClient(QObject):
    ready = Signal(dict)
    progress = Signal(int, int, int, str)
    finished = Signal(int, object)
    failed = Signal(int, str, str)
    cancelled = Signal(int)
    crashed = Signal(str)
    idleChanged = Signal(bool)
    logged = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.versions: dict = {}
        self.log_lines: list[str] = []
        self.submitted: list[Job] = []
        self.pending: dict[int, Job] = {}
        self.cancel_requests: list[int] = []
        self._next = 1

    # -- the client's API ----------------------------------------------------------------------

    def start(self) -> None:
        pass

    def submit(self, job: str, *, channel: str | None = None, **kwargs) -> int:
        if channel is not None:
            for old in [j for j in self.pending.values() if j.channel == channel]:
                self._end(old.job_id)
                self.cancelled.emit(old.job_id)
        was_idle = self.is_idle()
        record = Job(self._next, job, channel, kwargs)
        self._next += 1
        self.submitted.append(record)
        self.pending[record.job_id] = record
        if was_idle:
            self.idleChanged.emit(False)
        return record.job_id

    def cancel(self, job_id: int) -> None:
        self.cancel_requests.append(job_id)
        if job_id in self.pending:
            self._end(job_id)
            self.cancelled.emit(job_id)

    def is_idle(self) -> bool:
        return not self.pending

    def shutdown(self) -> None:
        pass

    def clear_log(self) -> None:
        self.log_lines.clear()

    # -- answering, for tests ------------------------------------------------------------------

    def log(self, line: str) -> None:
        """As if the worker wrote ``line`` to stderr."""
        self.log_lines.append(line)
        self.logged.emit(line)

    def jobs(self, name: str) -> list[Job]:
        return [j for j in self.submitted if j.job == name]

    def last(self, name: str) -> Job:
        return self.jobs(name)[-1]

    def finish(self, job_id: int, result: object) -> None:
        self._end(job_id)
        self.finished.emit(job_id, result)

    def fail(self, job_id: int, message: str, details: str = "") -> None:
        self._end(job_id)
        self.failed.emit(job_id, message, details)

    def _end(self, job_id: int) -> None:
        self.pending.pop(job_id, None)
        if not self.pending:
            self.idleChanged.emit(True)


def fake_workers(monkeypatch, controller: type) -> dict[str, FakeClient]:
    """Stand-ins for the workers ``controller`` (the diff's or the inference's) starts, by Keras
    flavour, in the order they were started."""
    clients: dict[str, FakeClient] = {}

    def start(_self, keras: str) -> FakeClient:
        clients[keras] = FakeClient()
        return clients[keras]

    monkeypatch.setattr(controller, "_start_worker", start)
    return clients


def write_model_file(path: Path) -> Path:
    """A model file for the architecture picker; the fake workers never run it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("def build_model():\n    return None\n", encoding="utf-8")
    return path


def nothing_restored(
    prefix: str,
    architecture: str,
    model: dict[str, tuple[tuple[int, ...], str]],
    variables: Iterable[VariableRecord],
) -> DiffReport:
    """A Keras 3 diff in which nothing restores: every model variable (name -> shape, dtype)
    missing, every checkpoint variable unused."""
    missing = [
        DiffEntry(MatchStatus.MISSING, name, model_shape=shape, model_dtype=dtype)
        for name, (shape, dtype) in model.items()
    ]
    unused = [
        DiffEntry(
            MatchStatus.UNUSED,
            checkpoint_key=v.key,
            checkpoint_shape=v.shape,
            checkpoint_dtype=v.dtype,
            role=v.role,
        )
        for v in variables
    ]
    entries = (*missing, *unused)
    return DiffReport(prefix, architecture, "3", MatchMethod.OBJECT_GRAPH, entries, "model")
