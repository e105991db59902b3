"""The ``oj`` command: Swedish words for users, one module per group of commands.

Every user mistake is an OjError; ``main`` prints its one Swedish sentence on stderr and exits
non-zero, never with a traceback.
"""

from __future__ import annotations

import sys

import click
import typer

from ojlib.errors import OjError

app = typer.Typer(
    name="oj",
    help="ojlib – analys av Öppna jämförelser (ÖJ) för socialtjänsten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Command modules register themselves on ``app`` when imported.
from ojlib.cli import data as _data  # noqa: E402,F401
from ojlib.cli import export as _export  # noqa: E402,F401
from ojlib.cli import kolada as _kolada  # noqa: E402,F401
from ojlib.cli import reports as _reports  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        app(args=argv, standalone_mode=False, prog_name="oj")
    except OjError as err:
        print(f"Fel: {err}", file=sys.stderr)
        return err.exit_code
    except click.exceptions.Abort:
        print("Avbrutet.", file=sys.stderr)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except click.exceptions.Exit as err:
        return err.exit_code
    return 0


def run() -> None:
    sys.exit(main())
