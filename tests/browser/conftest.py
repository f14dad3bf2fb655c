"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

- The browser is /usr/bin/chromium (apt-get install chromium fonts-noto-cjk); nothing is downloaded. On a
  bare developer machine without it the tests skip; under CI=true they fail (like require_service).
- Two viewports: `desktop` (1366×900) and `phone` (390×844, touch), both in Chinese (Accept-Language zh-CN).
- Every page opened through these fixtures fails its test on a JavaScript console error or page error, and a
  failing test leaves a full-page screenshot in var/browser-failures/ (the path is printed).
- The live server needs committed data: the tests run with `transactional_db`, which empties every table
  after each test; the reference rows our data migrations install (meeting kinds, benefit rules, grade
  bands) are put back before each test by running those migrations' RunPython steps again.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FAILURES_DIR = Path(settings.BASE_DIR) / "var" / "browser-failures"
PASSWORD = "pass-word-123"  # tests.factories.UserFactory's password

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}

# Known defects that show as console errors on every page, with the issue item they belong to; remove one
# once fixed (each has a strict xfail in test_known_defects.py that tells). A defect of one page is expected
# by the test that meets it, with Browse.known_console_error (strict: not seeing it fails the test).
KNOWN_EVERYWHERE = {
    r"status of 404.*\(.*/favicon\.ico\)": "issue 15, phone layout: no favicon (/favicon.ico answers 404)",
}


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"browser tests must run under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    # Playwright's sync API keeps an event loop in this thread; the test code's ORM calls are plain
    # synchronous calls between page actions, so Django's async-safety guard is a false alarm here.
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        yield p
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
    )
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@dataclass
class Browse:
    """One browser context (a viewport, its cookies) and the page in it, bound to the live server."""

    page: object
    base_url: str
    viewport: str
    errors: list[str] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=lambda: dict(KNOWN_EVERYWHERE))
    known_seen: set[str] = field(default_factory=set)
    strict_known: set[str] = field(default_factory=set)

    def known_console_error(self, pattern: str, reason: str) -> None:
        """Expect a console error of a known defect (an xfail for one message): it does not fail the test,
        but its absence does, so the expectation is removed when the defect is fixed."""
        self.known[pattern] = reason
        self.strict_known.add(pattern)

    def _console_error(self, text: str) -> None:
        for pattern in self.known:
            if re.search(pattern, text):
                self.known_seen.add(pattern)
                return
        self.errors.append(text)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        self.page.wait_for_load_state("load")
        return response

    def expect_missing(self, path: str) -> None:
        """Open a page that must answer 404 (and forget the console error Chromium logs for it)."""
        response = self.goto(path)
        assert response.status == 404, (path, response.status)
        self.errors[:] = [e for e in self.errors if not ("status of 404" in e and self.url(path) in e)]

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def sign_in(self, email: str, password: str = PASSWORD, *, next_path: str = "") -> None:
        """Sign in through the real sign-in page (in the context's language: Chinese)."""
        self.goto("/accounts/login/" + (f"?next={next_path}" if next_path else ""))
        self.page.get_by_label(re.compile("电子邮件|邮箱|E-mail", re.I)).first.fill(email)
        self.page.get_by_label(re.compile("密码|Password", re.I)).first.fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state("load")
        assert "/accounts/login/" not in self.page.url, self.main_text()[:500]

    def main_text(self) -> str:
        return self.page.locator("main").inner_text()

    def open_menu(self) -> None:
        """On a phone the navigation is collapsed behind the toggler."""
        toggler = self.page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            self.page.locator("#mainnav.show").wait_for()

    def nav(self, label: str) -> None:
        self.open_menu()
        self.page.locator("#mainnav").get_by_role("link", name=label).first.click()
        self.page.wait_for_load_state("load")

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page itself is wider than the viewport (0: no horizontal scrolling)."""
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def check_no_errors(self) -> None:
        errors, self.errors[:] = list(self.errors), []
        assert not errors, "JavaScript errors:\n" + "\n".join(errors)
        fixed = [self.known[p] for p in self.strict_known - self.known_seen]
        assert not fixed, "Known defects no longer seen (fixed? remove the expectation):\n" + "\n".join(fixed)


def _new_browse(browser, live_server, viewport: str, request) -> Browse:
    context = browser.new_context(locale="zh-CN", timezone_id=settings.TIME_ZONE, **VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    page = context.new_page()
    b = Browse(page=page, base_url=live_server.url, viewport=viewport)

    def on_console(msg):
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            b._console_error(f"console: {msg.text} ({where or page.url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: b._console_error(f"page error: {exc} ({page.url})"))
    request.addfinalizer(lambda: _finish(b, context, request))
    return b


def _finish(b: Browse, context, request) -> None:
    node = request.node
    failed = any(
        getattr(node, f"rep_{when}", None) and getattr(node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    try:
        if failed:
            FAILURES_DIR.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", node.nodeid.split("::", 1)[-1])[:120]
            shot = FAILURES_DIR / f"{name}-{b.viewport}.png"
            try:
                b.page.screenshot(path=str(shot), full_page=True)
                print(f"\nscreenshot of the failure ({b.page.url}): {shot}")
            except Exception as exc:  # the page may be gone; the failure itself matters more
                print(f"\nno screenshot: {exc}")
    finally:
        context.close()
    if not failed:
        b.check_no_errors()


def _reference_data_back() -> None:
    """After a transactional test's flush: run every RunPython step of our apps' migrations again, in
    migration order, with today's models (the seeds use get_or_create on empty tables)."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    from education.models import MeetingKind

    if MeetingKind.objects.exists():  # a fresh database: the migrations just ran
        return
    graph = MigrationLoader(connection).graph
    ours = {c.label for c in apps.get_app_configs() if c.path.startswith(str(settings.BASE_DIR))}
    plan: list[tuple[str, str]] = []
    for leaf in graph.leaf_nodes():
        plan += [node for node in graph.forwards_plan(leaf) if node not in plan]
    with connection.schema_editor() as editor:
        for node in plan:
            if node[0] not in ours:
                continue
            for op in graph.nodes[node].operations:
                if isinstance(op, RunPython):
                    op.code(apps, editor)


@pytest.fixture
def browser_db(transactional_db):
    """The database the live server sees: committed rows, reference data back for each test."""
    _reference_data_back()


@pytest.fixture
def desktop(browser, live_server, browser_db, request) -> Browse:
    return _new_browse(browser, live_server, "desktop", request)


@pytest.fixture
def phone(browser, live_server, browser_db, request) -> Browse:
    return _new_browse(browser, live_server, "phone", request)


@pytest.fixture
def new_browse(browser, live_server, browser_db, request):
    """Open another context (`new_browse("phone")`): e.g. a second user, or each viewport in one test."""
    return lambda viewport="desktop": _new_browse(browser, live_server, viewport, request)
