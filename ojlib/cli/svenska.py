"""Swedish for the words typer/click put in every help page ("Usage:", "Options", "Show this
message and exit", "[default: …]", "<str>"). Imported once by ``ojlib.cli``.

typer ships its own copy of click with the English text built in (gettext without a Swedish
catalogue), so the few words are replaced here, in one place; tests/test_newcomer.py reads every
``--help`` and fails on any of them.
"""

from __future__ import annotations

from gettext import gettext

from typer import core as _tcore

try:
    from typer._click import core as _ccore
    from typer._click import formatting as _cfmt
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import core as _ccore
    from click import formatting as _cfmt

WORDS = {
    "Options": "Val", "Arguments": "Argument", "Commands": "Kommandon", "required": "krävs",
    "default: {default}": "standard: {default}", "env var: {var}": "miljövariabel: {var}",
    "(dynamic)": "(beräknas)", "Aborted!": "Avbrutet.",
}  # usage errors ("No such command …") stay English here: ojlib.cli.usage_message words them
TYPES = {"str": "text", "int": "heltal", "float": "tal", "bool": "ja/nej", "list[str]": "text …", "path": "sökväg",
         "file": "fil", "directory": "mapp"}
HELP = "Visa den här hjälpen och avsluta."
USAGE = "Användning: "


def _(message: str) -> str:
    return WORDS.get(message, gettext(message))


def _install() -> None:
    _tcore._ = _
    write_usage = _cfmt.HelpFormatter.write_usage

    def swedish_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[VAL]").replace("COMMAND [ARGS]...", "KOMMANDO [ARGUMENT]...")
        write_usage(self, prog, args, USAGE if prefix is None else prefix)

    get_help_option = _ccore.Command.get_help_option

    def swedish_help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP
        return option

    display_type = _tcore._TyperParameter.display_type

    def swedish_type(self, ctx) -> str:
        text = display_type(self, ctx)
        if text and text.startswith("<") and text.endswith(">"):
            return f"<{TYPES.get(text[1:-1], text[1:-1])}>"
        return text

    _cfmt.HelpFormatter.write_usage = swedish_usage
    _ccore.Command.get_help_option = swedish_help_option
    _tcore._TyperParameter.display_type = swedish_type


_install()
