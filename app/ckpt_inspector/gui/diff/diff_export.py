"""Saving a diff report as JSON or Markdown, never inside the checkpoint folder it inspects.

The JSON is the report's ``to_json()`` (the CLI's ``diff --json`` shape); the Markdown comes
from ``core.matching.markdown`` so the window and the CLI write the same text.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.matching.markdown import report_markdown
from ckpt_inspector.core.matching.records import DiffReport

JSON = ("JSON (*.json)", ".json")
MARKDOWN = ("Markdown (*.md)", ".md")


def report_json(report: DiffReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


def protected_folder(checkpoint: str) -> str:
    """The folder the app only reads: the checkpoint's own folder (a SavedModel's root for
    ``.../variables/variables``)."""
    folder = os.path.dirname(os.path.abspath(checkpoint))
    if os.path.basename(folder) == "variables":
        folder = os.path.dirname(folder)
    return folder


def _is_inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def refuse_checkpoint_folder(path: str, checkpoint: str, what: str) -> None:
    """Raises ``InspectorError`` when ``path`` is inside the folder of ``checkpoint`` (the
    folder the app only reads); ``what`` names the file in the sentence."""
    folder = protected_folder(checkpoint)
    if _is_inside(path, folder):
        raise InspectorError(
            f"Checkpoint Inspector does not write into the checkpoint folder {folder}; "
            f"choose another folder for {what}."
        )


def suggested_name(report: DiffReport, extension: str) -> str:
    checkpoint = os.path.basename(report.checkpoint.rstrip("/\\")) or "checkpoint"
    architecture = (
        report.architecture.rsplit(":", 1)[0]
        if ".py:" in report.architecture
        else (report.architecture)
    )
    model = Path(architecture.rstrip("/\\")).stem or "model"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"diff-{checkpoint}-{model}").strip("._")
    return stem + extension


def write_report(report: DiffReport, path: str) -> None:
    """Writes JSON for ``*.json`` and Markdown otherwise; raises ``InspectorError`` for a path
    inside the inspected checkpoint's folder or one that cannot be written."""
    refuse_checkpoint_folder(path, report.checkpoint, "the report")
    text = report_json(report) if path.lower().endswith(".json") else report_markdown(report)
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except OSError as error:
        raise InspectorError(f"Could not write {path}: {error.strerror or error}.") from error
