"""Own files and Socialstyrelsen's workbooks, imported as the source "egen".

``importer.plan`` reads the file (any layout) into tidy rows without writing anything; this
module refuses a file that gave nothing readable, adds the rows to the own data by key
(kpi, kod, ar, kon; a later file wins, everything else stays) or replaces it (``ersatt``), and
writes the new indicators to ``params/indikatorer_import.yml``. The dataset and its manifest are
written as one atomic pair; on any failure the earlier data stays byte-identical.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from ojlib.base import yamlfile
from ojlib.base.errors import OjError
from ojlib.base.storage import write_bytes_atomic, write_text_atomic
from ojlib.data import catalog, dataset
from ojlib.data.importer import plan as planner

KALLA = "egen"
MAX_INDICATOR_FILE = yamlfile.MAX_BYTES  # bytes of params/indikatorer_import.yml: what the catalogue reads
IMPORT_HEADER = """\
# Indikatorer som `oj importera` har skapat för kolumner som inte fanns i indikatorkatalogen.
# Filen läses tillsammans med indikatorer.yml. Redigera fritt: byt namn, typ, riktning eller
# område. Hör en kolumn egentligen till en befintlig indikator: lägg rubriken under den
# indikatorns `rubriker` i indikatorer.yml, ta bort posten här och importera filen igen.
"""


def preview(path, ar=None, omrade=None, blad=None, **options) -> planner.ImportPlan:
    """What the file holds and how it would be read (``oj importera --visa``); writes nothing.

    ``options``: ``kodning``, ``utgivare`` and ``inte_kommuner`` of :func:`importer.plan.build`."""
    return planner.build(path, ar=ar, omrade=omrade, blad=blad, **options)


def import_file(path, ar=None, omrade=None, blad=None, ersatt: bool = False, **options) -> planner.ImportPlan:
    """Read the file and add its values to the own data (or replace it with ``ersatt``).

    Each row keeps the name of the file it came from (the ``kalla`` column of the own data), so
    the manifest's ``filer`` lists only files that still give values, each with its credit.

    The whole plan is checked before anything is written: the file's rows (``dataset.validate``),
    the own data they join, and the new text of ``params/indikatorer_import.yml`` parsed and
    validated as the catalogue will read it. Only then are the two files written, the indicator
    file first and put back if the dataset cannot be saved.
    """
    path = Path(path)
    plan = planner.build(path, ar=ar, omrade=omrade, blad=blad, **options)
    why = planner.refusal(plan)
    if why:
        raise OjError(why)
    new = dataset.validate(plan.frame.assign(kalla=path.name), what=f"Filen {path.name}", known_status=True)
    old_manifest = {} if ersatt else (dataset.read_manifest(KALLA) or {})
    if not ersatt and dataset.dataset_path(KALLA).exists():
        old = _own_data(path.name)
        keys = pd.MultiIndex.from_frame(new[dataset.KEY])
        keep = ~pd.MultiIndex.from_frame(old[dataset.KEY]).isin(keys)
        combined = pd.concat([old[keep], new], ignore_index=True)
    else:
        combined = new
    left = combined.kalla.value_counts().to_dict()  # rows per file still in the own data
    filer = []
    for f in old_manifest.get("filer", []):
        if not isinstance(f, dict) or f.get("fil") == path.name:
            continue
        if left.get(f.get("fil")):
            filer.append({**f, "rader": int(left[f["fil"]])})
        elif "egen" in left:  # rows saved before files were named per row: keep the file listed
            filer.append(f)
    filer.append({"fil": path.name, "importerad": datetime.now(UTC).isoformat(timespec="seconds"),
                  "blad": [s.name for s in plan.sheets if not s.reason],
                  "ar": sorted({int(a) for a in new.ar.unique()}), "rader": len(new),
                  "kpi": sorted(new.kpi.unique()), "kalla_text": plan.utgivare, "kalla_fran": plan.utgivare_from,
                  "teckenkodning": plan.encoding})
    tecken = dict(old_manifest.get("tecken", {}))
    tecken.update(planner.tokens_by_kpi(plan))
    betydelse = dict(old_manifest.get("tecken_betydelse", {}))
    betydelse.update(planner.token_meanings(plan))
    cat_import = catalog.import_path()
    text = _new_indicators_text(cat_import, plan.new_entries, path.name) if plan.new_entries else None
    before = cat_import.read_bytes() if cat_import.exists() else None
    if text is not None:
        write_text_atomic(cat_import, text)
    try:
        if text is not None:
            catalog.load_catalogue()  # checked above; a file changed meanwhile still must load
        names = ", ".join(dict.fromkeys(f["fil"] for f in filer))  # every file the own data holds
        dataset.save_dataset(combined, KALLA, {"fil": names, "filer": filer, "tecken": tecken,
                                               "tecken_betydelse": betydelse})
    except BaseException:
        if text is not None:  # put the indicator file back as it was
            if before is None:
                cat_import.unlink(missing_ok=True)
            else:
                write_bytes_atomic(cat_import, before)
        raise
    return plan


def _own_data(fil: str) -> pd.DataFrame:
    """The own data the file's rows join; a file that cannot be read says how to start over."""
    try:
        return dataset.load_dataset(KALLA).df
    except OjError:
        raise OjError(f"Den egna datan {dataset.dataset_path(KALLA)} går inte att läsa, så {fil} kan inte läggas "
                      f"till den; kör `oj importera {fil} --ersatt`, som bygger om den egna datan från {fil} "
                      "(läs sedan in dina andra filer igen utan --ersatt).") from None


def _new_indicators_text(target: Path, entries: list[dict], fil: str) -> str:
    """The new text of the imported-indicators file, checked as the catalogue will read it."""
    rows = []
    if target.exists():
        rows = yamlfile.load(target, "Filen med importerade indikatorer") or []
    if not isinstance(rows, list):
        raise OjError(f"Filen {target.name} ska vara en lista med indikatorer; rätta eller ta bort den och försök "
                      "igen.")
    rows = [catalog.current_names(r, n, target) if isinstance(r, dict) else r for n, r in enumerate(rows, start=1)]
    have = {r.get("kpi"): r for r in rows if isinstance(r, dict)}
    for e in entries:
        if e["kpi"] in have:
            r = have[e["kpi"]]
            r["ar_fran"], r["ar_till"] = min(r["ar_fran"], e["ar_fran"]), max(r["ar_till"], e["ar_till"])
        else:
            rows.append(e)
    text = IMPORT_HEADER + yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=110)
    size = len(text.encode("utf-8"))
    if size > MAX_INDICATOR_FILE:
        raise OjError(f"Filen {fil} skulle göra {target.name} {size / 1e6:.1f} MB stor, mer än de "
                      f"{MAX_INDICATOR_FILE / 1e6:.1f} MB som katalogen läser; inget sparades – kontrollera "
                      f"rubrikerna med `oj importera {fil} --visa`, eller rensa bland de importerade indikatorerna.")
    catalog.check_imported(yamlfile.loads(text, target.name, "Filen med importerade indikatorer"))
    return text
