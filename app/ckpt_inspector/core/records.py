"""Plain records passed between the core, the worker process and the window.

They hold only builtins and tuples so they pickle across the worker pipe and serialise to the
CLI's JSON without custom encoders.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class CheckpointFormat(str, Enum):
    """How a checkpoint was written; the value is what the CLI prints."""

    TF2 = "tf2"  # tf.train.Checkpoint / CheckpointManager (object graph, objects under named roots)
    KERAS2_TF = "keras2-tf"  # Keras 2 save_weights, TF format (graph rooted at the model)
    TF1 = "tf1"  # name-based tf.compat.v1.train.Saver (no object graph)
    SAVED_MODEL = "saved-model"  # variables/variables of a SavedModel folder
    KERAS3_WEIGHTS = "keras3-weights-h5"  # Keras 3 model.save_weights("x.weights.h5")
    KERAS3_ARCHIVE = "keras3-archive"  # Keras 3 model.save("x.keras")
    KERAS_H5 = "keras-h5"  # Keras 2 HDF5 weights or model (x.h5)


class VariableRole(str, Enum):
    WEIGHT = "weight"
    OPTIMIZER = "optimizer"
    BOOKKEEPING = "bookkeeping"


@dataclass(frozen=True)
class CheckpointRecord:
    """One checkpoint found on disk.

    ``prefix`` is the path a reader opens: the bundle prefix for TensorFlow formats
    (``.../ckpt-3`` without ``.index``), the file itself for HDF5 and ``.keras``.
    """

    prefix: str
    format: CheckpointFormat
    step: int | None = None
    mtime: float | None = None
    bytes: int = 0
    shards: int = 1
    missing_shards: tuple[str, ...] = ()
    problem: str | None = None
    in_state_file: bool = False
    latest: bool = False
    has_meta_graph: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing_shards and self.problem is None

    @property
    def name(self) -> str:
        return self.prefix.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]

    def to_json(self) -> dict:
        return {
            "prefix": self.prefix,
            "format": self.format.value,
            "step": self.step,
            "bytes": self.bytes,
            "complete": self.complete,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class StaleStateEntry:
    """A path named by a ``checkpoint`` state file that has no checkpoint behind it."""

    state_file: str
    written_path: str
    reason: str


@dataclass(frozen=True)
class FolderListing:
    folder: str
    checkpoints: tuple[CheckpointRecord, ...]
    stale_entries: tuple[StaleStateEntry, ...] = ()
    problems: tuple[str, ...] = ()
    # The checkpoint the user pointed at when they gave a prefix or a file rather than a folder.
    focus: str | None = None

    def focused(self) -> CheckpointRecord | None:
        """The record of ``focus`` (the checkpoint a prefix or file named), if any."""
        return next((c for c in self.checkpoints if c.prefix == self.focus), None)

    def to_json(self) -> dict:
        return {
            "folder": self.folder,
            "checkpoints": [c.to_json() for c in self.checkpoints],
            "stale_state_entries": [asdict(s) for s in self.stale_entries],
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class VariableRecord:
    """One variable as ``tf.train.list_variables`` reports it, plus what we derive.

    ``key`` is exactly the checkpoint key; ``name`` is the human path from the object graph
    (``sequential/dense/kernel``) or ``None`` when the checkpoint has no object graph.
    ``slot_of``/``slot_name`` tie an optimizer slot to the key of the variable it belongs to.
    """

    key: str
    shape: tuple[int, ...]
    dtype: str
    bytes: int
    role: VariableRole = VariableRole.WEIGHT
    name: str | None = None
    slot_of: str | None = None
    slot_name: str | None = None
    partitions: int = 0

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "shape": list(self.shape),
            "dtype": self.dtype,
            "bytes": self.bytes,
            "role": self.role.value,
        }


@dataclass(frozen=True)
class CheckpointContents:
    checkpoint: CheckpointRecord
    variables: tuple[VariableRecord, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def parameter_count(self) -> int:
        return sum(v.size for v in self.variables if v.role is VariableRole.WEIGHT)

    def to_json(self) -> dict:
        return {
            "checkpoint": {
                "prefix": self.checkpoint.prefix,
                "format": self.checkpoint.format.value,
                "shards": self.checkpoint.shards,
                "missing_shards": list(self.checkpoint.missing_shards),
            },
            "variables": [v.to_json() for v in self.variables],
        }


@dataclass(frozen=True)
class TensorPreview:
    """A bounded view of a tensor's values, safe to send to the window.

    ``values`` is a NumPy array of at most a few thousand elements; ``slice_text`` says which
    part of the tensor it is (``[0:8, 0:16] of 784x128``), empty when it is the whole tensor.
    """

    key: str
    shape: tuple[int, ...]
    dtype: str
    values: object
    slice_text: str = ""
    note: str = ""
