"""A long-lived Jupyter kernel that runs many parameterised notebooks, one after another.

Starting a kernel and importing pandas, plotly and ojlib costs about half of a report. A
``PooledKernel`` pays that once and then runs job after job through papermill (so every executed
notebook records its parameters exactly as ``papermill`` does), with isolation between jobs:

- before each job the user namespace is emptied (``%reset -f``), every ``ojlib`` module that a
  previous job changed is restored from a snapshot taken at start, the working directory is set
  to the template's folder and the execution counter starts at 1 again (so outputs equal those
  of a fresh kernel);
- after a job that failed or timed out, or a kernel that died, the kernel is restarted before
  the next job (``restart``), so a broken interpreter never carries over;
- after the reset, what survives (modules, the batch's shared tables) is moved out of the cyclic
  garbage collector's reach (``gc.freeze``): a full collection then scans only what the next job
  makes, not pandas' and plotly's whole heap (about 0.2 s less per job); every 25 jobs the heap
  is unfrozen and collected in full, so nothing accumulates.

The template is read and checked once per batch (``template_notebook``) and papermill's own steps
(parameterize, run, raise on errors) are called without writing the executed notebook anywhere,
which the batch never needed (papermill serialises it even with no output path).

All calls on one ``PooledKernel`` must come from one thread (its asyncio loop lives there);
``reports.run_jobs`` gives each worker thread its own kernel.
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
from pathlib import Path

from jupyter_core.utils import ensure_event_loop

ENGINE = "ojlib-pool"
# Imported once per kernel: what the templates use.
WARM_IMPORTS = ("pandas", "plotly.graph_objects", "IPython.display", "ojlib.render.notebook", "ojlib.report.request",
                "ojlib.analysis.colours", "ojlib.render.figures", "ojlib.render.tables", "ojlib.analysis.summary",
                "ojlib.data.shared")

# Runs in the kernel once after start: warm imports, a watchdog that ends the kernel if the
# process that started it disappears (kill -9 of `oj rapporter`), the reset function and the
# bundling of a cell's displays (bundle_displays).
_SETUP_CODE = """
def __ojlib_pool_setup(parent_pid, imports):
    import importlib, os, sys, threading, time
    for name in imports:
        try:
            importlib.import_module(name)
        except Exception:
            pass

    import gc
    gc.collect()
    gc.freeze()  # the imports stay: full collections in the jobs skip them

    def watchdog():
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watchdog, name="ojlib-watchdog", daemon=True).start()
    snapshot = {n: (m, dict(vars(m))) for n, m in list(sys.modules.items())
                if m is not None and (n == "ojlib" or n.startswith("ojlib."))}

    def reset(cwd, full):
        import gc
        shell = get_ipython()
        if full:
            gc.unfreeze()
        shell.run_line_magic("reset", "-f")  # collects the garbage of the last job
        for name, (module, saved) in snapshot.items():
            sys.modules[name] = module
            current = vars(module)
            if current.keys() != saved.keys() or any(current[k] is not v for k, v in saved.items()):
                current.clear()
                current.update(saved)
        os.chdir(cwd)
        shell.execution_count = 1
        gc.freeze()

    get_ipython()._ojlib_reset = reset
    from ojlib.publish.kernels import bundle_displays
    bundle_displays(get_ipython())

