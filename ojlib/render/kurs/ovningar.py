"""The course's exercises: what is right (computed from the data by ojlib), the hint, the solution.

Each :class:`Ovning` computes its expected answer from the dataset the learner works on, through
ojlib's own analysis functions, so the course stays right when the example data change. The
solution (``losning``) is the code a learner would write; it ends by assigning ``svar``, and the
course tests run every notebook with the solutions filled in, so the solution and the expected
answer are two routes that must agree. A hint (``tips``) points to the idea, never to the answer
(a test checks that no hint contains its exercise's answer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ojlib.analysis import aggregate, colours, levels, peers, ranking, trends
from ojlib.base.errors import OjError
from ojlib.data import geo
from ojlib.data.dataset import STATUS_TEXT
from ojlib.render.html_export import read_page_metadata
from ojlib.report import comments, lansrapport

TAL, TEXT, VAL, EGEN = "tal", "text", "val", "egen"

# The course's fixed choices: the län learners practise on (the teacher's examples use Jönköping).
OVNINGSLAN = "08"          # Kalmar län
INDIKATOR = "U35538"       # Brukarbedömning missbruksvård: få kontakt, andel (%)
JA_NEJ = "U35519"          # Stödprogram för närstående (Ja/Nej, definitionsbrott 2019)
SKALA = "U35537"           # Nybesök: väntetid i dagar (skala i fyra nivåer)
KOSTNAD = "N35001"         # Kostnad missbruksvård, kr/inv (ingen önskvärd riktning)
AR = 2023


@dataclass(frozen=True)
class Ovning:
    """One exercise. ``facit(ds, **uppgifter)`` gives the expected answer; for ``typ == EGEN`` it
    instead checks the answer itself and returns None (right) or a hint."""

    id: str
    typ: str
    facit: Callable
    tips: str
    losning: str
    forklaring: str = ""
    tolerans: float = 0.0
    alternativ: dict[str, str] = field(default_factory=dict)
    synonymer: Callable | None = None           # more accepted texts for TEXT answers: f(facit) -> set
    vanliga_fel: tuple[tuple[Callable, str], ...] = ()  # (f(ds, **uppgifter) -> a wrong value, its hint)


def _kommun_rows(ds, kpi: str, ar: int, lan: str | None = None) -> pd.DataFrame:
    rows = ds.select(kpi=kpi, ar=ar, kon="T", niva="kommun", lan=lan)
    return rows


# --------------------------------------------------------------------------- 1 ÖJ och datamodellen

def _antal_kommuner(ds) -> int:
    return int(ds.select(niva="kommun").kod.nunique())


def _alla_koder(ds) -> int:
    return int(ds.df.kod.nunique())


def _lanskod(ds) -> str:
    return geo.region_kod(OVNINGSLAN)


def _ja_nej_missbruk(ds) -> int:
    return sum(1 for ind in ds.cat.for_omrade("missbruk") if ind.typ == "ja_nej")


def _andel_saknas(ds) -> float:
    rows = _kommun_rows(ds, INDIKATOR, AR)
    return round(100.0 * rows.varde.isna().sum() / len(rows), 1)


def _antal_saknas(ds) -> int:
    return int(_kommun_rows(ds, INDIKATOR, AR).varde.isna().sum())


def _andel_saknas_brak(ds) -> float:
    return _andel_saknas(ds) / 100.0


def _vanligaste_orsak(ds) -> str:
    rows = _kommun_rows(ds, INDIKATOR, AR)
    return str(rows.loc[rows.varde.isna(), "status"].value_counts().idxmax())


def _orsak_synonymer(key: str) -> set[str]:
    """The status key ("sekretess"), its text, and the text's first word ("Sekretess")."""
    text = STATUS_TEXT.get(key, key)
    return {key, text, text.split(" (")[0], key.replace("_", " ")}


def _antal_ja_kalmar(ds) -> int:
    rows = _kommun_rows(ds, JA_NEJ, AR, OVNINGSLAN)
    dist = aggregate.distribution(rows.varde, ds.cat[JA_NEJ])
    return int(dist.antal_topp)


