"""Open a page in headless Chromium and collect what a person (and its console) would see.

Talks the DevTools protocol over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out,
NUL-terminated JSON), so it needs no websocket client and no network port. Used by
tests/test_html_browser.py (whose real-report test writes docs/report-screenshot.png
under ``make screenshot``), and by hand to take a picture of any page::

    python tests/browser.py report.html page.png 1500
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageResult:
    console: list[dict[str, Any]] = field(default_factory=list)  # Runtime.consoleAPICalled
    exceptions: list[dict[str, Any]] = field(default_factory=list)  # Runtime.exceptionThrown
    log: list[dict[str, Any]] = field(default_factory=list)  # Log.entryAdded (CSP, failed loads)
    dialogs: list[str] = field(default_factory=list)  # alert()/confirm() opened
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    values: dict[str, Any] = field(default_factory=dict)  # results of the probe expressions
    screenshot: bytes | None = None

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, error log entries, dialogs."""
        out = [
            f"console.{c.get('type')}: "
            + " ".join(str(a.get("value", a.get("description"))) for a in c.get("args", []))
            for c in self.console
        ]
        out += [f"exception: {e.get('exceptionDetails', {}).get('text')}" for e in self.exceptions]
        out += [
            f"log {e['entry'].get('level')}: {e['entry'].get('text')}"
            for e in self.log
            if e.get("entry", {}).get("level") in ("error", "warning")
        ]
        out += [f"dialog: {d}" for d in self.dialogs]
        return out


class Chromium:
    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="preflight-chromium-")
        # Chromium's own log (dbus noise included), quoted when it dies on us.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the browser; closed in close()
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Chromium reads commands on fd 3 and answers on fd 4: a tiny Python trampoline
        # moves our pipe ends there and execs it (dash cannot redirect fds above 9).
        trampoline = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        args = [executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", trampoline, str(to_child_r), str(from_child_w), *args],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError, RuntimeError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._stderr.close()
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- protocol ------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    self._stderr.seek(0)
                    tail = self._stderr.read().decode(errors="replace").strip().splitlines()[-5:]
                    raise RuntimeError(f"chromium exited (code {self.proc.poll()}): " + " | ".join(tail))
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._events.append(reply)

    def wait_for(self, method: str, deadline: float) -> dict[str, Any]:
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method:
                    return self._events.pop(i)
            self._events.append(self._next_event(deadline))

    def _next_event(self, deadline: float) -> dict[str, Any]:
        event = self._read_message(deadline)
        if event.get("method") == "Page.javascriptDialogOpening":
            # An alert() blocks the page until answered; record it and dismiss it.
            self.send("Page.handleJavaScriptDialog", {"accept": False}, session=event.get("sessionId"))
        return event

    # ---- one page ------------------------------------------------------------------
    def open(
        self,
        url: str,
        *,
        width: int = 1280,
        probes: dict[str, str] | None = None,
        screenshot: bool = False,
        max_height: int | None = None,
        settle: float = 0.3,
    ) -> PageResult:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self._events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + self.timeout
        self.wait_for("Page.loadEventFired", deadline)
        # Late console messages (a deferred handler) still arrive within this window.
        end = time.monotonic() + settle
        while time.monotonic() < end:
            try:
                self._events.append(self._next_event(end))
            except TimeoutError:
                break
        result = PageResult()
        for probe, expression in (probes or {}).items():
            value = self.send(
                "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
            )
            result.values[probe] = value.get("result", {}).get("value")
        if screenshot:
            metrics = self.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            height = int(size["height"]) if max_height is None else min(int(size["height"]), max_height)
            self.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
            shot = self.send(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "clip": clip},
                session=session,
            )
            result.screenshot = base64.b64decode(shot["data"])
        for event in self._events:
            method = event.get("method")
            params = event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                result.console.append(params)
            elif method == "Runtime.exceptionThrown":
                result.exceptions.append(params)
            elif method == "Log.entryAdded":
                result.log.append(params)
            elif method == "Page.javascriptDialogOpening":
                result.dialogs.append(str(params.get("message")))
            elif method == "Network.requestWillBeSent":
                result.requests.append(str(params.get("request", {}).get("url")))
        self._events.clear()
        self.send("Target.closeTarget", {"targetId": target})
        return result


def main(argv: list[str]) -> int:
    """``REPORT.html OUT.png [MAX_HEIGHT]``: screenshot a page; exit 1 on console problems."""
    if len(argv) not in (2, 3):
        print("usage: python tests/browser.py REPORT.html OUT.png [MAX_HEIGHT]", file=sys.stderr)
        return 2
    exe = find_chromium()
    if exe is None:
        print("chromium is not installed (make browser)", file=sys.stderr)
        return 2
    with Chromium(exe) as browser:
        max_height = int(argv[2]) if len(argv) == 3 else None
        page = browser.open(Path(argv[0]).resolve().as_uri(), screenshot=True, max_height=max_height)
    for problem in page.problems():
        print(problem, file=sys.stderr)
    assert page.screenshot is not None
    Path(argv[1]).write_bytes(page.screenshot)
    return 1 if page.problems() else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
