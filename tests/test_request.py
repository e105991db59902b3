"""One validated request (report.request): the year, the deck's options and the merging of a
parameter file with the command line, each read in one place with its Swedish sentence."""

from __future__ import annotations

import pytest

from ojlib.base.errors import OjError
from ojlib.report import request


def test_year_is_read_once_with_one_sentence():
    assert request.year(None) is None and request.year("senaste") is None and request.year(" ") is None
    assert request.year("2024") == 2024 and request.year(2023) == 2023
    with pytest.raises(OjError, match=r"^Året '20x4' är inte ett årtal; ange t.ex. --ar 2024"):
        request.year("20x4")


def test_the_command_line_replaces_what_means_the_same_in_the_file():
    file = {"lan": "06", "omraden": ["missbruk"], "ar": 2023, "palett": "fargblind", "kommentarer": None}
    merged = request.merge(file, {"kommun": "0680", "omrade": "alla", "ar": None})
    assert merged == {"kommun": "0680", "omrade": "alla", "ar": 2023, "palett": "fargblind"}
    assert request.merge({"kommun": "0680"}, {"lan": "Jönköping"}) == {"lan": "Jönköping"}


def test_a_deck_request_is_checked_before_any_work():
    r = request.parse({"lan": "06", "omraden": "missbruk", "ar": "2024", "max_bilder": "12",
                       "indikatorer": "U35538, N35001", "jamforelse": "riket"})
    assert (r.lan, r.kommun, r.omrade, r.ar, r.max_bilder, r.indikatorer, r.datakalla) == \
        ("06", None, "missbruk", 2024, 12, ("U35538", "N35001"), "exempeldata")
    with pytest.raises(OjError, match="Ange antingen --lan eller --kommun, inte båda"):
        request.parse({"lan": "06", "kommun": "0680"})
    with pytest.raises(OjError, match="Ange --lan"):
        request.parse({"omrade": "missbruk"})
    with pytest.raises(OjError, match="--max-bilder ska vara ett positivt heltal, inte 'tolv'"):
        request.parse({"lan": "06", "max_bilder": "tolv"})
    with pytest.raises(OjError, match="Presentationen har ingen parameter farg;"):
        request.parse({"lan": "06", "farg": "blå"})
    # a report template's own parameter is accepted in a shared file (the deck does not use it)
    assert request.parse({"lan": "06", "kommentarer": "06-missbruk.md"}).lan == "06"