def _andel_ja_kalmar(ds) -> float:
    rows = _kommun_rows(ds, JA_NEJ, AR, OVNINGSLAN)
    return float(rows.varde.dropna().mean() * 100)


# --------------------------------------------------------------------------- 2 jämföra

def _ovagt_medel(ds) -> float:
    table = ranking.lan_table(ds, OVNINGSLAN, kpi=INDIKATOR, ar=AR, medel="ovagt")
    return round(float(table["länet"].iloc[0]), 2)


def _medel_med_nollor(ds) -> float:
    rows = _kommun_rows(ds, INDIKATOR, AR, OVNINGSLAN)
    return float(rows.varde.fillna(0).mean())


RAKNEEXEMPEL_SVARANDE = (140, 60, 25, 15)  # invented numbers of respondents, for the worked example only


def raknexempel(ds) -> pd.DataFrame:
    """Four kommuner of the practice län with their values on the indicator and *invented* numbers
    of respondents (largest kommun first), for the exercise on weighted and unweighted means."""
    rows = _kommun_rows(ds, INDIKATOR, AR, OVNINGSLAN).dropna(subset=["varde"])
    names = geo.kommuner().set_index("kommun_kod").kommun_namn
    order = ["0880", "0883", "0882", "0862"]  # Kalmar, Västervik, Oskarshamn, Emmaboda: largest to smallest
    chosen = [k for k in order if k in set(rows.kod)]
    if len(chosen) < len(RAKNEEXEMPEL_SVARANDE):  # a kommun without a value this year: take others
        chosen += [k for k in rows.kod if k not in chosen][: len(RAKNEEXEMPEL_SVARANDE) - len(chosen)]
    values = rows.set_index("kod").varde
    return pd.DataFrame({"kommun": [names[k] for k in chosen], "andel_lätt_kontakt": [values[k] for k in chosen],
                         "antal_svarande": list(RAKNEEXEMPEL_SVARANDE)})


def _vagt_medel(ds) -> float:
    t = raknexempel(ds)
    return float(np.average(t.andel_lätt_kontakt, weights=t.antal_svarande))


def _ovagt_raknexempel(ds) -> float:
    return float(raknexempel(ds).andel_lätt_kontakt.mean())


def _skala_antal(ds) -> int:
    """How many kommuner in Jönköpings län gave the scale's second-best answer."""
    ind = ds.cat[SKALA]
    dist = aggregate.distribution(_kommun_rows(ds, SKALA, AR, "06").varde, ind)
    return int(dist.nivaer[1][2])


def _jamforelsegrupp(ds) -> int:
    members, _label = peers.peer_members("0680", "liknande", "missbruk")
    return len(members)


def _mot_riket(ds) -> str:
    """Higher, lower or the same as riket (within the tolerance): the practice län's kommun closest to riket."""
    t = ranking.lan_table(ds, OVNINGSLAN, kpi=INDIKATOR, ar=AR).dropna(subset=["värde"])
    row = t.loc[(t["värde"] - t["riket"]).abs().idxmin()]
    return aggregate.compare_to(row["värde"], row["riket"], row["typ"])


# --------------------------------------------------------------------------- 3 trender

def _jamforbar_fran(ds) -> int:
    return int(ds.cat[JA_NEJ].jamforbara_ar[0])


def _forandring_pe(ds) -> float:
    t = levels.trend(ds, INDIKATOR, lan="06", riket=False).set_index("år")
    return round(float(t.at[AR, "värde"] - t.at[2019, "värde"]), 2)


def _forandring_procent(ds) -> float:
    t = levels.trend(ds, INDIKATOR, lan="06", riket=False).set_index("år")
    return float(100 * (t.at[AR, "värde"] - t.at[2019, "värde"]) / t.at[2019, "värde"])


def _svar_per_ar(ds, a: int, b: int) -> pd.DataFrame:
    rows = ds.select(kpi=JA_NEJ, ar=[a, b], kon="T", niva="kommun", lan="06")
    return rows.pivot(index="kod", columns="ar", values="varde")


