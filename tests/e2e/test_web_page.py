"""The web page in a real browser (Debian's Chromium driven by Playwright) against the real
server on PostgreSQL: a user's walk from sign-up to a task changed by chat, back after a
reload, signed out, and a second user who sees none of it; no request leaves the server's
origin; no serious accessibility violation; screenshots at phone and desktop widths."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import ARTIFACTS, axe_violations, chromium, guarded_page
from tests.e2e.server import RunningServer

pytestmark = pytest.mark.e2e
ZONE = "Pacific/Auckland"  # far from UTC: "tomorrow" must be the browser's tomorrow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def _sign_up(page: Page, name: str) -> str:
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_role("button", name="Create an account").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#app")).to_be_visible()
    return email


def _show(page: Page, which: str) -> None:
    page.get_by_role("radio", name=which).check()


def test_a_user_manages_tasks_by_chat_and_a_second_user_sees_none_of_it(
    browser: Browser, server: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).date().isoformat()
    with guarded_page(browser, server.url, timezone_id=ZONE, viewport={"width": 1280, "height": 800}) as (page, guard):
        page.goto(server.url)
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert axe_violations(page) == []
        email = _sign_up(page, "Ada")

        box = page.get_by_label("Message to the assistant")
        box.fill("remind me to call the dentist tomorrow")
        box.press("Enter")
        expect(page.locator(".message.assistant").last).to_contain_text("Call the dentist")
        expect(page.locator(".message.tool").first).to_contain_text("add task")
        task = page.locator("#task-list .task", has_text="Call the dentist")
        expect(task.locator("time")).to_have_attribute("datetime", tomorrow)
        expect(task.locator("time")).to_have_text("due tomorrow")
        expect(page.get_by_role("listitem").filter(has_text="remind me to call the dentist")).to_have_count(
            2
        )  # message, conversation
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "signed-in-1280.png", full_page=True)
        page.set_viewport_size({"width": 375, "height": 812})
        page.screenshot(path=ARTIFACTS / "signed-in-375.png", full_page=True)
        with capsys.disabled():
            print(f"\n    screenshots of the signed-in page (375 and 1280 px): {ARTIFACTS}")
        assert axe_violations(page) == []
        page.set_viewport_size({"width": 1280, "height": 800})

        task.get_by_role("checkbox").check()
        expect(task).to_have_count(0)  # gone from "pending"
        page.reload()
        expect(page.locator("#app")).to_be_visible()  # still signed in
        _show(page, "Done")
        done = page.locator("#task-list .task", has_text="Call the dentist")
        expect(done.get_by_role("checkbox")).to_be_checked()

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.reload()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # the session was revoked

        _sign_up(page, "Grace")
        _show(page, "All")
        expect(page.locator("#tasks-empty")).to_be_visible()
        expect(page.locator("#task-list .task")).to_have_count(0)
        expect(page.locator("#conversation-list li")).to_have_count(0)
        assert guard.foreign == []
        assert any(url.endswith("/api/auth/token") or "/api/auth/get-session" in url for url in guard.seen)
    logs = server.logs()
    assert email not in logs and "Call the dentist" not in logs  # no e-mail or task text in logs


def test_the_page_edits_deletes_with_undo_and_adds_tasks(browser: Browser, server: RunningServer) -> None:
    with guarded_page(browser, server.url, timezone_id=ZONE) as (page, guard):
        page.goto(server.url)
        _sign_up(page, "Edsger")
        page.get_by_label("New task").fill("Write the report")
        page.get_by_label("Due date").fill("2020-01-31")
        page.get_by_label("New task").press("Enter")
        task = page.locator("#task-list .task", has_text="Write the report")
        expect(task.locator("time")).to_have_class("due overdue")
        expect(task.locator("time")).to_contain_text("overdue")

        task.get_by_role("button", name="Edit").click()
        field = page.get_by_label("Task title")
        field.fill("Write the final report")
        field.press("Enter")
        renamed = page.locator("#task-list .task", has_text="Write the final report")
        expect(renamed).to_have_count(1)

        renamed.get_by_role("button", name="Delete").click()
        expect(renamed).to_have_count(0)
        page.get_by_role("button", name="Undo").click()
        expect(renamed).to_have_count(1)
        assert guard.foreign == []


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (503, {"status": 503, "detail": "model down", "conversation_id": None}, "assistant is unavailable"),
        (429, {"status": 429, "detail": "slow down"}, "too fast"),
        (None, None, "Connection lost"),
    ],
)
def test_chat_failures_say_what_happened_and_keep_the_message(
    browser: Browser, server: RunningServer, status: int | None, body: dict[str, object] | None, expected: str
) -> None:
    with guarded_page(browser, server.url) as (page, _):
        page.goto(server.url)
        _sign_up(page, "Barbara")

        def fail(route: object) -> None:
            if status is None:
                route.abort("connectionreset")  # type: ignore[attr-defined]
            else:
                route.fulfill(status=status, json=body, headers={"Retry-After": "7"})  # type: ignore[attr-defined]

        page.route("**/chat", fail)
        box = page.get_by_label("Message to the assistant")
        box.fill("add buy milk")
        box.press("Enter")
        expect(page.get_by_role("alert").filter(has_text=expected)).to_be_visible()
        expect(box).to_have_value("add buy milk")
