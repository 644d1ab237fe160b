"""``ckpt-inspector timeline FOLDER [VARIABLE ...]``: how each variable changed across a run."""

from __future__ import annotations

import argparse
import json
import math
import sys

from ckpt_inspector.cli.text_table import render
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.timeline.cache import TimelineCache
from ckpt_inspector.core.timeline.compute import timeline_of_path
from ckpt_inspector.core.timeline.records import Timeline, VariableSeries

_BARS = "▁▂▃▄▅▆▇█"
_LOG_FLOOR = -6.0  # relative changes below 1e-6 draw as the lowest bar


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "timeline",
        help="how every variable changed from checkpoint to checkpoint of a training run",
        description="Put the checkpoints of FOLDER in training order (by a step variable "
        "inside them, else the file names, the state file or the modification times) and "
        "show, per variable and checkpoint, the L2 norm, mean, std, max |x| and the relative "
        "change ||w_t - w_(t-1)|| / ||w_(t-1)||, with findings: identical consecutive "
        "checkpoints, the first checkpoint with NaN/Inf, weights that never change and norm "
        "blow-ups. Results are cached per checkpoint in the user's cache folder. Exit status "
        "0 when the timeline was computed (findings or not), 2 when the folder or a VARIABLE "
        "cannot be used.",
    )
    parser.add_argument("folder", metavar="FOLDER", help="a folder of checkpoints of one run")
    parser.add_argument(
        "variables", nargs="*", metavar="VARIABLE", help="keys or human names (default: all)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--no-cache", action="store_true", help="read every tensor again; cache nothing"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cache = TimelineCache(enabled=not args.no_cache)
    result = run_to_completion(timeline_of_path(args.folder, tuple(args.variables), cache=cache))
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        _print(result)
    return 0


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _sparkline(values: tuple[float | None, ...]) -> str:
    """Relative changes on a log scale from 1e-6 to 1: a blank for no value, ``0`` for none."""
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif value == 0:
            out.append("0")
        else:
            level = (min(max(math.log10(value), _LOG_FLOOR), 0.0) - _LOG_FLOOR) / -_LOG_FLOOR
            out.append(_BARS[round(level * (len(_BARS) - 1))])
    return "".join(out)


def _largest_change(series: VariableSeries, result: Timeline) -> str:
    known = [(v, t) for t, v in enumerate(series.relative_change) if v is not None]
    if not known:
        return "-"
    value, t = max(known)
    if value == 0:
        return "none"
    checkpoint = result.checkpoints[t]
    return f"{value:.3g} at {checkpoint.step if checkpoint.step is not None else checkpoint.name}"


def _print(result: Timeline) -> None:
    print(f"folder: {result.folder}")
    print(f"{len(result.checkpoints)} checkpoints, ordered by {result.order_text}:")
    steps = [
        f"{c.name}" + (f" (step {c.step})" if c.step is not None else "")
        for c in result.checkpoints
    ]
    print("  " + ", ".join(steps))
    print()
    rows = []
    for series in result.variables:
        shape = "×".join(map(str, series.shape)) or "scalar"
        rows.append(
            [
                series.label,
                shape,
                _number(series.norm[0]),
                _number(series.norm[-1]),
                _largest_change(series, result),
                f"|{_sparkline(series.relative_change)}|",
            ]
        )
    headers = ["variable", "shape", "first norm", "last norm", "largest change", "change (log)"]
    print(render(headers, rows, right=(2, 3)))
    print()
    if result.findings:
        print("findings:")
        for finding in result.findings:
            print(f"  {finding.kind.value}: {finding.message}")
    else:
        print("no findings: no NaN/Inf, norm blow-ups, identical checkpoints or frozen weights")
    for note in result.notes:
        print(f"note: {note}")
