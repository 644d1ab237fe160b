"""What the timeline job returns: plain frozen records of builtins and tuples.

They cross the worker pipe (pickle) and give ``ckpt-inspector timeline --json`` its documented
shape through ``to_json``. Every per-checkpoint sequence has one entry per checkpoint, in
training order; ``None`` where the value does not exist (the variable is not in that checkpoint,
it holds no finite value, or, for the relative change, there is no previous checkpoint or the
previous norm is 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

Series = tuple[float | None, ...]


class OrderSource(str, Enum):
    """Where the order of the checkpoints (and the step shown for each) came from."""

    VARIABLE = "variable"  # a step counter inside each checkpoint (``step``, ``global_step``...)
    FILE_NAME = "file-name"  # the number at the end of the name (``ckpt-3``)
    STATE_FILE = "state-file"  # the order of the ``checkpoint`` state file's entries
    MODIFICATION_TIME = "modification-time"


class TimelineFindingKind(str, Enum):
    NAN_INF = "nan-inf"  # the first checkpoint where any tensor holds NaN or ±Inf
    BLOW_UP = "norm-blow-up"  # a norm grew by ``BLOW_UP_FACTOR`` or more in one save
    IDENTICAL = "identical-checkpoints"  # every variable bit for bit equal to the previous save
    NEVER_CHANGES = "never-changes"  # a weight equal in every checkpoint (frozen or not trained)


@dataclass(frozen=True)
class TimelineCheckpoint:
    prefix: str
    name: str
    step: int | None  # from the order source; None for the state file and modification times
    mtime: float | None = None


@dataclass(frozen=True)
class VariableSeries:
    """One variable across the checkpoints."""

    key: str
    name: str | None
    role: str  # VariableRole value
    dtype: str
    shape: tuple[int, ...]  # in the last checkpoint that holds it
    norm: Series  # L2 norm of the finite values
    mean: Series
    std: Series
    max_abs: Series
    relative_change: Series  # ||w_t - w_(t-1)|| / ||w_(t-1)||, finite values; first is None
    nonfinite: tuple[int | None, ...]  # NaN + ±Inf count; None: not in that checkpoint
    identical: tuple[bool | None, ...]  # bit for bit equal to the previous checkpoint

    @property
    def label(self) -> str:
        return self.name or self.key

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "role": self.role,
            "dtype": self.dtype,
            "shape": list(self.shape),
            "norm": list(self.norm),
            "mean": list(self.mean),
            "std": list(self.std),
            "max_abs": list(self.max_abs),
            "relative_change": list(self.relative_change),
            "nonfinite": list(self.nonfinite),
        }


@dataclass(frozen=True)
class TimelineFinding:
    kind: TimelineFindingKind
    message: str
    checkpoint: int | None = None  # index into Timeline.checkpoints where it happens
    keys: tuple[str, ...] = ()  # the variables concerned

    def to_json(self, checkpoints: tuple[TimelineCheckpoint, ...]) -> dict:
        where = checkpoints[self.checkpoint] if self.checkpoint is not None else None
        return {
            "kind": self.kind.value,
            "message": self.message,
            "checkpoint": where.prefix if where else None,
            "step": where.step if where else None,
            "variables": list(self.keys),
        }


@dataclass(frozen=True)
class Timeline:
    folder: str
    checkpoints: tuple[TimelineCheckpoint, ...]
    order_source: OrderSource
    order_text: str  # "the step variable (step/.ATTRIBUTES/VARIABLE_VALUE)", for people
    variables: tuple[VariableSeries, ...]
    findings: tuple[TimelineFinding, ...] = ()
    skipped: tuple[str, ...] = ()  # keys not followed: bookkeeping, counters, not numbers
    notes: tuple[str, ...] = ()  # checkpoints left out, unreadable tensors
    cached: int = 0  # checkpoints whose statistics all came from the cache
    tensors_read: int = 0

    def series(self, key: str) -> VariableSeries | None:
        return next((v for v in self.variables if v.key == key), None)

    def to_json(self) -> dict:
        return {
            "folder": self.folder,
            "order": {"source": self.order_source.value, "description": self.order_text},
            "checkpoints": [{"prefix": c.prefix, "step": c.step} for c in self.checkpoints],
            "variables": [v.to_json() for v in self.variables],
            "findings": [f.to_json(self.checkpoints) for f in self.findings],
            "skipped": list(self.skipped),
            "notes": list(self.notes),
        }
