"""One report: run a notebook template with papermill and export it as a static HTML page.

A *job* is a template plus parameters (from CLI options or a YAML file in ``params/``). Running
it executes the notebook in a fresh kernel (retrying a kernel that fails to start) and turns
the executed notebook into one HTML page: code hidden, text escaped, plotly figures drawn from
their JSON by one shared ``plotly.min.js`` beside the page, maps working offline thanks to a
small ``window.PlotlyGeoAssets`` stub, and no reference to any external URL.
``run_jobs`` runs many jobs in parallel threads (one kernel each) and isolates failures.
"""

from __future__ import annotations

import ast
import base64
import html
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ojlib import geo, paths
from ojlib.catalog import OMRADEN
from ojlib.errors import OjError
from ojlib.notebook import REPORT_MIMETYPE, read_report_metadata
from ojlib.source_lines import EXEMPELDATA
from ojlib.storage import write_text_atomic

TEMPLATES = {"lansanalys": "lansanalys.ipynb", "kommunprofil": "kommunprofil.ipynb"}
TYPE_TEXT = {"lansanalys": "Länsanalys", "kommunprofil": "Kommunprofil"}
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
PLOTLY_JS = "plotly.min.js"
META_ID = "ojlib-rapport"
# Parameters that are codes or names: kept as text even when YAML would read a number.
TEXT_PARAMS = {"mall", "lan", "kommun", "omrade", "omraden", "datakalla", "jamforelse", "fargstrategi",
               "jamforelsegrupp"}
HIDDEN_TAGS = {"remove-cell", "remove_cell", "remove-output", "remove_output", "hide-output", "hide_output",
               "parameters", "injected-parameters"}
WIDGET_ONLY = {"application/vnd.jupyter.widget-view+json", "text/plain"}
START_RETRIES = 2
CELL_TIMEOUT = 900
# Kernels log a warning per start (unencrypted TCP) and an error at each normal shutdown
# ("KeyboardInterrupt caught in kernel"); both are noise in a batch.
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


# --------------------------------------------------------------------------- jobs and parameters

@dataclass
class Job:
    """A template (``lansanalys``, ``kommunprofil`` or a path to a notebook) and its parameters."""

    mall: str
    params: dict = field(default_factory=dict)
    name: str = ""
    defaults: dict = field(default_factory=dict)  # the template's own område, for names only

    def _naming(self) -> dict:
        return {**self.defaults, **self.params}

    @property
    def template(self) -> Path:
        known = self.mall in TEMPLATES
        path = paths.notebooks_dir() / TEMPLATES[self.mall] if known else Path(self.mall).expanduser()
        if not path.exists():
            raise OjError(f"Notebookmallen {path} finns inte; ange lansanalys, kommunprofil eller en sökväg till "
                          "en .ipynb-fil.")
        return path.resolve()

    @property
    def kind(self) -> str:
        """lansanalys, kommunprofil, or the custom template's file stem."""
        return self.mall if self.mall in TEMPLATES else Path(self.mall).stem

    def describe(self) -> str:
        """A short Swedish label for progress and summaries, e.g. "Länsanalys 06 missbruk"."""
        p = self._naming()
        bits = [TYPE_TEXT.get(self.kind, self.kind)]
        bits += [str(p[k]) for k in ("lan", "kommun", "omrade", "omraden", "ar") if p.get(k) not in (None, "")]
        return " ".join(bits)

    def slug(self) -> str:
        """The page's file stem: template, area code, område and an explicit year."""
        p = self._naming()
        bits = [self.kind]
        for key in ("lan", "kommun", "omrade", "omraden", "ar"):
            value = p.get(key)
            if value in (None, ""):
                continue
            bits.append("-".join(map(str, value)) if isinstance(value, list | tuple) else str(value))
        text = "-".join(bits).lower()
        text = text.translate(str.maketrans("åäöé", "aaoe"))
        return re.sub(r"[^a-z0-9_-]+", "-", text).strip("-") or "rapport"


