"""A key mapping: which checkpoint tensor goes into which model variable, and why.

The JSON form is the contract of ``ckpt-inspector remap`` and ``--mapping FILE``:
``{"mapping": [{"checkpoint_key", "model_variable", "reason"}], "unmapped_model_variables":
[...], "unmapped_checkpoint_keys": [...]}``. Ambiguous proposals are kept apart (``ambiguous``,
with their candidates) and are never applied until the user picks one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ckpt_inspector.core.errors import InspectorError


@dataclass(frozen=True)
class MappingRow:
    checkpoint_key: str
    model_variable: str
    reason: str

    def to_json(self) -> dict:
        return {
            "checkpoint_key": self.checkpoint_key,
            "model_variable": self.model_variable,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class AmbiguousRow:
    """A model variable several checkpoint tensors fit equally well; the user must choose."""

    model_variable: str
    candidates: tuple[str, ...]
    reason: str

    def to_json(self) -> dict:
        return {
            "model_variable": self.model_variable,
            "candidates": list(self.candidates),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class KeyMapping:
    rows: tuple[MappingRow, ...]
    unmapped_model_variables: tuple[str, ...] = ()
    unmapped_checkpoint_keys: tuple[str, ...] = ()
    ambiguous: tuple[AmbiguousRow, ...] = field(default=())

    def by_model_variable(self) -> dict[str, MappingRow]:
        return {row.model_variable: row for row in self.rows}

    def to_json(self) -> dict:
        out = {
            "mapping": [row.to_json() for row in self.rows],
            "unmapped_model_variables": list(self.unmapped_model_variables),
            "unmapped_checkpoint_keys": list(self.unmapped_checkpoint_keys),
        }
        if self.ambiguous:
            out["ambiguous"] = [row.to_json() for row in self.ambiguous]
        return out

    @classmethod
    def from_json(cls, data: object, source: str = "the mapping") -> KeyMapping:
        """Read the JSON contract; anything else is one sentence naming ``source``."""
        try:
            rows = tuple(
                MappingRow(
                    str(r["checkpoint_key"]),
                    str(r["model_variable"]),
                    str(r.get("reason", "given")),
                )
                for r in data["mapping"]  # type: ignore[index]
            )
            ambiguous = tuple(
                AmbiguousRow(
                    str(r["model_variable"]),
                    tuple(map(str, r["candidates"])),
                    str(r.get("reason", "")),
                )
                for r in data.get("ambiguous", ())  # type: ignore[union-attr]
            )
            unmapped_model = tuple(map(str, data.get("unmapped_model_variables", ())))  # type: ignore[union-attr]
            unmapped_keys = tuple(map(str, data.get("unmapped_checkpoint_keys", ())))  # type: ignore[union-attr]
        except (KeyError, TypeError, AttributeError) as exc:
            raise InspectorError(
                f"{source} is not a key mapping ({exc!s} missing or malformed); it needs "
                '{"mapping": [{"checkpoint_key": ..., "model_variable": ...}]}.'
            ) from None
        seen: dict[str, str] = {}
        for row in rows:
            if row.model_variable in seen:
                raise InspectorError(
                    f"{source} maps two checkpoint keys ({seen[row.model_variable]} and "
                    f"{row.checkpoint_key}) to {row.model_variable}; keep one."
                )
            seen[row.model_variable] = row.checkpoint_key
        return cls(rows, unmapped_model, unmapped_keys, ambiguous)


def read_mapping(path: str) -> KeyMapping:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise InspectorError(
            f"Could not read the mapping {path} ({exc.strerror}).", path=path
        ) from None
    except json.JSONDecodeError as exc:
        raise InspectorError(
            f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); fix or regenerate it with "
            "ckpt-inspector remap --json.",
            path=path,
        ) from None
    return KeyMapping.from_json(data, path)
