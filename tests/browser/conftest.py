"""Browser journeys: Playwright driving Debian's chromium against pytest-django's live server.

Never a downloaded browser: Playwright launches ``/usr/bin/chromium`` (CI installs the Debian
package). One chromium process serves the whole session; each test gets a fresh context (cookies,
storage) with a 1280x800 viewport, the size the screenshots in ``docs/img/`` are taken at.

Playwright's sync API keeps an asyncio event loop "running" in the test thread for as long as it is
started, and Django refuses ORM calls from a thread with a running loop. So:

* the browser tests are moved to the end of the run (per process), so the loop never overlaps a
  test that is not a browser test;
* while Playwright runs, ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set, and it is removed again when the
  browser closes. Nothing here runs async code: the loop only carries Playwright's messages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def pytest_collection_modifyitems(config, items) -> None:
    """Run browser tests last, so Playwright's event loop never sits under an ordinary ORM test."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser(django_db_setup) -> Iterator:
    """One headless chromium for the session (requests the database so it closes before the database goes)."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"browser journeys need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    playwright = sync_playwright().start()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context per test: no cookies carried over, relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    refused: list[str] = []  # what the Content-Security-Policy blocked: a page that needs it is broken
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    try:
        yield page
    finally:
        context.close()
    assert not refused, f"the Content-Security-Policy blocked: {refused}"


@pytest.fixture
def screenshot():
    """``screenshot(page, "01-dashboard")`` writes test-output/screenshots/01-dashboard.png (the viewport)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