def typed_value(key: str, value):
    """A parameter value read as text (from YAML's base loader or ``-p namn=värde``), typed."""
    if isinstance(value, list):
        return [typed_value(key, v) for v in value]
    if isinstance(value, dict):
        return {k: typed_value(k, v) for k, v in value.items()}
    text = str(value).strip()
    if text.lower() in ("null", "~", "none", ""):
        return None
    if key in TEXT_PARAMS:
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_assignment(text: str) -> tuple[str, object]:
    """``namn=värde`` from the command line, typed like a YAML parameter file."""
    if "=" not in text:
        raise OjError(f"Parametern '{text}' saknar '='; skriv namn=värde, t.ex. -p jamforelse=kommungrupp.")
    key, _, value = text.partition("=")
    key = key.strip()
    if not key.isidentifier():
        raise OjError(f"'{key}' är inte ett giltigt parameternamn; skriv namn=värde.")
    try:
        raw = yaml.load(value, Loader=yaml.BaseLoader)  # text, or a list of texts: codes keep their zeros
    except yaml.YAMLError:
        raw = value
    return key, typed_value(key, value if raw is None else raw)


def find_params_file(name: str | Path) -> Path:
    """A parameter file as given, or by name in ``params/``."""
    path = Path(name).expanduser()
    for candidate in (path, paths.params_dir() / path, paths.params_dir() / f"{path}.yml"):
        if candidate.is_file():
            return candidate
    raise OjError(f"Parameterfilen {name} finns inte (sökte även i {paths.params_dir()}).")


def load_params_file(name: str | Path) -> list[dict]:
    """The parameter sets in a YAML file: one mapping, or shared keys plus a list ``rapporter``.

    Values are read as text first, so ``lan: 06`` and ``kommun: 0114`` stay codes; ``ar`` and
    other values are then typed like YAML (``null``, numbers, lists).
    """
    path = find_params_file(name)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        where = f" på rad {line + 1}" if line is not None else ""
        raise OjError(f"Parameterfilen {path.name} är inte giltig YAML{where}.") from None
    if raw is None:
        raise OjError(f"Parameterfilen {path.name} är tom.")
    if not isinstance(raw, dict):
        raise OjError(f"Parameterfilen {path.name} ska innehålla namn: värde-par (eller en lista 'rapporter').")
    shared = {k: typed_value(k, v) for k, v in raw.items() if k != "rapporter"}
    sets = raw.get("rapporter")
    if sets is None:
        return [shared]
    if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
        raise OjError(f"'rapporter' i {path.name} ska vara en lista med namn: värde-par.")
    return [{**shared, **{k: typed_value(k, v) for k, v in s.items()}} for s in sets]


def make_job(values: dict) -> Job:
    """A job from a parameter set; ``mall`` defaults to kommunprofil when a kommun is given."""
    params = {k: v for k, v in values.items() if v is not None and k != "mall"}
    mall = values.get("mall") or ("kommunprofil" if params.get("kommun") not in (None, "") else "lansanalys")
    if "lan" in params:
        params["lan"] = geo.normalise_lan(params["lan"])
    if "kommun" in params:
        params["kommun"] = geo.normalise_kommun(params["kommun"])
    return Job(mall=str(mall), params=params)


def template_parameters(template: Path) -> dict:
    """The template's parameters and their default values, read from its ``parameters`` cell.

    Parsed with ``ast`` rather than papermill's inspector, which skips a line whose comment
    contains a semicolon (so ``ar = None  # år; None = senaste`` would go missing).
    """
    import nbformat

    nb = nbformat.read(str(template), as_version=4)
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


# CLI options with one name for both templates, and what each template calls them.
ALIASES = {"omrade": "omraden", "jamforelse": "jamforelsegrupp"}


