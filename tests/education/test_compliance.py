import datetime as dt

import pytest

from education.models import Meeting, MeetingKind
from education.selectors import compliance_counts
from tests.factories import MemberFactory


@pytest.mark.django_db
def test_compliance_counts_smoke(branch_a1):
    m = Meeting.objects.create(organization=branch_a1, date=dt.date(2026, 3, 31), status=Meeting.Status.HELD)
    m.kinds.add(MeetingKind.objects.get(code="themed_day"))
    MemberFactory(organization=branch_a1)
    counts = compliance_counts(organization_ids=[branch_a1.pk], year=2026, as_of=dt.date(2026, 4, 15))
    c = counts[branch_a1.pk]
    assert c["ok"] == 1
    assert c["missing"] > 0
    assert c["due"] > 0
