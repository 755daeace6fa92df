"""Debian's Chromium driven by Playwright's Python API, for the tests that use the pages as
people do, and the screenshot every main page leaves, with the check a phone needs. A missing
browser fails the test: it is never skipped (the README's test command installs it).

Screenshots go to $NASTAVNIK_SCREENSHOTS (default test-screenshots/ in the working folder).
Playwright's sync API runs an event loop on the test's thread while a browser is open: set up
what needs asyncio.run (flow runs) before opening one, or on a thread of its own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

SCREENSHOTS = Path(os.environ.get("NASTAVNIK_SCREENSHOTS", "test-screenshots"))
PHONE = {"width": 375, "height": 800}


@contextmanager
def chromium() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed: the README's test command installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def shot(page: Page, name: str, database_url: str) -> None:
    """A screenshot, and the check a phone needs: nothing wider than the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    page.screenshot(path=SCREENSHOTS / f"{name}-{dialect}.png", full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{name} scrolls sideways by {wide} px at {page.viewport_size}"
