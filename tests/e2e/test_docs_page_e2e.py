"""/docs in a real browser (Debian's Chromium): Swagger UI renders every operation of the
server's own document under its CSP, with no request outside the server and no CSP error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import chromium, guarded_page
from tests.e2e.server import RunningServer

pytestmark = pytest.mark.e2e


def test_the_api_docs_render_offline_under_their_csp(server: RunningServer) -> None:
    with chromium() as browser, guarded_page(browser, server.url) as (page, guard):
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{server.url}/docs/")
        expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
        operations = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/{user_id}/tasks" in text for text in operations), operations
        assert page.locator(".opblock").count() >= 20
    assert guard.foreign == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert any(url.endswith("/openapi.json") for url in guard.seen)
