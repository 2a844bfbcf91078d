"""What the browser tests share: Debian's chromium driven by Playwright, and the app on a database
served on a loopback port for it (tests/loopback.py). Without the browser a test is skipped with the reason, except under CI=true,
where it fails."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import loopback
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def need_browser(what: str = "browser tests", more: str | None = None) -> None:
    """Skip (or under CI fail) when Playwright or chromium is missing; `more` is another reason found."""
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and not os.path.exists(CHROMIUM):
        reason = "Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)"
    reason = reason or more
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the {what}: {reason}")
        print(f"\nskipping {what}: {reason}")
        pytest.skip(reason)


@contextmanager
def served(database_url: str) -> Iterator[str]:
    """The app on `database_url`, on a loopback port; yields its address."""
    from hukou.api.app import create_app

    with loopback.served(create_app(database=database_url)) as address:
        yield address


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
