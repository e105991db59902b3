"""ojlib: analys av Öppna jämförelser (ÖJ) för socialtjänsten.

Data flows one way: sources -> dataset -> compare -> figures -> notebooks -> reports.
The public entry points for analysts are re-exported here.
"""

from ojlib.catalog import Indicator, load_catalogue
from ojlib.dataset import Dataset, load_dataset
from ojlib.errors import OjError
from ojlib.geo import kommuner, lan

__version__ = "0.1.0"
EXEMPELDATA_MARK = "Exempeldata – inte verkliga resultat"

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
