"""The notebooks in a real JupyterLab, driven in headless Chromium over DevTools (ojlib.render.pdf.Browser).

A temporary copy of the two user notebooks is served by ``jupyter lab --no-browser`` on
127.0.0.1 (a free port, a temporary project home with example data, settings and runtime files
in the temporary folder). Chromium opens 02_utforska, runs all cells, then changes the Län menu,
the indicator and the kommun as a user would (the <select> of each ipywidgets Dropdown), and
after each change waits for the figures inside the notebook to show the new choice. Nothing may
land in JupyterLab's log console (where output from a widget callback goes when it is not
routed to a cell); a control execution outside any cell shows that the check sees the log.
01_introduktion is run the same way and must finish without an error output. In the course's
2_jamfora an exercise is answered wrong and then right, as a learner would, and its check must show
the hint (never the answer) and then "Rätt!".

Screenshots go to test-artifacts/jupyterlab-*.png. With the ``notebook`` package (Notebook 7,
in the dev extra) the same runs in Jupyter Notebook 7 (jupyternotebook-*.png; it has no log
console, so that check is JupyterLab's). The servers, their kernels and Chromium are shut down
at the end and the test checks that none of their processes is left.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from ojlib.render.pdf import Browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "ojlib-test-token"
SLOW = 240  # seconds: kernel start and Run All on a loaded 2-core machine
CHANGE = 30  # seconds allowed for the figures to follow one menu change (measured time is printed)

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.2)
    return [p for p in pids if _alive(p)]


class Lab:
    """``jupyter lab`` on 127.0.0.1 in its own process session, with settings in a temp folder."""

    def __init__(self, folder: Path, home: Path, app: str = "lab"):
        self.app = app  # "lab" (JupyterLab 4) or "notebook" (Jupyter Notebook 7, the same widget code)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = folder / "settings"
        for name, content in {
            "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                              "checkForUpdates": False},
        }.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(content))
        env = {**os.environ, "OJLIB_HOME": str(home), "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
               "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces"), "PYTHONUNBUFFERED": "1"}
        self.log = open(folder / "lab.log", "wb")  # noqa: SIM115 - closed in close()
        cls = "LabApp" if app == "lab" else "JupyterNotebookApp"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab" if app == "lab" else "notebook", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={folder / 'nb'}", f"--{cls}.user_settings_dir={settings}",
             f"--{cls}.workspaces_dir={folder / 'workspaces'}", f"--{cls}.expose_app_in_browser=True",
             "--ServerApp.terminals_enabled=False", *(["--LabApp.news_url="] if app == "lab" else []),
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=folder / "nb", env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SLOW
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={TOKEN}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                tail = Path(self.log.name).read_text(errors="replace")[-2000:]
                raise RuntimeError(f"jupyter lab did not start:\n{tail}")
            time.sleep(0.5)

    def close(self) -> None:
        try:
            req = urllib.request.Request(f"{self.url}/api/shutdown?token={TOKEN}", method="POST", data=b"")
            urllib.request.urlopen(req, timeout=10).close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: the server we started
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        self.log.close()


# --------------------------------------------------------------------------- page helpers (JavaScript)

PANEL = "window.__ojpanel"

OPENED = """(() => { const a = window.jupyterapp; if (!a) return false;
  const w = [...a.shell.widgets('main')].find(x => x.context && x.context.path === %s);
  if (!w) return false;
  if (!a.shell.currentWidget || a.shell.currentWidget.id !== w.id) a.shell.activateById(w.id);
  window.__ojpanel = w;
  const k = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!(k && k.status === 'idle' && w.content.widgets.length && a.shell.currentWidget === w); })()"""

RUN_DONE = f"""(() => {{ const w = {PANEL}; const k = w.sessionContext.session.kernel;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  return k.status === 'idle' && cells.every(c => c.model.executionCount !== null && !c.hasClass('jp-mod-pending'))
     && cells.length; }})()"""

ERRORS = f"""(() => {{ const w = {PANEL}; const out = [];
  for (const c of w.content.widgets) {{ if (c.model.type !== 'code') continue;
    for (const o of c.model.outputs.toJSON()) if (o.output_type === 'error') out.push(o.ename + ': ' + o.evalue); }}
  return out; }})()"""

STATE = """(() => {
  const out = document.querySelector('.jp-Notebook .widget-output');
  const plots = out ? [...out.querySelectorAll('.js-plotly-plot')] : [];
  const ready = plots.filter(p => p.querySelector('.main-svg') && p.layout);
  const text = t => (t || '').replace(/<[^>]+>/g, ' ');
  return {plots: plots.length, drawn: ready.length,
          titles: ready.map(p => text(p.layout.title && p.layout.title.text)),
          bars: ready.length ? (ready[0].data[0].y || []).map(String) : [],
          lines: ready.length > 1 ? ready[1].data.map(t => t.name || '') : [],
          selects: [...document.querySelectorAll('.jp-Notebook .widget-dropdown')].map(b => [
              (b.querySelector('label') || {}).textContent, b.querySelector('select').selectedOptions[0]?.textContent]),
          heading: [...document.querySelectorAll('.jp-Notebook .widget-html-content')]
              .map(e => e.textContent).join(' | '),
          rawWidget: document.querySelector('.jp-Notebook').innerText.includes('VBox(')};
})()"""

CHOOSE = """((label, option) => {
  const box = [...document.querySelectorAll('.jp-Notebook .widget-dropdown')]
      .find(b => (b.querySelector('label') || {}).textContent.trim() === label);
  const sel = box.querySelector('select');
  const i = [...sel.options].findIndex(o => o.textContent.replace(/\\u00a0/g, ' ').trim() === option);
  if (i < 0) return -1;
  sel.selectedIndex = i;
  sel.dispatchEvent(new Event('change', {bubbles: true}));
  return i;
})(%s, %s)"""

LOG_ENTRIES = """(() => {
  const item = document.querySelector('.jp-LogConsoleStatusItem');
  if (!item) return 0;
  const title = [item, ...item.querySelectorAll('[title]')].map(e => e.getAttribute('title') || '').join(' ');
  const m = title.match(/(\\d+) log entr/);
  return m ? Number(m[1]) : (item.textContent.trim() ? Number(item.textContent.trim()) || -1 : 0);
})()"""

KERNEL_PID = f"""new Promise(resolve => {{
  const k = {PANEL}.sessionContext.session.kernel;
  const f = k.requestExecute({{code: "import os\\nprint(os.getpid())"}});
  let pid = null;
  f.onIOPub = msg => {{ if (msg.header.msg_type === 'stream') pid = Number(msg.content.text.trim()); }};
  f.done.then(() => resolve(pid));
}})"""

# A control cell added at the end: a button whose callback displays something, the way the old
# explorer drew its figures. JupyterLab sends that output to the log console.
CONTROL_CODE = """import ipywidgets as w
from IPython.display import display
kontroll = w.Button(description="Kontroll")
kontroll.on_click(lambda _b: display("kontroll: utdata från en widget-callback"))
display(kontroll)"""

ADD_CONTROL = f"""(async () => {{ const nb = {PANEL}.content;
  nb.activeCellIndex = nb.widgets.length - 1;
  await jupyterapp.commands.execute('notebook:insert-cell-below');
  nb.activeCell.model.sharedModel.setSource(%s);
  await jupyterapp.commands.execute('notebook:run-cell');
  return true; }})()"""

CLICK_CONTROL = """(() => { const b = [...document.querySelectorAll('.jp-Notebook button')]
  .find(x => x.textContent.includes('Kontroll')); if (!b) return false; b.click(); return true; })()"""

LOG_HTML = "(document.querySelector('.jp-LogConsoleStatusItem') || {outerHTML: 'no status item'}).outerHTML"

SCROLL_TO_EXPLORER = """(() => { const o = document.querySelector('.jp-Notebook .widget-output');
  const cell = o && o.closest('.jp-Cell'); if (cell) cell.scrollIntoView({block: 'start'}); return !!cell; })()"""


def _open(browser: Browser, lab: Lab, name: str) -> None:
    where = "lab/tree" if lab.app == "lab" else "notebooks"
    browser.open(f"{lab.url}/{where}/{name}?token={TOKEN}", timeout=SLOW, figures=False)
    assert browser.wait_for(OPENED % json.dumps(name), SLOW), f"{name} did not open with a running kernel"


def _run_all(browser: Browser) -> None:
    browser.evaluate("jupyterapp.commands.execute('notebook:run-all-cells').then(() => true)")
    time.sleep(1.0)
    assert browser.wait_for(RUN_DONE, SLOW), "Run All did not finish"


def _change(browser: Browser, label: str, option: str, done: str) -> tuple[dict, float]:
    """Choose ``option`` in the menu ``label`` and wait until ``done`` (JS on the state) holds."""
    start = time.monotonic()
    assert browser.evaluate(CHOOSE % (json.dumps(label), json.dumps(option))) >= 0, f"{option} not in {label}"
    check = f"(() => {{ const s = {STATE}; return ({done}) ? s : null; }})()"
    state = browser.wait_for(check, CHANGE)
    seconds = time.monotonic() - start
    assert state, f"after choosing {option} in {label} the figures did not follow: {browser.evaluate(STATE)}"
    return state, seconds


def _apps() -> list:
    apps = ["lab"]
    try:
        import notebook

        if int(notebook.__version__.split(".")[0]) >= 7:
            apps.append("notebook")
    except ImportError:
        pass
    return apps


@pytest.fixture(scope="module", params=_apps())
def lab_session(chromium, example_home, request):
    folder = Path(tempfile.mkdtemp(prefix="ojlib-lab-"))
    (folder / "nb").mkdir()
    for name in ("01_introduktion.ipynb", "02_utforska.ipynb", "kurs/2_jamfora.ipynb"):
        shutil.copy(ROOT / "notebooks" / name, folder / "nb" / Path(name).name)
    try:
        lab = Lab(folder, example_home, request.param)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:  # networking off but for the server on 127.0.0.1
        browser = Browser(chromium, timeout=120, window=(1400, 2600), local_server=True)
    except Exception:
        lab.close()
        raise
    kernels: list[int] = []
    try:
        yield lab, browser, kernels
    finally:
        browser.close()
        lab.close()
        left = _wait_gone([browser.proc.pid, lab.proc.pid, *kernels], 60)
        shutil.rmtree(folder, ignore_errors=True)
        assert left == [], f"processes left after shutdown: {left}"


def test_explorer_follows_its_menus_in_jupyterlab(lab_session):
    lab, browser, kernels = lab_session
    _open(browser, lab, "02_utforska.ipynb")
    # As saved (by `make notebooks`, without a browser): the default figures and the Swedish hint.
    saved = browser.wait_for(f"""(() => {{ const n = {PANEL}.content.node;
        const drawn = n.querySelectorAll('.js-plotly-plot .main-svg').length;
        return drawn >= 3 ? {{drawn: drawn, text: n.innerText}} : null; }})()""", 60)
    assert saved, "the saved notebook shows no figures before it is run"
    assert "Kör alla celler" in saved["text"] and "VBox(" not in saved["text"]
    assert "Error displaying widget" not in saved["text"]
    browser.screenshot(ARTIFACTS / f"jupyter{lab.app}-utforska-sparad.png")
    _run_all(browser)
    assert browser.evaluate(ERRORS) == []
    state = browser.wait_for(f"(() => {{ const s = {STATE}; return s.drawn === 3 ? s : null; }})()", SLOW)
    assert state, f"the explorer's three figures were not drawn: {browser.evaluate(STATE)}"
    assert not state["rawWidget"]
    assert "Jönköpings län" in state["titles"][0] and "missbruk" in state["titles"][0]
    assert "<b>Jönköping</b>" in state["bars"] or "Jönköping" in state["bars"]
    assert browser.evaluate(LOG_ENTRIES) == 0
    browser.evaluate(SCROLL_TO_EXPLORER)
    time.sleep(1.0)
    browser.screenshot(ARTIFACTS / f"jupyter{lab.app}-utforska-fore.png")

    timings = {}
    kalmar, t = _change(browser, "Län", "Kalmar län",
                        "s.drawn === 3 && s.titles[0].includes('Kalmar län') && s.titles[2].includes('Kalmar län')"
                        " && s.bars.includes('Nybro') && !s.bars.includes('Vetlanda')")
    timings["Län"] = t
    assert any(name.startswith("Kalmar län") for name in kalmar["lines"])

    stod, t = _change(browser, "Indikator", "Stödprogram för närstående (U35519)",
                      "s.drawn === 3 && s.titles.every(x => x.includes('Stödprogram för närstående – missbruk'))"
                      " && s.titles[2].includes('Kalmar län')")
    timings["Indikator"] = t

    _, t = _change(browser, "Kommun", "Nybro",
                   "s.drawn === 3 && s.bars.includes('<b>Nybro</b>') && s.lines.some(n => n.startsWith('Nybro'))"
                   " && s.lines.some(n => n.startsWith('Kommungrupp')) && s.titles[0].includes('Stödprogram')")
    timings["Kommun"] = t
    state = browser.evaluate(STATE)
    menus = {label: text.replace("\u00a0", " ") for label, text in state["selects"]}
    assert menus["Län"] == "Kalmar län" and menus["Kommun"] == "Nybro"
    assert menus["Indikator"] == "Stödprogram för närstående (U35519)"
    assert "Kalmar län" in state["heading"] and "Nybro" in state["heading"]
    browser.evaluate(SCROLL_TO_EXPLORER)
    time.sleep(1.0)
    browser.screenshot(ARTIFACTS / f"jupyter{lab.app}-utforska-efter.png")
    print(f"{lab.app}: seconds from menu change to redrawn figures in Chromium:",
          {k: round(v, 2) for k, v in timings.items()})

    assert browser.evaluate(LOG_ENTRIES) == 0, "output went to JupyterLab's log console"
    assert browser.evaluate(ERRORS) == []
    pid = browser.evaluate(KERNEL_PID)
    assert isinstance(pid, int) and pid > 0
    kernels.append(pid)
    # Control: output from a widget callback (the old explorer's way) does land in the log console.
    if lab.app != "lab":
        return  # Notebook 7 has no log console; the routing is JupyterLab's, checked above in Lab
    browser.evaluate(ADD_CONTROL % json.dumps(CONTROL_CODE))
    assert browser.wait_for(CLICK_CONTROL, SLOW), "the control button was not shown"
    assert browser.wait_for(f"{LOG_ENTRIES} > 0", 30), ("the log-console check cannot see log entries: " +
                                                        browser.evaluate(LOG_HTML))


def test_teaching_notebook_runs_in_jupyterlab(lab_session):
    lab, browser, kernels = lab_session
    _open(browser, lab, "01_introduktion.ipynb")
    _run_all(browser)
    assert browser.evaluate(ERRORS) == []
    drawn = browser.wait_for(f"{PANEL}.content.node.querySelectorAll('.js-plotly-plot .main-svg').length", 60)
    assert drawn, "the teaching notebook's figure was not drawn"
    text = browser.evaluate(f"{PANEL}.content.node.innerText")
    assert "Placering i länet" in text and "värde_text" not in text.split("Övning")[0]
    browser.screenshot(ARTIFACTS / f"jupyter{lab.app}-introduktion.png")
    pid = browser.evaluate(KERNEL_PID)
    if isinstance(pid, int) and pid > 0:
        kernels.append(pid)


EXERCISE_CELL = """((ovning, code) => { const nb = window.__ojpanel.content;
  const i = nb.widgets.findIndex(c => c.model.type === 'code'
      && c.model.sharedModel.getSource().includes('kontrollera("' + ovning + '"'));
  if (i < 0) return -1;
  nb.activeCellIndex = i;
  if (code !== null) nb.widgets[i].model.sharedModel.setSource(code);
  return i; })(%s, %s)"""

CELL_OUTPUT = """((i) => { const o = window.__ojpanel.content.widgets[i].node.querySelector('.jp-OutputArea');
  return o ? o.innerText : ''; })(%d)"""

SHOW_EXERCISE = """((i) => { const nb = window.__ojpanel.content; const q = nb.widgets[Math.max(i - 2, 0)];
  q.node.scrollIntoView({block: 'start'}); return true; })(%d)"""  # the question (and what led to it) shows too


def _answer(browser: Browser, ovning: str, answer: str, expect: str) -> str:
    """Write ``svar = answer`` in the exercise's cell, run the cell, and wait for ``expect`` in its output."""
    code = f'svar = "{answer}"\n\nkontrollera("{ovning}", svar)'
    i = browser.evaluate(EXERCISE_CELL % (json.dumps(ovning), json.dumps(code)))
    assert i >= 0, f"no cell checks exercise {ovning}"
    browser.evaluate("jupyterapp.commands.execute('notebook:run-cell').then(() => true)")
    said = f"(() => {{ const t = {CELL_OUTPUT % i}; return t.includes({json.dumps(expect)}) ? t : null; }})()"
    text = browser.wait_for(said, CHANGE)
    assert text, f"exercise {ovning} did not say {expect!r}: {browser.evaluate(CELL_OUTPUT % i)!r}"
    browser.evaluate(SHOW_EXERCISE % i)
    time.sleep(0.5)
    return text


