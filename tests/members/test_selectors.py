import datetime as dt

import pytest

from members.ages import years_between
from members.models import Member
from members.selectors import member_history, members_visible_to, members_with_ages
from members.services import member_update
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "as_of",
    [
        dt.date(2024, 2, 28),
        dt.date(2024, 2, 29),
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 1),
        dt.date(2024, 12, 31),
    ],
)
def test_age_annotations_agree_with_years_between(branch_a1, as_of):
    born = [dt.date(1960, 2, 29), dt.date(1960, 3, 1), dt.date(1960, 2, 28), dt.date(1959, 12, 31)]
    for birth in born:
        MemberFactory(
            organization=branch_a1,
            birth_date=birth,
            admitted_on=dt.date(1985, 1, 1),
            full_member_on=dt.date(1986, 2, 28),
        )
    MemberFactory(organization=branch_a1, birth_date=dt.date(1970, 1, 1), probationary=True)
    for m in members_with_ages(Member.objects.all(), as_of=as_of):
        assert m.age == years_between(m.birth_date, as_of)
        assert m.party_age == m.party_age_on(as_of)


def test_members_visible_to_includes_own_record_for_member_user(branch_a1, branch_b1):
    user = UserFactory()
    own = MemberFactory(organization=branch_b1, user=user)
    MemberFactory(organization=branch_a1)
    assert list(members_visible_to(user)) == [own]
    assert not members_visible_to(user, write=True).exists()


def test_history_is_readable_and_masks_id(alice, branch_a1, branch_a2):
    from members.services import member_transfer

    member = MemberFactory(organization=branch_a1, phone="13800000000")
    member_update(member=member, phone="13900000000", veteran_cadre=True, by=alice)
    member_transfer(member=member, to_organization=branch_a2, by=alice)
    entries = member_history(member=member)
    assert [e.kind for e in entries] == ["~", "~", "+"]
    transfer, update, _created = entries
    assert transfer.who == str(alice)
    assert ("甲一村党支部", "甲二村党支部") in {(c.old, c.new) for c in transfer.changes}
    assert {(c.old, c.new) for c in update.changes} >= {("13800000000", "13900000000")}
    member_update(member=member, id_number=member.id_number, by=alice)  # unchanged: no entry
    assert len(member_history(member=member)) == 3