def prepare(job: Job, known: dict | None = None) -> Job:
    """Fit the parameters to the template and catch mistakes before a kernel starts.

    ``omrade``/``jamforelse`` become ``omraden``/``jamforelsegrupp`` for a template that uses
    those names; unknown parameters and a data source with no data raise OjError.
    """
    from ojlib import dataset

    known = template_parameters(job.template) if known is None else known
    for short, long in ALIASES.items():
        if short in job.params and short not in known and long in known:
            job.params[long] = job.params.pop(short)
    job.defaults = {k: known[k] for k in ("omrade", "omraden") if k in known and k not in job.params and known[k]}
    unknown = sorted(set(job.params) - set(known))
    if known and unknown:
        raise OjError(f"Mallen {job.template.name} har ingen parameter {', '.join(unknown)}; "
                      f"dess parametrar är {', '.join(known)}.")
    kalla = job.params.get("datakalla", known.get("datakalla"))
    if isinstance(kalla, str) and kalla in dataset.KALLOR and not dataset.dataset_path(kalla).exists():
        raise OjError(f"Det finns ingen data från {kalla} ännu; {dataset.fix_hint(kalla)}.")
    return job


def assign_names(jobs: list[Job]) -> list[Job]:
    """Give every job a unique page name (``-2``, ``-3`` … on a collision)."""
    seen: dict[str, int] = {}
    for job in jobs:
        base = job.name or job.slug()
        n = seen.get(base, 0) + 1
        seen[base] = n
        job.name = base if n == 1 else f"{base}-{n}"
    return jobs


# --------------------------------------------------------------------------- execution

