"""The ``coachlab`` command line: one sub-command module per concern, all on the same services.

Exit status: 0 success, 2 bad input (with one clear line on stderr, no traceback), 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli import (
    admin,
    backup_commands,
    content_commands,
    library_commands,
    practice_commands,
    scoring_commands,
)
from app.cli.context import CliContext, CliError
from app.services.errors import ServiceError
from retrieval.embedder import EmbedderUnavailable
from rubrics.yaml_source import ContentError

MODULES = (
    admin,
    backup_commands,
    content_commands,
    library_commands,
    practice_commands,
    scoring_commands,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="coachlab",
        description="CoachLab: practise coaching conversations, get evidence-based feedback.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coachlab`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = CliContext()
    try:
        return int(args.func(args, ctx) or 0)
    except ContentError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        return 2
    except (CliError, ServiceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except EmbedderUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
