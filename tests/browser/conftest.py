"""Browser tests: Playwright (sync API) driving Debian's Chromium against
pytest-django's live server. Skipped, with the reason, without Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# made from the test (fixtures, checks) would otherwise be refused.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# TANDEM_SCREENSHOTS=docs/screenshots renews the README's pictures.
SCREENSHOTS = Path(os.environ.get("TANDEM_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # A Chinese office browser: zh-CN, a laptop-sized window.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The general manager's chart is cached; each test starts without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
