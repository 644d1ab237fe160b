"""The main window: checkpoints on the left, variables in the centre, details on the right,
and the analysis docks below. The composition root: it builds the pieces and wires them.

- ``window_panels``: the central area (message strip, empty page, the three panels);
- ``window_actions``: menus, actions and shortcuts;
- ``window_jobs``: the worker's answers, routed by channel to whoever asked;
- ``window_selection``: which checkpoint and variable are shown, and what that asks for;
- ``appearance``: light and dark; ``worker_log``: Help > Worker Log;
- ``worker_state``: the status-bar corner that names the worker and its versions.

The window itself opens folders (discovery, listing, watching, refreshing) and remembers its
layout. Every request goes out on a channel (a newer request on the same channel supersedes the
older one in the worker) and a late answer to an old request is ignored.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from ckpt_inspector.core.records import (
    CheckpointContents,
    CheckpointRecord,
    FolderListing,
    TensorPreview,
)
from ckpt_inspector.core.statistics.records import HealthFinding
from ckpt_inspector.gui import resources, startup_trace
from ckpt_inspector.gui.analysis import AnalysisController
from ckpt_inspector.gui.appearance import Appearance
from ckpt_inspector.gui.checkpoint_list import item_identity
from ckpt_inspector.gui.diff.diff_controller import DiffController
from ckpt_inspector.gui.folder_watcher import FolderWatcher, folders_to_watch
from ckpt_inspector.gui.health_scan import HealthScan
from ckpt_inspector.gui.inference.inference_controller import InferenceController
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.job_status import JobStatus
from ckpt_inspector.gui.recent_paths import RecentPaths
from ckpt_inspector.gui.timeline.timeline_controller import TimelineController
from ckpt_inspector.gui.window_actions import WindowActions
from ckpt_inspector.gui.window_jobs import JobRouter, OwnChannels
from ckpt_inspector.gui.window_panels import WindowPanels
from ckpt_inspector.gui.window_selection import EXPORT, PREVIEW, VARIABLES, Selection
from ckpt_inspector.gui.worker_client import WorkerClient
from ckpt_inspector.gui.worker_log import WorkerLogDock
from ckpt_inspector.gui.worker_state import WorkerState

log = logging.getLogger(__name__)

# The window's own channels; "variables", "preview" and "export" are the selection's, the
# histogram/heat map/compare channels AnalysisController's, "health" HealthScan's.
DEMO, DISCOVER = "demo", "discover"


def _parent_folder(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[0]


class MainWindow(QMainWindow):
    """Public API: ``open_path``, ``open_demo``, ``refresh``, ``health_scan``,
    ``loadingFinished``, ``is_loading_finished`` and the panels (``checkpoints``, ``browser``,
    ``details``, ``health``)."""

    loadingFinished = Signal()  # nothing more is loading: listing, variables, preview, histogram

    EMPTY, MAIN = WindowPanels.EMPTY, WindowPanels.MAIN

    def __init__(
        self,
        client: WorkerClient,
        *,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._settings = settings if settings is not None else QSettings()
        self.recent = RecentPaths(self._settings)
        self._opened_path: str | None = None  # shown now, watched, refreshed
        self._pending_path: str | None = None  # asked for, not answered yet
        self._listing: FolderListing | None = None
        self._refreshing = False
        self._finished_reported = True

        self.setWindowTitle("Checkpoint Inspector")
        self.setWindowIcon(resources.icon("app"))
        self.setAcceptDrops(True)
        self.resize(1400, 850)
        self.appearance = Appearance(self._settings, self)
        self.menu_actions = WindowActions(self)
        self.recent_menu = self.menu_actions.recent_menu
        self._build_panels()
        self._build_status_bar()
        self._connect_client()
        self._build_analysis()
        self.selection = Selection(
            self.centralWidget(),
            self.jobs,
            self._submit,
            followers=(self.diff, self.inference),
            settled=self._update_finished,
            show_status=self.statusBar().showMessage,
            show_error=self._show_error,
            parent=self,
        )
        self.selection.set_analysis(self.analysis)
        self._build_worker_log()

        self.watcher = FolderWatcher(self)
        self.watcher.changed.connect(self._on_folder_changed)
        self._show_page(self.EMPTY)
        self._restore_layout()

    def _restore_layout(self) -> None:
        geometry = self._settings.value("window/geometry", QByteArray(), type=QByteArray)
        splitter = self._settings.value("window/splitter", QByteArray(), type=QByteArray)
        state = self._settings.value("window/state", QByteArray(), type=QByteArray)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        if not state.isEmpty():
            self.restoreState(state)

    # -- construction --------------------------------------------------------------------------

    def _build_panels(self) -> None:
        panels = WindowPanels()
        self.setCentralWidget(panels)
        self.message_bar, self.empty_state = panels.message_bar, panels.empty_state
        self.checkpoints, self.folder_label = panels.checkpoints, panels.folder_label
        self.browser, self.details = panels.browser, panels.details
        self.splitter, self.pages = panels.splitter, panels.pages
        self.empty_state.openFolderRequested.connect(self.menu_actions.open_folder.trigger)
        self.empty_state.openDemoRequested.connect(self.open_demo)

    def _build_status_bar(self) -> None:
        self.job_status = JobStatus()
        self.job_status.cancelRequested.connect(self._on_cancel_requested)
        self.jobs = JobChannels(self._client, self.job_status)
        self.worker_label = WorkerState(self._client)
        status = self.statusBar()
        status.addPermanentWidget(self.job_status)
        status.addPermanentWidget(self.worker_label)

    def _build_analysis(self) -> None:
        """The histogram/heat map/compare tabs' requests, and the health scan with its menu."""
        self.analysis = AnalysisController(self.details, self.jobs, self._submit, self)
        self.health_scanner = HealthScan(self, self.jobs, self._submit, self._on_cancel_requested)
        self.health_scanner.set_selected_checkpoint(lambda: self.selection.checkpoint())
        self.health_scanner.findingActivated.connect(self._on_finding_activated)
        self.health, self.health_dock = self.health_scanner.panel, self.health_scanner.dock
        analyze_menu = self.menuBar().addMenu("&Analyze")
        self.menuBar().insertMenu(self.menu_actions.help_menu.menuAction(), analyze_menu)
        analyze_menu.addActions([self.health_scanner.action, self.health_dock.toggleViewAction()])
        self.diff = DiffController(self, self._client, self._settings, tab_with=self.health_dock)
        self.diff.idleChanged.connect(self._on_worker_idle_changed)
        self.diff.variableRequested.connect(self.browser.reveal_key)
        analyze_menu.addActions([self.diff.action, self.diff.dock.toggleViewAction()])
        self.inference = InferenceController(
            self, self.diff, self._settings, checkpoints=self._listed_checkpoints
        )
        self.inference.idleChanged.connect(self._on_worker_idle_changed)
        analyze_menu.addActions([self.inference.action, self.inference.dock.toggleViewAction()])
        self.timeline = TimelineController(
            self, self.jobs, self._submit, self._on_cancel_requested, tab_with=self.health_dock
        )
        analyze_menu.addActions([self.timeline.action, self.timeline.dock.toggleViewAction()])
        self.router.set_analysis(self.analysis)
        self.router.add_scan(self.health_scanner)
        self.router.add_scan(self.timeline)

    def _build_worker_log(self) -> None:
        """Help > Worker Log: the browsing worker's log, and each diff/inference worker's once
        it was started."""
        self.worker_log = WorkerLogDock(self)
        self.worker_log.log.add_source("Browsing worker", self._client)
        self.diff.workerStarted.connect(self._on_diff_worker_started)
        self.inference.workerStarted.connect(self._on_inference_worker_started)

    def _connect_client(self) -> None:
        client = self._client
        own = OwnChannels(
            progress=self._on_own_job_progress,
            finished=self._on_own_job_finished,
            failed=self._on_own_job_failed,
            cancelled=self._on_own_job_cancelled,
        )
        self.router = JobRouter(
            client,
            self.jobs,
            self.job_status,
            own,
            settled=self._update_finished,
            show_status=self.statusBar().showMessage,
            parent=self,
        )
        client.crashed.connect(self._on_worker_crashed)
        client.idleChanged.connect(self._on_worker_idle_changed)

    # -- public API ----------------------------------------------------------------------------

    def open_path(self, path: str) -> None:
        """Open a folder, a checkpoint prefix or any file of a checkpoint."""
        self._pending_path = path
        self._refreshing = False
        self.message_bar.clear()
        if self._listing is None:
            self.empty_state.show_busy("Looking for checkpoints…", path)
            self._show_page(self.EMPTY)
        self._submit(DISCOVER, "discover", "Looking for checkpoints…", path=path)

    def open_demo(self) -> None:
        """Build the demo workspace in the worker (first run only) and open it."""
        self.message_bar.clear()
        if self._listing is None:
            self.empty_state.show_busy("Preparing the demo workspace…", "This takes a moment.")
            self._show_page(self.EMPTY)
        self._submit(DEMO, "build_demo", "Preparing the demo workspace…")

    def refresh(self) -> None:
        """Run discovery again on the open path, keeping the selection."""
        if self._opened_path is None:
            return
        self._refreshing = self._listing is not None
        self._submit(DISCOVER, "discover", "Refreshing the folder…", path=self._opened_path)

    def opened_path(self) -> str | None:
        return self._opened_path

    def listing(self) -> FolderListing | None:
        return self._listing

    def _listed_checkpoints(self) -> tuple[CheckpointRecord, ...]:
        return self._listing.checkpoints if self._listing is not None else ()

    def client(self) -> WorkerClient:
        """The browsing worker's client (its versions and log)."""
        return self._client

    def is_worker_ready(self) -> bool:
        return self.worker_label.is_ready()

    def health_scan(self) -> bool:
        """Scan the selected checkpoint (Ctrl+H); False when none is selected."""
        return self.health_scanner.scan_selected()

    def is_loading_finished(self) -> bool:
        """True when no answer is awaited, no request is about to go out and the worker idles
        (in screenshot mode: the auto-selected variable's histogram is drawn)."""
        return (
            not self.jobs.is_waiting()
            and not self.selection.is_pending()
            and not self.analysis.is_pending()
            and not self.watcher.is_pending()
            and self._client.is_idle()
            and not self.diff.is_busy()
            and not self.inference.is_busy()
        )

    def is_showing_error(self) -> bool:
        """An error is on screen: in the message strip or as the empty page's headline."""
        on_page = self.pages.currentIndex() == self.EMPTY and self.empty_state.is_error()
        return on_page or (self.message_bar.level() == "error" and bool(self.message_bar.text()))

    # -- jobs ----------------------------------------------------------------------------------

    def _submit(self, channel: str, job: str, text: str, **kwargs) -> int:
        job_id = self.jobs.submit(channel, job, text, **kwargs)
        self._update_finished()
        return job_id

    def _update_finished(self) -> None:
        finished = self.is_loading_finished()
        if finished and not self._finished_reported:
            self._finished_reported = True
            self.loadingFinished.emit()
        elif not finished:
            self._finished_reported = False

    # -- showing results -----------------------------------------------------------------------

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)

    def _show_listing(self, listing: FolderListing) -> None:
        startup_trace.mark("listing_shown")
        refreshing = self._refreshing
        self._refreshing = False
        previous = self.checkpoints.selected()
        keep = item_identity(previous) if refreshing and previous is not None else None
        self._listing = listing
        self.analysis.set_listing(listing)
        self.timeline.set_listing(listing)
        if not refreshing and self._pending_path is not None:
            self._opened_path, self._pending_path = self._pending_path, None
            self.recent.add(self._opened_path)
        self.setWindowTitle(f"{listing.folder} — Checkpoint Inspector")
        self.folder_label.setText(listing.folder)
        self.folder_label.setToolTip(listing.folder)
        if listing.problems:
            self.message_bar.show_message(" ".join(listing.problems), level="warning")
        self._watch(listing)
        if not listing.checkpoints and not listing.stale_entries:
            self.checkpoints.set_listing(listing)
            self.empty_state.show_error(
                f"No checkpoints found in {listing.folder}.",
                "Open a folder that holds checkpoints, or drop one here.",
            )
            self._show_page(self.EMPTY)
            return
        self._show_page(self.MAIN)
        self.checkpoints.set_listing(listing, select=(keep, self._default_choice(listing)))
        self.selection.select_checkpoint(self.checkpoints.selected())

    def _default_choice(self, listing: FolderListing) -> str | None:
        if listing.focus:
            return listing.focus
        latest = [c for c in listing.checkpoints if c.latest]
        if latest:
            return latest[-1].prefix
        if listing.checkpoints:
            return listing.checkpoints[-1].prefix
        return listing.stale_entries[-1].written_path if listing.stale_entries else None

    def _watch(self, listing: FolderListing) -> None:
        extra = [_parent_folder(c.prefix) for c in listing.checkpoints]
        extra += [_parent_folder(s.state_file) for s in listing.stale_entries]
        self.watcher.watch(folders_to_watch(listing.folder, extra))

    def _show_error(self, message: str, details: str = "") -> None:
        log.info("shown to the user: %s", message)
        self.message_bar.show_message(message, level="error", details=details)

    # -- Qt overrides --------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_path(paths[0])

    def closeEvent(self, event: QCloseEvent) -> None:
        self.watcher.stop()
        self.selection.stop()
        self.diff.shutdown()
        self.inference.shutdown()
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/splitter", self.splitter.saveState())
        self._settings.setValue("window/state", self.saveState())
        super().closeEvent(event)

    # -- slots: worker -------------------------------------------------------------------------

    def _on_worker_crashed(self, message: str) -> None:
        if self.pages.currentIndex() == self.MAIN:  # else the empty page says it already
            self._show_error(message)

    def _on_worker_idle_changed(self, _idle: bool) -> None:
        self._update_finished()

    def _on_own_job_progress(self, channel: str, done: int, total: int, text: str) -> None:
        if channel == DEMO and self._listing is None and text:
            self.empty_state.show_busy("Preparing the demo workspace…", f"{text} ({done}/{total})")

    def _on_own_job_finished(self, channel: str, result: object) -> bool:
        if channel == DEMO:
            self.open_path(str(result))
        elif channel == DISCOVER and isinstance(result, FolderListing):
            self._show_listing(result)
        elif channel == VARIABLES and isinstance(result, CheckpointContents):
            self.selection.show_contents(result)
        elif channel == PREVIEW and isinstance(result, TensorPreview):
            self.details.show_preview(result)
        elif channel == EXPORT:
            self.selection.export_finished(result)
        else:
            return False
        return True

    def _on_own_job_failed(self, channel: str, message: str, details: str) -> None:
        if channel in (DEMO, DISCOVER) and self._listing is None:
            # Nothing else to show: the error is the page; the strip offers the details.
            self.empty_state.show_error(message)
            self._show_page(self.EMPTY)
            if details:
                self._show_error("Details of the failure:", details)
            self._refreshing = False
        elif channel in (DEMO, DISCOVER):
            self._show_error(message, details)  # the open folder stays on screen
            self._refreshing = False
        elif channel == VARIABLES:
            self.selection.variables_failed(message, details)
        elif channel == PREVIEW:
            self.details.show_preview_error(message)
        elif channel == EXPORT:
            self.selection.export_failed(message, details)

    def _on_own_job_cancelled(self, channel: str) -> None:
        if channel in (DEMO, DISCOVER) and self._listing is None:
            self.empty_state.show_hint()
        elif channel == VARIABLES:
            self.selection.variables_cancelled()
        elif channel == PREVIEW:
            self.details.show_preview_error("The preview was cancelled.")
        elif channel == EXPORT:
            self.details.show_export_result("Export cancelled.")

    # -- slots: panels -------------------------------------------------------------------------

    def _on_cancel_requested(self, job_id: int) -> None:
        if self.jobs.channel_of(job_id) is not None:
            self._client.cancel(job_id)

    def _on_finding_activated(self, scanned: CheckpointRecord, finding: HealthFinding) -> None:
        self.selection.reveal_finding(scanned, finding)

    def _on_folder_changed(self) -> None:
        if self._opened_path is not None and not self.jobs.is_waiting(DISCOVER):
            self.refresh()
        self._update_finished()

    def _on_diff_worker_started(self, keras: str, client: WorkerClient) -> None:
        self.worker_log.log.add_source(f"Diff worker (Keras {keras})", client)

    def _on_inference_worker_started(self, keras: str, client: WorkerClient) -> None:
        self.worker_log.log.add_source(f"Inference worker (Keras {keras})", client)
