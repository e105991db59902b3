"""Reused kernels (ojlib.publish.kernels): isolation between jobs, restart after a failure or a timeout,
and outputs equal to a fresh kernel's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError
from papermill.exceptions import PapermillExecutionError

from ojlib.publish import kernels, reports
from ojlib.publish.kernels import PooledKernel
from ojlib.render import figures, html_export

ROOT = Path(__file__).resolve().parents[1]


def _template(folder: Path, name: str, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("lan = '06'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def kernel():
    k = PooledKernel(reports.default_kernel(), ROOT / "notebooks", reports.KERNEL_ARGS)
    k.start()
    yield k
    k.shutdown()


def _text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_a_job_sees_nothing_of_the_previous_job_in_the_same_kernel(kernel, tmp_path):
    setter = _template(tmp_path, "setter", "leftover = lan * 2\nimport os\nos.environ['OJ_T'] = '1'\nprint('set')")
    checker = _template(tmp_path, "checker", "print('leftover' in globals(), lan)")
    nb = kernel.execute(setter, {"lan": "07"}, execution_timeout=60)
    assert "set" in _text(nb)
    pid = kernel.pid
    nb = kernel.execute(checker, {"lan": "08"}, execution_timeout=60)
    assert _text(nb).strip() == "False 08"
    assert kernel.pid == pid  # the same kernel, reused
    # papermill's parameter record is in the executed notebook, as with the papermill CLI
    assert nb.metadata.papermill.parameters == {"lan": "08"}
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_a_module_changed_by_a_job_is_restored_for_the_next(kernel, tmp_path):
    breaker = _template(tmp_path, "breaker",
                        "import ojlib.data.geo\nojlib.data.geo.lan = None\nojlib.data.geo.extra = 1")
    checker = _template(tmp_path, "checker",
                        "import ojlib.data.geo\nprint(callable(ojlib.data.geo.lan), hasattr(ojlib.data.geo, 'extra'))")
    kernel.execute(breaker, {}, execution_timeout=60)
    pid = kernel.pid
    nb = kernel.execute(checker, {}, execution_timeout=60)
    assert _text(nb).strip() == "True False"
    assert kernel.pid == pid


def test_a_failing_job_restarts_the_kernel_before_the_next(kernel, tmp_path):
    failing = _template(tmp_path, "failing",
                        "import ojlib.data.geo\nojlib.data.geo.lan = None\nleftover = 1\nraise ValueError('trasig')")
    checker = _template(tmp_path, "checker",
                        "import ojlib.data.geo\nprint('leftover' in globals(), callable(ojlib.data.geo.lan))")
    pid = kernel.pid
    with pytest.raises(PapermillExecutionError, match="trasig"):
        kernel.execute(failing, {}, execution_timeout=60)
    nb = kernel.execute(checker, {}, execution_timeout=60)
    assert _text(nb).strip() == "False True"
    assert kernel.pid != pid and kernel.starts == 2


def test_a_timeout_restarts_the_kernel(kernel, tmp_path):
    slow = _template(tmp_path, "slow", "import time\nstuck = 1\ntime.sleep(60)")
    checker = _template(tmp_path, "checker", "print('stuck' in globals())")
    pid = kernel.pid
    with pytest.raises(CellTimeoutError):
        kernel.execute(slow, {}, execution_timeout=3)
    nb = kernel.execute(checker, {}, execution_timeout=60)
    assert _text(nb).strip() == "False"
    assert kernel.pid != pid


def _comparable(nb) -> list:
    """Cells with their outputs and execution counts, without timings."""
    out = []
    for cell in nb.cells:
        outputs = [{k: v for k, v in o.items() if k != "metadata"} for o in cell.get("outputs", [])]
        out.append((cell.cell_type, cell.source, cell.get("execution_count"), outputs))
    return out


def test_reused_kernel_outputs_equal_a_fresh_kernels(kernel):
    template = ROOT / "notebooks" / "lansanalys.ipynb"
    params = {"lan": "06", "omrade": "missbruk"}
    fresh = kernel.execute(template, params, execution_timeout=300)
    kernel.execute(template, {"lan": "25", "omrade": "barn_och_unga"}, execution_timeout=300)
    pid = kernel.pid
    reused = kernel.execute(template, params, execution_timeout=300)
    assert kernel.pid == pid and kernel.starts == 1
    assert _comparable(reused) == _comparable(fresh)
    assert reused.metadata.papermill.parameters == fresh.metadata.papermill.parameters == params


def test_run_jobs_isolates_an_injected_failure_on_a_shared_kernel(tmp_path):
    ok = _template(tmp_path, "ok", "print(lan)")
    bad = _template(tmp_path, "bad", "raise RuntimeError('avsiktligt fel')")
    jobs = [reports.Job(mall=str(ok), params={"lan": "01"}), reports.Job(mall=str(bad), params={"lan": "02"}),
            reports.Job(mall=str(ok), params={"lan": "03"})]
    before = _kernel_children()
    results = reports.run_jobs(jobs, tmp_path / "ut", workers=1)
    assert [r.ok for r in results] == [True, False, True]
    assert "RuntimeError" in results[1].error
    assert _kernel_children() == before  # no kernel outlives the batch


def _kernel_children() -> set[int]:
    """Live ipykernel processes started by this test process."""
    me, out = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmd = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == me and fields[0] != "Z" and b"ipykernel" in cmd:
            out.add(int(stat.parent.name))
    return out


def _pooled_equals_fresh(kernel, tmp_path, name, body):
    """Runs a one-cell template in the pool's kernel and in papermill's own fresh kernel; the outputs must agree."""
    template = _template(tmp_path, name, body)
    fresh, _ = reports.execute(reports.Job(mall=str(template), params={"lan": "07"}), reports.default_kernel())
    pooled = kernel.execute(template, {"lan": "07"}, execution_timeout=60)
    assert _comparable(pooled) == _comparable(fresh)
    return pooled


def test_a_reused_kernels_outputs_equal_papermills_own(kernel, tmp_path):
    """The pool's client keeps a display output's data as the message brought it (no schema check, no copy
    into nodes): the outputs equal papermill's own (nbformat's nodes), for every kind of output."""
    body = ("from IPython.display import display, Markdown\n"
            "display({'application/vnd.plotly.v1+json': {'data': [{'x': [1, 2], 'y': [3.5, None]}], "
            "'layout': {'meta': {'rutnat': True}}}, 'text/plain': ''}, raw=True)\n"
            "display(Markdown('**fet** text'))\n"
            "h = display({'text/plain': 'först'}, raw=True, display_id=True)\n"
            "h.update({'text/plain': 'sedan'}, raw=True)\n"
            "print('ut')\n"
            "{'a': [1, {'b': 2}]}")
    pooled = _pooled_equals_fresh(kernel, tmp_path, "outputs", body)
    kinds = [o["output_type"] for o in pooled.cells[-1].outputs]
    assert kinds == ["display_data", "display_data", "display_data", "stream", "execute_result"]
    assert pooled.cells[-1].outputs[0].output_type == "display_data"  # papermill reads outputs as nodes
    assert pooled.cells[-1].outputs[2]["data"] == {"text/plain": "sedan"}  # the display id's update applied


def test_a_batch_kernel_sends_a_cells_displays_as_one_message_in_the_cells_order(kernel, tmp_path):
    """The pool's kernel holds a cell's displays back and sends them as one message (kernels.bundle_displays);
    a stream's text, a clear_output, a display with an id and the execute result go out after what was held,
    so the outputs are the cell's, in its order, equal to papermill's own (a fresh kernel, one message each)."""
    body = ("from IPython.display import display, Markdown, clear_output\n"
            "display({'text/plain': 'rensas bort'}, raw=True)\n"
            "clear_output(wait=True)\n"
            "for i in range(3):\n"
            "    display({'text/plain': f'visning {i}'}, raw=True)\n"
            "print('text mellan')\n"
            "display(Markdown('**efter** texten'))\n"
            "display({'text/html': '<b>sista</b>', 'text/plain': 'sista'}, raw=True, metadata={'m': 1})\n"
            "h = display({'text/plain': 'med id'}, raw=True, display_id=True)\n"
            "display({'text/plain': 'före resultatet'}, raw=True)\n"
            "'resultatet'")
    pooled = _pooled_equals_fresh(kernel, tmp_path, "visningar", body)
    texts = [o.get("text") or o["data"].get("text/plain") for o in pooled.cells[-1].outputs]
    assert texts == ["visning 0", "visning 1", "visning 2", "text mellan\n", "<IPython.core.display.Markdown object>",
                     "sista", "med id", "före resultatet", "'resultatet'"]

    # what the kernel sends: the three displays before the print as one message of three, the two after it as
    # one, the display with an id and the one after it each alone (the id's goes out before it)
    msg_id = kernel.kc.execute(body.split("clear_output(wait=True)\n")[1])
    displays = []
    while True:
        msg = kernel._run(kernel.kc.get_iopub_msg(timeout=30))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] in ("display_data", "stream"):
            data = msg["content"].get("data", {})
            displays.append(len(data[kernels.BUNDLE_MIMETYPE]) if kernels.BUNDLE_MIMETYPE in data else msg["msg_type"])
    assert displays == [3, "stream", 2, "display_data", "display_data"]


def test_side_work_runs_once_between_jobs_and_its_error_changes_nothing(tmp_path):
    ok = _template(tmp_path, "ok", "print(lan)")
    jobs = [reports.Job(mall=str(ok), params={"lan": lan}) for lan in ("01", "03", "04")]
    ran = []

    def side():
        ran.append(1)
        raise RuntimeError("fel i förberedelsen")

    results = reports.run_jobs(jobs, tmp_path / "ut", workers=2, side_work=(1.0, side))
    assert [r.ok for r in results] == [True, True, True] and ran == [1]
    assert len(list((tmp_path / "ut").glob("*.html"))) == 3


def test_side_work_goes_where_the_jobs_after_it_cost_as_much():
    lan = [reports.Job(mall="lansanalys", params={"lan": f"{n:02d}"}) for n in range(3)]
    profiles = [reports.Job(mall="kommunprofil", params={"kommun": k}) for k in ("0180", "0181", "0182", "0183")]
    jobs = [*profiles, *lan]
    order = reports._order(jobs, 3.0)
    side = order.index(reports.SIDE_WORK)
    assert [jobs[i].mall for i in order[:side]] == ["lansanalys"] * 3 + ["kommunprofil"]
    assert sum(reports.expected_cost(jobs[i]) for i in order[side + 1:]) == 3.0
    assert reports._order(jobs[:1], 5.0)[0] == reports.SIDE_WORK  # a batch smaller than the work: it goes first
    assert reports.SIDE_WORK not in reports._order(jobs, None)


def test_a_batch_kernels_figures_name_ojlibs_template_and_the_page_is_the_same(kernel, tmp_path):
    """A batch kernel sends ojlib's figure template (the same in every figure) as its name, and a figure
    with another template as it is; the page's export puts ojlib's back: the page equals, byte for byte,
    the page of the same figures holding their templates (a fresh kernel's, papermill's own)."""
    body = ("import plotly.graph_objects as go\n"
            "from ojlib.render import figures, notebook\n"
            "notebook.setup()\n"
            "go.Figure(go.Bar(x=[1, 2], y=[3.5, 4]), layout={'template': figures.TEMPLATE}).show()\n"
            "go.Figure(go.Bar(x=[2, 1], y=[1, 2]), layout={'template': 'plotly_white'}).show()\n"
            "go.Figure(go.Scatter(x=[1], y=[2]), layout={'template': figures.TEMPLATE, 'height': 300}).show()")
    template = _template(tmp_path, "figurer", body)
    pooled = kernel.execute(template, {"lan": "07"}, execution_timeout=60)
    figs = [o["data"][html_export.PLOTLY_MIMETYPE] for o in pooled.cells[-1].outputs]
    assert [f["layout"]["template"] for f in figs][::2] == [figures.TEMPLATE_NAME] * 2
    assert figs[1]["layout"]["template"]["layout"]["font"]  # plotly_white, kept whole
    fresh, _ = reports.execute(reports.Job(mall=str(template), params={"lan": "07"}), reports.default_kernel())
    whole = [o["data"][html_export.PLOTLY_MIMETYPE] for o in fresh.cells[-1].outputs]
    assert whole[0]["layout"]["template"] == whole[2]["layout"]["template"] == figures.template_json()
    page = html_export.render_page(pooled, {"titel": "Test"})
    assert page == html_export.render_page(fresh, {"titel": "Test"})
    shared = json.loads(html_export._SHARED_RE.search(page).group(1))
    assert figures.template_json() in shared and len(shared) == 2  # ojlib's and plotly_white, once each
