"""The main window: checkpoints on the left, variables in the centre, details on the right,
and the health-scan findings in a dock below once a scan was run.

The window only talks to the worker client. Every request goes out on a channel (a newer request
on the same channel supersedes the older one in the worker) and the window also remembers the
job id it is waiting for on each channel, so a late answer to an old request is ignored.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ckpt_inspector import __version__
from ckpt_inspector.core.records import (
    CheckpointContents,
    CheckpointRecord,
    FolderListing,
    StaleStateEntry,
    TensorPreview,
    VariableRecord,
)
from ckpt_inspector.core.statistics.records import HealthFinding
from ckpt_inspector.gui import resources, startup_trace
from ckpt_inspector.gui.analysis import AnalysisController
from ckpt_inspector.gui.checkpoint_list import CheckpointList, item_identity
from ckpt_inspector.gui.diff.diff_controller import DiffController
from ckpt_inspector.gui.empty_state import EmptyState
from ckpt_inspector.gui.folder_watcher import FolderWatcher, folders_to_watch
from ckpt_inspector.gui.health_scan import HealthScan
from ckpt_inspector.gui.inference.inference_controller import InferenceController
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.job_status import JobStatus
from ckpt_inspector.gui.message_bar import MessageBar
from ckpt_inspector.gui.recent_paths import RecentMenu, RecentPaths
from ckpt_inspector.gui.timeline.timeline_controller import TimelineController
from ckpt_inspector.gui.variable_browser import VariableBrowser
from ckpt_inspector.gui.variable_details import VariableDetails

if TYPE_CHECKING:
    from ckpt_inspector.gui.worker_client import WorkerClient

log = logging.getLogger(__name__)

# Channels: one outstanding request of each kind.
DEMO, DISCOVER, VARIABLES, PREVIEW, EXPORT = "demo", "discover", "variables", "preview", "export"
# The histogram, heat map and compare channels belong to AnalysisController, "health" to HealthScan.

CHECKPOINT_FILTER = (
    "Checkpoints (*.index *.h5 *.hdf5 *.keras checkpoint saved_model.pb);;All files (*)"
)


def _parent_folder(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[0]


class MainWindow(QMainWindow):
    """Public API: ``open_path``, ``open_demo``, ``refresh``, ``health_scan``,
    ``loadingFinished``, ``is_loading_finished`` and the panels (``checkpoints``, ``browser``,
    ``details``, ``health``)."""

    loadingFinished = Signal()  # nothing more is loading: listing, variables, preview, histogram

    PREVIEW_DEBOUNCE_MS = 100
    EMPTY, MAIN = range(2)

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
        self._checkpoint: CheckpointRecord | None = None  # whose variables are shown/loading
        self._reselect_key: str | None = None  # variable to select again after a reload
        self._export_key: str | None = None  # the variable of the export under way
        self._finished_reported = True
        self._worker_ready = False

        self.setWindowTitle("Checkpoint Inspector")
        self.setWindowIcon(resources.icon("app"))
        self.setAcceptDrops(True)
        self.resize(1400, 850)
        self._build_panels()
        self._build_actions()
        self._build_status_bar()
        self._connect_client()
        self._build_analysis()

        self._preview_timer = QTimer(self, singleShot=True, interval=self.PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self._on_preview_timer_timeout)
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
        self.message_bar = MessageBar()
        self.empty_state = EmptyState()
        self.empty_state.openFolderRequested.connect(self._on_open_folder_triggered)
        self.empty_state.openDemoRequested.connect(self._on_open_demo_triggered)

        self.checkpoints = CheckpointList()
        self.checkpoints.checkpointSelected.connect(self._on_checkpoint_selected)
        self.folder_label = QLabel(objectName="mutedText")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Checkpoints", objectName="panelTitle"))
        left_layout.addWidget(self.folder_label)
        left_layout.addWidget(self.checkpoints, 1)

        self.browser = VariableBrowser()
        self.browser.variableSelected.connect(self._on_variable_selected)
        self.details = VariableDetails()
        self.details.exportRequested.connect(self._on_export_requested)
        self.details.variableRequested.connect(self._on_variable_requested)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        for widget in (left, self.browser, self.details):
            widget.setContentsMargins(6, 6, 6, 6)
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 4)
        self.splitter.setSizes([360, 545, 495])  # no elided checkpoint or variable names

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.splitter)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_folder_action = self._action(
            "Open &Folder…", self._on_open_folder_triggered, QKeySequence.StandardKey.Open
        )
        self.open_file_action = self._action(
            "Open Checkpoint &File…", self._on_open_file_triggered, "Ctrl+Shift+O"
        )
        self.recent_menu = RecentMenu(self.recent, self)
        self.recent_menu.pathChosen.connect(self._on_recent_path_chosen)
        self.demo_action = self._action("Open &Demo Workspace", self._on_open_demo_triggered)
        self.refresh_action = self._action(
            "&Reload Folder", self._on_refresh_triggered, QKeySequence.StandardKey.Refresh
        )
        quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        file_menu.addActions([self.open_folder_action, self.open_file_action])
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.demo_action, self.refresh_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.copy_key_action = self._action(
            "&Copy Variable Key", self._on_copy_key_triggered, QKeySequence.StandardKey.Copy
        )
        self.find_action = self._action(
            "&Filter Variables", self._on_find_triggered, QKeySequence.StandardKey.Find
        )
        edit_menu.addActions([self.copy_key_action, self.find_action])

        view_menu = self.menuBar().addMenu("&View")
        self.tree_action = self._action("Variables as &Tree", self._on_tree_triggered, "Ctrl+1")
        self.table_action = self._action("Variables as T&able", self._on_table_triggered, "Ctrl+2")
        view_menu.addActions([self.tree_action, self.table_action])

        self.help_menu = help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&About Checkpoint Inspector", self._on_about_triggered))

    def _action(self, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def _build_status_bar(self) -> None:
        self.job_status = JobStatus()
        self.job_status.cancelRequested.connect(self._on_cancel_requested)
        self.jobs = JobChannels(self._client, self.job_status)
        self.worker_label = QLabel("Starting TensorFlow worker…", objectName="workerState")
        status = self.statusBar()
        status.addPermanentWidget(self.job_status)
        status.addPermanentWidget(self.worker_label)

    def _build_analysis(self) -> None:
        """The histogram/heat map/compare tabs' requests, and the health scan with its menu."""
        self.analysis = AnalysisController(self.details, self.jobs, self._submit, self)
        self.health_scanner = HealthScan(self, self.jobs, self._submit, self._on_cancel_requested)
        self.health_scanner.set_selected_checkpoint(lambda: self._checkpoint)
        self.health_scanner.findingActivated.connect(self._on_finding_activated)
        self.health, self.health_dock = self.health_scanner.panel, self.health_scanner.dock
        analyze_menu = self.menuBar().addMenu("&Analyze")
        self.menuBar().insertMenu(self.help_menu.menuAction(), analyze_menu)
        analyze_menu.addActions([self.health_scanner.action, self.health_dock.toggleViewAction()])
        self.diff = DiffController(self, self._client, self._settings, tab_with=self.health_dock)
        self.diff.idleChanged.connect(self._on_worker_idle_changed)
        self.diff.variableRequested.connect(self._on_variable_requested)
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

    def _connect_client(self) -> None:
        client = self._client
        client.ready.connect(self._on_worker_ready)
        client.progress.connect(self._on_job_progress)
        client.finished.connect(self._on_job_finished)
        client.failed.connect(self._on_job_failed)
        client.cancelled.connect(self._on_job_cancelled)
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

    def is_worker_ready(self) -> bool:
        return self._worker_ready

    def health_scan(self) -> bool:
        """Scan the selected checkpoint (Ctrl+H); False when none is selected."""
        return self.health_scanner.scan_selected()

    def is_loading_finished(self) -> bool:
        """True when no answer is awaited, no request is about to go out and the worker idles
        (in screenshot mode: the auto-selected variable's histogram is drawn)."""
        return (
            not self.jobs.is_waiting()
            and not self._preview_timer.isActive()
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
        self._on_checkpoint_selected(self.checkpoints.selected())

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

    def _show_contents(self, contents: CheckpointContents) -> None:
        startup_trace.mark("variables_received")
        if self._checkpoint is None or contents.checkpoint.prefix != self._checkpoint.prefix:
            return
        select, self._reselect_key = self._reselect_key, None
        self.browser.set_contents(contents, select=select)
        self.diff.set_contents(contents)
        self.inference.set_contents(contents)
        startup_trace.mark("variables_filled")
        if self.browser.current_variable() is None:
            self.details.clear(
                "This checkpoint holds no variables."
                if not contents.variables
                else "Select a variable to see its values."
            )

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
        self._preview_timer.stop()
        self.diff.shutdown()
        self.inference.shutdown()
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/splitter", self.splitter.saveState())
        self._settings.setValue("window/state", self.saveState())
        super().closeEvent(event)

    # -- slots: worker -------------------------------------------------------------------------

    def _on_worker_ready(self, info: dict) -> None:
        startup_trace.mark("worker_ready")
        self._worker_ready = True
        parts = ["Worker ready"]
        if info.get("tensorflow"):
            parts = [f"TensorFlow {info['tensorflow']}"]
        if info.get("keras_flavour"):
            parts.append(f"Keras {info['keras_flavour']}")
        self.worker_label.setText(" · ".join(parts))
        details = ", ".join(f"{k}: {v}" for k, v in sorted(info.items()) if v is not None)
        self.worker_label.setToolTip(f"Worker process ({details})")

    def _on_worker_crashed(self, message: str) -> None:
        self._worker_ready = False
        self.worker_label.setText("Restarting the worker…")
        if self.pages.currentIndex() == self.MAIN:  # else the empty page says it already
            self._show_error(message)

    def _on_worker_idle_changed(self, _idle: bool) -> None:
        self._update_finished()

    def _on_job_progress(self, job_id: int, done: int, total: int, text: str) -> None:
        channel = self.jobs.channel_of(job_id)
        if channel is None:
            return
        self.job_status.progress(job_id, done, total, text)
        if self.health_scanner.owns(channel):
            self.health_scanner.progress(done, total, text)
        elif self.timeline.owns(channel):
            self.timeline.progress(done, total, text)
        if channel == DEMO and self._listing is None and text:
            self.empty_state.show_busy("Preparing the demo workspace…", f"{text} ({done}/{total})")

    def _on_job_finished(self, job_id: int, result: object) -> None:
        channel = self.jobs.take(job_id)
        if channel == DEMO:
            self.open_path(str(result))
        elif channel == DISCOVER and isinstance(result, FolderListing):
            self._show_listing(result)
        elif channel == VARIABLES and isinstance(result, CheckpointContents):
            self._show_contents(result)
        elif channel == PREVIEW and isinstance(result, TensorPreview):
            self.details.show_preview(result)
        elif self.analysis.owns(channel):
            self.analysis.finished(channel, result)
        elif self.health_scanner.owns(channel):
            self.health_scanner.finished(result)
        elif self.timeline.owns(channel):
            self.timeline.finished(result)
        elif channel == EXPORT:
            # The user may have moved on to another variable meanwhile: say it in both places.
            if self._export_key is not None and self._shown_key() == self._export_key:
                self.details.show_export_result(f"Saved {result}")
            self.statusBar().showMessage(f"Saved {result}", 8000)
        elif channel is not None:
            log.warning("job %s on %s returned %r", job_id, channel, type(result).__name__)
        self._update_finished()

    def _on_job_failed(self, job_id: int, message: str, details: str) -> None:
        channel = self.jobs.take(job_id)
        if channel is None:
            return
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
            self._checkpoint = None  # selecting it again (or a refresh) retries
            self.browser.show_message(message, error=True)
            self.details.clear("No variables to show.")
            self._show_error(message, details)
        elif channel == PREVIEW:
            self.details.show_preview_error(message)
        elif self.analysis.owns(channel):
            self.analysis.failed(channel, message)
        elif self.health_scanner.owns(channel):
            self.health_scanner.failed(message)
        elif self.timeline.owns(channel):
            self.timeline.failed(message)
        elif channel == EXPORT:
            if self._export_key is not None and self._shown_key() == self._export_key:
                self.details.show_export_result(message, error=True)
            else:
                self._show_error(message, details)
        self._update_finished()

    def _on_job_cancelled(self, job_id: int) -> None:
        channel = self.jobs.take(job_id)
        if channel in (DEMO, DISCOVER) and self._listing is None:
            self.empty_state.show_hint()
        elif channel == VARIABLES:
            self._checkpoint = None  # selecting it again retries
            self.browser.show_message("Reading the variables was cancelled.")
        elif channel == PREVIEW:
            self.details.show_preview_error("The preview was cancelled.")
        elif self.analysis.owns(channel):
            self.analysis.cancelled(channel)
        elif self.health_scanner.owns(channel):
            self.health_scanner.cancelled()
        elif self.timeline.owns(channel):
            self.timeline.cancelled()
        elif channel == EXPORT:
            self.details.show_export_result("Export cancelled.")
        if channel is not None:
            self.statusBar().showMessage("Cancelled.", 3000)
        self._update_finished()

    # -- slots: panels -------------------------------------------------------------------------

    def _on_checkpoint_selected(self, item: CheckpointRecord | StaleStateEntry | None) -> None:
        if isinstance(item, CheckpointRecord) and item == self._checkpoint:
            return  # same record as before a refresh: keep variables and selection
        # The same checkpoint rewritten (a refresh saw new bytes): keep the variable selected.
        current = self.browser.current_variable()
        same_prefix = (
            isinstance(item, CheckpointRecord)
            and self._checkpoint is not None
            and item.prefix == self._checkpoint.prefix
        )
        keep_key = current.key if same_prefix and current is not None else None
        self.jobs.drop(VARIABLES)
        self.jobs.drop(PREVIEW)
        self._preview_timer.stop()
        self._checkpoint = item if isinstance(item, CheckpointRecord) else None
        self.diff.set_checkpoint(self._checkpoint)
        self.inference.set_checkpoint(self._checkpoint)
        if isinstance(item, CheckpointRecord):
            self._reselect_key = keep_key
            self.browser.set_checkpoint(item)
            self.browser.show_loading()
            self.details.clear("Reading variables…")
            self._submit(VARIABLES, "list_variables", f"Reading {item.name}…", record=item)
        elif isinstance(item, StaleStateEntry):
            self.browser.set_checkpoint(None, problem=item.reason)
            self.browser.title.setText(f"{item.written_path} (stale state-file entry)")
            self.browser.show_message(
                f"The state file {item.state_file} names this checkpoint, "
                "but there is no checkpoint behind it."
            )
            self.details.clear("Nothing to show for a stale entry.")
        else:
            self.browser.set_checkpoint(None)
            self.browser.show_message("Select a checkpoint on the left.")
            self.details.clear()
        self._update_finished()

    def _on_variable_selected(self, record: VariableRecord | None) -> None:
        self.jobs.drop(PREVIEW)
        self.analysis.show_variable(self._checkpoint, record)
        if record is None:
            self._preview_timer.stop()
            if self._checkpoint is not None and self.browser.contents() is not None:
                self.details.clear()
        else:
            self.details.show_variable(
                record,
                owner=self.browser.owner_of(record),
                slots=self.browser.slots_of(record.key),
            )
            # Clicking through many variables sends only the last one to the worker.
            self._preview_timer.start()
        self._update_finished()

    def _on_preview_timer_timeout(self) -> None:
        record = self.details.record()
        if record is not None and self._checkpoint is not None:
            self._submit(
                PREVIEW,
                "preview",
                f"Reading {record.key}…",
                record=self._checkpoint,
                key=record.key,
            )
        self._update_finished()

    def _shown_key(self) -> str | None:
        record = self.details.record()
        return record.key if record is not None else None

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

    def _on_cancel_requested(self, job_id: int) -> None:
        if self.jobs.channel_of(job_id) is not None:
            self._client.cancel(job_id)

    def _on_variable_requested(self, key: str) -> None:
        self.browser.reveal_key(key)

    def _on_finding_activated(self, scanned: CheckpointRecord, finding: HealthFinding) -> None:
        self.details.set_current_tab(VariableDetails.HISTOGRAM)
        if self._checkpoint is not None and scanned.prefix == self._checkpoint.prefix:
            self.browser.reveal_key(finding.key)
        elif self.checkpoints.select(scanned.prefix):
            self._reselect_key = finding.key  # selected once its variables are listed

    def _on_folder_changed(self) -> None:
        if self._opened_path is not None and not self.jobs.is_waiting(DISCOVER):
            self.refresh()
        self._update_finished()

    # -- slots: actions ------------------------------------------------------------------------

    def _on_open_folder_triggered(self) -> None:
        start = self._listing.folder if self._listing else os.path.expanduser("~")
        folder = QFileDialog.getExistingDirectory(self, "Open Checkpoint Folder", start)
        if folder:
            self.open_path(folder)

    def _on_open_file_triggered(self) -> None:
        start = self._listing.folder if self._listing else os.path.expanduser("~")
        path, _filter = QFileDialog.getOpenFileName(
            self, "Open Checkpoint File", start, CHECKPOINT_FILTER
        )
        if path:
            self.open_path(path)

    def _on_recent_path_chosen(self, path: str) -> None:
        self.open_path(path)

    def _on_open_demo_triggered(self) -> None:
        self.open_demo()

    def _on_refresh_triggered(self) -> None:
        self.refresh()

    def _on_copy_key_triggered(self) -> None:
        record = self.browser.current_variable()
        if record is not None:
            QGuiApplication.clipboard().setText(record.key)
            self.statusBar().showMessage(f"Copied {record.key}", 3000)

    def _on_find_triggered(self) -> None:
        self.browser.focus_filter()

    def _on_tree_triggered(self) -> None:
        self.browser.set_view(VariableBrowser.TREE)

    def _on_table_triggered(self) -> None:
        self.browser.set_view(VariableBrowser.TABLE)

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            "About Checkpoint Inspector",
            f"Checkpoint Inspector {__version__}\n\n"
            "See what a TensorFlow or Keras checkpoint holds. TensorFlow runs in a separate "
            "worker process; this window never imports it.",
        )
