"""Rules the user writes to map many keys at once: a prefix swap or a regular expression.

A rule rewrites a checkpoint tensor's readable name (``model/dense/kernel``) into a model
variable name (``sequential/dense/kernel``); every checkpoint weight whose rewritten name is a
model variable of the same shape becomes a mapping row. Pure Python, so the window can apply
rules and count what they restore as the user types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.key_patterns import path_name
from ckpt_inspector.core.mapping.records import KeyMapping, MappingRow
from ckpt_inspector.core.matching.records import DiffEntry
from ckpt_inspector.core.records import VariableRecord, VariableRole


@dataclass(frozen=True)
class MappingRule:
    """``kind`` is ``prefix`` (``pattern`` is the checkpoint prefix, ``replacement`` the model
    one) or ``regex`` (``re.sub(pattern, replacement, name)``, full match required)."""

    kind: str
    pattern: str
    replacement: str

    def rewrite(self, name: str) -> str | None:
        if self.kind == "prefix":
            return (
                self.replacement + name[len(self.pattern) :]
                if name.startswith(self.pattern)
                else None
            )
        if self.kind == "regex":
            try:
                compiled = re.compile(self.pattern)
            except re.error as exc:
                raise InspectorError(
                    f"The rule {self.pattern!r} is not a valid regular expression ({exc})."
                ) from None
            if compiled.fullmatch(name) is None:
                return None
            return compiled.sub(self.replacement, name)
        raise InspectorError(f"{self.kind!r} is not a kind of rule; use prefix or regex.")


def apply_rules(
    mapping: KeyMapping,
    rules: Sequence[MappingRule],
    model: Sequence[DiffEntry],
    checkpoint: Sequence[VariableRecord],
) -> KeyMapping:
    """``mapping`` plus the rows the rules produce; rows already there win."""
    shapes = {e.model: e.model_shape for e in model if e.model is not None}
    taken_models = {r.model_variable for r in mapping.rows}
    taken_keys = {r.checkpoint_key for r in mapping.rows}
    rows = list(mapping.rows)
    for record in checkpoint:
        if record.role is not VariableRole.WEIGHT or record.key in taken_keys:
            continue
        name = record.name or path_name(record.key)
        for rule in rules:
            target = rule.rewrite(name)
            if target is None or target in taken_models or target not in shapes:
                continue
            if tuple(shapes[target] or ()) != tuple(record.shape):
                continue
            rows.append(MappingRow(record.key, target, f"rule {rule.kind} {rule.pattern!r}"))
            taken_models.add(target)
            taken_keys.add(record.key)
            break
    return replace(
        mapping,
        rows=tuple(rows),
        unmapped_model_variables=tuple(
            m for m in mapping.unmapped_model_variables if m not in taken_models
        ),
        unmapped_checkpoint_keys=tuple(
            k for k in mapping.unmapped_checkpoint_keys if k not in taken_keys
        ),
        ambiguous=tuple(a for a in mapping.ambiguous if a.model_variable not in taken_models),
    )