__ojlib_pool_setup(%(pid)d, %(imports)r)
del __ojlib_pool_setup
"""


FULL_COLLECT_EVERY = 25  # jobs between full garbage collections in a kernel (see the module's notes)

_templates: dict[Path, tuple[tuple[int, int], object]] = {}
_templates_lock = threading.Lock()


def template_notebook(path: Path):
    """A fresh copy of the template as papermill loads it (outputs left out), read once per batch.

    The file is read again when its size or modification time changes.
    """
    from papermill.iorw import load_notebook_node

    path = Path(path)
    st = path.stat()
    key = (st.st_mtime_ns, st.st_size)
    with _templates_lock:
        cached = _templates.get(path)
        if cached is None or cached[0] != key:
            nb = load_notebook_node(str(path))
            for cell in nb.cells:  # every cell runs again: stored outputs would only be copied per job
                if cell.cell_type == "code":
                    cell.outputs = []
                    cell.execution_count = None
            cached = _templates[path] = (key, nb)
    return copy.deepcopy(cached[1])


def execute_papermill(template: Path, parameters: dict, kernel_name: str, report_mode: bool = True,
                      **engine_kwargs):
    """``papermill.execute_notebook(template, None, ...)`` with the template from the cache and
    without serialising the result: papermill's own parameterize, metadata and error steps.

    The one place that calls papermill's module functions below ``execute_notebook``: its public
    entry reads the template from disk on every job (or, given a notebook object, records that
    object as the input path in the page's metadata); a batch keeps the parsed template instead.
    """
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.parameterize import parameterize_notebook

    nb = template_notebook(template)
    if parameters:
        nb = parameterize_notebook(nb, dict(parameters), report_mode, kernel_name=kernel_name,
                                   engine_name=ENGINE)
    nb = prepare_notebook_metadata(nb, str(template), None, report_mode)
    nb = remove_error_markers(nb)
    nb = papermill_engines.execute_notebook_with_engine(
        ENGINE, nb, kernel_name=kernel_name, input_path=str(template), output_path=None, **engine_kwargs)
    raise_for_execution_errors(nb, None)
    return nb


# A batch kernel's cell sends its display outputs as one message of this type (bundle_displays); the
# pool's client makes them the outputs they were (PoolClient.output). Never in a saved notebook.
BUNDLE_MIMETYPE = "application/vnd.ojlib.displays+json"


def bundle_displays(shell) -> bool:
    """In a batch kernel (run there by the pool's setup code): the display outputs of a cell leave the
    kernel as one message instead of one each (a kommun profile page shows about a hundred; each message
    costs ``oj rapporter`` its own decoding, signature check and event-loop turns, whatever its size).

    A display is held back until something else is sent: another kind of output (a stream's text, an
    execute result, a clear_output, a display with a display id, which stay messages of their own and
    are sent after what was held, so the order is the cell's), the end of the cell, or a display of
    another cell. One held display is sent as it is; two or more as one ``display_data`` whose only
    data is ``BUNDLE_MIMETYPE`` (a list of each display's data and metadata), under the first one's
    header. A cell that raises sends its error before what it held (the job fails; its outputs are not
    kept). Uses ipykernel's public hooks (``register_hook`` of the display publisher and display hook)
    and IPython's cell events; returns False, and changes nothing, where those are missing."""
    import sys

    pub, hook_of_results = shell.display_pub, shell.displayhook
    if not all(hasattr(x, "register_hook") for x in (pub, hook_of_results)) or not hasattr(pub, "session"):
        return False
    held: list[dict] = []
    lock = threading.RLock()

    def send() -> None:
        with lock:
            if not held:
                return
            msg = held[0]
            if len(held) > 1:
                msg["content"] = {"data": {BUNDLE_MIMETYPE: [{"data": m["content"]["data"],
                                                              "metadata": m["content"]["metadata"]} for m in held],
                                           "text/plain": ""}, "metadata": {}, "transient": {}}
            held.clear()
            pub.session.send(pub.pub_socket, msg, ident=pub.topic)

    def hook(msg: dict):
        plain = msg["msg_type"] == "display_data" and not (msg["content"].get("transient") or {}).get("display_id")
        with lock:
            if held and (not plain or held[0]["parent_header"].get("msg_id") != msg["parent_header"].get("msg_id")):
                send()
            if plain:
                held.append(msg)
                return None
        return msg

    def written_first(write):
        def write_after_held(*args, **kwargs):
            if held:
                send()
            return write(*args, **kwargs)
        write_after_held.sends_held = True
        return write_after_held

    def after_cell(result) -> None:
        send()

    def before_cell(info) -> None:
        send()
        # a stream's text goes out after what was held: its write sends that first. IPython wraps the
        # streams' write for each cell the same way (InteractiveShell._tee) and puts the original back
        # after it, which takes this wrapper away too: it is put on again before every cell.
        for stream in (sys.stdout, sys.stderr):
            if not getattr(stream.write, "sends_held", False):
                stream.write = written_first(stream.write)

    pub.register_hook(hook)
    hook_of_results.register_hook(hook)
    shell.events.register("pre_run_cell", before_cell)
    shell.events.register("post_run_cell", after_cell)
    return True


class KernelCodeError(RuntimeError):
    """Setup or reset code failed inside the kernel (the kernel is then restarted)."""


_DISPLAY = ("display_data", "execute_result")


def _register_engine() -> None:
    from nbformat import NotebookNode
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class PoolClient(PapermillNotebookClient):
        """papermill's client, taking a display output from its message as it is.

        nbclient's ``output`` turns each output into a ``NotebookNode`` (nbformat's ``new_output``):
        every dict of a figure's JSON copied into a node, twice, and the output checked against the
        notebook schema. In a batch the executed notebook is never written as a file, only rendered
        (``html_export``, which reads plain dicts); for the plotly figures of a page that was most of
        what this process spent per page. Outputs are still nodes at their top (papermill reads
        ``output.output_type``); their ``data`` and ``metadata`` hold the message's own dicts.
        Other messages, output widgets' hooks, pending clears and display ids go to nbclient as before.
        A cell's displays bundled in one message by the kernel (``bundle_displays``) are taken one by one,
        as if each had come on its own.
        """

        def output(self, outs, msg, display_id, cell_index):
            kind = msg["msg_type"]
            if kind == "display_data" and BUNDLE_MIMETYPE in msg["content"]["data"]:  # see bundle_displays
                out = None
                for item in msg["content"]["data"][BUNDLE_MIMETYPE]:
                    one = {**msg, "content": {"data": item["data"], "metadata": item["metadata"], "transient": {}}}
                    out = self.output(outs, one, None, cell_index)
                return out
            if kind not in _DISPLAY or display_id or self.clear_before_next_output \
                    or self.output_hook_stack[msg["parent_header"].get("msg_id")]:
                return super().output(outs, msg, display_id, cell_index)
            content = msg["content"]
            out = NotebookNode(output_type=kind, metadata=NotebookNode(content["metadata"]),
                               data=NotebookNode(content["data"]))
            if kind == "execute_result":
                out["execution_count"] = content["execution_count"]
            outs.append(out)
            return out

    class PoolEngine(NBClientEngine):
        """papermill's nbclient engine on a kernel that is already running (``km``/``kc`` given)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     km=None, kc=None, **kwargs):
            kwargs.pop("input_path", None)  # papermill passes it; the client has no such option
            client = PoolClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file, **kwargs)
            client.kc = kc
            return client.execute(cleanup_kc=False)

    papermill_engines.register(ENGINE, PoolEngine)  # a dict entry: registering again replaces it


class PooledKernel:
    """One kernel, reused for many jobs; restarted after a failure. Use from one thread only."""

    def __init__(self, kernel_name: str, cwd: Path, extra_arguments: list[str] | None = None,
                 start_timeout: int = 120):
        self.kernel_name = kernel_name
        self.cwd = Path(cwd)
        # no history database: the execution counter restarts at 1 for every job
        self.extra_arguments = [*(extra_arguments or []), "--HistoryManager.enabled=False"]
        self.start_timeout = start_timeout
        self.km = None
        self.kc = None
        self.jobs_run = 0  # since the last (re)start
        self.needs_restart = False
        self.starts = 0

    # ---------------------------------------------------------------- lifecycle
    def _run(self, coro):
        return ensure_event_loop().run_until_complete(coro)

    def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        _register_engine()
        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        env = {**os.environ, "OJLIB_BATCH": "1"}
        self._run(self.km.start_kernel(extra_arguments=self.extra_arguments, cwd=str(self.cwd), env=env))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self._run(self.kc.wait_for_ready(timeout=self.start_timeout))
            self.run_code(_SETUP_CODE % {"pid": os.getpid(), "imports": WARM_IMPORTS}, timeout=self.start_timeout)
        except BaseException:
            self.shutdown()
            raise
        self.starts += 1
        self.jobs_run = 0
        self.needs_restart = False

    def shutdown(self) -> None:
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):  # already gone
                self._run(self.km.shutdown_kernel(now=True))
        self.km = self.kc = None

    def restart(self) -> None:
        self.shutdown()
        self.start()

    @property
    def alive(self) -> bool:
        return self.km is not None and bool(self._run(self.km.is_alive()))

    @property
    def pid(self) -> int | None:
        prov = getattr(self.km, "provisioner", None)
        proc = getattr(prov, "process", None)
        return getattr(proc, "pid", None)

    # ---------------------------------------------------------------- running code
    def run_code(self, code: str, timeout: float = 60) -> None:
        """Run code silently in the kernel; KernelCodeError if it raised."""
        async def go():
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            while True:
                reply = await self.kc.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply

        reply = self._run(go())
        if reply["content"].get("status") != "ok":
            c = reply["content"]
            raise KernelCodeError(f"{c.get('ename')}: {c.get('evalue')}")

    def reset(self, cwd: Path) -> None:
        full = self.jobs_run > 0 and self.jobs_run % FULL_COLLECT_EVERY == 0
        self.run_code(f"get_ipython()._ojlib_reset({str(cwd)!r}, {full!r})")

    def execute(self, template: Path, parameters: dict, execution_timeout: int, report_mode: bool = True):
        """Run the template with papermill on this kernel; the executed notebook (raises like papermill)."""
        if self.km is None or self.needs_restart or not self.alive:
            self.restart()
        try:
            self.reset(template.parent)
        except Exception:
            self.restart()
            self.reset(template.parent)
        self.jobs_run += 1
        try:
            return execute_papermill(
                template, parameters, self.kernel_name, report_mode=report_mode, km=self.km, kc=self.kc,
                progress_bar=False, log_output=False, start_timeout=self.start_timeout,
                execution_timeout=execution_timeout, stdout_file=None, stderr_file=None)
        except BaseException:
            # a failing cell, a timeout or a dead kernel: the next job gets a fresh interpreter
            self.needs_restart = True
            raise
