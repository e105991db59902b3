"""The oj command: usage mistakes are one Swedish sentence and a non-zero exit, never a traceback."""

import pytest

from ojlib.cli import main


@pytest.mark.parametrize("argv,message", [
    (["export"], "Värdet --lan/-l saknas; se `oj export --help`."),
    (["export", "--lan"], "Valet --lan behöver ett värde"),
    (["nosuch"], "Okänt kommando; se `oj --help` för alla kommandon."),
    (["export", "--lan", "06", "--omrade", "missbruk", "--bogus"], "Okänt val --bogus; se `oj export --help`."),
    (["hamta", "--fran-ar", "abc"], "Ogiltigt värde för --fran-ar; se `oj hamta --help`."),
    (["status", "extra"], "Oväntat argument; se `oj status --help`."),
])
def test_usage_errors_are_swedish(ojhome, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fel: ") and message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_no_arguments_shows_help(capsys):
    assert main([]) == 0
    assert "exempeldata" in capsys.readouterr().out


def test_a_commands_exit_code_is_kept(monkeypatch):
    import typer

    from ojlib.cli import app

    @app.command("_provexit", hidden=True)
    def _provexit() -> None:
        raise typer.Exit(3)

    assert main(["_provexit"]) == 3