def default_kernel() -> str:
    """The project's kernel ("ojlib", registered by `make setup`), else this Python's own."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "ojlib" if "ojlib" in KernelSpecManager().find_kernel_specs() else "python3"


def _is_start_failure(exc: BaseException) -> bool:
    """A kernel that did not start (or died) rather than a failing cell: worth one more try."""
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError | CellTimeoutError | OjError):
        return False
    try:
        import zmq

        if isinstance(exc, zmq.ZMQError):
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(exc, RuntimeError | TimeoutError | OSError)


def execute(job: Job, kernel_name: str | None = None, retries: int = START_RETRIES):
    """Run the job's template; return (executed notebook, attempts). Retries kernel start failures.

    The kernel's working directory is the template's folder. papermill's own ``cwd`` is not used:
    it changes the whole process's directory, which breaks other threads.
    """
    import papermill

    template = job.template
    kernel_name = kernel_name or default_kernel()
    attempt = 0
    while True:
        attempt += 1
        try:
            nb = papermill.execute_notebook(
                str(template), None, parameters=dict(job.params), kernel_name=kernel_name,
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                start_timeout=120, execution_timeout=CELL_TIMEOUT, report_mode=True,
                resources={"metadata": {"path": str(template.parent)}}, extra_arguments=KERNEL_ARGS,
                shutdown_kernel="immediate",  # every output is in; a graceful shutdown only waits ~0.6 s
            )
            return nb, attempt
        except Exception as exc:
            if attempt > retries or not _is_start_failure(exc):
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            time.sleep(0.5 * attempt)


def failure_message(exc: BaseException) -> str:
    """One Swedish sentence saying why a report failed (the template's own sentence for OjError)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        text = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
        if exc.ename == "OjError":
            return text
        return f"Notebooken stoppade i cell {exc.exec_count} med {exc.ename}: {text[:300]}"
    if isinstance(exc, OjError):
        return str(exc)
    if isinstance(exc, CellTimeoutError):
        return f"En cell tog mer än {CELL_TIMEOUT} sekunder och avbröts."
    tries = getattr(exc, "attempts", 1)
    if isinstance(exc, DeadKernelError):
        return f"Jupyter-kärnan dog under körningen, {tries} gånger (minnet slut?): {exc}."
    if _is_start_failure(exc):
        return f"Jupyter-kärnan gick inte att starta efter {tries} försök ({type(exc).__name__}: {exc})."
    return f"Oväntat fel: {type(exc).__name__}: {exc}"


@dataclass
class Result:
    """What running one job gave: the page (or the reason it failed) and the report's metadata."""

    job: Job
    ok: bool
    page: Path | None = None
    meta: dict = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    attempts: int = 0

    @property
    def size(self) -> int:
        return self.page.stat().st_size if self.page and self.page.exists() else 0


def fallback_metadata(job: Job) -> dict:
    """Metadata from the job itself, for a template that does not publish its own."""
    p = job.params
    meta = {"typ": job.kind, "titel": job.describe(), **{k: v for k, v in p.items() if not isinstance(v, dict)}}
    if p.get("lan"):
        meta["lan_namn"] = geo.lan().set_index("lan_kod").at[p["lan"], "lan_namn"]
    if p.get("kommun"):
        meta["kommun_namn"] = geo.area_names().get(p["kommun"], p["kommun"])
    return meta


def run_job(job: Job, out: Path, kernel_name: str | None = None, index_link: bool = True) -> Result:
    """Execute a job and write its page to ``out`` (a folder, or a ``.html`` path). Never raises."""
    start = time.perf_counter()
    out = Path(out)
    target = out if out.suffix == ".html" else out / f"{job.name or job.slug()}.html"
    try:
        nb, attempts = execute(job, kernel_name)
        meta = read_report_metadata(nb) or fallback_metadata(job)
        meta = {**meta, "mall": job.kind}
        page = render_page(nb, meta, index_link=index_link)
        write_text_atomic(target, page)
    except Exception as exc:
        return Result(job, ok=False, error=failure_message(exc), seconds=time.perf_counter() - start,
                      attempts=getattr(exc, "attempts", 1))
    return Result(job, ok=True, page=target, meta=meta, seconds=time.perf_counter() - start, attempts=attempts)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_jobs(jobs: Iterable[Job], out_dir: Path, workers: int | None = None, kernel_name: str | None = None,
             on_done: Callable[[Result], None] | None = None) -> list[Result]:
    """Run jobs in parallel (threads, one kernel each); results in job order, failures included."""
    jobs = assign_names(list(jobs))
    kernel_name = kernel_name or default_kernel()
    workers = max(1, min(workers or default_workers(), len(jobs) or 1))
    results: dict[int, Result] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="oj-rapport") as pool:
        futures = {pool.submit(run_job, job, out_dir, kernel_name): i for i, job in enumerate(jobs)}
        try:
            for fut in as_completed(futures):
                res = fut.result()
                results[futures[fut]] = res
                if on_done:
                    on_done(res)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [results[i] for i in range(len(jobs))]


# --------------------------------------------------------------------------- HTML export

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

RENDER_FIGURES_JS = """(function () {
  var divs = document.querySelectorAll('div.ojfig');
  if (typeof Plotly === 'undefined') {
    divs.forEach(function (d) {
      d.textContent = 'Figuren kan inte visas: filen plotly.min.js saknas i samma mapp som sidan.';
    });
    return;
  }
  var shared = JSON.parse(document.getElementById('ojlib-mallar').textContent);
  divs.forEach(function (div) {
    var spec = JSON.parse(document.getElementById(div.getAttribute('data-spec')).textContent);
    var layout = spec.layout || {};
    if (spec.mall !== undefined && spec.mall !== null) { layout.template = shared[spec.mall]; }
    var config = Object.assign({responsive: true, displaylogo: false}, spec.config || {});
    Plotly.newPlot(div, spec.data || [], layout, config).then(function (gd) {
      if (window.ojlibOnPlot) { window.ojlibOnPlot(gd, spec); }
    });
  });
})();"""

