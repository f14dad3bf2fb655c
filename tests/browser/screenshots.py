"""Screenshots of the main pages, desktop (1366×900) and phone (390×844), into docs/screenshots/.

Not a test module (the name does not start with test_): run it with `./dev screenshots`, which runs
`pytest tests/browser/screenshots.py`. SCREENSHOTS_DIR overrides the target directory. The data is the page
walk's small county (tests/browser/test_page_walk.py), so the pictures change only when the pages do.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.test_page_walk import walk_county  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

TARGET = Path(os.environ.get("SCREENSHOTS_DIR") or Path(settings.BASE_DIR) / "docs" / "screenshots")


def pages(county) -> list[tuple[str, str | None, str]]:
    """(file name, role signed in or None, path)."""
    branch, meeting = county.branch, county.meeting
    return [
        ("sign-in", None, "/accounts/login/"),
        ("county-home", "county", "/home/"),
        ("branch-organization", "branch", f"/orgs/{branch.pk}/"),
        ("branch-compliance", "branch", f"/education/compliance/{branch.pk}/"),
        ("branch-attendance", "branch", f"/education/meetings/{meeting.pk}/attendance/"),
        ("township-rankings", "township", "/accountability/rankings/"),
        ("member-record", "member", "/members/me/"),
    ]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_screenshots(new_browse, walk_county, viewport):  # noqa: F811
    TARGET.mkdir(parents=True, exist_ok=True)
    browse = new_browse(viewport)
    signed_in = None
    for name, role, path in pages(walk_county):
        if role != signed_in:
            browse.page.context.clear_cookies()
            if role:
                browse.sign_in(walk_county.users[role].email)
            signed_in = role
        response = browse.goto(path)
        assert response.ok, (path, response.status)
        shot = TARGET / f"{name}-{viewport}.png"
        browse.page.screenshot(path=str(shot), full_page=False)
        print(f"{shot} ({shot.stat().st_size // 1024} KB)")
