"""The notebook templates' parameters: what a report request may name, read from each template itself."""

from __future__ import annotations

import ast
from pathlib import Path

from ojlib.base.errors import OjError


def skip_iri_grammar() -> None:
    """Let this process's jsonschema go without the ``rfc3987_syntax`` package.

    nbformat imports jsonschema, which imports ``rfc3987_syntax`` to offer an "iri" format check
    and compiles its grammar on import: about 1 CPU second (several on a busy machine) before a
    batch's first kernel starts, for a check that notebook validation never makes. Called before the
    batch's process first imports nbformat; no effect once jsonschema is imported.
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" raises ImportError


def template_parameters(template: Path) -> dict:
    """The template's parameters and their default values, read from its ``parameters`` cell.

    Parsed with ``ast`` rather than papermill's inspector, which skips a line whose comment
    contains a semicolon (so ``ar = None  # år; None = senaste`` would go missing).
    """
    skip_iri_grammar()
    import nbformat

    try:
        nb = nbformat.read(str(template), as_version=4)
        nbformat.validate(nb)
    except Exception:  # not JSON, not a notebook, unreadable: all the same to the user
        raise OjError(f"Notebookmallen {template.name} går inte att läsa som en Jupyter-notebook; "
                      "ange lansanalys, kommunprofil eller en giltig .ipynb-fil.") from None
    language = (nb.metadata.get("kernelspec", {}).get("language") or nb.metadata.get("language_info", {}).get("name"))
    if language != "python":
        raise OjError(f"Notebookmallen {template.name} är inte en Python-notebook (språk: {language or 'inget'}); "
                      "ange lansanalys, kommunprofil eller en notebook med en Python-kärna.")
    out: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            return {}
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
            for target in targets:
                if isinstance(target, ast.Name):
                    try:
                        out[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        out[target.id] = None
        break
    return out
