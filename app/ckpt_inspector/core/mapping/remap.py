"""``remap``: propose (or take) a mapping, see what it restores, optionally export through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ckpt_inspector.core.architecture.spec import ModelSpec
from ckpt_inspector.core.mapping.apply import apply_mapping
from ckpt_inspector.core.mapping.records import KeyMapping
from ckpt_inspector.core.matching.records import DiffReport
from ckpt_inspector.core.progress import Job, Progress
from ckpt_inspector.core.records import CheckpointRecord


@dataclass(frozen=True)
class RemapResult:
    mapping: KeyMapping
    report: DiffReport  # as restored through the mapping
    original: DiffReport  # the plain diff, before the mapping
    exported: tuple[str, ...] = ()

    def to_json(self) -> dict:
        out = self.mapping.to_json()
        out["summary"] = {
            "model_variables": self.report.model_variables,
            "restored": self.report.restored,
            "restored_params_fraction": self.report.restored_params_fraction,
            "restored_without_mapping": self.original.restored,
        }
        out["exported"] = list(self.exported)
        return out


def remap(
    record: CheckpointRecord,
    spec: ModelSpec,
    mapping: KeyMapping | None = None,
    *,
    attach: str | None = None,
    allow_cast: bool = False,
    export_checkpoint: str | None = None,
    export_weights: str | None = None,
    overwrite: bool = False,
    load: Callable[[ModelSpec], Any] | None = None,
) -> Job[RemapResult]:
    import os

    from ckpt_inspector.core.inference.restore import restore_matched
    from ckpt_inspector.core.mapping import export
    from ckpt_inspector.core.mapping.propose import propose_mapping
    from ckpt_inspector.core.matching.diff import diff_contents
    from ckpt_inspector.core.variables import list_checkpoint_variables

    if load is None:
        from ckpt_inspector.core.architecture.loading import load_architecture as load
    yield Progress(0, 3, "Listing the checkpoint and building the model")
    contents = list_checkpoint_variables(record)
    architecture = load(spec)
    original = diff_contents(
        contents, architecture.root, architecture.description, spec.keras, attach
    )
    yield Progress(1, 3, "Proposing a mapping" if mapping is None else "Checking the mapping")
    if mapping is None:
        mapping = propose_mapping(original, contents.variables, architecture.root)
    report = apply_mapping(original, mapping, contents.variables, allow_cast=allow_cast)
    exported: list[str] = []
    if export_checkpoint or export_weights:
        yield Progress(2, 3, "Restoring through the mapping and exporting")
        restore_matched(record, report, architecture.root)
        folder = os.path.dirname(os.path.abspath(record.prefix))
        if export_checkpoint:
            exported.append(
                export.export_checkpoint(
                    architecture.root, export_checkpoint, folder, overwrite=overwrite
                )
            )
        if export_weights:
            exported.append(
                export.export_weights_h5(
                    architecture.root, export_weights, folder, overwrite=overwrite
                )
            )
    return RemapResult(mapping, report, original, tuple(exported))
