"""A browser that starts but never answers as a browser should, for tests of ``pdf.Browser``.

Run as a browser (``fake_browser.py --user-data-dir=… …``); ``FAKE_BROWSER`` says how it fails:
``tyst-port`` (its DevTools port takes connections and never answers), ``tyst-ws`` (the page list
answers, the page's websocket never completes its handshake), ``handelser`` (the websocket opens and
sends events forever, never an answer). It starts a helper process in its own process group, as
Chromium does, and writes both process ids to ``FAKE_BROWSER_PIDS``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def listen() -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


def silent(server: socket.socket) -> None:
    held = []
    while True:
        conn, _ = server.accept()
        held.append(conn)  # kept open, never answered


def page_list(server: socket.socket, ws_port: int) -> None:
    while True:
        conn, _ = server.accept()
        conn.recv(65536)
        body = json.dumps([{"type": "page", "webSocketDebuggerUrl": f"ws://127.0.0.1:{ws_port}/devtools/page/1"}])
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                     f"Connection: close\r\n\r\n{body}".encode())
        conn.close()


def chatter(server: socket.socket) -> None:
    while True:
        conn, _ = server.accept()
        request = conn.recv(65536).decode("latin-1")
        key = next(line.split(":", 1)[1].strip() for line in request.split("\r\n")
                   if line.lower().startswith("sec-websocket-key"))
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        event = json.dumps({"method": "Log.entryAdded", "params": {"entry": {"level": "info", "text": "x"}}})
        frame = bytes([0x81, len(event)]) + event.encode() if len(event) < 126 else b""
        while True:
            conn.sendall(frame)
            time.sleep(0.05)


def main() -> None:
    profile = next(a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--user-data-dir="))
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.environ["FAKE_BROWSER_PIDS"], "w") as fh:
        fh.write(f"{os.getpid()} {helper.pid}\n")
    mode = os.environ.get("FAKE_BROWSER", "handelser")
    http = listen()
    if mode == "tyst-port":
        threading.Thread(target=silent, args=(http,), daemon=True).start()
    else:
        ws = listen()
        threading.Thread(target=page_list, args=(http, ws.getsockname()[1]), daemon=True).start()
        threading.Thread(target=silent if mode == "tyst-ws" else chatter, args=(ws,), daemon=True).start()
    with open(os.path.join(profile, "DevToolsActivePort"), "w") as fh:
        fh.write(f"{http.getsockname()[1]}\n/devtools/browser/x\n")
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
