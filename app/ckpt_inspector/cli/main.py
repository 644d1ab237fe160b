"""Entry point of ``ckpt-inspector``.

``ckpt-inspector [PATH]`` opens the window; ``ckpt-inspector COMMAND ...`` runs a scriptable
command over the same core. Every failure the user can cause ends as one sentence on stderr and
exit status 2, never a traceback (set ``CKPT_INSPECTOR_DEBUG=1`` to see ours).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from ckpt_inspector import __version__
from ckpt_inspector.cli import (
    diff_command,
    infer_command,
    isolation,
    list_command,
    remap_command,
    stats_command,
    timeline_command,
)
from ckpt_inspector.cli.arguments import SentenceArgumentParser
from ckpt_inspector.cli.display_check import display_problem
from ckpt_inspector.cli.model_options import add_model_arguments
from ckpt_inspector.core.errors import InspectorError

COMMANDS = {
    "list": list_command,
    "stats": stats_command,
    "diff": diff_command,
    "infer": infer_command,
    "remap": remap_command,
    "timeline": timeline_command,
}


def _command_parser() -> argparse.ArgumentParser:
    parser = SentenceArgumentParser(prog="ckpt-inspector")
    subparsers = parser.add_subparsers(
        dest="command", required=True, parser_class=SentenceArgumentParser
    )
    for module in COMMANDS.values():
        module.add_parser(subparsers)
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = SentenceArgumentParser(
        prog="ckpt-inspector",
        description="Open the Checkpoint Inspector window. Commands: "
        + ", ".join(COMMANDS)
        + " (run `ckpt-inspector COMMAND --help`).",
    )
    parser.add_argument("path", nargs="?", help="a checkpoint folder, prefix or file to open")
    parser.add_argument("--demo", action="store_true", help="open the demo workspace")
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        help="render the window once everything has loaded, save it as PNG, and exit",
    )
    parser.add_argument(
        "--health",
        action="store_true",
        help="health-scan the selected checkpoint once it is loaded (with --screenshot: once "
        "the findings are shown)",
    )
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="open the Timeline dock on the folder (with --screenshot: once it is computed)",
    )
    parser.add_argument(
        "--infer",
        action="store_true",
        help="open the Inference dock and run the selected checkpoint once it is loaded "
        "(through --model when given; with --screenshot: once the outputs are shown)",
    )
    parser.add_argument(
        "--theme",
        choices=("system", "light", "dark"),
        help="colours of the window for this run (default: as chosen in View > Theme)",
    )
    add_model_arguments(
        parser.add_argument_group("diff against a model (opens the Diff against model panel)"),
        required=False,
        keras_help="Keras flavour of the worker (default 3); with --model, also of the "
        "architecture (auto, the default: 2 when the checkpoint's keys were written by Keras 2)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _run_window(argv: Sequence[str]) -> int:
    args = _window_parser().parse_args(argv)
    command = sys.argv[0] if sys.argv[0].endswith("ckpt-inspector") else "ckpt-inspector"
    problem = display_problem(command, screenshot=bool(args.screenshot))
    if problem:
        sys.stderr.write(problem + "\n")
        return 2
    # Qt is imported only when a window is wanted.
    from ckpt_inspector.gui.app import ModelRequest, run

    keras = None if args.keras == "auto" else args.keras
    model = None
    if args.model:
        model = ModelRequest(args.model, tuple(args.model_arg), tuple(args.input_shape), keras)
    elif args.model_arg or args.input_shape:
        sys.stderr.write("ckpt-inspector: --model-arg and --input-shape need --model.\n")
        return 2
    return run(
        args.path,
        demo=args.demo,
        screenshot=args.screenshot,
        keras=keras or "3",
        model=model,
        timeline=args.timeline,
        health=args.health,
        infer=args.infer,
        theme=args.theme,
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if os.environ.get("CKPT_INSPECTOR_DEBUG") == "1":
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    try:
        if argv and argv[0] in COMMANDS:
            if isolation.needs_child(argv) and argv[1:2] not in (["-h"], ["--help"]):
                return isolation.run_in_child(argv)
            args = _command_parser().parse_args(argv)
            return args.run(args)
        return _run_window(argv)
    except InspectorError as error:
        sys.stderr.write(f"ckpt-inspector: {error.message}\n")
        if getattr(error, "user_traceback", ""):
            sys.stderr.write(error.user_traceback.rstrip() + "\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`ckpt-inspector list ... | head`): not an error of ours. Point
        # stdout at devnull so the interpreter's final flush does not raise again
        # (the recipe in the Python docs' `signal` module notes on SIGPIPE).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as error:  # noqa: BLE001 - the promise is: no traceback, one sentence
        if os.environ.get("CKPT_INSPECTOR_DEBUG") == "1":
            traceback.print_exc()
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        sys.stderr.write(
            f"ckpt-inspector: internal error ({type(error).__name__}: {text}); "
            "run again with CKPT_INSPECTOR_DEBUG=1 for details and please report it.\n"
        )
        return 2
