"""``ckpt-inspector infer``: restore a checkpoint into a model and run it on sample input."""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from ckpt_inspector.cli.model_options import add_model_arguments, model_spec
from ckpt_inspector.cli.remap_command import add_mapping_argument
from ckpt_inspector.cli.stats_command import choose_checkpoint
from ckpt_inspector.core.errors import InspectorError
from ckpt_inspector.core.inference.records import DISTRIBUTIONS, InferenceResult, InputSource
from ckpt_inspector.core.mapping.records import read_mapping
from ckpt_inspector.core.progress import run_to_completion
from ckpt_inspector.core.records import CheckpointFormat, CheckpointRecord

EXIT_OK, EXIT_PARTIAL = 0, 1
_SHOWN_VALUES = 20  # per output, in the text report


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "infer",
        help="restore a checkpoint into a model and run it on sample input",
        description="Restore the checkpoint into the architecture (matched as `diff` matches) "
        "and call it on sample input; report the outputs, the difference from the same "
        "architecture with fresh weights, and timings. Without --model, a SavedModel runs its "
        "serving signature and a TF1 checkpoint with a .meta graph runs that graph. Exit status "
        "0 on a full restore and a successful call, 1 on a partial restore (the run still "
        "happens), 2 on bad input or failing model code. A folder means its latest checkpoint.",
    )
    parser.add_argument("path", help="a checkpoint prefix or file, a SavedModel, or a folder")
    add_mapping_argument(parser)
    add_model_arguments(parser, required=False)
    parser.add_argument(
        "--input",
        default="random",
        metavar="SOURCE",
        help="an .npy, .npz or .csv file, an image (resized to the input, scaled to [0, 1]), or "
        "random[:SEED] (also normal, uniform, integers, zeros, ones, each with an optional "
        ":SEED); default random:0",
    )
    parser.add_argument("--batch", type=int, default=1, help="batch size for generated input")
    parser.add_argument("--signature", help="SavedModel signature (default serving_default)")
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="TENSOR",
        help="TF1 graph tensor to fetch (repeatable; default: the graph's likely outputs)",
    )
    parser.add_argument("--attach", metavar="PATH", help="where the model sits (see diff)")
    parser.add_argument(
        "--allow-cast",
        action="store_true",
        help="with --mapping: restore mapped tensors of another dtype (cast on load)",
    )
    parser.add_argument(
        "--compare-with", metavar="CHECKPOINT", help="also run a second checkpoint (A/B)"
    )
    parser.add_argument("--save", metavar="OUT.npy", help="save the outputs (.npy, or .npz)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def input_source(text: str, batch: int) -> InputSource:
    """``random:7``, ``uniform``, ``zeros`` or a file path."""
    name, _, seed_text = text.partition(":")
    if name == "random":
        name = "normal"
    if name in DISTRIBUTIONS and (not seed_text or seed_text.lstrip("-").isdigit()):
        return InputSource(kind="random", distribution=name, seed=int(seed_text or 0), batch=batch)
    return InputSource(kind="file", path=text, batch=batch)


def run(args: argparse.Namespace) -> int:
    record = choose_checkpoint(args.path)
    source = input_source(args.input, args.batch)
    if args.model:
        result = _run_with_model(args, record, source)
    elif record.format is CheckpointFormat.SAVED_MODEL:
        from ckpt_inspector.core.inference.saved_model_run import run_saved_model

        folder = record.prefix if os.path.isdir(record.prefix) else args.path
        result = run_to_completion(run_saved_model(folder, source, args.signature))
    elif record.has_meta_graph:
        from ckpt_inspector.core.inference.graph_run import run_graph

        result = run_to_completion(run_graph(record, source, args.output or None))
    else:
        raise InspectorError(
            f"{record.prefix} holds only weights; give the architecture to run them in with "
            "--model (model.py, a .keras file, a config .json or applications:Name)."
        )
    if args.save:
        _save(result, args.save)
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_result(result)
    return EXIT_PARTIAL if result.partial else EXIT_OK


def _run_with_model(
    args: argparse.Namespace, record: CheckpointRecord, source: InputSource
) -> InferenceResult:
    from ckpt_inspector.core.inference.run import run_inference
    from ckpt_inspector.core.variables import list_checkpoint_variables

    keys = [v.key for v in list_checkpoint_variables(record).variables]
    spec = model_spec(args, keys)
    other = choose_checkpoint(args.compare_with) if args.compare_with else None
    attach = None if args.attach is None else args.attach.strip("/")
    mapping = read_mapping(args.mapping) if args.mapping else None
    return run_to_completion(
        run_inference(
            record,
            spec,
            source,
            attach=attach,
            other=other,
            mapping=mapping,
            allow_cast=args.allow_cast,
        )
    )


def _save(result: InferenceResult, path: str) -> None:
    arrays = {o.name: o.values for o in result.outputs}
    try:
        if len(arrays) == 1 and not path.endswith(".npz"):
            np.save(path, next(iter(arrays.values())), allow_pickle=False)
        else:
            np.savez(path, **arrays)
    except OSError as exc:
        raise InspectorError(f"Could not save the outputs to {path} ({exc.strerror}).") from None


def _print_result(result: InferenceResult) -> None:
    print(f"checkpoint: {result.checkpoint}")
    print(f"model: {result.architecture}")
    print(result.restore_sentence())
    for note in result.notes:
        print(f"note: {note}")
    print()
    for item in result.inputs:
        shape = "×".join(map(str, item.values.shape))
        print(f"input {item.name}: {shape} {item.values.dtype} ({item.source})")
    for output in result.outputs:
        shape = "×".join(map(str, output.shape))
        print()
        print(f"output {output.name}: {shape} {output.values.dtype}")
        stats = output.stats
        if stats is not None and stats.mean is not None:
            print(
                f"  mean {stats.mean:.6g}  std {stats.std:.6g}  min {stats.min:.6g}  "
                f"max {stats.max:.6g}"
            )
        if output.fresh_max_abs_diff is not None:
            print(f"  with fresh weights: max |difference| {output.fresh_max_abs_diff:.6g}")
        if output.other_max_abs_diff is not None:
            print(f"  with the other checkpoint: max |difference| {output.other_max_abs_diff:.6g}")
        flat = output.values.reshape(-1)
        shown = np.array2string(flat[:_SHOWN_VALUES], precision=5, max_line_width=96)
        more = (
            f" ... ({flat.size} values; --save or --json for all)"
            if flat.size > _SHOWN_VALUES
            else ""
        )
        print(f"  values {shown}{more}")
    t = result.timings
    print()
    print(
        f"timings: restore {t.restore_ms:.1f} ms, first call {t.first_call_ms:.1f} ms, "
        f"median of {t.calls} calls {t.median_call_ms:.2f} ms"
    )
