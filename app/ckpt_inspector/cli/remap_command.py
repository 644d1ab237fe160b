"""``ckpt-inspector remap``: when names do not match, a key mapping and what it restores."""

from __future__ import annotations

import argparse
import json
import sys

from ckpt_inspector.cli.model_options import add_model_arguments, model_spec
from ckpt_inspector.cli.stats_command import choose_checkpoint
from ckpt_inspector.cli.text_table import render
from ckpt_inspector.core.mapping.records import read_mapping
from ckpt_inspector.core.progress import run_to_completion

EXIT_COMPLETE, EXIT_INCOMPLETE = 0, 1


def add_mapping_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mapping",
        metavar="FILE",
        help="a key mapping (JSON, as remap --json writes it) to restore through",
    )


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "remap",
        help="propose a checkpoint-key -> model-variable mapping and export through it",
        description="Propose a mapping for the model variables a plain restore would miss (by "
        "Keras 2 layer order, by name similarity, by unique shape; ambiguous cases are listed, "
        "never guessed), or check a given --mapping, and say how much of the model it "
        "restores. --export-checkpoint / --export-weights write the mapped weights as files "
        "that load with tf.train.Checkpoint(model=...).restore and model.load_weights. Exit "
        "status 0 when the mapping restores every model variable, 1 otherwise, 2 on errors.",
    )
    parser.add_argument("path", help="a checkpoint prefix or file, or a folder")
    add_model_arguments(parser)
    add_mapping_argument(parser)
    parser.add_argument("--attach", metavar="PATH", help="where the model sits (see diff)")
    parser.add_argument(
        "--allow-cast", action="store_true", help="map tensors whose dtype differs (cast them)"
    )
    parser.add_argument("--export-checkpoint", metavar="PREFIX", help="write a TF checkpoint")
    parser.add_argument("--export-weights", metavar="FILE.weights.h5", help="write Keras weights")
    parser.add_argument("--overwrite", action="store_true", help="replace existing export files")
    parser.add_argument("--json", action="store_true", help="the mapping as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ckpt_inspector.core.mapping.remap import remap
    from ckpt_inspector.core.variables import list_checkpoint_variables

    record = choose_checkpoint(args.path)
    keys = [v.key for v in list_checkpoint_variables(record).variables]
    spec = model_spec(args, keys)
    mapping = read_mapping(args.mapping) if args.mapping else None
    result = run_to_completion(
        remap(
            record,
            spec,
            mapping,
            attach=None if args.attach is None else args.attach.strip("/"),
            allow_cast=args.allow_cast,
            export_checkpoint=args.export_checkpoint,
            export_weights=args.export_weights,
            overwrite=args.overwrite,
        )
    )
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print(result)
    return EXIT_COMPLETE if result.report.complete else EXIT_INCOMPLETE


def _print(result) -> None:
    report, mapping = result.report, result.mapping
    print(f"checkpoint: {report.checkpoint}")
    print(f"model: {report.architecture}")
    print(f"Without a mapping: {result.original.summary_sentence()}")
    print(f"With this mapping: {report.summary_sentence()}")
    if mapping.rows:
        print()
        print(f"Mapping ({len(mapping.rows)})")
        rows = [[r.model_variable, r.checkpoint_key, r.reason] for r in mapping.rows]
        print(render(["model variable", "checkpoint key", "reason"], rows))
    if mapping.ambiguous:
        print()
        print(f"Ambiguous, not mapped: choose in a mapping file ({len(mapping.ambiguous)})")
        rows = [[a.model_variable, " | ".join(a.candidates), a.reason] for a in mapping.ambiguous]
        print(render(["model variable", "candidates", "why"], rows))
    if mapping.unmapped_model_variables:
        print()
        print("Model variables left unmapped: " + ", ".join(mapping.unmapped_model_variables))
    for path in result.exported:
        print(f"wrote {path}")
