"""Members who leave (转出, 退党, 自行脱党, 除名, 开除党籍, 取消预备党员资格): the service and its rules, the
undo, the pages (writers only, 404 for outsiders), the "departed" filter of the roster and what a departed
member drops out of."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from branches.models import Organization
from members import services
from members.models import Member
from members.selectors import (
    committee_candidates,
    living_on,
    organizations_with_counts,
    probationers_due,
)
from tests.conftest import login
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


D = dt.date
Departure = Member.Departure


@pytest.fixture
def leaver(branch_a1):
    return MemberFactory(organization=branch_a1, name="离开者", admitted_on=D(2000, 3, 1))


# -- the service ----------------------------------------------------------------------------------------


def test_depart_keeps_the_record_and_drops_out_from_that_day(alice, leaver, branch_a1):
    services.member_depart(
        member=leaver, on=D(2024, 5, 10), reason=Departure.TRANSFERRED_OUT, note="转往外县", by=alice
    )
    leaver.refresh_from_db()
    assert (leaver.departed_on, leaver.departure_reason, leaver.departure_note) == (
        D(2024, 5, 10),
        "transferred_out",
        "转往外县",
    )
    assert leaver in living_on(on=D(2024, 5, 9))
    assert leaver not in living_on(on=D(2024, 5, 10))  # like a death: off the roll that day
    assert leaver not in committee_candidates(org=branch_a1)
    counted = organizations_with_counts(Organization.objects.filter(pk=branch_a1.pk), as_of=D(2024, 6, 1))
    assert counted.get().member_count == 0
    record = leaver.history.latest()
    assert record.history_user == alice
    assert {c.field for c in record.diff_against(record.prev_record).changes} == {
        "departed_on",
        "departure_reason",
        "departure_note",
    }


def test_undo_a_mistaken_departure(alice, leaver):
    services.member_depart(member=leaver, on=D(2024, 5, 10), reason=Departure.LEFT, by=alice)
    services.member_departure_undo(member=leaver, by=alice)
    leaver.refresh_from_db()
    assert (leaver.departed_on, leaver.departure_reason) == (None, "")
    assert leaver in living_on(on=D(2024, 6, 1))
    assert leaver.history.count() == 3  # created, departed, undone: the history keeps both
    with pytest.raises(ValidationError):
        services.member_departure_undo(member=leaver, by=alice)


@pytest.mark.parametrize(
    ("on", "reason", "field", "text"),
    [
        (D(1999, 12, 31), Departure.LEFT, "departed_on", "before the admission date"),
        (timezone.localdate() + dt.timedelta(days=1), Departure.LEFT, "departed_on", "in the future"),
        (D(2024, 1, 1), "", "departure_reason", "Choose a reason"),
        (D(2024, 1, 1), Departure.PROBATION_CANCELLED, "departure_reason", "probationary"),
    ],
)
def test_bad_departures_save_nothing(alice, leaver, on, reason, field, text):
    with pytest.raises(ValidationError) as exc:
        services.member_depart(member=leaver, on=on, reason=reason, by=alice)
    assert text in " ".join(exc.value.message_dict[field])
    leaver.refresh_from_db()
    assert leaver.departed_on is None
    assert leaver.history.count() == 1


def test_probationary_membership_cancelled_only_while_probationary(alice, branch_a1):
    probationer = MemberFactory(organization=branch_a1, probationary=True, admitted_on=D(2024, 1, 10))
    services.member_depart(
        member=probationer, on=D(2024, 9, 1), reason=Departure.PROBATION_CANCELLED, by=alice
    )
    assert probationer.departure_reason == "probation_cancelled"


def test_a_departed_or_dead_member_cannot_depart_again_nor_be_transferred(alice, leaver, branch_a2):
    services.member_depart(member=leaver, on=D(2024, 5, 10), reason=Departure.REMOVED, by=alice)
    with pytest.raises(ValidationError, match="already left"):
        services.member_depart(member=leaver, on=D(2024, 6, 1), reason=Departure.EXPELLED, by=alice)
    with pytest.raises(ValidationError, match="departed member cannot be transferred"):
        services.member_transfer(member=leaver, to_organization=branch_a2, by=alice)
    dead = MemberFactory(organization=leaver.organization, died_on=D(2023, 1, 1))
    with pytest.raises(ValidationError, match="deceased"):
        services.member_depart(member=dead, on=D(2024, 1, 1), reason=Departure.LEFT, by=alice)


def test_the_database_refuses_a_departure_before_admission_or_without_reason(leaver):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=leaver.pk).update(departed_on=D(1990, 1, 1), departure_reason="left")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=leaver.pk).update(departed_on=D(2024, 1, 1))


def test_probation_reminders_stop_for_a_departed_probationer(alice, branch_a1):
    probationer = MemberFactory(organization=branch_a1, probationary=True, admitted_on=D(2024, 1, 10))
    assert probationer in probationers_due(as_of=D(2025, 1, 1))
    services.member_depart(member=probationer, on=D(2024, 12, 1), reason=Departure.LAPSED, by=alice)
    assert probationer not in probationers_due(as_of=D(2025, 1, 1))


# -- the pages ----------------------------------------------------------------------------------------


def test_writer_records_a_departure_on_the_member_page(client, alice, leaver):
    login(client, alice)
    detail = client.get(reverse("members:detail", args=[leaver.pk])).content.decode()
    assert f'href="{reverse("members:depart", args=[leaver.pk])}"' in detail
    response = client.post(
        reverse("members:depart", args=[leaver.pk]),
        {"departed_on": "2024-05-10", "departure_reason": "expelled", "note": "决定书第3号"},
    )
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert (leaver.departed_on, leaver.departure_reason) == (D(2024, 5, 10), "expelled")
    detail = client.get(reverse("members:detail", args=[leaver.pk])).content.decode()
    assert reverse("members:departure_undo", args=[leaver.pk]) in detail
    assert f'href="{reverse("members:depart", args=[leaver.pk])}"' not in detail
    assert client.post(reverse("members:departure_undo", args=[leaver.pk])).status_code == 302
    leaver.refresh_from_db()
    assert leaver.departed_on is None


def test_departure_before_admission_is_a_clear_message(client, alice, leaver):
    client.cookies.load({"django_language": "en"})
    response = login(client, alice).post(
        reverse("members:depart", args=[leaver.pk]), {"departed_on": "1999-01-01", "departure_reason": "left"}
    )
    assert response.status_code == 200
    assert "before the admission date" in " ".join(response.context["form"].errors["departed_on"])
    leaver.refresh_from_db()
    assert leaver.departed_on is None


def test_outsider_gets_404_on_the_departure_pages(client, charlie, leaver):
    login(client, charlie)
    assert client.get(reverse("members:depart", args=[leaver.pk])).status_code == 404
    response = client.post(
        reverse("members:depart", args=[leaver.pk]), {"departed_on": "2024-05-10", "departure_reason": "left"}
    )
    assert response.status_code == 404
    assert client.post(reverse("members:departure_undo", args=[leaver.pk])).status_code == 404
    leaver.refresh_from_db()
    assert leaver.departed_on is None


def test_reader_without_write_scope_gets_404(client, leaver):
    from branches.models import RoleAssignment
    from tests.factories import UserFactory, make_role

    officer = UserFactory()
    make_role(officer, leaver.organization, RoleAssignment.Role.OFFICER)
    login(client, officer)
    assert client.get(reverse("members:detail", args=[leaver.pk])).status_code == 200
    assert client.get(reverse("members:depart", args=[leaver.pk])).status_code == 404


def test_undo_is_post_only(client, alice, leaver):
    assert login(client, alice).get(reverse("members:departure_undo", args=[leaver.pk])).status_code == 405


# -- the roster's "departed" filter -------------------------------------------------------------------------


def test_departed_members_leave_the_default_list_and_show_under_the_filter(client, bob, branch_a1):
    staying = MemberFactory(organization=branch_a1)
    gone = MemberFactory(organization=branch_a1)
    expelled = MemberFactory(organization=branch_a1)
    dead = MemberFactory(organization=branch_a1, died_on=D(2020, 1, 1))
    services.member_depart(member=gone, on=D(2024, 5, 1), reason=Departure.TRANSFERRED_OUT, by=bob)
    services.member_depart(member=expelled, on=D(2024, 5, 1), reason=Departure.EXPELLED, by=bob)
    login(client, bob)

    def pks(**params):
        return {m["pk"] for m in client.get(reverse("members:list"), params).context["page"]}

    assert pks() == {staying.pk}
    assert pks(departed="yes") == {gone.pk, expelled.pk}
    assert pks(departed="expelled") == {expelled.pk}
    assert pks(departed="all") == {staying.pk, gone.pk, expelled.pk}
    assert pks(departed="all", deceased="all") == {staying.pk, gone.pk, expelled.pk, dead.pk}
    page = client.get(reverse("members:list"), {"departed": "yes"}).content.decode()
    assert "2024-05-01" in page


@pytest.mark.parametrize("count", [3, 12])
def test_departed_filter_query_count_is_bounded(
    client, bob, branch_a1, branch_a2, count, django_assert_num_queries
):
    for i in range(count):
        m = MemberFactory(organization=branch_a1 if i % 2 else branch_a2)
        services.member_depart(member=m, on=D(2024, 5, 1), reason=Departure.LEFT, by=bob)
    login(client, bob)
    client.get(reverse("members:list"))  # warm up the session
    with django_assert_num_queries(7):
        response = client.get(reverse("members:list"), {"departed": "yes"})
    assert response.context["page"].paginator.count == count
