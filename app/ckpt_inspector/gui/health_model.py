"""A health report's findings as a table, and the proxy that sorts and filters it.

Rows are coloured by severity (0 = critical: NaN/Inf). The proxy sorts by severity first and
breaks ties by variable, so the worst problems stay on top whatever the report's order; any
column header re-sorts with the same tie-breaking.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from ckpt_inspector.core.statistics.records import FindingKind, HealthFinding, HealthReport
from ckpt_inspector.gui import formatting, theme
from ckpt_inspector.gui.record_table import RecordFilterProxy, RecordTableModel

KIND_LABELS = {
    FindingKind.NAN_INF: "NaN / Inf",
    FindingKind.ALL_ZERO: "All zero",
    FindingKind.DEAD_ROWS: "Dead rows",
    FindingKind.DEAD_COLUMNS: "Dead columns",
    FindingKind.EXTREME_NORM: "Extreme norm",
    FindingKind.ZERO_VARIANCE: "Constant",
    FindingKind.UNREADABLE: "Unreadable",
}
# Label, text colour and row background by severity, on the core's scale (health_rules.py):
# 0 NaN/Inf, 1 unreadable, 2 all-zero or constant kernels, 3 dead units or extreme scale.
# Milder severities than the last share its look.
SEVERITY_LOOK = (
    ("Critical", QColor("#b00020"), QColor("#fdecea")),
    ("Unreadable", QColor("#b00020"), QColor("#fbeff0")),
    ("Broken", QColor("#a33d00"), QColor("#fff0e0")),
    ("Warning", QColor("#8a5a00"), QColor("#fff8e1")),
    ("Notice", QColor("#3c4043"), QColor("#eef3fb")),
)
# The same tints darkened, with light text, for the dark scheme.
DARK_SEVERITY_LOOK = (
    ("Critical", QColor("#ff8a80"), QColor("#4a1f1f")),
    ("Unreadable", QColor("#ff8a80"), QColor("#3d2226")),
    ("Broken", QColor("#ffb74d"), QColor("#3f2a14")),
    ("Warning", QColor("#ffd54f"), QColor("#38311a")),
    ("Notice", QColor("#dadce0"), QColor("#232c3a")),
)


def severity_look(severity: int) -> tuple[str, QColor, QColor]:
    looks = DARK_SEVERITY_LOOK if theme.scheme() == theme.DARK else SEVERITY_LOOK
    return looks[min(max(severity, 0), len(looks) - 1)]


def finding_haystack(finding: HealthFinding) -> str:
    kind = KIND_LABELS.get(finding.kind, finding.kind.value)
    return f"{finding.key}\n{finding.name or ''}\n{kind}\n{finding.message}".lower()


def summary_text(report: HealthReport, checkpoint_name: str) -> str:
    scanned = f"{formatting.count(report.scanned)} variables"
    skipped = ""
    if report.skipped:
        skipped = f" ({formatting.count(len(report.skipped))} not scanned: strings, bookkeeping)"
    if not report.findings:
        return f"No problems found in {scanned} of {checkpoint_name}.{skipped}"
    critical = sum(1 for f in report.findings if f.severity <= 0)
    problems = len(report.findings)
    noun = "problem" if problems == 1 else "problems"
    text = f"{formatting.count(problems)} {noun} in {scanned} of {checkpoint_name}"
    if critical:
        text += f", {formatting.count(critical)} critical"
    return f"{text}.{skipped}"


class HealthFindingsModel(RecordTableModel[HealthFinding]):
    COLUMNS = ("Severity", "Variable", "Problem", "Count", "Details")
    SEVERITY, VARIABLE, PROBLEM, COUNT, DETAILS = range(5)
    RIGHT_ALIGNED = frozenset({COUNT})

    haystack_of = staticmethod(finding_haystack)

    def record_data(self, finding: HealthFinding, column: int, role: int):
        label, foreground, background = severity_look(finding.severity)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(finding, column, label)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{finding.message}\n{finding.key}"
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(background)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.SEVERITY:
            return QBrush(foreground)
        if role == Qt.ItemDataRole.FontRole:
            if column == self.SEVERITY and finding.severity <= 0:
                return theme.bold_font()
            if column == self.VARIABLE and finding.name is None:
                return theme.monospace_font()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return theme.RIGHT if column == self.COUNT else theme.LEFT
        return None

    def _display(self, finding: HealthFinding, column: int, severity: str) -> str:
        if column == self.SEVERITY:
            return severity
        if column == self.VARIABLE:
            return finding.name or finding.key
        if column == self.PROBLEM:
            return KIND_LABELS.get(finding.kind, finding.kind.value)
        if column == self.COUNT:
            return formatting.count(finding.count) if finding.count else ""
        return finding.message


class HealthFilterProxy(RecordFilterProxy[HealthFinding]):
    """Every whitespace-separated term must occur in the key, name, problem or message;
    ``set_max_severity`` hides milder findings."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._max_severity: int | None = None

    def set_max_severity(self, severity: int | None) -> None:
        if severity != self._max_severity:
            self._change(lambda: setattr(self, "_max_severity", severity))

    def accepts(self, finding: HealthFinding) -> bool:
        return self._max_severity is None or finding.severity <= self._max_severity

    @staticmethod
    def sort_key(finding: HealthFinding, column: int) -> tuple:
        tie = (finding.severity, (finding.name or finding.key).lower(), finding.kind.value)
        if column == HealthFindingsModel.VARIABLE:
            return ((finding.name or finding.key).lower(), *tie)
        if column == HealthFindingsModel.PROBLEM:
            return (KIND_LABELS.get(finding.kind, finding.kind.value), *tie)
        if column == HealthFindingsModel.COUNT:
            return (finding.count, *tie)
        if column == HealthFindingsModel.DETAILS:
            return (finding.message.lower(), *tie)
        return tie
