"""The key mapping the user is reviewing: one row per model variable, edited in place.

Plain Python, no Qt: the mapping table shows it, the tests drive it directly. A row starts as
the proposal said (proposed, ambiguous with its candidates, or unmapped); the user accepts,
rejects or edits it, and prefix/regex rules fill the rows nobody decided. What would restore is
counted with ``core.mapping.apply.apply_mapping`` over the checkpoint's own variable list, in
the window process, as the user edits. Only checkpoint weights are ever candidates: optimizer
state and bookkeeping are never offered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.key_patterns import OBJECT_GRAPH_KEY
from ckpt_inspector.core.mapping.apply import apply_mapping
from ckpt_inspector.core.mapping.records import AmbiguousRow, KeyMapping, MappingRow
from ckpt_inspector.core.mapping.rules import MappingRule, apply_rules
from ckpt_inspector.core.matching.markdown import shape_text
from ckpt_inspector.core.matching.records import DiffReport, MatchStatus
from ckpt_inspector.core.records import VariableRecord, VariableRole


class RowStatus(str, Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"
    AMBIGUOUS = "ambiguous"
    UNMAPPED = "unmapped"


# The rows whose checkpoint key goes into the mapping.
APPLIED = frozenset({RowStatus.PROPOSED, RowStatus.ACCEPTED, RowStatus.EDITED})


@dataclass(frozen=True)
class DraftRow:
    model_variable: str
    model_shape: tuple[int | None, ...]
    model_dtype: str
    status: RowStatus
    checkpoint_key: str | None = None
    reason: str = ""
    candidates: tuple[str, ...] = ()  # an ambiguous proposal's equally good keys
    by_rule: bool = False  # filled by a rule, not decided by the proposal or the user

    @property
    def applied(self) -> bool:
        return self.status in APPLIED and self.checkpoint_key is not None


class MappingDraft:
    """``original`` is the plain diff (its model entries are the rows), ``variables`` the
    checkpoint's variable list, ``mapping`` the proposal (or a loaded mapping)."""

    def __init__(
        self,
        original: DiffReport,
        variables: Sequence[VariableRecord],
        mapping: KeyMapping,
        *,
        status: RowStatus = RowStatus.PROPOSED,
    ) -> None:
        self.original = original
        self.variables = tuple(variables)
        self._records = {v.key: v for v in self.variables}
        self._weights = tuple(
            v for v in self.variables if v.role is VariableRole.WEIGHT and v.key != OBJECT_GRAPH_KEY
        )
        self._entries = {e.model: e for e in original.model_entries}
        self._check_names(mapping)
        self.rules: list[MappingRule] = []
        self.allow_cast = False
        self._base = self._rows_of(mapping, status)
        self._rows = self._base
        self._refresh()

    # -- reading -------------------------------------------------------------------------------

    def rows(self) -> tuple[DraftRow, ...]:
        return self._rows

    def row(self, index: int) -> DraftRow:
        return self._rows[index]

    def counts(self) -> Counter[RowStatus]:
        return Counter(row.status for row in self._rows)

    def record(self, key: str | None) -> VariableRecord | None:
        return self._records.get(key) if key else None

    def mapping(self) -> KeyMapping:
        """The rows the user keeps, as the JSON contract's mapping (weights only)."""
        applied = [r for r in self._rows if r.applied]
        used = {r.checkpoint_key for r in applied}
        return KeyMapping(
            rows=tuple(MappingRow(r.checkpoint_key, r.model_variable, r.reason) for r in applied),
            unmapped_model_variables=tuple(r.model_variable for r in self._rows if not r.applied),
            unmapped_checkpoint_keys=tuple(v.key for v in self._weights if v.key not in used),
            ambiguous=tuple(
                AmbiguousRow(r.model_variable, r.candidates, r.reason)
                for r in self._rows
                if r.status is RowStatus.AMBIGUOUS
            ),
        )

    def applied_report(self) -> DiffReport:
        """The diff as it stands through the mapping (what restore and inference would use)."""
        return self._applied

    def summary(self) -> str:
        return self._applied.summary_sentence()

    def restores(self, row: DraftRow) -> bool:
        """``row``'s tensor would be loaded (its shape and dtype fit, or a cast is allowed)."""
        return row.model_variable in self._restored

    def candidates(self, index: int) -> tuple[list[str], list[str]]:
        """Checkpoint weights for row ``index``: ``(same shape, other shapes)``; an ambiguous
        row's candidates come first."""
        row = self._rows[index]
        shape = tuple(row.model_shape)
        first = [k for k in row.candidates if k in self._records]
        same = first + [
            v.key for v in self._weights if tuple(v.shape) == shape and v.key not in first
        ]
        other = [v.key for v in self._weights if tuple(v.shape) != shape]
        return same, other

    # -- editing -------------------------------------------------------------------------------

    def accept(self, index: int) -> None:
        row = self._rows[index]
        if row.checkpoint_key is None:
            raise InspectorError(
                f"{row.model_variable} has no checkpoint tensor to accept; choose one first."
            )
        self._decide(replace(row, status=RowStatus.ACCEPTED, by_rule=False))

    def reject(self, index: int) -> None:
        row = self._rows[index]
        if row.checkpoint_key is None:
            raise InspectorError(f"{row.model_variable} has no checkpoint tensor to reject.")
        self._decide(replace(row, status=RowStatus.REJECTED, by_rule=False))

    def edit(self, index: int, key: str | None) -> None:
        """Map row ``index`` to ``key`` (``None``: to nothing, a rejection); raises
        ``InspectorError`` with one sentence for a tensor that cannot restore the variable."""
        row = self._rows[index]
        if key is None:
            if row.checkpoint_key is not None:
                self.reject(index)
            return
        self.check(row, key)
        reason = "chosen by the user"
        if key in row.candidates:
            reason = f"chosen by the user among {len(row.candidates)} candidates"
        self._decide(
            replace(row, status=RowStatus.EDITED, checkpoint_key=key, reason=reason, by_rule=False)
        )

    def check(self, row: DraftRow, key: str) -> None:
        record = self._records.get(key)
        if record is None:
            raise InspectorError(f"The checkpoint has no tensor {key}.")
        if record.role is not VariableRole.WEIGHT or key == OBJECT_GRAPH_KEY:
            raise InspectorError(
                f"{key} is {record.role.value} state, never mapped onto a model weight."
            )
        if tuple(record.shape) != tuple(row.model_shape):
            raise InspectorError(
                f"{key} has shape {shape_text(record.shape)} but {row.model_variable} has "
                f"{shape_text(row.model_shape)}: only a tensor of the same shape can restore it."
            )
        if record.dtype != row.model_dtype and not self.allow_cast:
            raise InspectorError(
                f"{key} is {record.dtype} but {row.model_variable} is {row.model_dtype}: tick "
                "Allow dtype casts to map it."
            )

    def set_allow_cast(self, allow: bool) -> None:
        self.allow_cast = allow
        self._refresh()

    def set_rules(self, rules: Sequence[MappingRule]) -> None:
        """Replace the rules; raises ``InspectorError`` (and keeps the old ones) for a rule
        that is not valid."""
        for rule in rules:
            rule.rewrite("")  # a bad regular expression or kind says so now
        self.rules = list(rules)
        self._refresh()

    # -- helpers -------------------------------------------------------------------------------

    def _check_names(self, mapping: KeyMapping) -> None:
        """A mapping for another model or checkpoint, or one that maps optimizer state or
        bookkeeping onto weights, is refused in one sentence."""
        apply_mapping(self.original, mapping, self.variables)  # raises for unknown names
        for row in mapping.rows:
            record = self._records[row.checkpoint_key]
            if record.role is not VariableRole.WEIGHT:
                raise InspectorError(
                    f"The mapping puts {row.checkpoint_key} ({record.role.value} state) into "
                    f"{row.model_variable}; only checkpoint weights are mapped onto weights."
                )

    def _rows_of(self, mapping: KeyMapping, status: RowStatus) -> tuple[DraftRow, ...]:
        given = mapping.by_model_variable()
        ambiguous = {a.model_variable: a for a in mapping.ambiguous}
        rows = []
        for name, entry in self._entries.items():
            base = DraftRow(name, tuple(entry.model_shape or ()), entry.model_dtype or "", status)
            if name in given:
                mapped = given[name]
                rows.append(
                    replace(base, checkpoint_key=mapped.checkpoint_key, reason=mapped.reason)
                )
            elif name in ambiguous:
                row = ambiguous[name]
                rows.append(
                    replace(
                        base,
                        status=RowStatus.AMBIGUOUS,
                        reason=row.reason,
                        candidates=tuple(row.candidates),
                    )
                )
            else:
                rows.append(replace(base, status=RowStatus.UNMAPPED))
        return tuple(rows)

    def _decide(self, row: DraftRow) -> None:
        self._base = tuple(
            row if base.model_variable == row.model_variable else base for base in self._base
        )
        self._refresh()

    def _refresh(self) -> None:
        """Apply the rules to the rows nobody decided (unmapped and ambiguous ones); a row
        with a key, even a rejected one, keeps its variable and its key out of the rules."""
        self._rows = self._base if not self.rules else self._ruled()
        # Raises InspectorError for a mapping naming what the model or checkpoint lacks.
        self._applied = apply_mapping(
            self.original, self.mapping(), self.variables, allow_cast=self.allow_cast
        )
        self._restored = {
            e.model for e in self._applied.with_status(MatchStatus.MATCHED) if e.model
        }

    def _ruled(self) -> tuple[DraftRow, ...]:
        kept = tuple(r for r in self._base if r.checkpoint_key is not None)
        given = KeyMapping(
            rows=tuple(MappingRow(r.checkpoint_key, r.model_variable, r.reason) for r in kept)
        )
        ruled = apply_rules(given, self.rules, self.original.model_entries, self._weights)
        added = {row.model_variable: row for row in ruled.rows[len(given.rows) :]}
        return tuple(
            replace(
                r,
                status=RowStatus.PROPOSED,
                checkpoint_key=added[r.model_variable].checkpoint_key,
                reason=added[r.model_variable].reason,
                by_rule=True,
            )
            if r.model_variable in added
            else r
            for r in self._base
        )
