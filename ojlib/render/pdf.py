"""A report page as an A4 PDF, printed by a locally installed Chromium, Chrome or Edge.

The browser is found from an explicit path (``oj rapport --pdf --webblasare …``), the environment
variable ``OJLIB_WEBBLASARE``, the usual program names on PATH, or the usual install paths on
Linux, Windows and macOS. It runs headless with networking off, opens the page as ``file://``,
waits until every figure is drawn and prints over the DevTools protocol (``Page.printToPDF``):
A4 from the page's print CSS (``html_export.page_css``: title, source line, exempeldata mark and
page number in the margins of every page), backgrounds on. The PDF is written atomically beside
the HTML.

Also used to measure a page's height at a given width (``page_height``), for benchmarks, and the one
browser client of the tests (tests/test_browser.py, tests/test_jupyterlab.py): screenshots, console
errors, the requests a page makes, JavaScript that is asked again when the page navigates meanwhile.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from ojlib.base import guard
from ojlib.base.errors import OjError
from ojlib.base.storage import write_bytes_atomic

ENV = "OJLIB_WEBBLASARE"
TIMEOUT_ENV = "OJLIB_WEBBLASARE_TIDSGRANS"  # seconds the browser has for each step (default 60; tests set less)
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "microsoft-edge",
         "microsoft-edge-stable", "msedge")


def _install_paths() -> list[Path]:
    """Where Chromium-family browsers are usually installed on Windows and macOS (and Linux snaps)."""
    out = [Path("/snap/bin/chromium"), Path("/usr/bin/chromium"), Path("/usr/bin/google-chrome"),
           Path("/opt/google/chrome/chrome"), Path("/opt/microsoft/msedge/msedge")]
    for app in ("Google Chrome", "Chromium", "Microsoft Edge"):
        out.append(Path("/Applications") / f"{app}.app" / "Contents" / "MacOS" / app)
        out.append(Path.home() / "Applications" / f"{app}.app" / "Contents" / "MacOS" / app)
    for env in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"):
        base = os.environ.get(env)
        if base:
            out.append(Path(base) / "Google" / "Chrome" / "Application" / "chrome.exe")
            out.append(Path(base) / "Microsoft" / "Edge" / "Application" / "msedge.exe")
            out.append(Path(base) / "Chromium" / "Application" / "chrome.exe")
    return out


MISSING = ("Ingen Chromium, Chrome eller Edge hittades, så ingen PDF skrevs; installera Chromium (t.ex. "
           "`sudo apt install chromium`) eller Google Chrome, eller ange webbläsarens sökväg med --webblasare "
           f"eller miljövariabeln {ENV}.")


def find_browser(given: str | os.PathLike | None = None) -> Path:
    """The browser to print with; OjError (one Swedish sentence on what to install) when there is none."""
    for value, how in ((given, "--webblasare"), (os.environ.get(ENV) or None, ENV)):
        if value:
            path = Path(value).expanduser()
            found = path if path.is_file() else (Path(shutil.which(str(value))) if shutil.which(str(value)) else None)
            if found is None:
                raise OjError(f"Webbläsaren {value} (från {how}) finns inte; ange sökvägen till Chromium, Chrome "
                              "eller Edge.")
            return found
    for name in NAMES:
        hit = shutil.which(name)
        if hit:
            return Path(hit)
    for path in _install_paths():
        if path.is_file():
            return path
    raise OjError(MISSING)


NAVIGATED = ("navigated or closed", "Cannot find context", "Cannot find default execution context",
             "context was destroyed")


class Navigated(RuntimeError):
    """The page was replaced while a DevTools command ran (a click that navigates, a redirect on a loaded
    machine): the command's answer is lost, the new page is there to be asked."""


