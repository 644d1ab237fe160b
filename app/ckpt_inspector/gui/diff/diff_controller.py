"""Runs "Diff against model" for the window: the dock, the Analyze-menu action and the jobs.

The user's model code runs in a worker of its own, one per Keras flavour (the flavour is fixed
when TensorFlow is imported, so it is a property of the process), started on first use and shut
down with the window. That also keeps their code away from the browsing worker: a model that
hangs blocks only the diff worker, Cancel ends it (the client kills a worker whose job does not
yield in time and starts a fresh one), and a crash costs only that worker.

The checkpoint side of the histograms is read by the browsing worker (``tensor_stats``), the
model side by the diff worker that loaded the architecture (``model_variable_stats``). Every
request goes out on a channel, so a newer one supersedes the older and late answers are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.records import DiffEntry, DiffReport
from ckpt_inspector.core.records import CheckpointContents, CheckpointRecord
from ckpt_inspector.core.statistics.records import HistogramOptions, TensorStats
from ckpt_inspector.gui import theme
from ckpt_inspector.gui.diff.architecture_fields import suggest_keras
from ckpt_inspector.gui.diff.mapping_controller import MappingController
from ckpt_inspector.gui.docks import bottom_dock, dock_action, raise_dock
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.lazy_page import LazyPage
from ckpt_inspector.gui.worker_client import WorkerClient
from ckpt_inspector.gui.worker_pool import NoStatus, WorkerPool, connect_channels, start_worker

log = logging.getLogger(__name__)

DIFF, MODEL_STATS = "diff", "diff_model_stats"  # on the diff worker
CHECKPOINT_STATS = "diff_checkpoint_stats"  # on the browsing worker
DOCK_HEIGHT = 420
HISTOGRAM_OPTIONS = HistogramOptions(bins=48)

ClientFactory = Callable[[str], Any]  # keras flavour -> a started WorkerClient


class DiffController(QObject):
    idleChanged = Signal(bool)  # busy -> idle and back (the screenshot waits for idle)
    variableRequested = Signal(str)  # a checkpoint key to select in the window
    workerStarted = Signal(str, object)  # keras flavour, its WorkerClient (for the worker log)

    DEBOUNCE_MS = 100

    def __init__(
        self,
        window: QMainWindow,
        client: Any,
        settings: QSettings,
        *,
        tab_with: QDockWidget | None = None,
        client_factory: ClientFactory | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._tab_with = tab_with
        self._client_factory = client_factory
        self._main = JobChannels(client, NoStatus())  # type: ignore[arg-type]
        self._workers = WorkerPool(self._start_client, **self._callbacks())
        self._selected: CheckpointRecord | None = None
        self._contents: CheckpointContents | None = None
        self._suggested_for: str | None = None  # the checkpoint the Keras suggestion is for
        self._report: DiffReport | None = None
        self._report_spec: ModelSpec | None = None
        self._running_spec: ModelSpec | None = None
        self._running_attach: str | None = None
        self._entry: DiffEntry | None = None
        self._auto_run = False
        self._was_busy = False
        self._stats_timer = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._stats_timer.timeout.connect(self._on_stats_timer_timeout)
        connect_channels(client, self._main, **self._callbacks())
        # The report's "Key mapping" tab; its jobs run on the diff workers.
        self.mapping = MappingController(self, self._workers.worker)
        self.mapping.busyChanged.connect(self._on_mapping_busy_changed)

        self.page = LazyPage(self._build_panel)
        self.dock = bottom_dock(
            window,
            "Diff against model",
            "diffDock",
            self.page,
            toggle_text="Show Diff against Model",
        )
        self.dock.visibilityChanged.connect(self._on_dock_visibility_changed)
        self.action = dock_action(
            window,
            "&Diff against Model…",
            "Ctrl+D",
            "Check which variables of a model (a .py, .keras or config file, a SavedModel or "
            "a keras.applications name) a restore of the selected checkpoint would load",
            self._on_action_triggered,
        )

    def _build_panel(self):
        from ckpt_inspector.gui.diff.diff_panel import DiffPanel  # imports pyqtgraph

        panel = DiffPanel(self._settings)
        theme.apply_stylesheet(panel, "diff")
        panel.runRequested.connect(self._on_run_requested)
        panel.cancelRequested.connect(self._on_cancel_requested)
        panel.entrySelected.connect(self._on_entry_selected)
        panel.entryActivated.connect(self._on_entry_activated)
        panel.picker.changed.connect(self._on_architecture_changed)
        self.mapping.attach(panel)
        panel.set_selected_checkpoint(self._selected)
        if self._contents is not None:
            self._suggest_keras(panel)
        return panel

    def _suggest_keras(self, panel) -> None:
        """The flavour the keys suggest. A flavour the user chose holds until they select
        another checkpoint (not before the first one loaded: ``--keras`` chose it then)."""
        prefix = self._contents.checkpoint.prefix
        new_checkpoint = self._suggested_for is not None and self._suggested_for != prefix
        self._suggested_for = prefix
        panel.picker.suggest_keras(
            suggest_keras(self._contents.variables), new_checkpoint=new_checkpoint
        )

    @property
    def panel(self):
        """The panel, built on first use (it imports pyqtgraph for its histograms)."""
        return self.page.content()

    # -- public API ----------------------------------------------------------------------------

    def open(self, *, focus: bool = True) -> None:
        """Show the dock (tabbed with the health findings when they are up)."""
        raise_dock(self._window, self.dock, DOCK_HEIGHT, tab_with=self._tab_with)
        # A widget added to a shown layout is shown by a queued call; show it now instead,
        # so that what follows (focus, a --model run) finds it on screen.
        self.panel.show()
        if focus:
            self.panel.picker.source.setFocus()

    def set_checkpoint(self, checkpoint: CheckpointRecord | None) -> None:
        """The checkpoint list's selection changed: a diff running for another one is dropped,
        a report of another one stays up, marked as such."""
        previous, self._selected = self._selected, checkpoint
        same = (
            previous is not None and checkpoint is not None and previous.prefix == checkpoint.prefix
        )
        if not same:
            self._contents = None
        panel = self.page.built_content()
        if panel is None:
            return
        running = panel.checkpoint() if panel.is_running() else None
        if running is not None and (checkpoint is None or checkpoint.prefix != running.prefix):
            self._workers.drop(DIFF)
            panel.show_dropped(checkpoint)
        if not same:
            panel.picker.set_attach_candidates(())
        panel.set_selected_checkpoint(checkpoint)
        self._update_busy()

    def set_contents(self, contents: CheckpointContents) -> None:
        """The selected checkpoint's variables: they suggest a Keras flavour, and a pending
        ``run_when_loaded`` starts now."""
        if self._selected is None or contents.checkpoint.prefix != self._selected.prefix:
            return
        self._contents = contents
        self.mapping.set_contents(contents)
        panel = self.page.built_content()
        if panel is not None:
            self._suggest_keras(panel)
        if self._auto_run:
            self._auto_run = False
            self.run()
        self._update_busy()

    def run_when_loaded(
        self,
        source: str,
        *,
        arguments: Iterable[str] = (),
        input_shapes: Iterable[str] = (),
        keras: str | None = None,
    ) -> None:
        """Open the dock with this architecture filled in; diff the selected checkpoint as soon
        as its variables are listed (``ckpt-inspector --model``)."""
        self.open()
        self.panel.picker.set_fields(
            source, arguments=arguments, input_shapes=input_shapes, keras=keras
        )
        if self._contents is not None:
            self.run()
        else:
            self._auto_run = True
        self._update_busy()

    def run(self) -> bool:
        """Diff the selected checkpoint against the picker's architecture; False (and a
        sentence in the panel) when there is nothing to run."""
        self.open(focus=False)
        panel = self.panel
        checkpoint = self._selected
        try:
            spec, attach = panel.picker.request()
        except InspectorError:
            return False  # the picker shows the sentence next to the fields
        if checkpoint is None:
            panel.show_error("Select a checkpoint on the left to diff it against the model.")
            return False
        self._workers.drop(DIFF, MODEL_STATS)
        self._main.drop(CHECKPOINT_STATS)
        panel.picker.remember()
        self._running_spec, self._running_attach = spec, attach
        panel.show_running(checkpoint, spec.source, spec.keras)
        self._workers.submit(
            spec.keras,
            DIFF,
            "diff",
            f"Diffing {checkpoint.name}…",
            record=checkpoint,
            spec=spec,
            attach=attach,
        )
        self._update_busy()
        return True

    def cancel(self) -> None:
        self._workers.cancel(DIFF)

    def report(self) -> DiffReport | None:
        return self._report

    def is_busy(self) -> bool:
        """A diff or one of its histograms is awaited. A ``--model`` diff still waiting for
        the folder does not count: it starts in the same event as the variables arrive, and
        a folder that fails to load must not keep the window busy for ever."""
        return (
            self._stats_timer.isActive()
            or self._main.is_waiting()
            or self._workers.is_waiting()
            or self.mapping.is_busy()
        )

    def client(self, keras: str) -> Any | None:
        """The diff worker of a flavour, if it was started."""
        return self._workers.client(keras)

    def current_mapping(self, record: CheckpointRecord, spec: ModelSpec):
        """The key mapping inference should restore ``record`` into ``spec`` through, if any."""
        return self.mapping.current_mapping(record, spec)

    def mapping_allows_casts(self) -> bool:
        """Whether the user let the mapping under review cast dtypes ("Allow dtype casts")."""
        draft = self.mapping.draft()
        return draft is not None and draft.allow_cast

    def shutdown(self) -> None:
        self._stats_timer.stop()
        self._workers.shutdown()

    # -- jobs ----------------------------------------------------------------------------------

    def _callbacks(self) -> dict[str, Callable[..., None]]:
        # Each client's answers are read against its own channels: job ids of two worker
        # processes overlap.
        return dict(
            progress=self._on_job_progress,
            finished=self._on_job_finished,
            failed=self._on_job_failed,
            cancelled=self._on_job_cancelled,
        )

    def _start_client(self, keras: str) -> Any:
        client = (self._client_factory or self._start_worker)(keras)
        self.workerStarted.emit(keras, client)
        return client

    def _start_worker(self, keras: str) -> WorkerClient:
        return start_worker(self, keras)

    def _request_stats(self) -> None:
        entry, report, spec = self._entry, self._report, self._report_spec
        panel = self.page.built_content()
        if entry is None or report is None or spec is None or panel is None:
            return
        histograms = panel.histograms
        checkpoint = panel.checkpoint()
        if entry.checkpoint_key and checkpoint is not None:
            histograms.checkpoint.show_message("Reading the checkpoint's values…")
            self._main.submit(
                CHECKPOINT_STATS,
                "tensor_stats",
                f"Reading {entry.checkpoint_key}…",
                record=checkpoint,
                key=entry.checkpoint_key,
                options=HISTOGRAM_OPTIONS,
            )
        if entry.model:
            histograms.model.show_message("Reading the model's initial values…")
            self._workers.submit(
                spec.keras,
                MODEL_STATS,
                "model_variable_stats",
                f"Reading {entry.model}…",
                spec=spec,
                model_variable=entry.model,
                options=HISTOGRAM_OPTIONS,
            )

    def _update_busy(self) -> None:
        busy = self.is_busy()
        if busy != self._was_busy:
            self._was_busy = busy
            self.idleChanged.emit(not busy)

    # -- answers -------------------------------------------------------------------------------

    def _on_job_progress(
        self, jobs: JobChannels, job_id: int, done: int, total: int, text: str
    ) -> None:
        if jobs.channel_of(job_id) == DIFF:
            self.panel.show_progress(done, total, text)

    def _on_job_finished(self, jobs: JobChannels, job_id: int, result: object) -> None:
        channel = jobs.take(job_id)
        if channel is None:
            return
        panel = self.panel
        if channel == DIFF:
            if isinstance(result, DiffReport):
                self._report, self._report_spec = result, self._running_spec
                panel.picker.set_attach_candidates(
                    result.attach_candidates, panel.picker.attach.currentData()
                )
                panel.show_report(result)  # selects the first row: its histograms are asked
                spec, attach = self._running_spec, self._running_attach
                self.mapping.set_report(result, spec, attach, panel.checkpoint(), self._contents)
            else:
                panel.show_error(f"The diff returned {type(result).__name__}, not a report.")
        elif channel in (CHECKPOINT_STATS, MODEL_STATS) and isinstance(result, TensorStats):
            side = (
                panel.histograms.checkpoint
                if channel == CHECKPOINT_STATS
                else panel.histograms.model
            )
            side.show_stats(result)
        self._update_busy()

    def _on_job_failed(self, jobs: JobChannels, job_id: int, message: str, details: str) -> None:
        channel = jobs.take(job_id)
        if channel is None:
            return
        log.info("diff job on %s failed: %s", channel, message)
        panel = self.panel
        if channel == DIFF:
            panel.show_error(message, details)
        elif channel == CHECKPOINT_STATS:
            panel.histograms.checkpoint.show_message(message, error=True)
        elif channel == MODEL_STATS:
            panel.histograms.model.show_message(message, error=True)
        self._update_busy()

    def _on_job_cancelled(self, jobs: JobChannels, job_id: int) -> None:
        channel = jobs.take(job_id)
        if channel is None:
            return
        if channel == DIFF:
            self.panel.show_cancelled()
        elif channel == CHECKPOINT_STATS:
            self.panel.histograms.checkpoint.show_message("Cancelled.")
        elif channel == MODEL_STATS:
            self.panel.histograms.model.show_message("Cancelled.")
        self._update_busy()

    # -- slots ---------------------------------------------------------------------------------

    def _on_action_triggered(self) -> None:
        self.open()

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.page.content()

    def _on_run_requested(self) -> None:
        self.run()

    def _on_cancel_requested(self) -> None:
        self.cancel()

    def _on_architecture_changed(self) -> None:
        self.panel.picker.set_attach_candidates(())

    def _on_entry_selected(self, entry: DiffEntry | None) -> None:
        self._entry = entry
        self._main.drop(CHECKPOINT_STATS)
        self._workers.drop(MODEL_STATS)
        panel = self.panel
        histograms = panel.histograms
        if entry is None:
            histograms.clear()
            self._stats_timer.stop()
        else:
            histograms.checkpoint.set_subject(entry.checkpoint_name or entry.checkpoint_key or "")
            histograms.model.set_subject(entry.model or "")
            if not entry.checkpoint_key:
                histograms.checkpoint.show_message("Not in the checkpoint.")
            if not entry.model:
                histograms.model.show_message("Not in the model.")
            self._stats_timer.start()
        self._update_busy()

    def _on_entry_activated(self, entry: DiffEntry) -> None:
        # Only while the report is about the selected checkpoint: else the key means nothing.
        shown, selected = self.panel.checkpoint(), self._selected
        if entry.checkpoint_key and shown and selected and shown.prefix == selected.prefix:
            self.variableRequested.emit(entry.checkpoint_key)

    def _on_mapping_busy_changed(self) -> None:
        self._update_busy()

    def _on_stats_timer_timeout(self) -> None:
        self._request_stats()
        self._update_busy()
