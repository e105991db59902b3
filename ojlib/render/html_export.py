"""Export an executed notebook as one static, offline HTML page.

Code hidden, text escaped, plotly figures drawn from their JSON (plotly 6+ stores only that) by
one shared ``plotly.min.js`` beside the page, maps working offline thanks to a small
``window.PlotlyGeoAssets`` stub loaded before plotly.js, and no reference to any external URL.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

from ojlib import __version__
from ojlib.data.catalog import OMRADEN
from ojlib.data.source_lines import EXEMPELDATA, has_example, source_line
from ojlib.data.sources import registry
from ojlib.render.notebook import REPORT_MIMETYPE, markdown, read_report_metadata

META_ID = "ojlib-rapport"
HIDDEN_TAGS = {"remove-cell", "remove_cell", "remove-output", "remove_output", "hide-output", "hide_output",
               "parameters", "injected-parameters"}
WIDGET_ONLY = {"application/vnd.jupyter.widget-view+json", "text/plain"}
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
PLOTLY_JS = "plotly.min.js"



# Plotly.js fetches world outlines from a CDN for every geo map, even one drawn from our own
# GeoJSON; without network the map stays blank. Empty outlines for every scope make it draw.
GEO_ASSETS_STUB = (
    "window.PlotlyGeoAssets=window.PlotlyGeoAssets||(function(){"
    "var e={type:'GeometryCollection',geometries:[]},o={},t={};"
    "['ocean','land','lakes','subunits','countries','coastlines','rivers'].forEach(function(k){o[k]=e;});"
    "['world','usa','europe','asia','africa','north-america','south-america','antarctica','oceania']"
    ".forEach(function(s){[110,50].forEach(function(r){t[s+'_'+r+'m']={type:'Topology',objects:o,arcs:[]};});});"
    "return {topojson:t};})();"
)

# Plotly in Swedish, registered here (plotly.min.js has only English and no locale is fetched): the
# toolbar's texts, and decimal comma and space between thousands wherever plotly formats a number itself
# (the figures also say so in layout.separators).
PLOTLY_SV = {
    "moduleType": "locale", "name": "sv",
    "dictionary": {
        "Autoscale": "Autoskala", "Box Select": "Välj med rektangel", "Lasso Select": "Välj med lasso",
        "Compare data on hover": "Jämför värden vid hovring", "Show closest data on hover": "Visa närmaste värde",
        "Toggle show closest data on hover": "Visa närmaste värde av/på", "Toggle Spike Lines": "Stödlinjer av/på",
        "Double-click to zoom back out": "Dubbelklicka för att zooma ut igen", "Download plot": "Ladda ner diagrammet",
        "Download plot as a png": "Ladda ner diagrammet som PNG",
        "Download plot as a PNG": "Ladda ner diagrammet som PNG",
        "Download plot as JSON": "Ladda ner diagrammet som JSON", "Image download succeeded": "Bilden är nedladdad",
        "Sorry, there was a problem downloading your image!": "Bilden kunde tyvärr inte laddas ner.",
        "Double-click on legend to isolate one trace": "Dubbelklicka på en förklaring för att visa bara den serien",
        "Drag to rotate map, click to reset north": "Dra för att vrida kartan, klicka för norr uppåt",
        "Reset views": "Återställ vyerna", "Pan": "Panorera", "Zoom": "Zooma",
        "Zoom in": "Zooma in", "Zoom out": "Zooma ut", "Reset": "Återställ", "Reset axes": "Återställ axlarna",
        "Reset view": "Återställ vyn", "Produced with Plotly.js": "Skapad med Plotly.js",
        "Snapshot succeeded": "Bilden är sparad", "Taking snapshot - this may take a few seconds":
            "Bilden sparas – det kan ta några sekunder",
        "Sorry, there was a problem downloading your snapshot!": "Bilden kunde tyvärr inte laddas ner.",
        "Click to enter Plot title": "Klicka för att skriva en titel", "trace": "serie",
    },
    "format": {
        "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
        "shortDays": ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
        "months": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
                   "oktober", "november", "december"],
        "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        "date": "%Y-%m-%d", "decimal": ",", "thousands": " ",
    },
}

RENDER_FIGURES_JS = """(function () {
  var divs = document.querySelectorAll('div.ojfig');
  if (typeof Plotly === 'undefined') {
    divs.forEach(function (d) {
      d.textContent = 'Figuren kan inte visas: filen plotly.min.js saknas i samma mapp som sidan.';
    });
    return;
  }
  Plotly.register(PLOTLY_SV);
  var shared = JSON.parse(document.getElementById('ojlib-mallar').textContent);
  divs.forEach(function (div) {
    var spec = JSON.parse(document.getElementById(div.getAttribute('data-spec')).textContent);
    var layout = spec.layout || {};
    if (spec.mall !== undefined && spec.mall !== null) { layout.template = shared[spec.mall]; }
    // no "Share chart" button: it would send the data to a server, and the page is offline
    var config = Object.assign({responsive: true, displaylogo: false, locale: 'sv',
                                modeBarButtonsToRemove: ['sendChartToCloud']}, spec.config || {});
    Plotly.newPlot(div, spec.data || [], layout, config).then(function (gd) {
      if (window.ojlibOnPlot) { window.ojlibOnPlot(gd, spec); }
    });
  });
  // Printing: every figure redrawn at the width of an A4 page (and back afterwards), so no chart is cut.
  window.ojlibForPrint = function (on) {
    if (window.ojlibOpenDetails) { window.ojlibOpenDetails(on); }
    return Promise.all([...divs].map(function (div) {
      if (!div._fullLayout) { return null; }
      var printed = (div.layout.meta || {}).utskriftshojd;  // a compact chart of kommuner: lower on paper
      if (on) {  // 1 px is 0,75 pt on paper: the figures' 11 px texts print at 8 pt
        if (!('ojSkarm' in div)) {
          div.ojSkarm = [div.layout.width === undefined ? null : div.layout.width, div.layout.height];
        }
        var upd = {width: div.closest('.rutnat') ? PRINT_HALF : PRINT_WIDTH};  // a grid: two to a row
        if (printed) { upd.height = printed; }
        return Plotly.relayout(div, upd);
      }
      if (!('ojSkarm' in div)) { return null; }
      var w = div.ojSkarm[0], h = div.ojSkarm[1]; delete div.ojSkarm;
      var back = w === null ? {width: null, autosize: true} : {width: w};
      if (printed && h) { back.height = h; }
      return Plotly.relayout(div, back);
    }));
  };
  window.addEventListener('beforeprint', function () { window.ojlibForPrint(true); });
  window.addEventListener('afterprint', function () { window.ojlibForPrint(false); });
})();""".replace("PRINT_WIDTH", "690").replace("PRINT_HALF", "340").replace(
    "PLOTLY_SV", json.dumps(PLOTLY_SV, ensure_ascii=False))

CSS = """
:root { --text: #1d1d1b; --muted: #5b5b5b; --line: #d9d9d9; --accent: #1f4e79; --warn-bg: #fff3cd;
        --warn: #7a5a00; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--text); margin: 0;
       line-height: 1.5; background: #fff; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1rem; }
nav.topp a { color: var(--accent); text-decoration: none; font-size: .95rem; }
nav.topp a:hover { text-decoration: underline; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: .6rem 0 .4rem; }
h2 { font-size: 1.35rem; margin: 1.3rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; }
a { color: var(--accent); }
.exempeldata { background: var(--warn-bg); color: var(--warn); border: 1px solid #e6d28a; border-radius: 4px;
               padding: .45rem .8rem; font-weight: bold; margin: .6rem 0; }
.meta { color: var(--muted); font-size: .92rem; margin: .2rem 0 1rem; }
nav.innehall { font-size: .95rem; margin: .5rem 0 1rem; }
nav.innehall ol { margin: .2rem 0; padding-left: 1.4rem; columns: 3 16rem; }
.cell { margin: .5rem 0; }
.output > ul:first-child, .output > ol:first-child, .cell.md > p:first-child { margin-top: .3rem; }
.output > ul:last-child, .output > ol:last-child { margin-bottom: .3rem; }
.output { overflow-x: auto; margin: .4rem 0; }
.ojfig { width: 100%; min-height: 200px; }
pre { background: #f6f6f6; padding: .5rem .7rem; border-radius: 4px; overflow-x: auto; font-size: .88rem; }
pre.fel { background: #fdecea; color: #8a1c12; }
table { border-collapse: collapse; font-size: .9rem; margin: .4rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #999; }
td.tal, th.tal { text-align: right; }
img { max-width: 100%; }
.url { color: var(--muted); font-size: .85em; word-break: break-all; }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); margin-top: 2.5rem;
         padding-top: .6rem; padding-bottom: 2rem; }
/* tables: the first column (kommun or indicator) stays in view while a wide table scrolls sideways;
   headers wrap inside their column instead of running into the next one */
.rulla { overflow-x: auto; max-width: 100%; }
.output table tr > th:first-child { position: sticky; left: 0; z-index: 1; background: #fff;
  box-shadow: 1px 0 0 var(--line); }
.output thead th { white-space: normal; overflow-wrap: normal; word-break: normal; hyphens: manual;
  vertical-align: bottom; max-width: none !important; }  /* a column is never narrower than its longest word */
.output tbody th { text-align: left; font-weight: 600; white-space: nowrap; }
.oj-profil tbody th { white-space: normal; min-width: 12em; }
/* the kommun profile: the columns of answer distributions wide enough for two or three lines, not nine */
@media screen {
  table.oj-profil:has(> thead > tr > th:nth-child(9)) { width: 100%; table-layout: fixed; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(1) { width: 12%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(2) { width: 4%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(3) { width: 9%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(4) { width: 13%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(n+5):nth-child(-n+6) { width: 14%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(7) { width: 15%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(n+8) { width: 9.5%; }
  /* with the kommun's delregion (--delregioner) as the fourth column: one more, all a little narrower */
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(1) { width: 11%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(3) { width: 8%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(4) { width: 10%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(n+5):nth-child(-n+7) { width: 13%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(8) { width: 12%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(n+9) { width: 8%; }
}
table.oj-profil td, table.oj-profil th { padding: .25rem .5rem; }
.oj-tabell h4, .oj-oversikt h4 { margin: .3rem 0; }
table.matris { font-size: 12px; }
table.matris td { text-align: center; padding: 2px 3px; border: 1px solid #fff; line-height: 1.25; }
table.matris tbody th { padding: 2px 6px; line-height: 1.25; }
table.matris tr.jamforelse td { line-height: 1.2; }
table.matris tr.jamforelse td.skala { min-width: 8.5em; }  /* a scale's levels: wider, not nine lines tall */
.oj-sammanfattande td, .oj-sammanfattande tbody th { line-height: 1.3; }
table.matris thead th { font-size: 11px; font-weight: 600; line-height: 1.2; }
table.matris th.grupp { text-align: center; background: #eef2f6; border: 1px solid #fff; max-width: none; }
table.matris th.hörn { vertical-align: bottom; }
table.matris tr.jamforelse th, table.matris tr.jamforelse td { font-style: italic; font-size: 11px;
  background: #fafafa; border-top: 2px solid #999; text-align: left; white-space: normal; }
table.matris .år { font-weight: normal; color: var(--muted); white-space: nowrap; }
.oj-not { font-size: .78rem; color: #444; margin: .15rem 0; }
.oj-kalla { color: var(--muted); }
p.oj-exempeldata, .oj-not.oj-exempeldata { color: #B00020; font-weight: bold; }
.oj-sammanfattande td { white-space: nowrap; }
.oj-sammanfattande td, .oj-sammanfattande tbody th { padding: .15rem .6rem; }
/* bakgrundsmått: plain numbers, never coloured; länet and riket set apart under the kommuner */
.oj-bakgrund table { width: auto; }
.oj-bakgrund td, .oj-bakgrund tbody th { padding: .15rem .6rem; white-space: nowrap; }
.oj-bakgrund thead .år, .oj-bakgrund thead .enhet { font-weight: normal; color: var(--muted); }
.output .oj-bakgrund tr.jamforelse th, .oj-bakgrund tr.jamforelse td { font-style: italic; background: #fafafa; }
.oj-bakgrund tr.forsta th, .oj-bakgrund tr.forsta td { border-top: 2px solid #999; }
.cell.md ul li, .output ul li { margin: .1rem 0; }
.oj-kapitel.tva { columns: 2 30rem; column-gap: 2rem; padding-left: 1.2rem; }
.oj-kapitel li { break-inside: avoid; }
.upp { color: #1a7f37; } .ned { color: #b42318; } .lika { color: #666; }
.oj-kommentar { border: 1px solid #9bb7d4; border-left: 5px solid var(--accent); background: #f2f7fc;
  padding: .4rem .9rem; margin: .8rem 0; border-radius: 3px; }
.oj-kommentar-rubrik { font-weight: bold; color: var(--accent); margin: .2rem 0 .3rem; font-size: .9rem; }
.oj-forbattring h4 { margin: .5rem 0 .2rem; }
.oj-forbattring .listor { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 0 2rem; }
.oj-forbattring details { margin-top: .6rem; }
/* small figures (ranked bars, K/M) at most three to a row at 1400 px, fewer in a narrower window, two printed */
.rutnat { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: .3rem 1rem; }
.rutnat .halv { min-width: 0; }
.rutnat.bred { grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); }
/* a small figure's toolbar only while the pointer is on it (it would cover the title) */
.rutnat .modebar-container { opacity: 0; transition: opacity .15s; }
.rutnat .halv:hover .modebar-container, .rutnat .halv:focus-within .modebar-container { opacity: 1; }
.rutnat-text { min-width: 0; }
.rutnat-text .oj-kapitel.tva { columns: 2 18rem; }
.oj-tabell > h4, .oj-oversikt > h4 { display: inline-block; margin-right: 1rem !important; }
.oj-tabell > h4 + p.oj-exempeldata, .oj-oversikt > h4 + p.oj-exempeldata { display: inline-block; margin: .2rem 0; }
/* a long list of sentences (the summary) in two columns on a wide screen */
.output > ul:has(> li:nth-child(6)) { columns: 2 32rem; column-gap: 2.5rem; }
.output > ul > li { break-inside: avoid; }
.oj-tackning ul { columns: 3 22rem; column-gap: 2rem; padding-left: 1.1rem; font-size: .88rem; }
.oj-tackning li { break-inside: avoid; margin: 0 0 .15rem; }
details.oj-fargregler summary { cursor: pointer; color: var(--accent); }
.oj-inledning { columns: 2 28rem; column-gap: 2rem; }
.oj-inledning h3 { margin-top: .2rem; break-after: avoid; }
.oj-inledning ul { padding-left: 1.1rem; }
@media print {
  nav.topp, nav.innehall, .modebar-container { display: none; }
  body { font-size: 10pt; }
  header, main, footer { max-width: none; padding: 0; }
  .output, .rulla { overflow: visible; }
  .output table tr > th:first-child { position: static; box-shadow: none; }
  table { font-size: 8pt; width: 100%; }
  table.matris { font-size: 8pt; }
  table.matris thead th { font-size: 8pt; min-width: 0; }
  .output thead th, .output td { overflow-wrap: break-word; }  /* too wide for A4: break, never overlap */
  table.matris tr.jamforelse th, table.matris tr.jamforelse td { font-size: 8pt; }
  table.matris td { font-size: 8pt; }
  table.matris td { min-width: 0; padding: 2px 2px; }
  /* the matrix fits the page at 8 pt (a table wider than the paper made Chromium shrink the whole page, every
     text with it): answer texts may break anywhere, headers only between words and at their soft hyphens
     (views.soft_hyphens marks every syllable joint of a long word) */
  table.matris th, table.matris td, table.matris tr.jamforelse td.skala { overflow-wrap: anywhere; min-width: 0; }
  table.matris thead th { overflow-wrap: normal; word-break: normal; hyphens: manual; }
  table.matris .år { white-space: normal; }
  table.oj-sorterbar th, table.oj-sorterbar td { overflow-wrap: anywhere; min-width: 0; white-space: normal; }
  th, td { padding: 2px 4px; }
  .rutnat, .rutnat.bred { grid-template-columns: 1fr 1fr; gap: 0 4mm; }  /* trend charts too: one a page was
     half empty (the Gnosjö profile's 34 trends took 17 pages) */
  .rutnat .halv { break-inside: avoid; }
  .output > ul:has(> li:nth-child(6)) { columns: 1; }
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; color: inherit; }
  .oj-inledning, .oj-kapitel { columns: 1; }
  .ojfig { break-inside: avoid; min-height: 0; }
  /* chapters follow each other on the page; a heading stays with what follows it, and a table, a chart
     or a list item is not cut (a table longer than a page breaks between rows, its header repeated) */
  h1, h2, h3, h4 { break-after: avoid; break-inside: avoid; }
  main h2 { margin-top: 5mm; }
  .oj-oversikt, .oj-tabell:not(:has(.oj-profil)), .oj-forbattring .listor > div, .oj-kapitel { break-inside: avoid; }
  /* a table of ten rows or more (Jönköping's 13 kommuner too; whole, it left the rest of a page empty) starts
     where its heading is and breaks between rows, the header repeated on the next page (thead); never
     before its third row, nor before its Länet and Riket rows (the last two of a table of values;
     tr.jamforelse in the matrix), and its notes follow it */
  .oj-oversikt:has(tbody > tr:nth-child(11)), .oj-tabell:has(tbody > tr:nth-child(11)),
  .oj-tabell:has(li:nth-child(15)) { break-inside: auto; }
  thead { display: table-header-group; }
  .oj-oversikt tbody > tr:nth-last-child(-n+2), tr.jamforelse, tbody > tr:nth-child(-n+3) { break-before: avoid; }
  .rulla + *, table + *, .oj-tabell + .oj-not { break-before: avoid; }
  footer { display: none; }  /* its line is in every page's margin (page_css); alone it made a page of its own */
  /* the kommun profile on A4: the four columns of answer distributions share the width evenly (left to
     the browser, länet and riket got a fifth of what the empty placement columns got, nine lines a cell) */
  table.oj-profil:has(> thead > tr > th:nth-child(9)) { table-layout: fixed; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) th, table.oj-profil:has(> thead > tr > th:nth-child(9)) td {
    padding: 2px 3px; min-width: 0; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th { font-size: 8pt; overflow-wrap: normal; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(1) { width: 17%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(2) { width: 5%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(3) { width: 10%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(n+4):nth-child(-n+7) { width: 12.5%; }
  table.oj-profil:has(> thead > tr > th:nth-child(9)) > thead > tr > th:nth-child(n+8) { width: 9%; }
  /* with the kommun's delregion as the fourth column (--delregioner): ten columns on the same width */
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(1) { width: 17%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(2) { width: 5.5%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(3) { width: 10%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(4) { width: 9%; }
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(n+5):nth-child(-n+8) {width: 10.25%}
  table.oj-profil:has(> thead > tr > th:nth-child(10)) > thead > tr > th:nth-child(n+9) { width: 8.75%; }
  .cell.md:has(h2, h3, h4) { break-after: avoid; }
  tr, .oj-kommentar, .oj-not, li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


# Printing opens every closed <details> (the colour limits under a table) and closes them again afterwards,
# so a printed page holds every number; the print CSS does the same where the browser supports it.
PRINT_DETAILS_JS = """(function () {
  window.ojlibOpenDetails = function (on) {
    document.querySelectorAll(on ? 'details:not([open])' : 'details[data-oj-stangd]').forEach(function (d) {
      if (on) { d.setAttribute('data-oj-stangd', ''); d.open = true; }
      else { d.removeAttribute('data-oj-stangd'); d.open = false; }
    });
  };
  if (!window.ojlibForPrint) {  // a page without figures (ojlib.render.pdf calls this before printing)
    window.ojlibForPrint = function (on) { window.ojlibOpenDetails(on); return Promise.resolve(); };
  }
  window.addEventListener('beforeprint', function () { window.ojlibOpenDetails(true); });
  window.addEventListener('afterprint', function () { window.ojlibOpenDetails(false); });
})();"""


def script_json(value) -> str:
    """JSON safe to put inside ``<script type="application/json">`` (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_EXTERNAL_LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(["'])\s*((?:[a-z][a-z0-9+.-]*:)?//[^"']*)\1[^>]*>(.*?)</a>""",
                            re.IGNORECASE | re.DOTALL)
_EXTERNAL_ATTR = re.compile(r"""\b(src|href|srcset|action|poster|data)\s*=\s*(["'])\s*(?:[a-z][a-z0-9+.-]*:)?//""",
                            re.IGNORECASE)
_EXTERNAL_CSS = re.compile(r"""url\(\s*(["']?)\s*(?:https?:)?//[^)]*\)|@import\s+(["'])(?:https?:)?//[^"']*\2;?""",
                           re.IGNORECASE)


def offline_html(fragment: str) -> str:
    """Neutralise references to other sites in an HTML fragment, so a page never loads or links them.

    A link keeps its text and shows the address after it; other attributes (``src`` …) and CSS
    ``url(…)`` pointing elsewhere are disabled.
    """
    fragment = _EXTERNAL_LINK.sub(lambda m: f'{m.group(3)} <span class="url">({m.group(2)})</span>', fragment)
    fragment = _EXTERNAL_ATTR.sub(lambda m: f"data-extern-{m.group(1).lower()}={m.group(2)}", fragment)
    return _EXTERNAL_CSS.sub("none", fragment)


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class Page:
    """Collects the HTML of one notebook's cells; figures share one list of plotly templates."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.templates: list[str] = []
        self.n_figures = 0

    def figure(self, fig: dict) -> str:
        fig = dict(fig)
        layout = dict(fig.get("layout") or {})
        ref = None
        if "template" in layout:
            key = json.dumps(layout.pop("template"), sort_keys=True, separators=(",", ":"))
            if key not in self.templates:
                self.templates.append(key)
            ref = self.templates.index(key)
        self.n_figures += 1
        fid = f"fig-{self.n_figures}"
        spec = {"data": fig.get("data", []), "layout": layout, "config": fig.get("config") or {}, "mall": ref}
        return (f'<div class="ojfig" id="{fid}-div" data-spec="{fid}"></div>\n'
                f'<script type="application/json" id="{fid}">{script_json(spec)}</script>')

    def output(self, out: dict) -> str:
        kind = out.get("output_type")
        if kind == "stream":
            if out.get("name") == "stderr":
                return ""
            return f"<pre>{html.escape(_join(out.get('text', '')))}</pre>"
        if kind == "error":
            return f'<pre class="fel">{html.escape(str(out.get("ename")))}: {html.escape(str(out.get("evalue")))}</pre>'
        data = out.get("data", {})
        if REPORT_MIMETYPE in data:
            return ""  # read by the site index, not shown
        if "application/vnd.jupyter.widget-view+json" in data and set(data) <= WIDGET_ONLY:
            return ""  # a live widget has nothing to show in a static page
        if PLOTLY_MIMETYPE in data:
            return self.figure(data[PLOTLY_MIMETYPE])
        if "text/html" in data:
            return offline_html(_join(data["text/html"]))
        if "image/svg+xml" in data:
            svg = base64.b64encode(_join(data["image/svg+xml"]).encode()).decode()
            return f'<img alt="Figur" src="data:image/svg+xml;base64,{svg}">'
        for mime in ("image/png", "image/jpeg"):
            if mime in data:
                return f'<img alt="Figur" src="data:{mime};base64,{_join(data[mime]).strip()}">'
        if "text/markdown" in data:
            return offline_html(markdown(_join(data["text/markdown"]), trusted=False))
        if "text/plain" in data and _join(data["text/plain"]).strip():
            return f"<pre>{html.escape(_join(data['text/plain']))}</pre>"
        return ""

    def cell(self, cell: dict) -> None:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "remove_cell"}:
            return
        if cell.get("cell_type") == "markdown":
            text = _join(cell.get("source", ""))
            for name, bundle in (cell.get("attachments") or {}).items():
                for mime, b64 in bundle.items():
                    if mime.startswith("image/"):
                        text = text.replace(f"attachment:{name}", f"data:{mime};base64,{_join(b64).strip()}")
                        break
            self.parts.append(f'<div class="cell md">{offline_html(markdown(text, trusted=True))}</div>')
        elif cell.get("cell_type") == "code" and not tags & HIDDEN_TAGS:
            blocks: list[str] = []
            half: list[str] = []
            text = None  # the last full-width output, when it is a chapter's list of indicators

            kind = None  # the grid the figures in ``half`` belong to (True: small, "bred": two to a row)

            def flush():
                nonlocal text
                if half and text is not None and len(half) <= SIDE_BY_SIDE and kind is True and blocks \
                        and blocks[-1] is text[0]:
                    blocks[-1] = _grid(half, text[1])  # a few small figures beside the chapter's list
                elif half:
                    blocks.append(_grid(half, bred=kind == "bred"))
                half.clear()
                text = None

            for out in cell.get("outputs", []):
                shown = self.output(out)
                if not shown:
                    continue
                grid = _half_width(out)
                if grid:
                    if half and grid != kind:
                        flush()
                    kind = grid
                    half.append(shown)
                    continue
                flush()
                blocks.append(f'<div class="output">{shown}</div>')
                text = (blocks[-1], shown) if "oj-kapitel" in shown[:200] else None
            flush()
            if blocks:
                self.parts.append('<div class="cell">' + "".join(blocks) + "</div>")


def _half_width(out: dict):
    """The grid a figure is made to sit in (``layout.meta.rutnat``, see ``figures.in_grid``): True for
    small figures, "bred" for two to a row, None for a figure of its own."""
    fig = out.get("data", {}).get(PLOTLY_MIMETYPE)
    meta = ((fig or {}).get("layout") or {}).get("meta") if isinstance(fig, dict) else None
    grid = meta.get("rutnat") if isinstance(meta, dict) else None
    return ("bred" if grid == "bred" else True) if grid else None


SIDE_BY_SIDE = 2  # a chapter with at most this many small figures shows them beside its list of indicators


def _grid(figures: list[str], text: str | None = None, bred: bool = False) -> str:
    """Small figures in a grid (``bred``: two to a row); ``text`` (a chapter's list) first, over every
    column the figures leave."""
    lead = (f'<div class="rutnat-text" style="grid-column: 1 / -{len(figures) + 1}">{text}</div>'
            if text is not None else "")
    return (f'<div class="output rutnat{" med-text" if lead else ""}{" bred" if bred else ""}">{lead}'
            + "".join(f'<div class="halv">{f}</div>' for f in figures) + "</div>")


_HEADING = re.compile(r"<(h[12])>(.*?)</\1>", re.DOTALL)


def _number_headings(body: str) -> tuple[str, list[tuple[str, str]], str | None]:
    """Give every h2 an id (for the contents list); drop the first h1 (the page has its own)."""
    toc: list[tuple[str, str]] = []
    first_h1: list[str] = []

    def repl(m: re.Match) -> str:
        tag, inner = m.group(1), m.group(2)
        if tag == "h1":
            if not first_h1:
                first_h1.append(inner)
                return ""
            return m.group(0)
        hid = f"avsnitt-{len(toc) + 1}"
        toc.append((hid, re.sub(r"<[^>]+>", "", inner)))
        return f'<h2 id="{hid}">{inner}</h2>'

    body = _HEADING.sub(repl, body)
    return body, toc, first_h1[0] if first_h1 else None


def _meta_line(meta: dict) -> str:
    bits = []
    if meta.get("lan_namn") or meta.get("lan"):
        bits.append(f"Län: {meta.get('lan_namn') or meta.get('lan')}")
    if meta.get("kommun_namn") or meta.get("kommun"):
        bits.append(f"Kommun: {meta.get('kommun_namn') or meta.get('kommun')}")
    if meta.get("omrade"):
        bits.append(f"Område: {omrade_text(meta['omrade'])}")
    if meta.get("ar"):
        bits.append(f"År: {meta['ar']}")
    if meta.get("datakalla"):

        bits.append(f"Datakälla: {registry.labels(meta['datakalla'])}")
    if meta.get("data_datum"):
        bits.append(f"Data från: {meta['data_datum']}")
    return " · ".join(html.escape(str(b)) for b in bits)


def omrade_text(value) -> str:
    """An område key (or a list, or "alla") in words."""
    if isinstance(value, list | tuple):
        return ", ".join(omrade_text(v) for v in value)
    return "Alla områden" if value == "alla" else OMRADEN.get(str(value), str(value))


def is_example(meta: dict) -> bool:
    return bool(meta.get("exempeldata")) or has_example(meta.get("datakalla") or "")


def _css_string(text: str) -> str:
    """Text as a CSS string literal: quotes, backslashes, line breaks and ``<`` escaped."""
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() or ch in " .,:;–-()/%åäöÅÄÖé" else f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def footer_text(meta: dict) -> str:
    """What every printed page carries at the bottom: the exempeldata mark and the source line."""

    bits = []
    if is_example(meta):
        bits.append(EXEMPELDATA)
    kalla = meta.get("datakalla")
    if kalla:
        try:
            line = source_line(str(kalla), derived=True)
        except Exception:  # an unknown source key: name it as it is
            line = f"Källa: {kalla}"
        if line not in bits:
            bits.append(line)
    return " · ".join(bits)


def page_css(title: str, meta: dict) -> str:
    """The A4 page for printing: title and the ojlib version at the top, mark and source at the bottom,
    page numbers."""
    from ojlib import __version__

    foot = footer_text(meta)
    return ("\n@page { size: A4; margin: 13mm 11mm 15mm 11mm;"
            f" @top-left {{ content: {_css_string(title)}; font: 8pt 'DejaVu Sans', Arial, sans-serif;"
            " color: #555; }"
            f" @top-right {{ content: {_css_string('Skapad med ojlib ' + __version__)};"
            " font: 8pt 'DejaVu Sans', Arial, sans-serif; color: #555; }"
            + (f" @bottom-left {{ content: {_css_string(foot)}; font: bold 8pt 'DejaVu Sans', Arial, sans-serif;"
               " color: #7a0015; }" if foot else "")
            + " @bottom-right { content: 'Sida ' counter(page) ' av ' counter(pages);"
              " font: 8pt 'DejaVu Sans', Arial, sans-serif; color: #555; } }\n")


def page_document(title: str, body: str, meta: dict | None = None, templates: list[str] | None = None,
                  index_link: bool = False, has_figures: bool = True, extra_js: str = "") -> str:
    """A complete HTML page: escaped title, the exempeldata mark, and figures from the shared plotly.min.js."""

    meta = meta or {}
    parts = ['<!DOCTYPE html>', '<html lang="sv">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f'<meta name="generator" content="ojlib {html.escape(__version__)}">',
             f"<title>{html.escape(title)}</title>", f"<style>{CSS}{page_css(title, meta)}</style>"]
    if meta:
        parts.append(f'<script type="application/json" id="{META_ID}">{script_json(meta)}</script>')
    parts += ["</head>", "<body>", "<header>"]
    if index_link:
        parts.append('<nav class="topp"><a href="index.html">← Alla rapporter</a></nav>')
    parts.append(f"<h1>{html.escape(title)}</h1>")
    if is_example(meta):
        parts.append(f'<p class="exempeldata" role="note">{html.escape(EXEMPELDATA)}</p>')
    line = _meta_line(meta)
    if line:
        parts.append(f'<p class="meta">{line}</p>')
    parts += ["</header>", "<main>", body, "</main>"]
    if "<details" in body:
        parts.append(f"<script>{PRINT_DETAILS_JS}</script>")
    foot = f"Skapad med ojlib {__version__}."
    if is_example(meta):
        foot += f" {EXEMPELDATA}."
    parts.append(f"<footer>{html.escape(foot)}</footer>")
    if has_figures:
        parts.append(f'<script type="application/json" id="ojlib-mallar">'
                     f'{script_json([json.loads(t) for t in templates or []])}</script>')
        parts.append(f"<script>{GEO_ASSETS_STUB}</script>")
        parts.append(f'<script src="{PLOTLY_JS}"></script>')
        if extra_js:
            parts.append(f"<script>{extra_js}</script>")
        parts.append(f"<script>{RENDER_FIGURES_JS}</script>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def render_page(nb, meta: dict | None = None, index_link: bool = True) -> str:
    """The executed notebook as one HTML page (code hidden, report metadata embedded for the index)."""
    meta = dict(meta or read_report_metadata(nb) or {})
    page = Page()
    for cell in nb.cells:
        page.cell(cell)
    body, toc, h1 = _number_headings("\n".join(page.parts))
    title = str(meta.get("titel") or (re.sub(r"<[^>]+>", "", html.unescape(h1)) if h1 else "Rapport"))
    if len(toc) >= 3:
        items = "".join(f'<li><a href="#{hid}">{text}</a></li>' for hid, text in toc)
        body = f'<nav class="innehall" aria-label="Innehåll"><strong>Innehåll</strong><ol>{items}</ol></nav>\n{body}'
    return page_document(title, body, meta, page.templates, index_link=index_link, has_figures=page.n_figures > 0)


_META_RE = re.compile(rf'<script type="application/json" id="{META_ID}">(.*?)</script>', re.DOTALL)


def page_metadata(text: str) -> dict | None:
    """The report metadata embedded in the text of a page written by ``render_page`` (None if there is none)."""
    m = _META_RE.search(text)
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError:
        return None


def read_page_metadata(page: Path) -> dict | None:
    """The report metadata embedded in a page written by ``render_page`` (None for other files)."""
    return page_metadata(Path(page).read_text(encoding="utf-8", errors="replace"))
