"""Swedish for the words typer/click put in every help page ("Usage:", "Options", "Show this
message and exit", "[default: …]", "<str>"). Imported once by ``ojlib.cli``.

typer ships its own copy of click with the English text built in (gettext without a Swedish
catalogue), so the few words are replaced here, in one place; tests/test_newcomer.py reads every
``--help`` and fails on any of them.
"""

from __future__ import annotations

from gettext import gettext

from typer import core as _tcore

# The one place that reaches into typer's private copy of click (there is no public way to its
# classes or exceptions): ojlib.cli takes click's exceptions from here too.
try:
    from typer._click import core as _ccore
    from typer._click import exceptions  # noqa: F401 - ojlib.cli uses it
    from typer._click import formatting as _cfmt
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import core as _ccore
    from click import exceptions  # noqa: F401 - ojlib.cli uses it
    from click import formatting as _cfmt

HELP_TEXT = "Visa den här hjälpen och avsluta."
WORDS = {
    "Usage:": "Användning:", "Options": "Val", "Arguments": "Argument", "Commands": "Kommandon", "required": "krävs",
    "Show this message and exit.": HELP_TEXT,
    "default: {default}": "standard: {default}", "env var: {var}": "miljövariabel: {var}",
    "(dynamic)": "(beräknas)", "Aborted!": "Avbrutet.",
}  # usage errors ("No such command …") stay English here: ojlib.cli.usage_message words them
TYPES = {"str": "text", "int": "heltal", "float": "tal", "bool": "ja/nej", "list[str]": "text …", "path": "sökväg",
         "file": "fil", "directory": "mapp"}
HELP = HELP_TEXT
USAGE = "Användning: "


def _(message: str) -> str:
    return WORDS.get(message, gettext(message))


def _install() -> None:
    """Patch what this typer version has; a missing hook only leaves that word English (and
    tests/test_newcomer.py says which)."""
    for module in (_tcore, _ccore, _cfmt):
        if hasattr(module, "_"):
            module._ = _
    write_usage = _cfmt.HelpFormatter.write_usage

    def swedish_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[VAL]").replace("COMMAND [ARGS]...", "KOMMANDO [ARGUMENT]...")
        write_usage(self, prog, args, USAGE if prefix is None else prefix)

    _cfmt.HelpFormatter.write_usage = swedish_usage
    get_help_option = getattr(_ccore.Command, "get_help_option", None)
    if get_help_option is not None:
        def swedish_help_option(self, ctx):
            option = get_help_option(self, ctx)
            if option is not None:
                option.help = HELP
            return option

        _ccore.Command.get_help_option = swedish_help_option
    parameter = getattr(_tcore, "_TyperParameter", None)
    display_type = getattr(parameter, "display_type", None)
    if display_type is not None:
        def swedish_type(self, ctx) -> str:
            text = display_type(self, ctx)
            if text and text.startswith("<") and text.endswith(">"):
                return f"<{TYPES.get(text[1:-1], text[1:-1])}>"
            return text

        parameter.display_type = swedish_type


_install()
