"""The one way ojlib reads YAML (catalogue, områden, parameter files): safe, bounded, UTF-8.

- Only plain data (PyYAML's safe or base loader, the C version when available).
- Limits before anything is built: file size, nesting depth, and the size of the document with
  every alias expanded, so an "alias bomb" of a few hundred bytes fails in milliseconds instead of
  filling memory.
- The file must be UTF-8 (a BOM is fine); anything else is one Swedish sentence naming the file.

Every problem is an ``OjError``; ``what`` names the file for the user ("Indikatorkatalogen",
"Parameterfilen").
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ojlib.base.errors import OjError

MAX_BYTES = 5_000_000
MAX_DEPTH = 50
MAX_NODES = 500_000  # nodes with every alias expanded; the catalogue has about 2 000

_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BASE = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def read_text(path: Path | str, what: str = "Filen") -> str:
    """The text of a UTF-8 file (BOM allowed), with size and encoding checked."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise OjError(f"{what} {path.name} är {size / 1e6:.0f} MB, mer än de {MAX_BYTES / 1e6:.0f} MB "
                          "som ojlib läser; kontrollera att det är rätt fil.")
        data = path.read_bytes()
    except IsADirectoryError:
        raise OjError(f"{what} {path} är en mapp, inte en fil; ange en YAML-fil.") from None
    except PermissionError:
        raise OjError(f"{what} {path} går inte att läsa (behörighet saknas).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise OjError(f"{what} {path.name} är inte sparad som UTF-8 (rad {line}); spara den som UTF-8 "
                      "(t.ex. i en texteditor: Spara som … UTF-8) och försök igen.") from None


def loads(text: str, name: str = "texten", what: str = "Filen", base: bool = False):
    """Parse YAML ``text`` safely within the limits; ``base`` reads every scalar as text."""
    if len(text) > MAX_BYTES:
        raise OjError(f"{what} {name} är för stor för ojlib att läsa ({len(text)} tecken).")
    loader = (_BASE if base else _SAFE)(text)
    try:
        _check_depth(text, name, what)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node, name, what)
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" på rad {mark.line + 1}" if mark is not None else ""
        raise OjError(f"{what} {name} är inte giltig YAML{where}; rätta filen.") from None
    except RecursionError:
        raise OjError(f"{what} {name} är för djupt nästlad för att läsas; rätta filen.") from None
    finally:
        loader.dispose()


def load(path: Path | str, what: str = "Filen", base: bool = False):
    """Read and parse the YAML file ``path`` (see ``loads``)."""
    path = Path(path)
    return loads(read_text(path, what), path.name, what, base)


def _check_depth(text: str, name: str, what: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_SAFE):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise OjError(f"{what} {name} är nästlad i fler än {MAX_DEPTH} nivåer; ojlib läser inte "
                              "sådana filer – rätta filen.")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_size(root: yaml.Node, name: str, what: str) -> None:
    """Count the nodes with aliases expanded (shared nodes counted once per use), without expanding."""
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        kids = _children(node)
        if children_done:
            active.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            if size[key] > MAX_NODES:
                raise OjError(f"{what} {name} blir över {MAX_NODES:,} värden när dess alias (*namn) "
                              "fylls i; ojlib läser inte sådana filer – skriv ut värdena i stället.".replace(",", " "))
            continue
        if key in size:
            continue
        if key in active:
            raise OjError(f"{what} {name} har ett alias som pekar på sig självt; rätta filen.")
        active.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
