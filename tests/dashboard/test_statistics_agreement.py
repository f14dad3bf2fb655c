"""The dashboard's member figures agree with report_statistics (issue 10, "Done when") on the same data and
day: the window's last day, for the county and for a township, at the edges of the status rules."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members.services import member_depart
from tests.care.factories import make_member
from tests.conftest import login
from users.services import system_user

pytestmark = pytest.mark.django_db


def _statistics(as_of: dt.date, *args: str) -> dict[tuple[str, str], int]:
    out = io.StringIO()
    call_command("report_statistics", "--as-of", as_of.isoformat(), *args, stdout=out, stderr=io.StringIO())
    rows = csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff")))
    return {(r["measure"], r["category"]): int(r["count"]) for r in rows}


def test_members_by_status_agree_with_report_statistics(
    client, dora, township_a, branch_a1, branch_a2, branch_b1
):
    year = timezone.localdate().year - 1
    end = dt.date(year, 12, 31)
    make_member(branch_a1, admitted=dt.date(2000, 1, 1))  # full
    make_member(branch_a1, admitted=dt.date(year, 3, 1), full=None)  # probationary on the day
    make_member(branch_a2, admitted=end - dt.timedelta(days=365), full=end)  # full on the day itself
    make_member(branch_b1, admitted=dt.date(year + 1, 1, 1), full=None)  # admitted after the day: not counted
    make_member(branch_b1, admitted=dt.date(1990, 1, 1), died_on=end)  # died on the day: not counted
    gone = make_member(branch_a2, admitted=dt.date(1995, 1, 1))
    member_depart(
        member=gone, on=end + dt.timedelta(days=1), reason="transferred_out", by=system_user()
    )  # still there
    login(client, dora)
    response = client.get(reverse("dashboard:home") + f"?year={year}")
    d, window = response.context["d"], response.context["window"]
    assert window.as_of == end
    township = {c.code: c for c in d.children}[township_a.code]
    for figures, args in ((d.total, []), (township, ["--org", township_a.code])):
        stats = _statistics(window.as_of, *args)
        counts = figures.members
        assert counts.members == stats[("total", "all")]
        assert counts.full == stats[("status", "full")]
        assert counts.members - counts.full == stats[("status", "probationary")]
    assert d.total.members.members == 4
    assert township.members.members == 4
