"""A headless Chromium driven over the DevTools protocol (aiohttp's websocket client: no new
dependency): open a page at a given width, click, read the text, take a screenshot, download."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE, DESKTOP = (390, 900), (1280, 900)
TIMEOUT = 30.0  # seconds for the browser to answer (a busy 2-core machine)


class Browser:
    def __init__(self, process: asyncio.subprocess.Process, http: aiohttp.ClientSession) -> None:
        self.process, self.http = process, http
        self.page: aiohttp.ClientWebSocketResponse | None = None
        self.browser: aiohttp.ClientWebSocketResponse | None = None
        self.events: list[dict[str, Any]] = []
        self.next_id = 0

    @classmethod
    async def start(cls, profile: Path) -> Browser:
        assert CHROMIUM is not None
        process = await asyncio.create_subprocess_exec(
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        browser_url = None
        async with asyncio.timeout(TIMEOUT):
            while browser_url is None:
                line = (await process.stderr.readline()).decode(errors="replace")
                if not line:
                    raise RuntimeError("chromium exited before DevTools listened")
                if found := re.search(r"DevTools listening on (ws://\S+)", line):
                    browser_url = found[1]
        self = cls(process, aiohttp.ClientSession())
        port = re.search(r":(\d+)/", browser_url)
        assert port is not None
        async with self.http.get(f"http://127.0.0.1:{port[1]}/json/list") as response:
            targets = json.loads(await response.text())
        page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        self.page = await self.http.ws_connect(page_url, max_msg_size=0)
        self.browser = await self.http.ws_connect(browser_url, max_msg_size=0)
        await self.send("Page.enable")
        return self

    async def close(self) -> None:
        for ws in (self.page, self.browser):
            if ws is not None:
                await ws.close()
        await self.http.close()
        self.process.terminate()
        await self.process.wait()

    async def send(self, method: str, *, on_browser: bool = False, **params: Any) -> dict[str, Any]:
        ws = self.browser if on_browser else self.page
        assert ws is not None
        self.next_id += 1
        await ws.send_json({"id": self.next_id, "method": method, "params": params})
        async with asyncio.timeout(TIMEOUT):
            while True:
                message = json.loads((await ws.receive()).data)
                if message.get("id") == self.next_id:
                    if "error" in message:
                        raise RuntimeError(f"{method}: {message['error']}")
                    return dict(message.get("result", {}))
                self.events.append(message)

    async def wait_event(self, method: str, *, on_browser: bool = False, **match: Any) -> dict[str, Any]:
        ws = self.browser if on_browser else self.page
        assert ws is not None
        async with asyncio.timeout(TIMEOUT):
            while True:
                for i, event in enumerate(self.events):
                    params = event.get("params", {})
                    if event.get("method") == method and all(params.get(k) == v for k, v in match.items()):
                        del self.events[: i + 1]
                        return dict(params)
                self.events.append(json.loads((await ws.receive()).data))

    async def size(self, width: int, height: int) -> None:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    async def open(self, url: str) -> None:
        self.events.clear()
        await self.send("Page.navigate", url=url)
        await self.wait_event("Page.loadEventFired")

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def click(self, selector: str) -> None:
        """Click the first element matching `selector` and wait for the page it opens."""
        self.events.clear()
        clicked = await self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return false; "
            "e.click(); return true; })()"
        )
        assert clicked, f"nothing matches {selector}"
        await self.wait_event("Page.loadEventFired")

    async def text(self) -> str:
        return str(await self.evaluate("document.body.innerText"))

    async def path(self) -> str:
        return str(await self.evaluate("location.pathname + location.search"))

    async def overflows(self) -> bool:
        """Whether the page is wider than the window (a phone would scroll sideways)."""
        return bool(await self.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))

    async def screenshot(self, path: Path) -> bytes:
        metrics = await self.send("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        width = (await self.evaluate("window.innerWidth")) or size["width"]
        clip = {"x": 0, "y": 0, "width": width, "height": min(size["height"], 5000), "scale": 1}
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
        png = base64.b64decode(shot["data"])
        await asyncio.to_thread(path.write_bytes, png)
        return png

    async def download(self, selector: str, folder: Path) -> Path:
        """Click a download link; the saved file."""
        await self.send(
            "Browser.setDownloadBehavior",
            on_browser=True,
            behavior="allowAndName",
            downloadPath=str(folder),
            eventsEnabled=True,
        )
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        began = await self.wait_event("Browser.downloadWillBegin", on_browser=True)
        await self.wait_event("Browser.downloadProgress", on_browser=True, state="completed")
        return folder / began["guid"]
