"""Load a checkpoint's values into a model through the diff's matching.

Only entries the diff calls matched are assigned, so a partial restore loads everything that
fits and leaves the rest at its initial values, instead of stopping at the first shape error as
``tf.train.Checkpoint.restore`` does. For matched entries the result is the same as TensorFlow's
restore (the diff tests check that). Values come from our own readers, one tensor at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ckpt_inspector.core.bundle.dtypes import numpy_dtype
from ckpt_inspector.core.dtype_names import numpy_dtype_name
from ckpt_inspector.core.matching.model_graph import model_variables
from ckpt_inspector.core.matching.records import DiffReport, MatchStatus
from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.statistics.reading import TensorReader


def restore_matched(record: CheckpointRecord, report: DiffReport, root: Any) -> int:
    """Assign every matched checkpoint tensor to its model variable; returns how many."""
    variables = {v.name: v.obj for v in model_variables(root)}
    restored = 0
    with TensorReader(record) as reader:
        for entry in report.with_status(MatchStatus.MATCHED):
            variable = variables[entry.model]
            values = reader.read(entry.checkpoint_key)
            part = getattr(variable, "_save_slice_info", None)
            if part is not None:  # a TF1 partition: its slice of the full tensor
                values = values[
                    tuple(
                        slice(int(o), int(o) + int(n))
                        for o, n in zip(part.var_offset, part.var_shape, strict=True)
                    )
                ]
            values = np.asarray(values)
            if entry.model_dtype and numpy_dtype_name(values.dtype) != entry.model_dtype:
                # Only a mapping the user allowed to cast pairs different dtypes.
                values = values.astype(numpy_dtype(entry.model_dtype))
            variable.assign(values)
            restored += 1
    return restored
