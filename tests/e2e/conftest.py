"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Playwright's sync API runs an event loop in the test thread, which makes Django's ORM refuse
to run there; the ORM is only used to build data before the browser starts, so allow it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from gongjiang.core import tasks

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def task_worker(transactional_db: None) -> Iterator[tasks.Worker]:
    """A task worker in this process, as `gongjiang serve` runs one on SQLite."""
    worker = tasks.start_thread(poll_seconds=0.2)
    yield worker
    worker.stop()
    assert worker.wait(120), "the task worker did not stop"


@pytest.fixture
def site(live_server: Any, committed_world: None, settings: Any, task_worker: tasks.Worker) -> str:
    """A live server over the personas' region, with web imports done by a task worker as in
    production. Transactional tests empty the tables after each test, so the region is put back
    first (`committed_world`)."""
    settings.IMPORTS_IN_BACKGROUND = True
    return str(live_server.url)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
