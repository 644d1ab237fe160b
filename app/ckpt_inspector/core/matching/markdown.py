"""A diff report as Markdown: the summary as a heading, the notes, then one table per finding.

Pure Python so the window's "Export Markdown…" and the CLI write the same text. Sections come in
the order a reader needs them: what would break the restore first, what is merely left over
last; unused optimizer state and bookkeeping get their own table so they never pad the list of
unused weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ckpt_inspector.core.matching.records import DiffEntry, DiffReport, MatchStatus
from ckpt_inspector.core.records import VariableRole

Column = tuple[str, Callable[[DiffEntry], str]]


def shape_text(shape: tuple | None) -> str:
    """``3 × 4``, ``scalar``, ``? × 8`` (an unknown dimension), or nothing for no shape."""
    if shape is None:
        return ""
    if not shape:
        return "scalar"
    return " × ".join("?" if d is None else str(d) for d in shape)


def _code(text: str | None) -> str:
    return f"`{text}`" if text else ""


def _checkpoint(entry: DiffEntry) -> str:
    key = _code(entry.checkpoint_key)
    return f"{key} ({_escape(entry.distinct_name)})" if entry.distinct_name else key


MODEL: Column = ("Model variable", lambda e: _code(e.model))
CHECKPOINT: Column = ("Checkpoint key", _checkpoint)
SHAPE: Column = ("Shape", lambda e: shape_text(e.model_shape or e.checkpoint_shape))
DTYPE: Column = ("Dtype", lambda e: e.model_dtype or e.checkpoint_dtype or "")
ROLE: Column = ("Role", lambda e: e.role.value)
NOTE: Column = ("Note", lambda e: _escape(e.note))

# (title, which entries, columns)
SECTIONS: tuple[tuple[str, Callable[[DiffEntry], bool], tuple[Column, ...]], ...] = (
    (
        "Shape mismatch",
        lambda e: e.status is MatchStatus.SHAPE_MISMATCH,
        (
            MODEL,
            CHECKPOINT,
            ("Model shape", lambda e: shape_text(e.model_shape)),
            ("Checkpoint shape", lambda e: shape_text(e.checkpoint_shape)),
            NOTE,
        ),
    ),
    (
        "Dtype mismatch",
        lambda e: e.status is MatchStatus.DTYPE_MISMATCH,
        (
            MODEL,
            CHECKPOINT,
            ("Model dtype", lambda e: e.model_dtype or ""),
            ("Checkpoint dtype", lambda e: e.checkpoint_dtype or ""),
            SHAPE,
            NOTE,
        ),
    ),
    (
        "Missing in the checkpoint (would keep their initial values)",
        lambda e: e.status is MatchStatus.MISSING,
        (MODEL, SHAPE, DTYPE, NOTE),
    ),
    (
        "Unused weights in the checkpoint",
        lambda e: e.status is MatchStatus.UNUSED and e.role is VariableRole.WEIGHT,
        (CHECKPOINT, SHAPE, DTYPE, NOTE),
    ),
    (
        "Matched",
        lambda e: e.status is MatchStatus.MATCHED,
        (MODEL, CHECKPOINT, SHAPE, DTYPE),
    ),
    (
        "Unused optimizer state and bookkeeping",
        lambda e: e.status is MatchStatus.UNUSED and e.role is not VariableRole.WEIGHT,
        (CHECKPOINT, ROLE, SHAPE, DTYPE),
    ),
)


def _escape(text: str) -> str:
    """Table cells must not end the row or the cell."""
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _table(entries: Sequence[DiffEntry], columns: tuple[Column, ...]) -> list[str]:
    # A column that is empty in every row (no notes at all) is left out.
    used = [c for c in columns if c is not NOTE or any(e.note for e in entries)]
    lines = [
        "| " + " | ".join(title for title, _ in used) + " |",
        "|" + "|".join("---" for _ in used) + "|",
    ]
    lines += ["| " + " | ".join(cell(e) for _, cell in used) + " |" for e in entries]
    return lines


def attach_text(attach: str) -> str:
    return "the checkpoint root" if attach == "" else f"`{attach}`"


def report_markdown(report: DiffReport) -> str:
    """The whole report; every non-empty section is a table headed with its entry count."""
    lines = [f"# {report.summary_sentence()}", ""]
    lines += [
        f"- Checkpoint: `{report.checkpoint}`",
        f"- Architecture: `{report.architecture}` (Keras {report.keras})",
        f"- Matched by: {report.method.value}, attached at {attach_text(report.attach)}",
    ]
    if len(report.attach_candidates) > 1:
        others = ", ".join(
            f"{attach_text(c.path)} ({c.restored} restored)" for c in report.attach_candidates
        )
        lines.append(f"- Possible attach points: {others}")
    lines.append("")
    for note in report.notes:
        lines += [f"> **Note:** {_escape(note)}", ""]
    for title, wanted, columns in SECTIONS:
        entries = [e for e in report.entries if wanted(e)]
        if not entries:
            continue
        lines += [f"## {title} ({len(entries)})", ""]
        lines += _table(entries, columns)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
