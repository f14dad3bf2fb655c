"""The officer page shows other apps' figures through common.figures (education's 三会一课 counts)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import OfficerAssignment
from common.figures import Figure, organization_figures
from education.selectors import compliance_counts
from officers.services import officer_assign
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_education_gives_its_compliance_counts_as_figures(branch_a1, branch_a2):
    ids = [branch_a1.pk, branch_a2.pk]
    figures = organization_figures(org_ids=ids, as_of=TODAY)
    counts = compliance_counts(organization_ids=ids, year=TODAY.year, as_of=TODAY)
    assert set(figures) == set(ids)
    for org_id in ids:
        assert [(f.value, f.ok) for f in figures[org_id]] == [
            (counts[org_id]["ok"], True),
            (counts[org_id]["missing"], False),
            (counts[org_id]["due"], None),
        ]
        assert all(isinstance(f, Figure) for f in figures[org_id])
    assert organization_figures(org_ids=[], as_of=TODAY) == {}


def test_officer_page_renders_the_figures(client, dora, branch_a1):
    officer = UserFactory()
    officer_assign(
        officer=officer,
        organization=branch_a1,
        kind=OfficerAssignment.Kind.LIAISON,
        starts_on=TODAY - dt.timedelta(days=30),
        by=dora,
    )
    counts = compliance_counts(organization_ids=[branch_a1.pk], year=TODAY.year, as_of=TODAY)[branch_a1.pk]
    login(client, officer)
    page = client.get(
        reverse("officers:officer", args=[officer.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert f'<span class="badge status-ok">已落实 {counts["ok"]}</span>' in page
    assert f'<span class="badge status-missing">未召开 {counts["missing"]}</span>' in page
    assert f'<span class="badge status-due">待召开 {counts["due"]}</span>' in page
