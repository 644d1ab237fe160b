"""Which checkpoint and variable the window shows, and the requests a choice sends.

Selecting a checkpoint asks for its variables; selecting a variable shows its record at once and
asks for its preview after a short debounce, so clicking through fifty variables sends one
request. A refresh that rewrote the selected checkpoint keeps the selected variable; a health
finding in another checkpoint selects that checkpoint, then the variable once it is listed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from ckpt_inspector.core.records import (
    CheckpointContents,
    CheckpointRecord,
    StaleStateEntry,
    VariableRecord,
)
from ckpt_inspector.core.statistics.records import HealthFinding
from ckpt_inspector.gui import startup_trace
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.variable_details import VariableDetails
from ckpt_inspector.gui.window_panels import WindowPanels

VARIABLES, PREVIEW, EXPORT = "variables", "preview", "export"
Submit = Callable[..., int]


class Selection(QObject):
    PREVIEW_DEBOUNCE_MS = 100

    def __init__(
        self,
        panels: WindowPanels,
        jobs: JobChannels,
        submit: Submit,
        *,
        followers: tuple[Any, ...],
        settled: Callable[[], None],
        show_status: Callable[[str, int], None],
        show_error: Callable[[str, str], None],
        parent: QObject | None = None,
    ) -> None:
        """``followers`` (the diff and inference controllers) get ``set_checkpoint`` and
        ``set_contents`` as the selection changes."""
        super().__init__(parent)
        self._checkpoints = panels.checkpoints
        self._browser = panels.browser
        self._details = panels.details
        self._jobs = jobs
        self._submit = submit
        self._followers = followers
        self._settled = settled
        self._show_status = show_status
        self._show_error = show_error
        self._analysis: Any = None
        self._checkpoint: CheckpointRecord | None = None  # whose variables are shown/loading
        self._reselect_key: str | None = None  # variable to select again after a reload
        self._export_key: str | None = None  # the variable of the export under way
        self._preview_timer = QTimer(self, singleShot=True, interval=self.PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self._on_preview_timer_timeout)
        self._checkpoints.checkpointSelected.connect(self._on_checkpoint_selected)
        self._browser.variableSelected.connect(self._on_variable_selected)
        self._details.exportRequested.connect(self._on_export_requested)
        self._details.variableRequested.connect(self._on_variable_requested)

    def set_analysis(self, analysis: Any) -> None:
        """The histogram/heat map/compare requests follow the selected variable."""
        self._analysis = analysis

    def checkpoint(self) -> CheckpointRecord | None:
        return self._checkpoint

    def is_pending(self) -> bool:
        """A preview request is about to go out."""
        return self._preview_timer.isActive()

    def stop(self) -> None:
        self._preview_timer.stop()

    def select_checkpoint(self, item: CheckpointRecord | StaleStateEntry | None) -> None:
        """Show ``item`` (the list's selection after a new listing)."""
        self._on_checkpoint_selected(item)

    # -- answers from the worker ---------------------------------------------------------------

    def show_contents(self, contents: CheckpointContents) -> None:
        startup_trace.mark("variables_received")
        if self._checkpoint is None or contents.checkpoint.prefix != self._checkpoint.prefix:
            return
        select, self._reselect_key = self._reselect_key, None
        self._browser.set_contents(contents, select=select)
        for follower in self._followers:
            follower.set_contents(contents)
        startup_trace.mark("variables_filled")
        if self._browser.current_variable() is None:
            self._details.clear(
                "This checkpoint holds no variables."
                if not contents.variables
                else "Select a variable to see its values."
            )

    def variables_failed(self, message: str, details: str) -> None:
        self._checkpoint = None  # selecting it again (or a refresh) retries
        self._browser.show_message(message, error=True)
        self._details.clear("No variables to show.")
        self._show_error(message, details)

    def variables_cancelled(self) -> None:
        self._checkpoint = None  # selecting it again retries
        self._browser.show_message("Reading the variables was cancelled.")

    def export_finished(self, result: object) -> None:
        # The user may have moved on to another variable meanwhile: say it in both places.
        if self._export_key is not None and self._shown_key() == self._export_key:
            self._details.show_export_result(f"Saved {result}")
        self._show_status(f"Saved {result}", 8000)

    def export_failed(self, message: str, details: str) -> None:
        if self._export_key is not None and self._shown_key() == self._export_key:
            self._details.show_export_result(message, error=True)
        else:
            self._show_error(message, details)

    def reveal_finding(self, scanned: CheckpointRecord, finding: HealthFinding) -> None:
        self._details.set_current_tab(VariableDetails.HISTOGRAM)
        if self._checkpoint is not None and scanned.prefix == self._checkpoint.prefix:
            self._browser.reveal_key(finding.key)
        elif self._checkpoints.select(scanned.prefix):
            self._reselect_key = finding.key  # selected once its variables are listed

    def _shown_key(self) -> str | None:
        record = self._details.record()
        return record.key if record is not None else None

    # -- slots ---------------------------------------------------------------------------------

    def _on_checkpoint_selected(self, item: CheckpointRecord | StaleStateEntry | None) -> None:
        if isinstance(item, CheckpointRecord) and item == self._checkpoint:
            return  # same record as before a refresh: keep variables and selection
        browser, details = self._browser, self._details
        # The same checkpoint rewritten (a refresh saw new bytes): keep the variable selected.
        current = browser.current_variable()
        same_prefix = (
            isinstance(item, CheckpointRecord)
            and self._checkpoint is not None
            and item.prefix == self._checkpoint.prefix
        )
        keep_key = current.key if same_prefix and current is not None else None
        self._jobs.drop(VARIABLES)
        self._jobs.drop(PREVIEW)
        self._preview_timer.stop()
        self._checkpoint = item if isinstance(item, CheckpointRecord) else None
        for follower in self._followers:
            follower.set_checkpoint(self._checkpoint)
        if isinstance(item, CheckpointRecord):
            self._reselect_key = keep_key
            browser.set_checkpoint(item)
            browser.show_loading()
            details.clear("Reading variables…")
            self._submit(VARIABLES, "list_variables", f"Reading {item.name}…", record=item)
        elif isinstance(item, StaleStateEntry):
            browser.set_checkpoint(None, problem=item.reason)
            browser.title.setText(f"{item.written_path} (stale state-file entry)")
            browser.show_message(
                f"The state file {item.state_file} names this checkpoint, "
                "but there is no checkpoint behind it."
            )
            details.clear("Nothing to show for a stale entry.")
        else:
            browser.set_checkpoint(None)
            browser.show_message("Select a checkpoint on the left.")
            details.clear()
        self._settled()

    def _on_variable_selected(self, record: VariableRecord | None) -> None:
        self._jobs.drop(PREVIEW)
        if self._analysis is not None:
            self._analysis.show_variable(self._checkpoint, record)
        if record is None:
            self._preview_timer.stop()
            if self._checkpoint is not None and self._browser.contents() is not None:
                self._details.clear()
        else:
            self._details.show_variable(
                record,
                owner=self._browser.owner_of(record),
                slots=self._browser.slots_of(record.key),
            )
            # Clicking through many variables sends only the last one to the worker.
            self._preview_timer.start()
        self._settled()

    def _on_preview_timer_timeout(self) -> None:
        record = self._details.record()
        if record is not None and self._checkpoint is not None:
            self._submit(
                PREVIEW,
                "preview",
                f"Reading {record.key}…",
                record=self._checkpoint,
                key=record.key,
            )
        self._settled()

    def _on_export_requested(self, record: VariableRecord, out_path: str) -> None:
        if self._checkpoint is None:
            return
        self._export_key = record.key
        self._submit(
            EXPORT,
            "export_npy",
            f"Exporting {record.key}…",
            record=self._checkpoint,
            key=record.key,
            out_path=out_path,
        )

    def _on_variable_requested(self, key: str) -> None:
        self._browser.reveal_key(key)
