"""Runs the timeline of the opened folder on the worker and shows it in a dock of the window.

Like the health scan, it is a long job on its own channel, with progress in the panel and the
status-bar area (whose Cancel stops it too). While the dock is open, a refreshed listing of the
same folder (a new checkpoint written by a running training) runs the job again: the cache
makes that cost only the new checkpoint. ``run_when_loaded`` is ``--timeline`` in window mode.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDockWidget, QMainWindow

from ckpt_inspector.core.records import FolderListing
from ckpt_inspector.core.timeline.records import Timeline
from ckpt_inspector.gui.docks import bottom_dock, dock_action
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.scan_controller import ScanController
from ckpt_inspector.gui.timeline.timeline_panel import TimelinePanel

CHANNEL = "timeline"


class TimelineController(ScanController):
    CHANNEL = CHANNEL
    DOCK_HEIGHT = 520

    def __init__(
        self,
        window: QMainWindow,
        jobs: JobChannels,
        submit: Callable[..., int],
        cancel: Callable[[int], None],
        *,
        tab_with: QDockWidget | None = None,
    ) -> None:
        super().__init__(window, jobs, submit, cancel)
        self._listing: FolderListing | None = None
        self._computed: FolderListing | None = None  # the listing the shown result is for
        self._run_when_loaded = False
        self.panel = TimelinePanel()
        self.panel.runRequested.connect(self._on_run_requested)
        self.panel.cancelRequested.connect(self._on_cancel_requested)
        self.dock = bottom_dock(
            window,
            "Timeline",
            "timelineDock",
            self.panel,
            toggle_text="Show Timeline",
            tab_with=tab_with,
        )
        self.action = dock_action(
            window,
            "&Timeline of the Folder",
            "Ctrl+T",
            "Put the folder's checkpoints in training order and show how every variable "
            "changed: norms, relative change, NaN/Inf, frozen layers, identical saves",
            self._on_run_requested,
        )

    # -- public API ----------------------------------------------------------------------------

    def set_listing(self, listing: FolderListing) -> None:
        """The window shows ``listing``: run a pending ``--timeline``, or refresh a shown
        timeline of the same folder whose checkpoints changed."""
        self._listing = listing
        if self._run_when_loaded:
            self._run_when_loaded = False
            self.run()
        elif (
            self._computed is not None
            and self.dock.isVisible()
            and self._computed.folder == listing.folder
            and self._computed.checkpoints != listing.checkpoints
        ):
            self.run()

    def run_when_loaded(self) -> None:
        """Compute the timeline as soon as a folder is shown (now if one is)."""
        if self._listing is not None:
            self.run()
        else:
            self._run_when_loaded = True

    def run(self) -> bool:
        """Compute the timeline of the shown folder; False (and a word) when none is open."""
        listing = self._listing
        if listing is None or not listing.checkpoints:
            self._window.statusBar().showMessage("Open a folder of checkpoints first.", 4000)
            return False
        self._raise_dock()
        self._computed = listing
        self.panel.show_running(listing.folder)
        self._submit(
            CHANNEL,
            "timeline",
            "Computing the timeline…",
            records=listing.checkpoints,
            folder=listing.folder,
        )
        return True

    def finished(self, result: object) -> None:
        if isinstance(result, Timeline):
            self.panel.show_timeline(result)
        else:
            self.panel.show_error(f"The timeline job returned {type(result).__name__}.")

    # -- slots ---------------------------------------------------------------------------------

    def _on_run_requested(self) -> None:
        self.run()
