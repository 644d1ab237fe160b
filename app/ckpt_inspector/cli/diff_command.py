"""``ckpt-inspector diff``: will this checkpoint load into that model, and if not, why."""

from __future__ import annotations

import argparse
import json
import sys

from ckpt_inspector.cli.model_options import add_model_arguments, model_spec
from ckpt_inspector.cli.remap_command import add_mapping_argument
from ckpt_inspector.cli.stats_command import choose_checkpoint
from ckpt_inspector.cli.text_table import render
from ckpt_inspector.core.mapping.records import read_mapping
from ckpt_inspector.core.matching.records import DiffEntry, DiffReport, MatchStatus
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.records import VariableRole

EXIT_COMPLETE, EXIT_INCOMPLETE = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare a checkpoint with a model: what a restore would load, and what not",
        description="Match the checkpoint against the architecture as tf.train.Checkpoint."
        "restore would (or by variable name, as TF1's Saver would, for name-based checkpoints) "
        "and list every matched variable, shape and dtype mismatch, model variable missing "
        "from the checkpoint and checkpoint tensor the model does not use. Exit status 0 when "
        "every model variable would be restored, 1 when anything is missing or mismatched, 2 "
        "on bad input or failing model code. A folder means its latest checkpoint.",
    )
    parser.add_argument("path", help="a checkpoint prefix or file, or a folder of checkpoints")
    add_mapping_argument(parser)
    add_model_arguments(parser)
    parser.add_argument(
        "--attach",
        metavar="PATH",
        help="where the model sits in the checkpoint: '' or / for the root (model.save_weights),"
        " 'model' for tf.train.Checkpoint(model=...); default: where most variables match",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="machine-readable output")
    output.add_argument("--markdown", action="store_true", help="the report as Markdown")
    parser.add_argument(
        "--all", action="store_true", help="also list unused optimizer state and bookkeeping"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ckpt_inspector.core.matching.diff import diff_checkpoint
    from ckpt_inspector.core.variables import list_checkpoint_variables

    record = choose_checkpoint(args.path)
    keys = [v.key for v in list_checkpoint_variables(record).variables]
    spec = model_spec(args, keys)
    attach = None if args.attach is None else args.attach.strip("/")
    mapping = read_mapping(args.mapping) if args.mapping else None
    report = run_to_completion(diff_checkpoint(record, spec, attach, mapping=mapping))
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.markdown:
        from ckpt_inspector.core.matching.markdown import report_markdown

        sys.stdout.write(report_markdown(report))
    else:
        _print_report(report, show_all=args.all)
    return EXIT_COMPLETE if report.complete else EXIT_INCOMPLETE


_TITLES = {
    MatchStatus.SHAPE_MISMATCH: "Shape mismatches",
    MatchStatus.DTYPE_MISMATCH: "Dtype mismatches",
    MatchStatus.MISSING: "Missing from the checkpoint (would keep their initial values)",
    MatchStatus.MATCHED: "Matched",
    MatchStatus.UNUSED: "Unused weights in the checkpoint",
}


def _shape(shape: tuple | None) -> str:
    return "-" if shape is None else "×".join(str(d) for d in shape) or "scalar"


def _row(entry: DiffEntry, names: bool) -> list[str]:
    return [
        entry.model or "-",
        *([entry.distinct_name or "-"] if names else []),
        entry.checkpoint_key or "-",
        _shape(entry.model_shape),
        _shape(entry.checkpoint_shape),
        entry.model_dtype or "-",
        entry.checkpoint_dtype or "-",
    ]


def _print_report(report: DiffReport, *, show_all: bool) -> None:
    print(f"checkpoint: {report.checkpoint}")
    where = f"at {report.attach!r}" if report.attach else "at the checkpoint's root"
    print(f"model: {report.architecture}, matched {report.method.value} {where}")
    print()
    print(report.summary_sentence())
    for note in report.notes:
        print(f"note: {note}")
    for status in (*_TITLES,):
        entries = report.with_status(status)
        if status is MatchStatus.UNUSED and not show_all:
            entries = tuple(e for e in entries if e.role is VariableRole.WEIGHT)
        if not entries:
            continue
        print()
        print(f"{_TITLES[status]} ({len(entries)})")
        # The checkpoint's readable names get a column only where one says more than its key.
        names = any(e.distinct_name for e in entries)
        headers = [
            "model variable",
            *(["checkpoint name"] if names else []),
            "checkpoint key",
            "model shape",
            "ckpt shape",
            "model",
            "ckpt",
        ]
        print(render(headers, [_row(e, names) for e in entries]))
    others = [
        e for e in report.with_status(MatchStatus.UNUSED) if e.role is not VariableRole.WEIGHT
    ]
    if others and not show_all:
        optimizer = sum(1 for e in others if e.role is VariableRole.OPTIMIZER)
        print()
        print(
            f"Also unused: {optimizer} optimizer tensors and {len(others) - optimizer} "
            "bookkeeping tensors (--all lists them)."
        )