CSS = """
:root { --text: #1d1d1b; --muted: #5b5b5b; --line: #d9d9d9; --accent: #1f4e79; --warn-bg: #fff3cd;
        --warn: #7a5a00; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--text); margin: 0;
       line-height: 1.5; background: #fff; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1rem; }
nav.topp a { color: var(--accent); text-decoration: none; font-size: .95rem; }
nav.topp a:hover { text-decoration: underline; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: .6rem 0 .4rem; }
h2 { font-size: 1.35rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; }
a { color: var(--accent); }
.exempeldata { background: var(--warn-bg); color: var(--warn); border: 1px solid #e6d28a; border-radius: 4px;
               padding: .45rem .8rem; font-weight: bold; margin: .6rem 0; }
.meta { color: var(--muted); font-size: .92rem; margin: .2rem 0 1rem; }
nav.innehall { font-size: .95rem; margin: .5rem 0 1rem; }
nav.innehall ol { margin: .2rem 0; padding-left: 1.4rem; columns: 2; }
.cell { margin: .6rem 0; }
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
@media print { nav.topp, nav.innehall { display: none; } .ojfig { break-inside: avoid; } }
"""


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


_MD = {}


def markdown(text: str, trusted: bool) -> str:
    """Markdown to HTML. Untrusted text (notebook output built from data) has its raw HTML escaped."""
    import mistune

    if trusted not in _MD:
        _MD[trusted] = mistune.create_markdown(escape=not trusted, plugins=["table", "strikethrough"])
    return _MD[trusted](text)


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class _Page:
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
            outs = [self.output(o) for o in cell.get("outputs", [])]
            outs = [o for o in outs if o]
            if outs:
                self.parts.append('<div class="cell">' + "".join(f'<div class="output">{o}</div>' for o in outs)
                                  + "</div>")


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
        bits.append(f"Datakälla: {meta['datakalla']}")
    if meta.get("data_datum"):
        bits.append(f"Data från: {meta['data_datum']}")
    return " · ".join(html.escape(str(b)) for b in bits)


def omrade_text(value) -> str:
    """An område key (or a list, or "alla") in words."""
    if isinstance(value, list | tuple):
        return ", ".join(omrade_text(v) for v in value)
    return "Alla områden" if value == "alla" else OMRADEN.get(str(value), str(value))


def is_example(meta: dict) -> bool:
    return bool(meta.get("exempeldata")) or meta.get("datakalla") == "exempeldata"


def page_document(title: str, body: str, meta: dict | None = None, templates: list[str] | None = None,
                  index_link: bool = False, has_figures: bool = True, extra_js: str = "") -> str:
    """A complete HTML page: escaped title, the exempeldata mark, and figures from the shared plotly.min.js."""
    from ojlib import __version__

    meta = meta or {}
    parts = ['<!DOCTYPE html>', '<html lang="sv">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f'<meta name="generator" content="ojlib {html.escape(__version__)}">',
             f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style>"]
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
    page = _Page()
    for cell in nb.cells:
        page.cell(cell)
    body, toc, h1 = _number_headings("\n".join(page.parts))
    title = str(meta.get("titel") or (re.sub(r"<[^>]+>", "", html.unescape(h1)) if h1 else "Rapport"))
    if len(toc) >= 3:
        items = "".join(f'<li><a href="#{hid}">{text}</a></li>' for hid, text in toc)
        body = f'<nav class="innehall" aria-label="Innehåll"><strong>Innehåll</strong><ol>{items}</ol></nav>\n{body}'
    return page_document(title, body, meta, page.templates, index_link=index_link, has_figures=page.n_figures > 0)


def read_page_metadata(page: Path) -> dict | None:
    """The report metadata embedded in a page written by ``render_page`` (None for other files)."""
    text = Path(page).read_text(encoding="utf-8", errors="replace")
    m = re.search(rf'<script type="application/json" id="{META_ID}">(.*?)</script>', text, re.DOTALL)
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError:
        return None
