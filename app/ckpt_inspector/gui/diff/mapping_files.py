"""Files of the mapping panel: the mapping JSON it saves and loads, and the paths it exports to.

Nothing is ever written into the inspected checkpoint's folder (the refusal of
``diff_export``); an export that would replace files says which, so the panel can ask before
passing ``overwrite=True`` to the worker.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.mapping.records import KeyMapping, read_mapping
from ckpt_inspector.core.matching.records import DiffReport
from ckpt_inspector.gui.diff.diff_export import refuse_checkpoint_folder

MAPPING_FILTER = "Key mapping (*.json);;All files (*)"
WEIGHTS_SUFFIX = ".weights.h5"
WEIGHTS_FILTER = "Keras 3 weights (*.weights.h5)"
CHECKPOINT_FILTER = "Checkpoint prefix (*)"


def suggested_stem(report: DiffReport) -> str:
    checkpoint = os.path.basename(report.checkpoint.rstrip("/\\")) or "checkpoint"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{checkpoint}-mapped").strip("._")


def write_mapping(mapping: KeyMapping, path: str, checkpoint: str) -> None:
    """The JSON contract of ``KeyMapping.to_json``; raises ``InspectorError`` inside the
    checkpoint's folder or when the file cannot be written."""
    refuse_checkpoint_folder(path, checkpoint, "the mapping")
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(json.dumps(mapping.to_json(), indent=2) + "\n")
    except OSError as error:
        raise InspectorError(f"Could not write {path}: {error.strerror or error}.") from error


def load_mapping(path: str) -> KeyMapping:
    return read_mapping(path)


def export_files(kind: str, path: str) -> tuple[str, list[str]]:
    """``(the path to pass to the worker, the files it will write)`` for ``kind``
    ``checkpoint`` (a prefix) or ``weights`` (a ``.weights.h5`` file)."""
    if kind == "weights":
        if not path.endswith(WEIGHTS_SUFFIX):
            path = str(Path(path).with_suffix("")) + WEIGHTS_SUFFIX
        return path, [path]
    for suffix in (".index", ".data-00000-of-00001"):
        path = path.removesuffix(suffix)
    return path, [path + ".index", path + ".data-00000-of-00001"]


def check_export(kind: str, path: str, checkpoint: str) -> tuple[str, list[str]]:
    """The target (as ``export_files``) and the files it would replace; raises
    ``InspectorError`` inside the checkpoint's folder."""
    target, files = export_files(kind, path)
    what = "the exported weights" if kind == "weights" else "the exported checkpoint"
    for file in files:
        refuse_checkpoint_folder(file, checkpoint, what)
    return target, [f for f in files if os.path.exists(f)]
