"""Runs the "Key mapping" tab of the diff panel: proposals and exports on the diff's worker.

A mapping belongs to one diff: the checkpoint, architecture and attach point of the report it
was proposed for. Proposing and exporting run the worker's ``remap`` job on the diff's own
worker for that Keras flavour (the model is already built there), on a channel of their own,
with progress and Cancel in the tab. Everything else (the table, the rules, the live count of
what would restore, saving and loading the JSON) happens in this process without TensorFlow:
the count comes from ``apply_mapping`` over the checkpoint's variable list that the window
already has. The inference dock asks ``current_mapping`` for the mapping to restore through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.mapping.records import KeyMapping
from ckpt_inspector.core.matching.records import DiffReport
from ckpt_inspector.core.records import CheckpointContents, CheckpointRecord, VariableRecord
from ckpt_inspector.gui.diff.mapping_draft import MappingDraft, RowStatus
from ckpt_inspector.gui.diff.mapping_panel import MappingPanel
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.worker_pool import WorkerPool

log = logging.getLogger(__name__)

REMAP = "diff_remap"  # on the diff worker of the report's flavour
MAPPING_TAB = "Key mapping"


@dataclass(frozen=True)
class MappingContext:
    """What a mapping is for: the diff it was proposed from."""

    report: DiffReport
    spec: ModelSpec
    attach: str | None
    record: CheckpointRecord
    variables: tuple[VariableRecord, ...] = ()

    def same_diff(self, other: MappingContext) -> bool:
        return (self.record.prefix, self.spec, self.attach) == (
            other.record.prefix,
            other.spec,
            other.attach,
        )


class MappingController(QObject):
    busyChanged = Signal()
    inferenceRequested = Signal()  # "Run inference through mapping"

    def __init__(self, parent: QObject, worker: Callable[[str], Any]) -> None:
        super().__init__(parent)
        self._pool = WorkerPool(
            worker,
            progress=self._on_job_progress,
            finished=self._on_job_finished,
            failed=self._on_job_failed,
            cancelled=self._on_job_cancelled,
        )
        self._context: MappingContext | None = None
        self._proposal: Any = None  # a RemapResult waiting for the checkpoint's variables
        self._exporting = False
        self._diff_panel: Any = None
        self.panel: MappingPanel | None = None

    def attach(self, diff_panel: Any) -> MappingPanel:
        """Add the tab to the diff panel (built on first use) and wire its buttons."""
        self._diff_panel = diff_panel
        panel = self.panel = MappingPanel()
        diff_panel.tabs.addTab(panel, MAPPING_TAB)
        diff_panel.propose_button.clicked.connect(self._on_diff_propose_clicked)
        panel.proposeRequested.connect(self._on_propose_requested)
        panel.cancelRequested.connect(self._on_cancel_requested)
        panel.mappingLoaded.connect(self._on_mapping_loaded)
        panel.diffRequested.connect(self._on_diff_requested)
        panel.inferenceRequested.connect(self.inferenceRequested)
        panel.exportRequested.connect(self._on_export_requested)
        if self._context is not None:
            panel.show_empty(can_propose=True)
        return panel

    # -- public API ----------------------------------------------------------------------------

    def set_report(
        self,
        report: DiffReport,
        spec: ModelSpec,
        attach: str | None,
        record: CheckpointRecord,
        contents: CheckpointContents | None = None,
    ) -> None:
        """A new diff: a mapping for another checkpoint, architecture or attach point is
        dropped; a diff run again on the same ones keeps the mapping under review.
        ``contents``: the selected checkpoint's variables, if listed."""
        same = contents is not None and contents.checkpoint.prefix == record.prefix
        variables = contents.variables if same else ()
        context = MappingContext(report, spec, attach, record, tuple(variables))
        previous, self._context = self._context, context
        if previous is not None and previous.same_diff(context):
            if not context.variables:
                self._context = MappingContext(report, spec, attach, record, previous.variables)
            return
        self._pool.drop(REMAP)
        self._proposal = None
        if self.panel is not None:
            self.panel.show_empty(can_propose=True)
        self.busyChanged.emit()

    def set_contents(self, contents: CheckpointContents) -> None:
        """The checkpoint's variables, if the mapping's report is about that checkpoint."""
        context = self._context
        if context is None or context.record.prefix != contents.checkpoint.prefix:
            return
        if not context.variables:
            self._context = MappingContext(
                context.report, context.spec, context.attach, context.record, contents.variables
            )
            if self._proposal is not None:
                self._show_proposal(self._proposal)

    def propose(self) -> bool:
        context = self._context
        if context is None or self.panel is None:
            return False
        self._exporting = False
        self.panel.show_running(f"Proposing a key mapping for {context.record.name}…")
        self._pool.submit(
            context.spec.keras,
            REMAP,
            "remap",
            "Proposing a key mapping…",
            record=context.record,
            spec=context.spec,
            attach=context.attach,
        )
        self.busyChanged.emit()
        return True

    def export(self, kind: str, path: str, overwrite: bool = False) -> bool:
        """Write the mapped weights (``kind`` ``checkpoint`` or ``weights``) to ``path``; the
        panel checked the folder and asked about replacing files."""
        context, draft = self._context, self.draft()
        if context is None or draft is None:
            return False
        target = {"export_checkpoint" if kind == "checkpoint" else "export_weights": path}
        self._exporting = True
        self.panel.show_running(f"Restoring through the mapping and writing {path}…")
        self._pool.submit(
            context.spec.keras,
            REMAP,
            "remap",
            "Exporting…",
            record=context.record,
            spec=context.spec,
            attach=context.attach,
            mapping=draft.mapping(),
            allow_cast=draft.allow_cast,
            overwrite=overwrite,
            **target,
        )
        self.busyChanged.emit()
        return True

    def cancel(self) -> None:
        self._pool.cancel(REMAP)

    def draft(self) -> MappingDraft | None:
        return self.panel.draft() if self.panel is not None else None

    def current_mapping(self, record: CheckpointRecord, spec: ModelSpec) -> KeyMapping | None:
        """The mapping to restore ``record`` into ``spec`` through: the one under review, when
        the user chose to use it for inference and it was made for these two."""
        context, draft = self._context, self.draft()
        if context is None or draft is None or not self.panel.use_for_inference.isChecked():
            return None
        if context.record.prefix != record.prefix or context.spec != spec:
            return None
        return draft.mapping()

    def is_busy(self) -> bool:
        return self._pool.is_waiting()

    # -- helpers -------------------------------------------------------------------------------

    def _show_proposal(self, result: Any) -> None:
        context = self._context
        if not context.variables:
            self._proposal = result  # shown when the variables are listed
            self.panel.show_running("Waiting for the checkpoint's variables…")
            return
        self._proposal = None
        try:
            draft = MappingDraft(result.original, context.variables, result.mapping)
        except InspectorError as error:
            self.panel.show_finished(error.message, error=True)
            return
        ambiguous = draft.counts()[RowStatus.AMBIGUOUS]
        message = ""
        if ambiguous:
            message = (
                f"{ambiguous} ambiguous rows wait for a choice: double-click their checkpoint key."
            )
        self.panel.show_draft(draft, message)

    def _exported_text(self, result: Any) -> str:
        text = "Wrote " + ", ".join(result.exported) + "."
        report = result.report
        if not report.complete:
            left = report.model_variables - report.restored
            text += f" {left} model variables were not restored and keep their initial values."
        return text

    # -- answers -------------------------------------------------------------------------------

    def _on_job_progress(self, jobs: JobChannels, job_id: int, done: int, total: int, text: str):
        if jobs.channel_of(job_id) == REMAP and self.panel is not None:
            self.panel.show_progress(done, total, text)

    def _on_job_finished(self, jobs: JobChannels, job_id: int, result: object) -> None:
        if jobs.take(job_id) != REMAP:
            return
        if not hasattr(result, "mapping") or not hasattr(result, "original"):
            self.panel.show_finished(f"The remap job returned {type(result).__name__}.", error=True)
        elif self._exporting:
            self.panel.show_finished(self._exported_text(result))
        else:
            self._show_proposal(result)
        self.busyChanged.emit()

    def _on_job_failed(self, jobs: JobChannels, job_id: int, message: str, details: str) -> None:
        if jobs.take(job_id) != REMAP:
            return
        log.info("remap job failed: %s", message)
        self.panel.show_finished(message, error=True)
        self.busyChanged.emit()

    def _on_job_cancelled(self, jobs: JobChannels, job_id: int) -> None:
        if jobs.take(job_id) != REMAP:
            return
        what = "The export" if self._exporting else "The proposal"
        self.panel.show_finished(f"{what} was cancelled.")
        self.busyChanged.emit()

    # -- slots ---------------------------------------------------------------------------------

    def _on_diff_propose_clicked(self) -> None:
        self._diff_panel.tabs.setCurrentWidget(self.panel)
        if self.draft() is None and not self.is_busy():
            self.propose()

    def _on_propose_requested(self) -> None:
        self.propose()

    def _on_cancel_requested(self) -> None:
        self.cancel()

    def _on_mapping_loaded(self, mapping: KeyMapping, path: str) -> None:
        context = self._context
        if context is None:
            return
        if not context.variables:
            self.panel.show_finished("The checkpoint's variables are not listed yet.", error=True)
            return
        try:
            draft = MappingDraft(
                context.report, context.variables, mapping, status=RowStatus.ACCEPTED
            )
        except InspectorError as error:
            self.panel.show_finished(error.message, error=True)
            return
        self.panel.show_draft(draft, f"Loaded {path}")

    def _on_diff_requested(self) -> None:
        draft = self.draft()
        if draft is None:
            return
        self._diff_panel.show_report(draft.applied_report())
        self._diff_panel.tabs.setCurrentIndex(0)

    def _on_export_requested(self, kind: str, path: str, overwrite: bool) -> None:
        self.export(kind, path, overwrite)
