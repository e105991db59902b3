"""Reference data: the shipped files are intact and the loaders return what they hold."""

import hashlib

import pytest

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.data import geo


def test_reference_files_match_their_checksums():
    ref = paths.reference_dir()
    lines = (ref / "SHA256SUMS").read_text().split("\n")
    checked = set()
    for line in filter(None, lines):
        digest, name = line.split()
        assert hashlib.sha256((ref / name).read_bytes()).hexdigest() == digest, name
        checked.add(name)
    # every shipped file has a checksum and a provenance row
    shipped = {p.name for p in ref.iterdir() if p.name not in ("SHA256SUMS", "PROVENIENS.md")}
    assert checked == shipped
    assert {"kolada_kpi_catalogue_2026-03.csv", "kolada_kpis_three_areas_2026-03_families.csv"} <= shipped
    provenance = (ref / "PROVENIENS.md").read_text(encoding="utf-8")
    for name in shipped:
        assert f"`{name}`" in provenance, name


def test_kommuner_lan_and_kommungrupper():
    k = geo.kommuner()
    assert len(k) == 290 and k.kommun_kod.is_unique
    assert (k.kommun_kod.str.len() == 4).all()
    assert (k.kommun_kod.str[:2] == k.lan_kod).all()
    assert len(geo.lan()) == 21
    sizes = k.kommungrupp_kod.value_counts().to_dict()
    assert sizes == {"A1": 3, "A2": 43, "B3": 23, "B4": 63, "B5": 24, "C6": 27, "C7": 51, "C8": 35, "C9": 21}
    jkpg = k.set_index("kommun_kod").loc["0680"]
    assert (jkpg.kommun_namn, jkpg.lan_kod, jkpg.region_kod, jkpg.kommungrupp_kod) == ("Jönköping", "06", "0006", "B3")


def test_areas_cover_kommuner_regions_and_riket():
    a = geo.areas()
    assert a.niva.value_counts().to_dict() == {"kommun": 290, "lan": 21, "riket": 1}
    assert set(a.loc[a.niva == "lan", "kod"]) == {"00" + lk for lk in geo.lan().lan_kod}
    assert a.loc[a.niva == "riket", "kod"].tolist() == ["0000"]


def test_normalise_codes_and_clear_errors():
    assert geo.normalise_lan("6") == "06" == geo.normalise_lan("0006")
    assert geo.normalise_kommun("680") == "0680" == geo.normalise_kommun("jönköping")
    with pytest.raises(OjError, match="Okänd länskod '99'"):
        geo.normalise_lan("99")
    with pytest.raises(OjError, match="Okänd kommun '9999'"):
        geo.normalise_kommun("9999")
    with pytest.raises(OjError, match="menade du Jönköping"):
        geo.normalise_kommun("Jönkping")


def test_kolada_groups_give_peers():
    members = geo.group_members("G92787")  # Storstäder (ovägt medel)
    assert members == ["0180", "1280", "1480"]
    own = geo.peer_groups("0680", "Liknande kommuner IFO")
    assert own.group_title.tolist() == ["Liknande kommuner IFO, Jönköping, 2024"]
    peers = geo.group_members(own.group_id.iloc[0])
    assert len(peers) == own.antal.iloc[0] >= 5 and "0680" not in peers
    with pytest.raises(OjError):
        geo.group_members("G0")


def test_boundaries_join_on_kommun_kod():
    b = geo.kommun_boundaries()
    assert set(b.kommun_kod) == set(geo.kommuner().kommun_kod)
    assert set(geo.lan_boundaries().lan_kod) == set(geo.lan().lan_kod)
