"""Records the websocket frames a real Chromium exchanges with the server on /queue (for bench/live_latency.py)."""

from __future__ import annotations

from urllib.parse import urlparse


def capture(url: str, session_token: str, settle_seconds: float = 2.5) -> list[tuple[str, str]]:
    """Opens {url}/queue signed in (the `hd_session` cookie, as the login page sets it) and returns every
    websocket frame as ("sent" | "received", text), in order."""
    from playwright.sync_api import sync_playwright

    frames: list[tuple[str, str]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            context = browser.new_context(base_url=url)
            context.add_cookies([{"name": "hd_session", "value": session_token, "domain": urlparse(url).hostname,
                                  "path": "/", "sameSite": "Lax"}])
            page = context.new_page()

            def on_websocket(ws) -> None:  # noqa: ANN001
                ws.on("framesent", lambda payload: frames.append(("sent", str(payload))))
                ws.on("framereceived", lambda payload: frames.append(("received", str(payload))))

            page.on("websocket", on_websocket)
            page.goto("/queue")
            page.wait_for_selector("[data-testid=hydrated]", state="attached", timeout=30000)
            page.wait_for_selector("[data-testid=queue-row]", timeout=30000)
            page.wait_for_timeout(settle_seconds * 1000)
            context.close()
        finally:
            browser.close()
    return frames
