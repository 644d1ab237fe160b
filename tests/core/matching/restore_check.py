"""Check a diff report against what TensorFlow's restore really does.

The report claims, per model variable, "restore would load this checkpoint key" or "it would
stay at its initial value". These helpers run the real restore and compare every variable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from ckpt_inspector.core.matching.model_graph import model_variables
from ckpt_inspector.core.matching.records import DiffReport, MatchStatus


def values(root) -> dict[str, np.ndarray]:
    return {v.name: np.array(v.obj.numpy()) for v in model_variables(root)}


def assert_report_tells_the_truth(
    report: DiffReport, root, prefix: str, restore: Callable[[], object]
) -> None:
    """Restore for real; matched variables must hold the checkpoint's values, all others their
    initial ones. Shape mismatches make TensorFlow's restore fail, so they are not allowed here
    (``assert_restore_rejects`` covers them)."""
    before = values(root)
    restore()
    after = values(root)
    reader = tf.train.load_checkpoint(prefix)
    assert report.model_variables == len(after)
    for entry in report.model_entries:
        if entry.status is MatchStatus.MATCHED:
            expected = reader.get_tensor(entry.checkpoint_key)
            np.testing.assert_array_equal(after[entry.model], expected, err_msg=entry.model)
        else:
            np.testing.assert_array_equal(after[entry.model], before[entry.model], entry.model)