def _nej_till_ja(ds) -> int:
    t = levels.trend(ds, JA_NEJ, kommun=list(_svar_per_ar(ds, 2019, AR).index), riket=False)
    t = t[t["nivå"] == "kommun"].pivot(index="kod", columns="år", values="värde")
    return int(((t[2019] == 0) & (t[AR] == 1)).sum())


def _netto_ja(ds) -> int:
    p = _svar_per_ar(ds, 2019, AR)
    return int((p[AR] == 1).sum() - (p[2019] == 1).sum())


def _bedomning(ds) -> str:
    t = trends.trend_table(ds, lan="06", kpi=INDIKATOR, ar=AR)
    return str(t[t["nivå"] == "län"]["bedömning"].iloc[0])


# --------------------------------------------------------------------------- 4 länsrapporten

def _kommentarer(svar, ds, lan: str = OVNINGSLAN, omrade: str = "missbruk") -> str | None:
    path = Path(str(svar))
    if not path.is_file():
        return f"Filen {path} finns inte; skriv den först (cellen ovanför skriver den) och ange dess namn."
    try:
        found = comments.load(path)
        tables = {omrade: colours.coloured_lan_table(ds, lan, omrade, AR)}
        found.check(lansrapport.section_titles(ds, tables))
    except OjError as err:
        return f"{err} Tips: en rubrik (##) i filen ska heta som ett av rapportens avsnitt."
    if not found.titles:
        return "Filen har ingen rubrik; varje kommentar står under en rubrik (##) som heter som ett avsnitt."
    return None


def _rapport(svar, ds, lan: str = OVNINGSLAN, omrade: str = "missbruk") -> str | None:
    path = Path(str(svar))
    if path.suffix != ".html" or not path.is_file():
        return ("Svaret ska vara sökvägen till rapportens HTML-sida (den som spara_html skriver), "
                "och sidan ska finnas.")
    meta = read_page_metadata(path) or {}
    if meta.get("lan") != geo.normalise_lan(lan):
        return "Sidan är inte en länsrapport för länet i mitt_lan; kör mallen med parametern lan=mitt_lan."
    omr = meta.get("omrade")
    if (omr if isinstance(omr, str) else (omr or [None])[0]) != omrade:
        return f"Rapporten ska gälla området {omrade}; ange parametern omrade."
    if meta.get("ar") not in (AR, str(AR)):
        return f"Rapporten ska gälla år {AR}, samma år som övningarna om färgerna; ange parametern ar."
    if "Analytikerns kommentar" not in path.read_text(encoding="utf-8"):
        return "Rapporten saknar dina kommentarer; ge mallen parametern kommentarer med din fil."
    return None


def _grona(ds, lan: str = OVNINGSLAN) -> int:
    """Kommuner of the län in the best (green) class on the indicator, as the länsrapport colours them."""
    t = colours.coloured_lan_table(ds, lan, "missbruk", AR)
    return int(((t.kpi == INDIKATOR) & (t["färg"] == colours.PALETTER["standard"]["bast"])).sum())


def _grona_i_lanet(ds, lan: str = OVNINGSLAN) -> int:
    """The wrong reading: green as the best quarter of the län's own kommuner."""
    t = colours.classify(ranking.lan_table(ds, lan, kpi=INDIKATOR, ar=AR), inom="lanet", catalogue=ds.cat)
    return int((t["färg"] == colours.PALETTER["standard"]["bast"]).sum())


def _farg_betyder(ds) -> str:
    return "b"


def _kostnadsstrategi(ds, lan: str = OVNINGSLAN) -> str:
    """The strategy a cost gets in the län report (the same in every län: it follows the catalogue)."""
    ind = ds.cat[KOSTNAD]
    return colours.effective_strategy("rang_kvartil", ind.typ, ind.riktning)


def _lika_synonymer(key: str) -> set[str]:
    return {key, {"lika": "som riket", "högre": "högre än riket", "lägre": "lägre än riket"}.get(key, key)}


