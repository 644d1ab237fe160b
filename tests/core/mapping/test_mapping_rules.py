"""Prefix and regex rules produce mapping rows for same-shaped variables only."""

from __future__ import annotations

import pytest

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.mapping.records import KeyMapping, MappingRow
from ckpt_inspector.core.mapping.rules import MappingRule, apply_rules
from ckpt_inspector.core.matching.records import DiffEntry, MatchStatus
from ckpt_inspector.core.records import VariableRecord, VariableRole


def model_entry(name: str, shape: tuple[int, ...]) -> DiffEntry:
    return DiffEntry(MatchStatus.MISSING, model=name, model_shape=shape, model_dtype="float32")


def weight(key: str, name: str, shape: tuple[int, ...], role=VariableRole.WEIGHT) -> VariableRecord:
    return VariableRecord(key=key, shape=shape, dtype="float32", bytes=4, role=role, name=name)


MODEL = [model_entry("net/dense/kernel", (4, 2)), model_entry("net/dense/bias", (2,))]
CHECKPOINT = [
    weight("k", "old/dense/kernel", (4, 2)),
    weight("b", "old/dense/bias", (3,)),  # wrong shape: never mapped by a rule
    weight("m", "old/dense/kernel/m", (4, 2), VariableRole.OPTIMIZER),
]
EMPTY = KeyMapping(rows=(), unmapped_model_variables=("net/dense/kernel", "net/dense/bias"),
                   unmapped_checkpoint_keys=("k", "b"))  # fmt: skip


def test_prefix_rule_maps_same_shaped_weights_only():
    result = apply_rules(EMPTY, [MappingRule("prefix", "old/", "net/")], MODEL, CHECKPOINT)
    assert result.rows == (MappingRow("k", "net/dense/kernel", "rule prefix 'old/'"),)
    assert result.unmapped_model_variables == ("net/dense/bias",)
    assert result.unmapped_checkpoint_keys == ("b",)


def test_regex_rule_and_existing_rows_win():
    existing = KeyMapping(rows=(MappingRow("x", "net/dense/kernel", "user"),))
    rule = MappingRule("regex", r"old/(\w+)/(\w+)", r"net/\1/\2")
    result = apply_rules(existing, [rule], MODEL, CHECKPOINT)
    assert result.rows == existing.rows  # the kernel is taken, the bias has the wrong shape


def test_a_bad_regex_is_one_sentence():
    with pytest.raises(InspectorError, match="not a valid regular expression"):
        apply_rules(EMPTY, [MappingRule("regex", "(", "")], MODEL, CHECKPOINT)
