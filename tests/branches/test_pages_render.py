"""Every page of ours renders for a writer (GET), in Chinese and in English."""

import datetime as dt

import pytest
from django.urls import reverse

from members.models import CommitteeTerm
from tests.conftest import login
from tests.factories import MemberFactory, make_party_group

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render(client, dora, township_a, branch_a1, language):
    member = MemberFactory(organization=branch_a1)
    group = make_party_group(branch_a1)
    term = CommitteeTerm.objects.create(
        organization=branch_a1, elected_on=dt.date(2020, 1, 1), ends_on=dt.date(2023, 1, 1)
    )
    login(client, dora)
    client.cookies.load({"django_language": language})
    urls = [
        reverse("branches:list"),
        reverse("branches:list") + "?q=甲",
        reverse("branches:detail", args=[township_a.pk]),
        reverse("branches:detail", args=[branch_a1.pk]),
        reverse("branches:create") + f"?parent={township_a.pk}",
        reverse("branches:edit", args=[branch_a1.pk]),
        reverse("branches:group_create", args=[branch_a1.pk]),
        reverse("branches:group_edit", args=[group.pk]),
        reverse("members:committee_create", args=[branch_a1.pk]),
        reverse("members:committee_edit", args=[term.pk]),
        reverse("members:list"),
        reverse("members:create") + f"?organization={branch_a1.pk}",
        reverse("members:detail", args=[member.pk]),
        reverse("members:edit", args=[member.pk]),
        reverse("members:transfer", args=[member.pk]),
        reverse("members:death", args=[member.pk]),
        reverse("spreadsheets:index"),
        reverse("spreadsheets:upload", args=["members"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("branches:detail", args=[branch_a1.pk])).content.decode()
    assert ("换届" if language == "zh-hans" else "election due") in page