def _strategi_synonymer(key: str) -> set[str]:
    return {key, colours.SCHEMANAMN.get(key, key), colours.SCHEMANAMN.get(key, key).split(" (")[0]}


# --------------------------------------------------------------------------- the exercises

OVNINGAR: dict[str, Ovning] = {o.id: o for o in [
    # 1 ÖJ och datamodellen
    Ovning("1a", TAL, _antal_kommuner,
           tips="Räkna de olika koderna bland raderna på kommunnivå (kolumnen niva), inte raderna.",
           losning='kommunrader = ds.df[ds.df.niva == "kommun"]\nsvar = kommunrader.kod.nunique()',
           forklaring="Varje kommun har många rader (en per indikator, år och kön), så det är de olika "
                      "koderna som räknas. Sverige har 290 kommuner.",
           vanliga_fel=((_alla_koder, "Du har räknat med länen och riket också; välj bara raderna där niva "
                                      "är kommun."),)),
    Ovning("1b", TEXT, _lanskod,
           tips="Ett län i datamodellen har en kod med fyra tecken, inte samma kod som i kommunlistans "
                "länskolumn. Välj länets egen rad med niva och läs dess kod; svara med koden som text.",
           losning='lanets_rad = ds.select(lan="08", niva="lan")\nsvar = lanets_rad.kod.iloc[0]',
           forklaring="Län (regioner) har koden 00 + länskoden, som i Kolada: Kalmar län är 0008 och riket "
                      "0000. Kommunkoden börjar i stället med länskoden: Kalmar kommun är 0880.",
           vanliga_fel=((lambda ds: OVNINGSLAN, "Det där är länskoden i kommunlistan. I datamodellen har "
                                                 "länets egna rader en kod med fyra tecken."),)),
    Ovning("1c", TAL, _ja_nej_missbruk,
           tips="Indikatorkatalogen (ds.cat.to_frame()) har en kolumn för område och en för typ; "
                "räkna raderna där båda stämmer.",
           losning='katalog = ds.cat.to_frame()\n'
                   'svar = int(((katalog.omrade == "missbruk") & (katalog.typ == "ja_nej")).sum())',
           forklaring="Ja/Nej-frågorna kommer från Socialstyrelsens kommunenkät. De flesta finns sedan 2024 "
                      "inte kvar i Kolada utan i Socialstyrelsens arbetsböcker (kolumnen kalla i katalogen)."),
    Ovning("1d", TAL, _antal_ja_kalmar,
           tips="En kommuns svar på en Ja/Nej-fråga lagras som ett tal: ett för Ja, noll för Nej. Välj "
                "länets kommuner, inte länets egen rad, och räkna svaren som är Ja.",
           losning='kalmar = ds.select(lan="08", kpi="U35519", ar=2023, kon="T", niva="kommun")\n'
                   'svar = int((kalmar.varde == 1).sum())',
           forklaring="Länets värde för samma fråga är andelen av länets kommuner som svarat Ja, i procent – "
                      "en fördelning av svar, inte ett medelvärde av invånare.",
           vanliga_fel=((_andel_ja_kalmar, "Det där är andelen kommuner med Ja i procent; frågan gäller "
                                           "antalet kommuner."),)),
    Ovning("1e", TAL, _andel_saknas, tolerans=0.05,
           tips="Välj kommunernas rader för indikatorn och året (totalt för båda könen) och räkna hur stor "
                "del av dem som saknar värde. Svara i procent med en decimal.",
           losning='rader = ds.select(kpi="U35538", ar=2023, kon="T", niva="kommun")\n'
                   'svar = round(100 * rader.varde.isna().mean(), 1)',
           forklaring="Ett saknat värde är inte noll: det har en orsak, och rapporterna visar kommunen kvar i "
                      "grått med orsaken i stället för att låta den försvinna.",
           vanliga_fel=((_antal_saknas, "Du har svarat med antalet kommuner som saknar värde; frågan gäller "
                                        "andelen av alla kommuner, i procent."),
                        (_andel_saknas_brak, "Du har svarat med en andel mellan 0 och 1; svara i procent."))),
    Ovning("1f", TEXT, _vanligaste_orsak, synonymer=_orsak_synonymer,
           tips="Titta på kolumnen status för de rader där varde saknas, och räkna hur ofta varje orsak "
                "förekommer (value_counts).",
           losning='rader = ds.select(kpi="U35538", ar=2023, kon="T", niva="kommun")\n'
                   'svar = rader[rader.varde.isna()].status.value_counts().index[0]',
           forklaring="Sekretess betyder att för få brukare svarat för att resultatet ska få redovisas; "
                      "bortfall att kommunen inte deltagit. Små kommuner får oftare sekretess."),
    # 2 Jämföra
    Ovning("2a", TAL, _ovagt_medel, tolerans=0.05,
           tips="Ett ovägt medel är medelvärdet av kommunernas värden, där varje kommun väger lika. "
                "Kommuner utan värde ska inte räknas med.",
           losning='kalmar = ds.select(lan="08", kpi="U35538", ar=2023, kon="T", niva="kommun")\n'
                   'svar = round(kalmar.varde.mean(), 2)  # mean() hoppar över saknade värden',
           forklaring="I exempeldata är länets värde just detta ovägda medel (kolumnen länet_avser säger det). "
                      "Koladas publicerade länsvärde räknas i stället på alla länets svarande.",
           vanliga_fel=((_medel_med_nollor, "Du har räknat saknade värden som noll. En kommun utan värde "
                                            "ska inte räknas med alls."),)),
    Ovning("2b", TAL, _vagt_medel, tolerans=0.05,
           tips="Ett värde som räknas på alla svarande väger varje kommun efter hur många som svarat där: "
                "multiplicera varje kommuns andel med dess antal svarande, summera, och dela med summan "
                "av antalet svarande.",
           losning='exempel = raknexempel(ds)\n'
                   'svar = (exempel.andel_lätt_kontakt * exempel.antal_svarande).sum() / exempel.antal_svarande.sum()',
           forklaring="Det vägda värdet dras mot värdet i kommunen med flest svarande. Det ovägda medlet "
                      "beskriver den typiska kommunen, det vägda den typiska brukaren – två olika frågor.",
           vanliga_fel=((_ovagt_raknexempel, "Du har räknat ett ovägt medel, där varje kommun väger lika. Här "
                                             "ska varje svarande väga lika."),)),
    Ovning("2c", TAL, _skala_antal,
           tips="En skala lagras som koder, lägsta nivån med lägst kod. Slå upp koden för nivån i katalogen "
                "(ds.cat[...].nivaer) och räkna länets kommuner som har just den koden.",
           losning='print(ds.cat["U35537"].nivaer)  # {3: "Inom 3 dagar", 2: "4-7 dagar", ...}\n'
                   'jkpg = ds.select(lan="06", kpi="U35537", ar=2023, kon="T", niva="kommun")\n'
                   'svar = int((jkpg.varde == 2).sum())',
           forklaring="Fördelningen – hur många kommuner som gav varje svar – är det enda ärliga sättet att "
                      "sammanfatta en skala. Ett medelvärde av koderna 0–3 har ingen enhet och ingen betydelse."),
    Ovning("2d", TAL, _jamforelsegrupp,
           tips="peer_members ger jämförelsegruppens kommuner för en kommun och ett område; kommunen själv "
                "räknas inte med.",
           losning='from ojlib.analysis.peers import peer_members\n'
                   'medlemmar, namn = peer_members("0680", "liknande", "missbruk")\n'
                   'svar = len(medlemmar)',
           forklaring="Koladas Liknande kommuner-grupper görs för en kommun och ett verksamhetsområde (här "
                      "IFO), utifrån faktorer som förklarar skillnader i kostnader och resultat."),
    Ovning("2e", TEXT, _mot_riket, synonymer=_lika_synonymer,
           tips="Leta upp kommunen vars värde ligger närmast rikets (minst skillnad åt något håll), och håll "
                "skillnaden i procentenheter mot ojlib:s tolerans för andelar (texten ovanför övningen).",
           losning='from ojlib.analysis.ranking import lan_table\n'
                   't = lan_table(ds, "08", kpi="U35538", ar=2023).dropna(subset=["värde"])\n'
                   'skillnad = t["värde"] - t["riket"]  # procentenheter\n'
                   'narmast = skillnad.abs().idxmin()  # kommunen närmast riket\n'
                   'print(t.at[narmast, "kommun"], round(skillnad[narmast], 2))\n'
                   'svar = "lika" if abs(skillnad[narmast]) <= 1 else ("högre" if skillnad[narmast] > 0 else "lägre")',
           forklaring="Inom toleransen räknas två värden som lika: en så liten skillnad kan mätningen inte skilja "
                      "ut, och att kalla den högre eller lägre vore att läsa mer i siffrorna än de bär."),
    # 3 Trender
    Ovning("3a", TAL, _jamforbar_fran,
           tips="Katalogen säger för varje indikator från vilket år värdena går att jämföra med senare år "
                "(jamforbar_fran); anmarkning säger varför.",
           losning='svar = ds.cat["U35519"].jamforbar_fran',
           forklaring="Från 2019 räknas fler stödprogram med. Ett Ja 2018 och ett Ja 2019 betyder inte samma "
                      "sak, så trenden bryts där."),
    Ovning("3b", TAL, _forandring_pe, tolerans=0.05,
           tips="Välj länets egen rad för de två åren och ta skillnaden mellan värdena – en skillnad mellan "
                "två andelar är procentenheter, inte procent.",
           losning='lanet = ds.select(lan="06", niva="lan", kpi="U35538", kon="T").set_index("ar").varde\n'
                   'svar = lanet[2023] - lanet[2019]',
           forklaring="Från 50 till 55 procent är en ökning med 5 procentenheter men med 10 procent. Säg "
                      "procentenheter när du jämför andelar.",
           vanliga_fel=((_forandring_procent, "Du har räknat den relativa förändringen i procent. Frågan gäller "
                                              "skillnaden i procentenheter."),)),
    Ovning("3c", TAL, _nej_till_ja,
           tips="Ställ kommunernas svar 2019 och 2023 bredvid varandra (pivot) och räkna kommunerna som "
                "svarade Nej första året och Ja det andra.",
           losning='svar_per_ar = ds.select(lan="06", kpi="U35519", ar=[2019, 2023], kon="T", niva="kommun")'
                   '.pivot(index="kod", columns="ar", values="varde")\n'
                   'svar = int(((svar_per_ar[2019] == 0) & (svar_per_ar[2023] == 1)).sum())',
           forklaring="Länets andel Ja kan stå still fast kommuner bytt svar åt båda hållen. Att följa varje "
                      "kommuns svar visar rörelsen bakom länets siffra.",
           vanliga_fel=((_netto_ja, "Du har räknat nettoförändringen av antalet Ja. Den tar också med kommuner "
                                    "som gått från Ja till Nej; frågan gäller bara dem som gått från Nej till "
                                    "Ja."),)),
    Ovning("3d", TEXT, _bedomning,
           tips="Jämför länets värde med föregående jämförbara år i procentenheter, och håll förändringen "
                "mot toleransen och mot indikatorns önskvärda riktning (katalogens riktning).",
           losning='lanet = ds.select(lan="06", niva="lan", kpi="U35538", kon="T").set_index("ar").varde\n'
                   'andring = lanet[2023] - lanet[2022]\n'
                   'svar = "oförändrad" if abs(andring) <= 1 else ("förbättring" if andring > 0 else "försämring")',
           forklaring="Högre är bättre för brukarnas bedömning, så en ökning är en förbättring. Men små "
                      "förändringar mellan två år är ofta slump, särskilt i små län."),
    # 4 Länsrapporten
    Ovning("4a", EGEN, _kommentarer,
           tips="Varje kommentar står under en rubrik (##) som heter som ett av rapportens avsnitt.",
           losning='from pathlib import Path\n'
                   'Path("mina_kommentarer.md").write_text(\n'
                   '    "## Inledning\\n\\nRapporten tas fram för länets nätverk för "\n'
                   '    "missbruks- och beroendevård.\\n\\n"\n'
                   '    "## Förbättringsområden\\n\\nVi börjar med brukarnas bedömning av kontakten.\\n",\n'
                   '    encoding="utf-8")\n'
                   'svar = "mina_kommentarer.md"',
           forklaring="Rubrikerna Inledning, Förbättringsområden och kapitlens namn (kvalitetsområdena) går "
                      "att kommentera; en egen rubrik (t.ex. Diskussion) blir ett eget avsnitt. En rubrik som "
                      "nästan heter som ett avsnitt (ett stavfel) stoppar rapporten med ett fel."),
    Ovning("4b", EGEN, _rapport,
           tips="Kör mallen med papermill och parametrarna lan, omrade och kommentarer, och spara sedan "
                "den körda notebooken som HTML med spara_html.",
           losning='import papermill as pm\n'
                   'from ojlib.publish.kurs import spara_html\nfrom ojlib.render.kurs import mall\n'
                   'pm.execute_notebook(mall("lansanalys"), "min_lansrapport.ipynb", progress_bar=False,\n'
                   '                    parameters={"lan": mitt_lan, "omrade": "missbruk", "ar": 2023,\n'
                   '                                "kommentarer": "mina_kommentarer.md"})\n'
                   'svar = spara_html("min_lansrapport.ipynb", "min_lansrapport.html")',
           forklaring="Samma mall och samma parametrar ger samma rapport varje gång. Det är det som gör att en "
                      "länsrapport kan tas fram varje år och jämföras."),
    Ovning("4c", TAL, _grona,
           tips="Rapportens färger jämför varje kommun med alla kommuner i riket, inte bara med länets. Räkna "
                "länets kommuner i den gröna klassen för indikatorn i rapportens färgade tabell.",
           losning='from ojlib.analysis.colours import coloured_lan_table\n'
                   't = coloured_lan_table(ds, mitt_lan, "missbruk", 2023)\n'
                   'svar = int(((t.kpi == "U35538") & (t["färgklass"] == "Värde ≥ 75:e percentilen")).sum())',
           forklaring="Grönt betyder att värdet hör till den bästa fjärdedelen bland Sveriges kommuner. Ett län "
                      "kan ha ingen eller många gröna kommuner.",
           vanliga_fel=((_grona_i_lanet, "Du har jämfört med länets egna kommuner. Rapportens färger "
                                         "jämför med alla kommuner i riket."),)),
    Ovning("4d", VAL, _farg_betyder,
           alternativ={"a": "Kommunens resultat är bra.",
                       "b": "Kommunens värde är minst lika bra som 75:e percentilen bland alla kommuner i riket.",
                       "c": "Kommunen har förbättrat sitt resultat sedan förra året.",
                       "d": "Kommunens värde är bättre än länets."},
           tips="Läs färgregeln under rapportens tabeller: vad jämförs kommunens värde med, och var går "
                "gränsen för grönt?",
           losning='svar = "b"',
           forklaring="Färgen visar läget jämfört med andra, inte om resultatet är bra. Om alla kommuner är "
                      "dåliga är en fjärdedel ändå gröna."),
    Ovning("4e", TEXT, _kostnadsstrategi, synonymer=_strategi_synonymer,
           tips="Kostnader har ingen önskvärd riktning i katalogen. Titta i kolumnen färgstrategi för "
                "kostnadens rader i den färgade tabellen.",
           losning='from ojlib.analysis.colours import coloured_lan_table\n'
                   't = coloured_lan_table(ds, mitt_lan, "missbruk", 2023)\n'
                   'svar = t[t.kpi == "N35001"]["färgstrategi"].iloc[0]',
           forklaring="En hög kostnad kan betyda stora behov eller ambitiösa insatser. Därför färgas den "
                      "neutralt (lila), utan grönt och rött."),
]}
