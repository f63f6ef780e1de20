"""The progress bar of long commands: on stderr, so the summary on stdout stays clean;
shown when stderr is a terminal, unless ``--progress`` or ``--no-progress`` says otherwise."""

from __future__ import annotations

import argparse
import sys


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )


def progress_bar(args: argparse.Namespace, total: int, desc: str):
    """A ``tqdm`` bar counting rows; a no-op when it is not to be shown."""
    from tqdm import tqdm

    show = sys.stderr.isatty() if args.progress is None else args.progress
    return tqdm(total=total, unit=" rows", desc=desc, file=sys.stderr, disable=not show)
