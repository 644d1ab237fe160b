"""Put the checkpoints of a run in training order, and say where the order came from.

Sources, best first; the first one that gives every checkpoint a value is used:

1. a step counter inside each checkpoint: an integer scalar whose key ends in ``step``,
   ``global_step`` (TF1 and Estimator), the optimizer's ``iterations`` (Keras' ``_iterations``)
   or ``save_counter`` (``tf.train.Checkpoint``), preferred in that order: the training step is
   what a user means by "when", and ``CheckpointManager`` names count saves, not steps;
2. the number at the end of the file name (``ckpt-3``, ``model.ckpt-1000``, ``ckpt_5``);
3. the order of the ``checkpoint`` state file's entries (oldest first, as TensorFlow writes it);
4. the files' modification times.

Ties (two saves at one step) are broken by the file name's number, then the time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ckpt_inspector.core import fs
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.io_errors import io_errors
from ckpt_inspector.core.key_patterns import ATTRIBUTES
from ckpt_inspector.core.probe import step_from_name
from ckpt_inspector.core.records import CheckpointRecord, VariableRecord
from ckpt_inspector.core.state_file import STATE_FILE_NAME, read_state_file, resolve_state
from ckpt_inspector.core.timeline.records import OrderSource

# Last key segment of a step counter, best first.
COUNTER_NAMES = ("step", "global_step", "iterations", "_iterations", "save_counter")
_INTEGER_DTYPES = ("int", "uint")


@dataclass(frozen=True)
class Order:
    indices: tuple[int, ...]  # positions in the given records, in training order
    source: OrderSource
    text: str
    steps: tuple[int | None, ...]  # per ordered checkpoint


def counter_name(key: str) -> str | None:
    """The counter name ``key`` holds (``step`` for ``step/.ATTRIBUTES/VARIABLE_VALUE``)."""
    path = key.split(ATTRIBUTES, 1)[0]
    last = path.rsplit("/", 1)[-1]
    return last if last in COUNTER_NAMES else None


def counter_keys(variables: Sequence[VariableRecord]) -> list[str]:
    """Keys of the integer scalars that may count steps."""
    return [
        v.key
        for v in variables
        if counter_name(v.key) and v.dtype.startswith(_INTEGER_DTYPES) and math.prod(v.shape) == 1
    ]


def _rank(key: str) -> tuple[int, int, str]:
    name = counter_name(key) or ""
    depth = key.split(ATTRIBUTES, 1)[0].count("/")
    return (COUNTER_NAMES.index(name) if name in COUNTER_NAMES else 99, depth, key)


def _state_positions(records: Sequence[CheckpointRecord]) -> list[int] | None:
    """Each record's position in its folder's state file, or None unless all are listed."""
    positions: dict[str, int] = {}
    for folder in {fs.dirname(r.prefix) for r in records}:
        path = fs.join(folder, STATE_FILE_NAME)
        try:
            if not fs.exists(path):
                return None
            listed = resolve_state(path, read_state_file(path)).listed
        except (InspectorError, *io_errors()):
            return None
        positions.update({fs.absolute(p): i for i, p in enumerate(listed)})
    found = [positions.get(fs.absolute(r.prefix)) for r in records]
    return None if any(p is None for p in found) else found  # type: ignore[return-value]


def order_checkpoints(
    records: Sequence[CheckpointRecord], counters: Sequence[Mapping[str, int]]
) -> Order:
    """The training order of ``records``; ``counters[i]`` holds the counters read from the
    i-th record (key -> value)."""
    names = [step_from_name(r.name) for r in records]
    times = [r.mtime or 0.0 for r in records]

    def tie(i: int) -> tuple:
        return (names[i] if names[i] is not None else math.inf, times[i], records[i].name)

    every = set.intersection(*(set(c) for c in counters)) if counters else set()
    if every and records:
        key = min(every, key=_rank)
        values = [int(c[key]) for c in counters]
        indices = sorted(range(len(records)), key=lambda i: (values[i], *tie(i)))
        text = f"the {counter_name(key)} variable in each checkpoint ({key})"
        return Order(tuple(indices), OrderSource.VARIABLE, text, tuple(values[i] for i in indices))
    if records and all(n is not None for n in names):
        indices = sorted(range(len(records)), key=tie)
        text = "the number in each file name"
        return Order(tuple(indices), OrderSource.FILE_NAME, text, tuple(names[i] for i in indices))
    positions = _state_positions(records) if records else None
    if positions is not None:
        indices = sorted(range(len(records)), key=lambda i: (positions[i], *tie(i)))
        text = "the order of the checkpoint state file"
        return Order(tuple(indices), OrderSource.STATE_FILE, text, (None,) * len(records))
    indices = sorted(range(len(records)), key=lambda i: (times[i], records[i].name))
    text = "the files' modification times"
    return Order(tuple(indices), OrderSource.MODIFICATION_TIME, text, (None,) * len(records))
