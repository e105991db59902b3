"""A report page as an A4 PDF, printed by a locally installed Chromium, Chrome or Edge.

The browser is found from an explicit path (``oj rapport --pdf --webblasare …``), the environment
variable ``OJLIB_WEBBLASARE``, the usual program names on PATH, or the usual install paths on
Linux, Windows and macOS. It runs headless with networking off, opens the page as ``file://``,
waits until every figure is drawn and prints over the DevTools protocol (``Page.printToPDF``):
A4 from the page's print CSS (``html_export.page_css``: title, source line, exempeldata mark and
page number in the margins of every page), backgrounds on. The PDF is written atomically beside
the HTML.

Also used to measure a page's height at a given width (``page_height``), for benchmarks.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from ojlib.errors import OjError
from ojlib.storage import write_bytes_atomic

ENV = "OJLIB_WEBBLASARE"
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


class Browser:
    """A headless Chromium-family browser with one page, driven over the DevTools protocol."""

    def __init__(self, executable: str | os.PathLike | None = None, timeout: float = 60):
        import websocket  # websocket-client

        self.profile = Path(tempfile.mkdtemp(prefix="ojlib-webblasare-"))
        self.proc = subprocess.Popen(
            [str(find_browser(executable)), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "--remote-allow-origins=*",
             "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
             "--allow-file-access-from-files", "--window-size=1400,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ws = None
        try:
            port_file = self.profile / "DevToolsActivePort"
            deadline = time.monotonic() + timeout
            while not (port_file.exists() and port_file.read_text().strip()):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise OjError("Webbläsaren startade inte i tid, så ingen PDF skrevs; försök igen eller ange en "
                                  "annan webbläsare med --webblasare.")
                time.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
                page = next(t for t in json.load(resp) if t.get("type") == "page")
            self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout,
                                                  suppress_origin=True)
        except BaseException:
            self.close()
            raise
        self.next_id = 0
        self.events: list[dict] = []
        self.send("Page.enable")
        self.send("Runtime.enable")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, method: str, **params):
        self.next_id += 1
        msg_id = self.next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def evaluate(self, expression: str):
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JavaScript failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def open(self, page: Path, width: int = 1400, timeout: float = 120) -> None:
        """Open a local page at ``width`` px and wait until it has loaded and every figure is drawn."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
        self.events.clear()
        self.send("Page.navigate", url=Path(page).resolve().as_uri())
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise OjError(f"Sidan {page} laddades inte i tid i webbläsaren; försök igen.")
            self.evaluate("1")  # pumps events
            time.sleep(0.05)
        while not self.evaluate(FIGURES_DRAWN):
            if time.monotonic() > deadline:
                raise OjError(f"Figurerna i {page} ritades inte i tid i webbläsaren; försök igen.")
            time.sleep(0.1)
        time.sleep(0.2)

    def height(self) -> int:
        return int(self.evaluate("document.documentElement.scrollHeight"))

    def print_pdf(self) -> bytes:
        """The open page as an A4 PDF: the page's print CSS sets the paper (A4) and puts the title,
        the exempeldata mark, the source line and the page number in the margins of every page;
        figures are first redrawn at the width of the paper."""
        self.send("Emulation.setEmulatedMedia", media="print")
        self.evaluate("window.ojlibForPrint ? window.ojlibForPrint(true).then(() => true) : true")
        time.sleep(0.2)
        res = self.send("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=True,
                        preferCSSPageSize=True, displayHeaderFooter=False)
        return base64.b64decode(res["data"])

    def close(self) -> None:
        try:
            if self.ws is not None:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


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