class Browser:
    """A headless Chromium-family browser with one page, driven over the DevTools protocol.

    Networking is off: requests go to a closed proxy port and no host name resolves. With
    ``local_server`` pages served on 127.0.0.1 stay reachable (a test's JupyterLab); with
    ``watch_network`` every request the page makes is recorded (``requested_urls``, ``failed_loads``)
    and the page is offline as well, for checks that a page reaches nothing. ``window`` is the
    viewport (width, height in CSS pixels) that ``open`` sets unless given another width.
    Console errors and uncaught exceptions are kept for ``console_errors``. Use it in a ``with``
    block: ``close`` ends the browser with its helper processes and removes its temporary profile.

    Pages: ``open`` (a path or a URL; waits for the load and, by default, for every figure),
    ``evaluate`` and ``wait_for`` (JavaScript, asked again if the page navigates meanwhile),
    ``viewport``, ``screenshot``, ``height``, ``print_pdf``; ``send`` for any other DevTools command.
    """

    def __init__(self, executable: str | os.PathLike | None = None, timeout: float | None = None, *,
                 window: tuple[int, int] = (1400, 900), local_server: bool = False, watch_network: bool = False):
        import websocket  # websocket-client

        self.window = self.size = window
        self.watch_network = watch_network
        self.timeout = float(timeout or os.environ.get(TIMEOUT_ENV) or 60)
        program = find_browser(executable)
        self.profile = Path(tempfile.mkdtemp(prefix="ojlib-webblasare-"))
        guard.folder(self.profile)  # removed, and the browser ended, even if this process is killed
        resolve = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" if local_server else "MAP * ~NOTFOUND"
        self.proc = self.ws = None
        own_tmp = self.profile / "tmp"
        own_tmp.mkdir()
        try:
            self.proc = subprocess.Popen(
                [str(program), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                 f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "--remote-allow-origins=*",
                 "--proxy-server=127.0.0.1:9", f"--host-resolver-rules={resolve}",  # loopback bypasses the proxy
                 "--allow-file-access-from-files", f"--window-size={window[0]},{window[1]}", "about:blank"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,  # helpers end with it
                env={**os.environ, "TMPDIR": str(own_tmp)})  # its temporary files go with the profile
            guard.group(self.proc.pid)
            port_file = self.profile / "DevToolsActivePort"
            deadline = time.monotonic() + self.timeout
            while not (port_file.exists() and port_file.read_text().strip()):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise OjError("Webbläsaren startade inte i tid, så ingen PDF skrevs; försök igen eller ange en "
                                  "annan webbläsare med --webblasare.")
                time.sleep(0.1)
            try:
                port = int(port_file.read_text().split()[0])
                left = max(deadline - time.monotonic(), 1.0)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=min(left, 10)) as resp:
                    page = next(t for t in json.load(resp) if t.get("type") == "page")
                left = max(deadline - time.monotonic(), 1.0)
                self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=left,
                                                      suppress_origin=True)
            except (OSError, ValueError, StopIteration, KeyError, TypeError, AttributeError,
                    websocket.WebSocketException) as err:
                raise self._no_answer("sin DevTools-port", err) from None
            self.next_id = 0
            self.events: list[dict] = []
            for domain in ("Page", "Runtime", "Log", *(["Network"] if watch_network else [])):
                self.send(f"{domain}.enable")
            if watch_network:
                self.send("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1,
                          uploadThroughput=-1)
            self.send("Emulation.setFocusEmulationEnabled", enabled=True)  # pages see a focused window
        except BaseException:
            self.close()
            raise

    def _no_answer(self, what: str, err: BaseException | None = None) -> OjError:
        closed = err is not None and not isinstance(err, TimeoutError | socket.timeout) and \
            "timed out" not in str(err).lower()
        how = "stängde förbindelsen" if closed else f"svarade inte inom {self.timeout:.0f} sekunder"
        return OjError(f"Webbläsaren {how} ({what}), så ingen PDF skrevs; försök igen eller ange en annan "
                       "webbläsare med --webblasare.")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, method: str, _seconds: float | None = None, **params):
        """One DevTools command and its result; the events that arrive meanwhile go to ``events``.
        Navigated when the page was replaced while it ran, RuntimeError for any other error, and a
        Swedish sentence (OjError) when the browser has not answered within ``_seconds`` (the
        browser's timeout), however many events it sends meanwhile, or closed the connection."""
        import websocket

        self.next_id += 1
        msg_id = self.next_id
        deadline = time.monotonic() + (_seconds or self.timeout)
        try:
            self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(method)
                self.ws.settimeout(left)
                msg = json.loads(self.ws.recv())
                if msg.get("id") == msg_id:
                    if "error" in msg:
                        text = f"{method}: {msg['error']}"
                        raise Navigated(text) if any(m in text for m in NAVIGATED) else RuntimeError(text)
                    return msg.get("result", {})
                self.events.append(msg)
        except (OSError, ValueError, websocket.WebSocketException) as err:
            if isinstance(err, websocket.WebSocketTimeoutException):
                err = TimeoutError(str(err))
            raise self._no_answer(method, err) from None

    def evaluate(self, expression: str, *, retry: float = 0):
        """The value of a JavaScript expression in the page (promises awaited, returned as JSON).

        If the page navigates while it runs, Navigated is raised (a click that navigates has done its
        job), or, with ``retry`` seconds, the expression is asked again on the new page until then:
        only for expressions that change nothing. A JavaScript error is a RuntimeError."""
        deadline = time.monotonic() + retry
        while True:
            try:
                res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
                if "exceptionDetails" in res:
                    text = f"JavaScript failed: {json.dumps(res['exceptionDetails'])[:800]}"
                    raise Navigated(text) if any(m in text for m in NAVIGATED) else RuntimeError(text)
                return res["result"].get("value")
            except Navigated:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def wait_for(self, expression: str, timeout: float = 30, interval: float = 0.1):
        """Ask the page ``expression`` every ``interval`` seconds (again on the new page if it navigates)
        until its value is truthy; returns that value, or the last (falsy) one after ``timeout``."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except Navigated:
                value = None
            if value:
                return value
            time.sleep(interval)
        return value

    def viewport(self, width: int, height: int | None = None) -> None:
        """Lay the page out ``width`` x ``height`` CSS pixels (height: the window's)."""
        self.size = (width, height or self.window[1])
        self.send("Emulation.setDeviceMetricsOverride", width=self.size[0], height=self.size[1],
                  deviceScaleFactor=1, mobile=False)

    def open(self, page: Path | str, width: int | None = None, timeout: float = 120, figures: bool = True) -> None:
        """Open a local page (a path) or a URL at ``width`` px (the window's width unless given), wait
        for its load event and, with ``figures``, until every figure (div.ojfig) is drawn. Forgets the
        events of the page before (console errors, requests)."""
        url = page if isinstance(page, str) else Path(page).resolve().as_uri()
        self.viewport(width or self.window[0])
        self.events.clear()
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise OjError(f"Sidan {page} laddades inte i tid i webbläsaren; försök igen.")
            with contextlib.suppress(Navigated):
                self.evaluate("1")  # pumps events
            time.sleep(0.05)
        if figures:
            if not self.wait_for(FIGURES_DRAWN, max(deadline - time.monotonic(), 0.1)):
                raise OjError(f"Figurerna i {page} ritades inte i tid i webbläsaren; försök igen.")
            time.sleep(0.2)

    def height(self) -> int:
        return int(self.evaluate("document.documentElement.scrollHeight"))

    def screenshot(self, path: Path, width: int | None = None, full_page: bool = False,
                   max_height: int = 12000) -> Path:
        """A PNG of the page at ``path``: the viewport, or with ``full_page`` the whole page (up to
        ``max_height`` px); at ``width`` px if given. The viewport is as it was afterwards."""
        before = self.size
        if full_page or width:
            height = min(self.height(), max_height) if full_page else before[1]
            self.viewport(width or before[0], height)
            time.sleep(0.3)  # let the page lay itself out (plotly resizes its figures) at the new size
        try:
            data = self.send("Page.captureScreenshot", format="png")["data"]
        finally:
            if self.size != before:
                self.viewport(*before)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def console_errors(self) -> list[str]:
        """Console errors and failed assertions, uncaught exceptions and browser log errors since ``open``."""
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                out.append(json.dumps(p.get("exceptionDetails", {}))[:500])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(p["entry"].get("text", ""))
        return out

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for since ``open`` (needs ``watch_network``)."""
        self._watching()
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def failed_loads(self) -> list[str]:
        """The requests since ``open`` that failed, as JSON (needs ``watch_network``)."""
        self._watching()
        return [json.dumps(e["params"]) for e in self.events if e.get("method") == "Network.loadingFailed"]

    def _watching(self) -> None:
        if not self.watch_network:
            raise RuntimeError("requests are recorded only by Browser(watch_network=True)")

    def print_pdf(self) -> bytes:
        """The open page as an A4 PDF: the page's print CSS sets the paper (A4) and puts the title,
        the exempeldata mark, the source line and the page number in the margins of every page;
        figures are first redrawn at the width of the paper."""
        self.send("Emulation.setEmulatedMedia", media="print")
        try:
            self.evaluate("window.ojlibForPrint ? window.ojlibForPrint(true).then(() => true) : true")
            time.sleep(0.2)
            res = self.send("Page.printToPDF", self.timeout * 3, paperWidth=8.27, paperHeight=11.69,
                            printBackground=True, preferCSSPageSize=True, displayHeaderFooter=False)
        finally:  # the page (and the next one opened) is laid out for the screen again
            self.send("Emulation.setEmulatedMedia", media="")
            self.evaluate("window.ojlibForPrint ? window.ojlibForPrint(false).then(() => true) : true")
        return base64.b64decode(res["data"])

    def close(self) -> None:
        try:
            if self.ws is not None:
                with contextlib.suppress(Exception):  # a browser that no longer answers is ended below
                    self.ws.close(timeout=1)
        finally:
            if self.proc is not None:  # None: the browser did not start
                self._stop(force=False)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._stop(force=True)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.proc.wait(timeout=10)
                self._stop(force=True)  # helpers that outlived the browser (its group) end too
                guard.release_group(self.proc.pid)
            shutil.rmtree(self.profile, ignore_errors=True)
            guard.release_folder(self.profile)

    def _stop(self, force: bool) -> None:
        """End the browser and its helper processes (its own process group; on Windows the browser)."""
        if os.name != "posix":
            if force:
                self.proc.kill()
            else:
                self.proc.terminate()
            return
        with contextlib.suppress(ProcessLookupError):  # the group is gone already
            os.killpg(self.proc.pid, signal.SIGKILL if force else signal.SIGTERM)


FIGURES_DRAWN = ("(() => [...document.querySelectorAll('div.ojfig')]"
                 ".every(d => d.querySelector('.main-svg') || d.textContent.length > 0))()")


def write_pdf(page: Path, browser: Browser | None = None, executable=None) -> Path:
    """Print ``page`` (an HTML report) to ``page.with_suffix('.pdf')``; returns the PDF's path."""
    page = Path(page)
    target = page.with_suffix(".pdf")
    own = browser is None
    browser = browser or Browser(executable)
    try:
        browser.open(page)
        data = browser.print_pdf()
    finally:
        if own:
            browser.close()
    write_bytes_atomic(target, data)
    return target


def write_pdfs(pages: list[Path], executable=None, on_done=None) -> list[Path]:
    """Print several pages with one browser."""
    out = []
    with Browser(executable) as browser:
        for page in pages:
            out.append(write_pdf(page, browser))
            if on_done:
                on_done(page)
    return out


def write_reports(items, options) -> list[Path]:
    """The ``pdf`` format (:mod:`ojlib.render.formats`): each report's page printed beside it, with one browser."""
    on_done = options.on_done
    return write_pdfs([item.page for item in items], options.webblasare,
                      on_done=None if on_done is None else lambda page: on_done(page.with_suffix(".pdf")))


def page_height(page: Path, width: int = 1400, browser: Browser | None = None) -> int:
    """The page's height in CSS pixels at ``width`` px, once its figures are drawn."""
    own = browser is None
    browser = browser or Browser()
    try:
        browser.open(page, width=width)
        return browser.height()
    finally:
        if own:
            browser.close()


def figure_png(fig, executable=None, width: int = 900) -> bytes:
    """A PNG of a plotly figure as a report page draws it (the page's own plotly.min.js, headless
    Chromium, ``width`` px wide unless the figure sets its width): the static copy a notebook keeps
    beside the interactive figure, for an export that cannot run plotly (nbconvert's HTML)."""
    import plotly

    from ojlib.render import html_export

    with tempfile.TemporaryDirectory(prefix="ojlib-figur-") as tmp:
        folder = Path(tmp)
        (folder / html_export.PLOTLY_JS).symlink_to(Path(plotly.__file__).parent / "package_data"
                                                    / html_export.PLOTLY_JS)
        page = html_export.Page()
        body = page.figure({**fig.to_plotly_json(), "config": {"displayModeBar": False}})  # no toolbar
        (folder / "figur.html").write_text(html_export.page_document("Figur", body, {}, page.templates),
                                           encoding="utf-8")
        w = int(fig.layout.width or width)
        with Browser(executable, window=(w + 40, int(fig.layout.height or 450) + 400)) as browser:
            browser.open(folder / "figur.html", width=w + 40)
            box = browser.evaluate("(() => { const r = document.querySelector('.ojfig').getBoundingClientRect();"
                                   " return {x: r.x, y: r.y + scrollY, width: r.width, height: r.height}; })()")
            data = browser.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                clip={**box, "scale": 1})["data"]
    return base64.b64decode(data)
