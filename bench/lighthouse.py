"""Lighthouse 13 on the main pages, signed in as the person who uses each, desktop and mobile presets.

Starts the stack (loadtests/stack.py: its own database with the demo organisation and generated tickets, the real
production build), signs in through the login form in Debian's Chromium (a persistent profile, so the session is in
the browser Lighthouse drives), then runs the Lighthouse CLI (npm, installed into .tools/ on first use) against that
browser over its debugging port. Prints a table and, as the last line, one JSON object with
`worst_desktop_cls`, `worst_desktop_tbt_ms`, `worst_mobile_tti_ms`, `min_desktop_score` and every page's figures.

    python bench/lighthouse.py [--runs 1] [--tickets 20000] [--baseline ../older-checkout]

Targets (issue #18): desktop performance >= 0.9, CLS <= 0.05, TBT <= 150 ms on every page; mobile TTI <= 3.5 s on the
portal and ticket pages. Lighthouse's throttling is simulated from a trace, so a busy machine inflates TBT/TTI: run it
on a quiet one, or compare two versions with `--baseline` (a second stack from another checkout, its runs interleaved
with this one's, so both meet the same load; the last line then also holds the baseline's figures under "baseline").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Playwright, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpdesk.runtime.embedded import free_port  # noqa: E402
from loadtests.stack import running_stack  # noqa: E402

LIGHTHOUSE_VERSION = "13.5.0"
LIGHTHOUSE_ATTEMPTS = 3
LIGHTHOUSE = ROOT / ".tools" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DEMO = {
    "requester": ("employee@acme.example.com", "requester-demo-pass"),
    "agent": ("ayesha.khan@acme.example.com", "agent-demo-pass"),
    "manager": ("manager@acme.example.com", "manager-demo-pass"),
}


@dataclass(frozen=True)
class Audit:
    page: str
    role: str | None
    path: str
    presets: tuple[str, ...]


def ensure_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "install", "--prefix", str(ROOT / ".tools"), "--no-audit", "--no-fund",
                        "--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)


@contextmanager
def browser_as(playwright: Playwright, url: str, role: str | None) -> Iterator[int]:
    """Chromium with a debugging port, signed in as `role` (signed out for None); yields the port."""
    port = free_port(9300)
    with tempfile.TemporaryDirectory(prefix="hd-lighthouse-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True,
            args=[f"--remote-debugging-port={port}", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update"])
        try:
            if role is not None:
                email, password = DEMO[role]
                page = context.new_page()
                page.goto(f"{url}/login", wait_until="networkidle")
                # Before hydration the form is a plain HTML form: a click would submit it as a GET to /login.
                page.wait_for_selector("[data-testid=hydrated]", state="attached", timeout=60_000)
                page.fill("#email", email)
                page.fill("#password", password)
                page.click("[data-testid=sign-in]")
                page.wait_for_url(lambda address: "/login" not in address, timeout=60_000)
                page.wait_for_selector("[data-testid=hydrated]", state="attached", timeout=60_000)
                page.close()
            yield port
        finally:
            context.close()


def lighthouse(url: str, port: int, preset: str, out: Path) -> dict[str, float]:
    command = [str(LIGHTHOUSE), url, f"--port={port}", "--only-categories=performance", "--output=json",
               f"--output-path={out}", "--disable-storage-reset", "--quiet", "--max-wait-for-load=60000"]
    if preset == "desktop":
        command.append("--preset=desktop")
    for attempt in range(LIGHTHOUSE_ATTEMPTS):
        # Lighthouse itself sometimes loses the trace of a load ("NO_NAVSTART ... Please run Lighthouse again").
        if subprocess.run(command, timeout=300).returncode == 0:
            break
        print(f"lighthouse failed on {url} ({preset}), attempt {attempt + 1}", file=sys.stderr, flush=True)
    else:
        raise RuntimeError(f"Lighthouse failed {LIGHTHOUSE_ATTEMPTS} times on {url} ({preset})")
    report = json.loads(out.read_text())
    audits = report["audits"]

    def numeric(audit: str) -> float | None:
        value = audits.get(audit, {}).get("numericValue")
        return None if value is None else float(value)

    return {
        "score": report["categories"]["performance"]["score"],
        "cls": numeric("cumulative-layout-shift"),
        "tbt_ms": numeric("total-blocking-time"),
        "tti_ms": numeric("interactive"),
        "lcp_ms": numeric("largest-contentful-paint"),
        "fcp_ms": numeric("first-contentful-paint"),
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    def median(key: str) -> float | None:
        values = [run[key] for run in runs]
        return None if None in values else round(statistics.median(values), 3)

    return {key: median(key) for key in runs[0]}


def audits_on(url: str) -> list[Audit]:
    """The pages to measure on the stack at `url` (the tickets are that stack's own)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        def token(role: str) -> dict[str, str]:
            email, password = DEMO[role]
            response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
            response.raise_for_status()
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        agent_ticket = client.get("/api/v1/tickets", params={"limit": 1}, headers=token("agent")).json()
        own_ticket = client.get("/api/v1/tickets", params={"limit": 1}, headers=token("requester")).json()
    return [
        Audit("login", None, "/login", ("desktop",)),
        Audit("portal", "requester", "/portal", ("desktop", "mobile")),
        Audit("ticket (requester)", "requester", f"/tickets/{own_ticket['items'][0]['id']}", ("mobile",)),
        Audit("queue", "agent", "/queue", ("desktop",)),
        Audit("ticket", "agent", f"/tickets/{agent_ticket['items'][0]['id']}", ("desktop",)),
        # /reports itself only redirects (client-side, which Lighthouse cannot trace): measure the report pages.
        Audit("reports (volume)", "manager", "/reports/volume", ("desktop",)),
        Audit("reports (SLA)", "manager", "/reports/sla", ("desktop",)),
        Audit("reports (resolution times)", "manager", "/reports/times", ("desktop",)),
    ]


def summary(results: dict[str, dict[str, dict[str, float]]]) -> dict[str, object]:
    desktop = [pages["desktop"] for pages in results.values() if "desktop" in pages]
    mobile = [pages["mobile"] for pages in results.values() if "mobile" in pages]
    return {
        "worst_desktop_cls": max((figures["cls"] for figures in desktop), default=None),
        "worst_desktop_tbt_ms": max((figures["tbt_ms"] for figures in desktop), default=None),
        "worst_mobile_tti_ms": max(((figures["tti_ms"] or 0) for figures in mobile), default=None),
        "min_desktop_score": min((figures["score"] for figures in desktop), default=None),
        "pages": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and preset (the median is kept)")
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--pages", default="", help="comma-separated page names to measure (default: all)")
    parser.add_argument("--reports", type=Path, default=ROOT / "test-artifacts" / "lighthouse",
                        help="where the full Lighthouse JSON reports are kept")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout (say, a git worktree of an older commit) measured alongside, its runs "
                             "interleaved with this checkout's: on a busy machine both see the same load")
    args = parser.parse_args()
    ensure_lighthouse()
    args.reports.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stacks:
        targets = {"current": stacks.enter_context(running_stack(tickets=args.tickets)).url}
        if args.baseline is not None:
            targets["baseline"] = stacks.enter_context(running_stack(tickets=args.tickets,
                                                                     server_root=args.baseline.resolve())).url
        audits = {label: audits_on(url) for label, url in targets.items()}
        playwright = stacks.enter_context(sync_playwright())
        results: dict[str, dict[str, dict[str, dict[str, float]]]] = {label: {} for label in targets}
        wanted = {name.strip() for name in args.pages.split(",") if name.strip()}
        for index, audit in enumerate(audits["current"]):
            if wanted and audit.page not in wanted:
                continue
            with ExitStack() as browsers:
                ports = {label: browsers.enter_context(browser_as(playwright, url, audit.role))
                         for label, url in targets.items()}
                for preset in audit.presets:
                    name = audit.page.replace(" ", "-").replace("(", "").replace(")", "")
                    runs: dict[str, list[dict[str, float]]] = {label: [] for label in targets}
                    for n in range(args.runs):
                        for label, url in targets.items():
                            prefix = "" if label == "current" else f"{label}-"
                            runs[label].append(lighthouse(url + audits[label][index].path, ports[label], preset,
                                                          args.reports / f"{prefix}{name}-{preset}-{n}.json"))
                    for label in targets:
                        figures = median_of(runs[label])
                        results[label].setdefault(audit.page, {})[preset] = figures
                        print(f"{audit.page:20} {preset:8} {label:8} score {figures['score']}  CLS {figures['cls']}  "
                              f"TBT {figures['tbt_ms']} ms  TTI {figures['tti_ms']} ms  LCP {figures['lcp_ms']} ms",
                              file=sys.stderr, flush=True)
    output = summary(results["current"])
    if "baseline" in results:
        output["baseline"] = summary(results["baseline"])
    print(json.dumps(output))


if __name__ == "__main__":
    main()
