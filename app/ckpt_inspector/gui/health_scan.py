"""Runs a health scan of a checkpoint on the worker and shows it in a dock of the window.

The scan is a long job on its own channel: its progress fills the panel (and the status-bar
area, whose Cancel stops it too), and a new scan supersedes a running one. The window decides
where a chosen finding leads (``findingActivated``), since that means changing its selection.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow

from ckpt_inspector.core.records import CheckpointRecord
from ckpt_inspector.core.statistics.records import HealthFinding, HealthReport
from ckpt_inspector.gui.docks import bottom_dock, dock_action
from ckpt_inspector.gui.health_panel import HealthPanel
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.scan_controller import ScanController

CHANNEL = "health"


class HealthScan(ScanController):
    findingActivated = Signal(object, object)  # CheckpointRecord scanned, HealthFinding

    CHANNEL = CHANNEL
    DOCK_HEIGHT = 220

    def __init__(
        self,
        window: QMainWindow,
        jobs: JobChannels,
        submit: Callable[..., int],
        cancel: Callable[[int], None],
    ) -> None:
        super().__init__(window, jobs, submit, cancel)
        self._selected: Callable[[], CheckpointRecord | None] = lambda: None
        self.panel = HealthPanel()
        self.panel.scanRequested.connect(self._on_scan_requested)
        self.panel.cancelRequested.connect(self._on_cancel_requested)
        self.panel.findingActivated.connect(self._on_finding_activated)
        self.dock = bottom_dock(
            window, "Health scan", "healthDock", self.panel, toggle_text="Show Health Findings"
        )
        self.action = dock_action(
            window,
            "&Health Scan",
            "Ctrl+H",
            "Read every variable of the selected checkpoint and list NaN/Inf, all-zero "
            "tensors, dead rows and columns, and extreme norms",
            self._on_scan_requested,
        )

    # -- public API ----------------------------------------------------------------------------

    def set_selected_checkpoint(self, selected: Callable[[], CheckpointRecord | None]) -> None:
        """Where ``Ctrl+H`` and the panel's Scan button find the checkpoint to scan."""
        self._selected = selected

    def scan_selected(self) -> bool:
        """Scan the selected checkpoint; False (and a word in the status bar) if none is."""
        checkpoint = self._selected()
        if checkpoint is None:
            self._window.statusBar().showMessage("Select a checkpoint to scan.", 4000)
            return False
        self.scan(checkpoint)
        return True

    def scan(self, checkpoint: CheckpointRecord) -> None:
        self._raise_dock()
        self.panel.show_running(checkpoint)
        self._submit(CHANNEL, "health_scan", f"Scanning {checkpoint.name}…", record=checkpoint)

    def finished(self, result: object) -> None:
        if isinstance(result, HealthReport):
            self.panel.show_report(result)
        else:
            self.panel.show_error(f"The scan returned {type(result).__name__}, not a report.")

    # -- slots ---------------------------------------------------------------------------------

    def _on_scan_requested(self) -> None:
        self.scan_selected()

    def _on_finding_activated(self, finding: HealthFinding) -> None:
        scanned = self.panel.checkpoint()
        if scanned is not None:
            self.findingActivated.emit(scanned, finding)
