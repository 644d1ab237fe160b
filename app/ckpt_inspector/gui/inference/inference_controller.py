"""Runs "Inference" for the window: the dock, the Analyze-menu action and the jobs.

The user's model runs in a worker of its own, one per Keras flavour, started on first use (the
diff's reasoning: a model that hangs blocks only this worker, Cancel ends it and a fresh one
takes its place, a crash costs only that worker). The architecture is the one chosen in the diff
panel's picker, read when needed; SavedModels and TF1 ``.meta`` graphs run without one.

A run with an architecture is two jobs: a diff first (how many variables would be restored:
a partial restore is said before any output, and the user chooses to run anyway or stop), then
``infer``. Every request goes out on a channel; a newer one supersedes the older, and answers
for a checkpoint no longer selected are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import InferenceResult, InputSpec
from ckpt_inspector.core.matching.records import DiffReport
from ckpt_inspector.core.records import CheckpointContents, CheckpointRecord
from ckpt_inspector.gui.diff.diff_export import protected_folder
from ckpt_inspector.gui.docks import dock_action
from ckpt_inspector.gui.inference.inference_dock import InferenceDock
from ckpt_inspector.gui.inference.model_chooser import ARCHITECTURE, SIGNATURE, modes_for
from ckpt_inspector.gui.job_channels import JobChannels
from ckpt_inspector.gui.worker_client import WorkerClient
from ckpt_inspector.gui.worker_pool import WorkerPool, start_worker

log = logging.getLogger(__name__)

INPUTS, PREFLIGHT, RUN = "infer_inputs", "infer_preflight", "infer_run"
ClientFactory = Callable[[str], Any]  # keras flavour -> a started WorkerClient


class InferenceController(QObject):
    idleChanged = Signal(bool)  # busy -> idle and back (the screenshot waits for idle)
    workerStarted = Signal(str, object)  # keras flavour, its WorkerClient (for the worker log)

    REFRESH_MS = 300

    def __init__(
        self,
        window: QMainWindow,
        diff: Any,
        settings: QSettings,
        *,
        checkpoints: Callable[[], Sequence[CheckpointRecord]] = tuple,
        client_factory: ClientFactory | None = None,
    ) -> None:
        super().__init__(window)
        self._diff = diff
        self._settings = settings
        self._checkpoints = checkpoints
        self._client_factory = client_factory
        self._workers = WorkerPool(
            self._start_client,
            progress=self._on_job_progress,
            finished=self._on_job_finished,
            failed=self._on_job_failed,
            cancelled=self._on_job_cancelled,
        )
        self._selected: CheckpointRecord | None = None
        self._loaded = False  # the selected checkpoint's variables were listed
        self._inputs_key: tuple | None = None  # what the editor's inputs were read for
        self._pending: tuple[str, dict] | None = None  # the infer job waiting on the preflight
        self._other: CheckpointRecord | None = None
        self._auto_run = False
        self._prefer_architecture = False
        self._was_busy = False
        self._refresh_timer = QTimer(self, singleShot=True, interval=self.REFRESH_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)

        self.ui = InferenceDock(window, diff.dock, self._build_panel)
        self.dock, self.page = self.ui.dock, self.ui.page
        self.dock.visibilityChanged.connect(self._on_dock_visibility_changed)
        self.action = dock_action(
            window,
            "Run &Inference…",
            "Ctrl+I",
            "Restore the selected checkpoint into the model and run it on sample input",
            self._on_action_triggered,
        )
        diff.mapping.inferenceRequested.connect(self._on_mapping_inference_requested)

    def _build_panel(self):
        from ckpt_inspector.gui.inference.inference_panel import InferencePanel  # pyqtgraph

        panel = InferencePanel()
        panel.runRequested.connect(self._on_run_requested)
        panel.cancelRequested.connect(self._on_cancel_requested)
        panel.runAnywayRequested.connect(self._on_run_anyway_requested)
        panel.chooser.modeChanged.connect(self._on_mode_changed)
        panel.chooser.architectureRequested.connect(self._on_architecture_requested)
        self._diff.panel.picker.changed.connect(self._on_architecture_changed)
        self._show_checkpoint(panel)
        return panel

    @property
    def panel(self):
        return self.page.content()

    # -- public API ----------------------------------------------------------------------------

    def open(self, *, focus: bool = True) -> None:
        self.ui.open()
        self._show_model(self.panel)
        if focus:
            self.panel.run_button.setFocus()
        self._refresh_timer.start()

    def set_checkpoint(self, checkpoint: CheckpointRecord | None) -> None:
        """The selection changed: a run for another checkpoint is dropped."""
        previous, self._selected = self._selected, checkpoint
        same = (
            previous is not None and checkpoint is not None and previous.prefix == checkpoint.prefix
        )
        if not same:
            self._loaded = False
        panel = self.page.built_content()
        if panel is None:
            return
        if not same:
            if self._workers.is_waiting(RUN, PREFLIGHT) or panel.is_asking():
                self._workers.drop(RUN, PREFLIGHT)
                panel.show_dropped(checkpoint)
            self._show_checkpoint(panel)
        panel.set_selected_checkpoint(checkpoint)
        self._update_busy()

    def set_contents(self, contents: CheckpointContents) -> None:
        """The selected checkpoint's variables were listed: a pending ``run_when_loaded`` runs."""
        if self._selected is None or contents.checkpoint.prefix != self._selected.prefix:
            return
        self._loaded = True
        if self._auto_run:
            self._auto_run = False
            self.run()
        self._update_busy()

    def run_when_loaded(self, *, prefer_architecture: bool = False) -> None:
        """Open the dock and run as soon as the selected checkpoint is loaded (``--infer``);
        ``prefer_architecture``: with ``--model``, even a SavedModel runs that architecture."""
        self._prefer_architecture = prefer_architecture
        self.open()
        self._show_checkpoint(self.panel)
        if self._loaded:
            self.run()
        else:
            self._auto_run = True
        self._update_busy()

    def run(self) -> bool:
        """Run the selected checkpoint on the editor's input; False (and a sentence in the
        panel) when there is nothing to run."""
        self.open(focus=False)
        panel, checkpoint = self.panel, self._selected
        if checkpoint is None:
            panel.show_error("Select a checkpoint on the left to run it.")
            return False
        try:
            source = panel.editor.source()
        except InspectorError as error:
            panel.show_input_error(error.message)
            return False
        mode = panel.chooser.current_mode()
        self._workers.drop(RUN, PREFLIGHT)
        self._pending, self._other = None, None
        if mode == ARCHITECTURE:
            try:
                spec = self._spec()
            except InspectorError as error:
                panel.show_error(error.message)
                return False
            self._other = panel.other_checkpoint()
            attach = self._diff.panel.picker.attach.currentData()
            # Through the key mapping under review in the diff panel, when the user chose to.
            mapping = self._diff.current_mapping(checkpoint, spec)
            through = (
                {"mapping": mapping, "allow_cast": self._diff.mapping_allows_casts()}
                if mapping is not None
                else {}
            )
            self._pending = (
                spec.keras,
                dict(record=checkpoint, spec=spec, source=source, attach=attach, other=self._other)
                | through,
            )
            how = " through the key mapping" if mapping is not None else ""
            panel.show_running(checkpoint, f"Checking what {checkpoint.name} restores{how}…")
            self._workers.submit(
                spec.keras,
                PREFLIGHT,
                "remap" if mapping is not None else "diff",
                "Diffing…",
                record=checkpoint,
                spec=spec,
                attach=attach,
                **through,
            )
        elif mode == SIGNATURE:
            panel.show_running(checkpoint, "Loading the SavedModel…")
            self._workers.submit(
                self._keras(),
                RUN,
                "infer_saved_model",
                "Running…",
                path=protected_folder(checkpoint.prefix),
                source=source,
                signature=panel.chooser.signature_name(),
            )
        else:
            panel.show_running(checkpoint, "Importing the graph…")
            self._workers.submit(
                self._keras(),
                RUN,
                "infer_graph",
                "Running…",
                record=checkpoint,
                source=source,
                outputs=panel.chooser.chosen_outputs(),
            )
        self._update_busy()
        return True

    def cancel(self) -> None:
        self._workers.cancel(RUN, PREFLIGHT)

    def result(self) -> InferenceResult | None:
        panel = self.page.built_content()
        return panel.result() if panel is not None else None

    def is_busy(self) -> bool:
        return self._refresh_timer.isActive() or self._workers.is_waiting()

    def client(self, keras: str) -> Any | None:
        return self._workers.client(keras)

    def shutdown(self) -> None:
        self._refresh_timer.stop()
        self._workers.shutdown()

    # -- helpers -------------------------------------------------------------------------------

    def _spec(self) -> ModelSpec:
        return self._diff.panel.picker.fields().to_spec()

    def _keras(self) -> str:
        return self._diff.panel.picker.fields().keras or "3"

    def _show_model(self, panel) -> ModelSpec | None:
        """Name the diff panel's architecture (or say what is wrong with it)."""
        try:
            spec = self._spec()
        except InspectorError as error:
            panel.chooser.set_model_text(error.message, error=True)
            return None
        panel.chooser.set_model_text(spec.describe())
        return spec

    def _show_checkpoint(self, panel) -> None:
        """Modes, A/B candidates and inputs for the selected checkpoint."""
        checkpoint = self._selected
        modes, default = modes_for(checkpoint)
        if self._prefer_architecture:
            default = ARCHITECTURE
        panel.chooser.set_modes(modes, default)
        others = [
            c for c in self._checkpoints() if checkpoint is None or c.prefix != checkpoint.prefix
        ]
        panel.set_other_checkpoints(others)
        panel.set_selected_checkpoint(checkpoint)
        self._refresh_timer.start()

    def _refresh_inputs(self) -> None:
        """Read the inputs of what would run now, unless they are shown (or being read)."""
        panel = self.page.built_content()
        if panel is None:
            return
        mode, checkpoint = panel.chooser.current_mode(), self._selected
        panel.other.setEnabled(mode == ARCHITECTURE)
        if mode == ARCHITECTURE:
            spec = self._show_model(panel)
            if spec is None:
                panel.editor.set_specs((), note="Choose the architecture to see its inputs.")
                self._inputs_key = None
                return
            key: tuple = (mode, repr(spec))
            keras, job, kwargs = spec.keras, "input_specs", {"spec": spec}
        elif checkpoint is None:
            return
        elif mode == SIGNATURE:
            path = protected_folder(checkpoint.prefix)
            key, keras, job, kwargs = (
                (mode, path),
                self._keras(),
                "saved_model_signatures",
                {"path": path},
            )
        else:
            key, keras, job = (mode, checkpoint.prefix), self._keras(), "graph_endpoints"
            kwargs = {"record": checkpoint}
        if key == self._inputs_key:
            return
        self._inputs_key = key
        self._workers.drop(INPUTS)
        if mode != ARCHITECTURE:
            panel.chooser.clear_endpoints()
        panel.editor.set_specs((), note="Reading the model's inputs…")
        self._workers.submit(keras, INPUTS, job, "Reading the inputs…", **kwargs)

    def _start_infer(self) -> None:
        if self._pending is None:
            return
        keras, kwargs = self._pending
        self._pending = None
        self.panel.show_running(kwargs["record"], "Restoring and running…")
        self._workers.submit(keras, RUN, "infer", "Running…", **kwargs)
        self._update_busy()

    def _start_client(self, keras: str) -> Any:
        client = (self._client_factory or self._start_worker)(keras)
        self.workerStarted.emit(keras, client)
        return client

    def _start_worker(self, keras: str) -> WorkerClient:
        return start_worker(self, keras)

    def _update_busy(self) -> None:
        busy = self.is_busy()
        if busy != self._was_busy:
            self._was_busy = busy
            self.idleChanged.emit(not busy)

    # -- answers -------------------------------------------------------------------------------

    def _on_job_progress(self, jobs: JobChannels, job_id: int, done: int, total: int, text: str):
        if jobs.channel_of(job_id) in (RUN, PREFLIGHT):
            self.panel.show_progress(done, total, text)

    def _on_job_finished(self, jobs: JobChannels, job_id: int, result: object) -> None:
        channel = jobs.take(job_id)
        if channel is None:
            return
        panel = self.panel
        if channel == INPUTS:
            panel.show_inputs(self._inputs_key[0] if self._inputs_key else None, result)
        elif channel == PREFLIGHT and isinstance(getattr(result, "report", result), DiffReport):
            report = getattr(result, "report", result)  # a remap job answers a RemapResult
            if report.restored < report.model_variables:
                panel.ask_partial(report.restored, report.model_variables)
            else:
                self._start_infer()
        elif channel == RUN and isinstance(result, InferenceResult):
            if not panel.editor.specs():
                panel.editor.set_specs(
                    [
                        InputSpec(i.name, (None, *i.values.shape[1:]), i.values.dtype.name)
                        for i in result.inputs
                    ]
                )
            panel.show_result(result, self._other)
        else:
            panel.show_error(f"The {channel} job returned {type(result).__name__}.")
        self._update_busy()

    def _on_job_failed(self, jobs: JobChannels, job_id: int, message: str, details: str) -> None:
        channel = jobs.take(job_id)
        if channel is None:
            return
        log.info("inference job on %s failed: %s", channel, message)
        panel = self.panel
        if channel == INPUTS:
            panel.editor.set_specs((), note=f"The inputs could not be read: {message}")
            self._inputs_key = None  # read again on the next run or change
        else:
            panel.show_error(message, details)
            if "input" in message.lower() and not details.strip():
                panel.show_input_error(message)  # a bad input: said next to the input too
        self._update_busy()

    def _on_job_cancelled(self, jobs: JobChannels, job_id: int) -> None:
        channel = jobs.take(job_id)
        if channel is None:
            return
        if channel == INPUTS:
            self._inputs_key = None
            self.panel.editor.set_specs((), note="Reading the inputs was cancelled.")
        else:
            self.panel.show_cancelled()
        self._update_busy()

    # -- slots ---------------------------------------------------------------------------------

    def _on_action_triggered(self) -> None:
        self.open()

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.page.content()
            self._refresh_timer.start()
            self._update_busy()

    def _on_refresh_timer_timeout(self) -> None:
        self._refresh_inputs()
        self._update_busy()

    def _on_run_requested(self) -> None:
        self.run()

    def _on_run_anyway_requested(self) -> None:
        self._start_infer()

    def _on_cancel_requested(self) -> None:
        self.cancel()

    def _on_mode_changed(self, _mode: str) -> None:
        self._refresh_timer.start()
        self._update_busy()

    def _on_architecture_changed(self) -> None:
        panel = self.page.built_content()
        if panel is not None:
            self._show_model(panel)
        self._refresh_timer.start()
        self._update_busy()

    def _on_mapping_inference_requested(self) -> None:
        self._prefer_architecture = True
        self.open()
        self._show_checkpoint(self.panel)
        try:
            spec = self._spec()
        except InspectorError:
            spec = None
        selected = self._selected
        if selected and spec and self._diff.current_mapping(selected, spec) is None:
            self.panel.show_error(
                "The key mapping is for another checkpoint or architecture; select the "
                "checkpoint it was proposed for, or propose it again."
            )
            return
        self.run()

    def _on_architecture_requested(self) -> None:
        self._diff.open()
