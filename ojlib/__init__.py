"""ojlib: analys av Öppna jämförelser (ÖJ) för socialtjänsten.

Data flows one way: sources -> dataset -> compare -> figures -> notebooks -> reports.
The public entry points for analysts are re-exported here.
"""

from ojlib.base.errors import OjError

__version__ = "0.1.0"
EXEMPELDATA_MARK = "Exempeldata – inte verkliga resultat"

# pandas, pyarrow and the rest load on first use (PEP 562), so `oj --help` starts quickly.
_LAZY = {"Indicator": "ojlib.data.catalog", "load_catalogue": "ojlib.data.catalog", "Dataset": "ojlib.data.dataset",
         "load_dataset": "ojlib.data.dataset", "kommuner": "ojlib.data.geo", "lan": "ojlib.data.geo"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ojlib' has no attribute {name!r}")


__all__ = [
    "EXEMPELDATA_MARK",
    "Dataset",
    "Indicator",
    "OjError",
    "kommuner",
    "lan",
    "load_catalogue",
    "load_dataset",
]