def test_course_exercise_gives_its_feedback_in_jupyterlab(lab_session, example_home, monkeypatch):
    from ojlib.render import kurs

    lab, browser, kernels = lab_session
    monkeypatch.setenv("OJLIB_HOME", str(example_home))  # the data the lab's kernel works on
    kurs._DATA.clear()
    kurs._FACIT.clear()
    right = float(kurs.facit("2a"))
    _open(browser, lab, "2_jamfora.ipynb")
    _run_all(browser)
    assert browser.evaluate(ERRORS) == []
    i = browser.evaluate(EXERCISE_CELL % (json.dumps("2a"), "null"))
    assert "Inte besvarad än" in browser.evaluate(CELL_OUTPUT % i)

    wrong = f"{right + 4:.2f}".replace(".", ",")  # a learner's answer with a decimal comma
    text = _answer(browser, "2a", wrong, "Inte rätt än")
    assert "Tips:" in text and "ovägt medel" in text
    for form in {f"{right:.{d}f}" for d in (1, 2)} | {f"{right:.{d}f}".replace(".", ",") for d in (1, 2)}:
        assert form not in text, f"the hint gives away the answer {form}"
    browser.screenshot(ARTIFACTS / f"jupyter{lab.app}-kurs-ovning-fel.png")

    text = _answer(browser, "2a", f"{right:.2f}".replace(".", ","), "Rätt!")
    assert "Inte rätt" not in text
    browser.screenshot(ARTIFACTS / f"jupyter{lab.app}-kurs-ovning-ratt.png")
    assert browser.evaluate(ERRORS) == []
    pid = browser.evaluate(KERNEL_PID)
    if isinstance(pid, int) and pid > 0:
        kernels.append(pid)
