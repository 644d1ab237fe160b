"""What the timeline calls a finding, and why.

1. NaN/±Inf (``NAN_INF``): the first checkpoint, in training order, where any followed tensor
   holds a NaN or an infinity, with every variable that does there. Later checkpoints usually
   inherit the NaN, so only the first is worth a finding: that is where training went wrong.
2. Norm blow-up (``BLOW_UP``): a variable's L2 norm grows ``BLOW_UP_FACTOR`` (10) times or more
   from one checkpoint to the next. The previous value must not be negligible (RMS of at
   least ``MIN_RMS``): a zero-initialised bias after one Adam step has an RMS of about the
   learning rate, and its growth from there is training, not divergence. One finding per
   variable, at the first such jump.
3. Identical checkpoints (``IDENTICAL``): every followed variable of a checkpoint is bit for bit
   equal to the previous one (counters such as ``step`` are not followed): training had
   stopped, or the loop saved the same state twice.
4. Never changes (``NEVER_CHANGES``): a model weight equal in every checkpoint that holds it
   while other variables did change: a frozen layer (``trainable=False``), or one the loss
   never reaches. Optimizer state is left out (a constant learning rate is normal). Not
   reported when nothing changed at all; the identical-checkpoint findings say that already.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ckpt_inspector.core.records import VariableRole
from ckpt_inspector.core.timeline.records import (
    TimelineCheckpoint,
    TimelineFinding,
    TimelineFindingKind,
    VariableSeries,
)

BLOW_UP_FACTOR = 10.0
MIN_RMS = 5e-3
_LISTED = 5  # variables named in a message


def _where(checkpoint: TimelineCheckpoint) -> str:
    return (
        checkpoint.name
        if checkpoint.step is None
        else f"{checkpoint.name} (step {checkpoint.step})"
    )


def _names(variables: Sequence[VariableSeries]) -> str:
    shown = ", ".join(v.label for v in variables[:_LISTED])
    more = len(variables) - _LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def nan_inf(
    checkpoints: Sequence[TimelineCheckpoint], variables: Sequence[VariableSeries]
) -> list[TimelineFinding]:
    for t, checkpoint in enumerate(checkpoints):
        bad = [v for v in variables if (v.nonfinite[t] or 0) > 0]
        if bad:
            count = sum(v.nonfinite[t] or 0 for v in bad)
            message = (
                f"{_where(checkpoint)} is the first checkpoint with NaN or ±Inf: "
                f"{count:,} {'value' if count == 1 else 'values'} in {_names(bad)}."
            )
            return [
                TimelineFinding(TimelineFindingKind.NAN_INF, message, t, tuple(v.key for v in bad))
            ]
    return []


def blow_ups(
    checkpoints: Sequence[TimelineCheckpoint], variables: Sequence[VariableSeries]
) -> list[TimelineFinding]:
    out = []
    for variable in variables:
        size = math.prod(variable.shape) or 1
        for t in range(1, len(checkpoints)):
            before, after = variable.norm[t - 1], variable.norm[t]
            if before is None or after is None or before / math.sqrt(size) < MIN_RMS:
                continue
            if after >= BLOW_UP_FACTOR * before:
                message = (
                    f"The norm of {variable.label} grew {after / before:,.0f}× from "
                    f"{_where(checkpoints[t - 1])} to {_where(checkpoints[t])} "
                    f"({before:.4g} to {after:.4g})."
                )
                out.append(
                    TimelineFinding(TimelineFindingKind.BLOW_UP, message, t, (variable.key,))
                )
                break
    return out


def identical_checkpoints(
    checkpoints: Sequence[TimelineCheckpoint], variables: Sequence[VariableSeries]
) -> list[TimelineFinding]:
    out = []
    for t in range(1, len(checkpoints)):
        flags = [v.identical[t] for v in variables]
        in_both = [f for f in flags if f is not None]
        in_one = any((v.nonfinite[t] is None) != (v.nonfinite[t - 1] is None) for v in variables)
        if in_both and all(in_both) and not in_one:
            message = (
                f"{_where(checkpoints[t])} is identical to {_where(checkpoints[t - 1])}: all "
                f"{len(in_both)} variables are bit for bit the same. Training had stopped, or "
                "the same state was saved twice."
            )
            out.append(TimelineFinding(TimelineFindingKind.IDENTICAL, message, t))
    return out


def never_changes(variables: Sequence[VariableSeries]) -> list[TimelineFinding]:
    def unchanged(v: VariableSeries) -> bool:
        flags = [f for f in v.identical if f is not None]
        return bool(flags) and all(flags)

    if not any(any(f is False for f in v.identical) for v in variables):
        return []
    out = []
    for variable in variables:
        if variable.role == VariableRole.WEIGHT.value and unchanged(variable):
            present = sum(count is not None for count in variable.nonfinite)
            message = (
                f"{variable.label} is the same in all {present} checkpoints that hold it: "
                "a frozen layer, or one the loss does not reach."
            )
            out.append(
                TimelineFinding(TimelineFindingKind.NEVER_CHANGES, message, None, (variable.key,))
            )
    return out


def judge(
    checkpoints: Sequence[TimelineCheckpoint], variables: Sequence[VariableSeries]
) -> tuple[TimelineFinding, ...]:
    """Every finding, the most urgent kind first (the order of the module docstring)."""
    return tuple(
        nan_inf(checkpoints, variables)
        + blow_ups(checkpoints, variables)
        + identical_checkpoints(checkpoints, variables)
        + never_changes(variables)
    )
