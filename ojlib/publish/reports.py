"""One report: run a notebook template with papermill and export it as a static HTML page.

A *job* is a template plus parameters (a request read by :mod:`ojlib.report.request` from CLI
options or a YAML file in ``params/``). Running
it executes the notebook in a fresh kernel (retrying a kernel that fails to start) and turns
the executed notebook into one HTML page with :mod:`ojlib.render.html_export`. ``run_jobs`` runs many
jobs in parallel threads (one kernel each) and isolates failures.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_incrementing

from ojlib.base import paths
from ojlib.base.errors import DEBUG_ENV, OjError, reason
from ojlib.base.storage import write_text_atomic
from ojlib.data import geo
from ojlib.publish.kernels import PooledKernel
from ojlib.render import html_export
from ojlib.render.notebook import read_report_metadata
from ojlib.report import request
from ojlib.report.request import Request
from ojlib.report.templates import skip_iri_grammar, template_parameters

TEMPLATES = {"lansanalys": "lansanalys.ipynb", "kommunprofil": "kommunprofil.ipynb"}
TYPE_TEXT = {"lansanalys": "Länsanalys", "kommunprofil": "Kommunprofil"}
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
    defaults: dict = field(default_factory=dict)  # a custom template's own område, for names only
    request: Request | None = None  # the checked request, for ojlib's templates

    def _naming(self) -> dict:
        return {**self.defaults, **self.params}

    @property
    def template(self) -> Path:
        known = self.mall in TEMPLATES
        path = paths.notebooks_dir() / TEMPLATES[self.mall] if known else Path(self.mall).expanduser()
        if not path.exists():
            raise OjError(f"Notebookmallen {path} finns inte; ange lansanalys, kommunprofil eller en sökväg till "
                          "en .ipynb-fil.")
        if not path.is_file() or path.suffix.lower() != ".ipynb":
            raise OjError(f"Notebookmallen {path} är inte en .ipynb-fil; ange lansanalys, kommunprofil eller en "
                          "sökväg till en notebook.")
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


def make_job(values: dict) -> Job:
    """A job from a parameter set (a file's with the options on top).

    For ojlib's templates (``mall`` lansanalys, or kommunprofil when a kommun is given) the set is
    read and checked as one request (:func:`ojlib.report.request.parse`) and the job carries it; a
    custom template (``mall`` a path) gets the values as its parameters, checked by :func:`prepare`.
    """
    mall = values.get("mall")
    if mall in (None, "") or str(mall).strip() in TEMPLATES:
        req = request.parse(values)
        return Job(mall=req.mall, params=req.template_parameters(), request=req)
    return Job(mall=str(mall), params=request.custom_parameters(values))


def prepare(job: Job, known: dict | None = None) -> Job:
    """Catch a custom template's mistakes before a kernel starts (ojlib's templates' requests are
    checked when the job is made): unknown parameters, a missing comment file, a source without data."""
    if job.request is not None:
        return job
    known = template_parameters(job.template) if known is None else known
    job.defaults = {k: known[k] for k in ("omrade", "omraden") if k in known and k not in job.params and known[k]}
    request.check_custom(job.params, known, job.template)
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
    return _start_retried(lambda: papermill.execute_notebook(
        str(template), None, parameters=dict(job.params), kernel_name=kernel_name,
        progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        start_timeout=120, execution_timeout=CELL_TIMEOUT, report_mode=True,
        resources={"metadata": {"path": str(template.parent)}}, extra_arguments=KERNEL_ARGS,
        shutdown_kernel="immediate",  # every output is in; a graceful shutdown only waits ~0.6 s
    ), retries)


def _start_retried(run, retries: int = START_RETRIES):
    """``run()`` and how many attempts it took: again, after a short pause, when the kernel did not
    start (not when a cell failed). The exception that ends it carries ``attempts`` for the message."""
    retrying = Retrying(stop=stop_after_attempt(retries + 1), wait=wait_incrementing(start=0.5, increment=0.5),
                        retry=retry_if_exception(_is_start_failure), reraise=True)
    try:
        for attempt in retrying:
            with attempt:
                result = run()
    except Exception as exc:
        exc.attempts = retrying.statistics.get("attempt_number", 1)  # type: ignore[attr-defined]
        raise
    return result, retrying.statistics["attempt_number"]


def failure_message(exc: BaseException, timeout: int | None = None) -> str:
    """One Swedish sentence saying why a report failed (the template's own sentence for OjError)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        text = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
        if exc.ename == "OjError":
            return text
        return (f"Notebooken stoppade i cell {exc.exec_count} på ett oväntat fel ({exc.ename}); öppna mallen "
                "i Jupyter med samma parametrar för att se detaljerna.")
    if isinstance(exc, OjError):
        return str(exc)
    if isinstance(exc, CellTimeoutError):
        return f"En cell tog mer än {timeout or CELL_TIMEOUT} sekunder och avbröts; kärnan startades om."
    tries = getattr(exc, "attempts", 1)
    if isinstance(exc, DeadKernelError):
        return f"Jupyter-kärnan dog under körningen, {tries} gånger (minnet slut?)."
    if _is_start_failure(exc):
        return f"Jupyter-kärnan gick inte att starta efter {tries} försök ({reason(exc)})."
    if os.environ.get(DEBUG_ENV):
        return f"Ett oväntat fel inträffade: {type(exc).__name__}: {exc}"
    return f"Ett oväntat fel inträffade ({type(exc).__name__}); kör igen med {DEBUG_ENV}=1 för detaljer."


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


def _execute_pooled(job: Job, kernel, timeout: int):
    """Run the job on a reused kernel (see ``ojlib.publish.kernels``), restarting a kernel that will not start."""
    return _start_retried(lambda: kernel.execute(job.template, job.params, execution_timeout=timeout))


def run_job(job: Job, out: Path, kernel_name: str | None = None, index_link: bool = True, kernel=None,
            timeout: int | None = None) -> Result:
    """Execute a job and write its page to ``out`` (a folder, or a ``.html`` path). Never raises.

    With ``kernel`` (a ``kernels.PooledKernel``) the job runs on that reused kernel; otherwise in
    a fresh one.
    """
    start = time.perf_counter()
    out = Path(out)
    target = out if out.suffix == ".html" else out / f"{job.name or job.slug()}.html"
    timeout = timeout or CELL_TIMEOUT
    try:
        if kernel is not None:
            nb, attempts = _execute_pooled(job, kernel, timeout)
        else:
            nb, attempts = execute(job, kernel_name)
        meta = read_report_metadata(nb) or fallback_metadata(job)
        meta = {**meta, "mall": job.kind}
        if out.suffix == ".html":  # one file: the whole report in it
            page, unit_page = html_export.render_page(nb, meta, index_link=index_link), None
        else:  # a site: the units chapter on a page of its own beside the report's
            page, unit_page = html_export.render_site_pages(nb, meta, target.name)
        if unit_page is not None:
            meta = {**meta, "enheter_sida": html_export.part_page_name(target.name)}
            write_text_atomic(out / meta["enheter_sida"], unit_page)
        write_text_atomic(target, page)
    except Exception as exc:
        return Result(job, ok=False, error=failure_message(exc, timeout), seconds=time.perf_counter() - start,
                      attempts=getattr(exc, "attempts", 1))
    return Result(job, ok=True, page=target, meta=meta, seconds=time.perf_counter() - start, attempts=attempts)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# Relative cost of a report by template, for the order of a batch: a län report has about three
# times a kommun profile's figures and tables. Unknown templates count as län reports.
JOB_COST = {"lansanalys": 3.0, "kommunprofil": 1.0}


def expected_cost(job: Job) -> float:
    return JOB_COST.get(job.kind, 3.0)


SIDE_WORK = -1  # the queue's item for ``run_jobs``'s ``side_work``


def _order(jobs: list[Job], side_cost: float | None) -> list[int]:
    """The order a batch's workers take its jobs: longest first (the last jobs of the batch, when a worker may
    idle, are short), and the side work (``SIDE_WORK``, of ``side_cost``) where the jobs after it cost at least
    as much, so the other workers' kernels stay busy while it runs; at the start in a batch smaller than it."""
    order = sorted(range(len(jobs)), key=lambda i: expected_cost(jobs[i]), reverse=True)
    if side_cost is None:
        return order
    after, at = 0.0, len(order)
    while at > 0 and after < side_cost:
        at -= 1
        after += expected_cost(jobs[order[at]])
    return [*order[:at], SIDE_WORK, *order[at:]]


def run_jobs(jobs: Iterable[Job], out_dir: Path, workers: int | None = None, kernel_name: str | None = None,
             on_done: Callable[[Result], None] | None = None, timeout: int | None = None,
             side_work: tuple[float, Callable[[], object]] | None = None) -> list[Result]:
    """Run jobs on a pool of reused kernels (one per worker thread); results in job order, failures included.

    Each worker starts one kernel and runs job after job on it (``ojlib.publish.kernels``): a clean
    namespace per job, a restart after a failure or a timeout. Long jobs (län reports) go first.
    Kernels are shut down at the end, also when the batch is interrupted.

    ``side_work`` (its expected cost in ``JOB_COST`` units, a function): work of this process that a
    worker does between two jobs, near the end of the batch (see ``_order``), while the other
    workers' kernels run the last jobs: the site's dashboard data and index map, which would
    otherwise run after the batch with a core idle. It only fills caches: an error in it is left
    for the step that needs the result to meet and report.
    """
    import queue
    import threading

    skip_iri_grammar()

    jobs = assign_names(list(jobs))
    kernel_name = kernel_name or default_kernel()
    items = _order(jobs, side_work[0] if side_work else None)
    workers = max(1, min(workers or default_workers(), len(items) or 1))
    todo: queue.Queue = queue.Queue()
    for i in items:
        todo.put(i)
    results: dict[int, Result] = {}
    done_q: queue.Queue = queue.Queue()
    stop = threading.Event()

    def worker() -> None:
        kernel = None
        try:
            while not stop.is_set():
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                if i == SIDE_WORK:
                    with contextlib.suppress(Exception):  # met again, and reported, where its result is needed
                        side_work[1]()
                    continue
                job = jobs[i]
                if kernel is None:
                    kernel = PooledKernel(kernel_name, job.template.parent, KERNEL_ARGS)
                done_q.put((i, run_job(job, out_dir, kernel_name, kernel=kernel, timeout=timeout)))
        except BaseException as exc:  # pragma: no cover - reported by the main thread
            done_q.put((None, exc))
        finally:
            if kernel is not None:
                kernel.shutdown()

    threads = [threading.Thread(target=worker, name=f"oj-rapport-{n}", daemon=True) for n in range(workers)]
    for t in threads:
        t.start()
    try:
        while len(results) < len(jobs):
            try:
                i, res = done_q.get(timeout=0.5)
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and done_q.empty():
                    break
                continue
            if i is None:
                raise res
            results[i] = res
            if on_done:
                on_done(res)
    except BaseException:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        raise
    for t in threads:
        t.join()
    missing = [i for i in range(len(jobs)) if i not in results]
    for i in missing:  # pragma: no cover - a worker died without reporting
        results[i] = Result(jobs[i], ok=False, error="Rapporten kördes inte (arbetstråden avbröts).")
    return [results[i] for i in range(len(jobs))]
