"""The diff report: plain data that crosses the worker pipe and feeds the CLI, panel and exports.

Entries name the model side in the user's terms (``sequential/dense_1/kernel``) and the
checkpoint side by key, so a report line can be pasted into either code base.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from ckpt_inspector.core.records import VariableRole


class MatchStatus(str, Enum):
    """The JSON section each entry belongs to; the values are the contract's section names."""

    MATCHED = "matched"
    SHAPE_MISMATCH = "shape_mismatch"
    DTYPE_MISMATCH = "dtype_mismatch"
    MISSING = "missing_in_checkpoint"
    UNUSED = "unused_in_checkpoint"


class MatchMethod(str, Enum):
    OBJECT_GRAPH = "object-graph"  # tf.train.Checkpoint.restore: child names from the root down
    NAME_BASED = "name-based"  # TF1 Saver: the variable's name is the checkpoint key
    KERAS_WEIGHTS = "keras-weights"  # Keras 3 load_weights: saveable paths and positions


@dataclass(frozen=True)
class DiffEntry:
    """One model variable, one checkpoint tensor, or a pair of them.

    ``model`` is ``None`` for checkpoint tensors nothing in the model asks for;
    ``checkpoint_key`` is ``None`` for model variables the checkpoint does not hold.
    ``role`` is what the tensor is for (weights, optimizer state, bookkeeping such as
    ``save_counter``), so optimizer leftovers never hide a missing weight.
    """

    status: MatchStatus
    model: str | None = None
    checkpoint_key: str | None = None
    model_shape: tuple[int | None, ...] | None = None
    checkpoint_shape: tuple[int, ...] | None = None
    model_dtype: str | None = None
    checkpoint_dtype: str | None = None
    role: VariableRole = VariableRole.WEIGHT
    checkpoint_name: str | None = None  # the checkpoint's own readable path for the key
    note: str = ""

    @property
    def distinct_name(self) -> str | None:
        """The checkpoint's readable name for the key, when it says more than the key.

        A TF2 checkpoint saves each variable once, under the first path its object graph
        reaches, so a model's kernel may sit at ``optimizer/_trainable_variables/0/...``; its
        name (``sequential/dense/kernel``) is what a reader compares with the model variable.
        """
        name = self.checkpoint_name
        return name if name and name != self.checkpoint_key else None

    @property
    def params(self) -> int:
        """Elements of the model variable (of the checkpoint tensor for unused entries)."""
        shape = self.model_shape if self.model_shape is not None else self.checkpoint_shape
        if shape is None or any(d is None for d in shape):
            return 0
        return math.prod(shape)  # type: ignore[arg-type]

    def to_json(self) -> dict:
        out: dict = {"model": self.model, "checkpoint_key": self.checkpoint_key}
        if self.status is MatchStatus.SHAPE_MISMATCH:
            out["model_shape"] = _listed(self.model_shape)
            out["checkpoint_shape"] = _listed(self.checkpoint_shape)
        elif self.status is MatchStatus.DTYPE_MISMATCH:
            out["model_dtype"] = self.model_dtype
            out["checkpoint_dtype"] = self.checkpoint_dtype
            out["shape"] = _listed(self.model_shape)
        else:
            out["shape"] = _listed(
                self.model_shape if self.model_shape is not None else self.checkpoint_shape
            )
            out["dtype"] = self.model_dtype or self.checkpoint_dtype
        out["role"] = self.role.value
        if self.checkpoint_name:
            out["checkpoint_name"] = self.checkpoint_name
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class AttachCandidate:
    """A place in the checkpoint's object graph the model could be restored at."""

    path: str  # "" is the checkpoint's root (``model.save_weights``); else e.g. "model"
    restored: int


@dataclass(frozen=True)
class DiffReport:
    checkpoint: str  # the checkpoint prefix or file
    architecture: str  # what the model came from, as the user named it
    keras: str  # "3" or "2"
    method: MatchMethod
    entries: tuple[DiffEntry, ...]
    attach: str = ""
    attach_candidates: tuple[AttachCandidate, ...] = ()
    notes: tuple[str, ...] = field(default=())  # why nothing matched, what to try

    def with_status(self, status: MatchStatus) -> tuple[DiffEntry, ...]:
        return tuple(e for e in self.entries if e.status is status)

    @property
    def model_entries(self) -> tuple[DiffEntry, ...]:
        return tuple(e for e in self.entries if e.model is not None)

    @property
    def model_variables(self) -> int:
        return len(self.model_entries)

    @property
    def restored(self) -> int:
        return len(self.with_status(MatchStatus.MATCHED))

    @property
    def restored_params_fraction(self) -> float:
        total = sum(e.params for e in self.model_entries)
        if total == 0:
            return 1.0 if self.model_variables == self.restored else 0.0
        return sum(e.params for e in self.with_status(MatchStatus.MATCHED)) / total

    @property
    def complete(self) -> bool:
        """Every model variable would be restored: the CLI's exit status 0."""
        return self.restored == self.model_variables

    def summary_sentence(self) -> str:
        return (
            f"{self.restored} of {self.model_variables} model variables would be restored "
            f"({self.restored_params_fraction:.1%} of parameters)."
        )

    def to_json(self) -> dict:
        out: dict = {
            "summary": {
                "model_variables": self.model_variables,
                "restored": self.restored,
                "restored_params_fraction": self.restored_params_fraction,
                "checkpoint": self.checkpoint,
                "architecture": self.architecture,
                "keras": self.keras,
                "method": self.method.value,
                "attach": self.attach,
                "attach_candidates": [
                    {"path": c.path, "restored": c.restored} for c in self.attach_candidates
                ],
                "notes": list(self.notes),
            }
        }
        for status in MatchStatus:
            out[status.value] = [e.to_json() for e in self.with_status(status)]
        return out


def _listed(shape: tuple | None) -> list | None:
    return None if shape is None else list(shape)
