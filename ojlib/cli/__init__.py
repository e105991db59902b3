"""The ``oj`` command: Swedish words for users, one module per group of commands.

Every user mistake is an OjError; ``main`` prints its one Swedish sentence on stderr and exits
non-zero, never with a traceback. Anything unexpected becomes one sentence too
(``errors.explain``); ``OJLIB_DEBUG=1`` shows the traceback instead, for developers.
"""

from __future__ import annotations

import os
import sys

import typer

from ojlib.base.errors import DEBUG_ENV, OjError, explain
from ojlib.cli import svenska as _svenska  # Swedish help words; click's exceptions (typer ships its own click)

cx = _svenska.exceptions

app = typer.Typer(
    name="oj",
    help="ojlib – analys av Öppna jämförelser (ÖJ) för socialtjänsten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _lazy(name: str) -> None:
    """Register ``name`` so that it is imported on first attribute use, not when a command module names it.

    The command modules import ojlib's modules at their top; loading pandas, pyarrow and plotly for
    `oj --help` would cost about a second. Nothing changes for code that uses the modules.
    """
    import importlib.util

    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)


for _name in ("ojlib.data.catalog", "ojlib.data.dataset", "ojlib.data.enheter", "ojlib.data.geo", "ojlib.data.shared",
              "ojlib.analysis.colours", "ojlib.base.outputs", "ojlib.render.html_export", "ojlib.render.presentation",
              "ojlib.render.writers", "ojlib.report.lansrapport", "ojlib.publish.reports", "ojlib.publish.site"):
    _lazy(_name)

# Command modules register themselves on ``app`` when imported.
from ojlib.cli import data as _data  # noqa: E402,F401
from ojlib.cli import demo as _demo  # noqa: E402,F401
from ojlib.cli import export as _export  # noqa: E402,F401
from ojlib.cli import kolada as _kolada  # noqa: E402,F401
from ojlib.cli import kurs as _kurs  # noqa: E402,F401
from ojlib.cli import lan as _lan  # noqa: E402,F401
from ojlib.cli import presentation as _presentation  # noqa: E402,F401
from ojlib.cli import reports as _reports  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        rc = app(args=argv, standalone_mode=False, prog_name="oj")
    except OjError as err:
        print(f"Fel: {err}", file=sys.stderr)
        return err.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("Avbrutet.", file=sys.stderr)
        return 130
    except cx.NoArgsIsHelpError as err:
        if err.ctx is not None:
            print(err.ctx.get_help())
        return 0
    except cx.UsageError as err:
        print(f"Fel: {usage_message(err)}", file=sys.stderr)
        return 2
    except cx.ClickException as err:
        err.show()
        return err.exit_code
    except typer.Exit as err:
        return err.exit_code
    except Exception as err:  # the last line of defence: one Swedish sentence, details on request
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"Fel: {explain(err)}", file=sys.stderr)
        return 1
    return rc if isinstance(rc, int) else 0  # a command's `raise typer.Exit(n)` comes back as n


def usage_message(err: cx.UsageError) -> str:
    """Click's usage errors as one Swedish sentence with what to do."""
    cmd = f"oj {err.ctx.info_name} --help" if err.ctx and err.ctx.parent else "oj --help"
    if isinstance(err, cx.MissingParameter) and err.param is not None:
        name = "/".join(getattr(err.param, "opts", [])) or err.param.name
        return f"Värdet {name} saknas; se `{cmd}`."
    if isinstance(err, cx.BadOptionUsage):
        return f"Valet {err.option_name} behöver ett värde; se `{cmd}`."
    if isinstance(err, cx.NoSuchOption):
        return f"Okänt val {err.option_name}; se `{cmd}`."
    if isinstance(err, cx.BadParameter):
        name = "/".join(getattr(err.param, "opts", [])) if err.param is not None else "värdet"
        return f"Ogiltigt värde för {name}; se `{cmd}`."
    if "No such command" in err.message:
        return f"Okänt kommando; se `{cmd}` för alla kommandon."
    if "Got unexpected extra argument" in err.message:
        return f"Oväntat argument; se `{cmd}`."
    return f"Kommandot kunde inte tolkas ({err.message}); se `{cmd}`."


def run() -> None:
    sys.exit(main())
