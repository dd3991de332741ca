"""Debian's Chromium driven by Playwright (no browser download), kept on the server's origin."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Route, sync_playwright

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "tests" / "node" / "node_modules"
ARTIFACTS = REPO / "var" / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    """Debian's Chromium (``scripts/deb-packages.txt`` installs it)."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise RuntimeError("chromium is not installed: run ./scripts/test.sh (it installs scripts/deb-packages.txt)")
    return found


def node_package_file(relative: str) -> Path:
    """A file of an npm package of tests/node (``npm ci`` there, as scripts/test.sh does)."""
    path = NODE_MODULES / relative
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `npm ci` in tests/node (./scripts/test.sh does)")
    return path


@dataclass
class Guard:
    """Every request the page made, and those it tried outside the server's origin (aborted)."""

    origin: str
    seen: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def __call__(self, route: Route) -> None:
        url = route.request.url
        self.seen.append(url)
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def guarded_page(browser: Browser, origin: str, **options: Any) -> Iterator[tuple[Page, Guard]]:
    """A page in a fresh context (own cookies) whose requests outside ``origin`` are aborted."""
    context = browser.new_context(**options)
    guard = Guard(origin)
    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page, guard
    finally:
        context.close()


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's violations of these impacts on the page as it is now. The script is
    evaluated through the DevTools protocol, which the page's CSP does not govern."""
    page.evaluate(node_package_file("axe-core/axe.min.js").read_text())
    result: dict[str, Any] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
