"""转正 as an action (the date and the meeting that decided it) and the extension of probation (延长预备期):
the Constitution's one-year probation, only for a probationary member, once extended by at most a year; the
member form shows both dates read-only."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from members import services
from members.models import Member
from members.selectors import probationers_due
from tests.conftest import login
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


D = dt.date


@pytest.fixture
def probationer(branch_a1):
    return MemberFactory(organization=branch_a1, name="预备者", probationary=True, admitted_on=D(2024, 3, 1))


def test_confirm_records_the_date_and_the_meeting(alice, probationer):
    services.member_confirm(member=probationer, on=D(2025, 3, 1), meeting="2025-03-01 支部党员大会", by=alice)
    probationer.refresh_from_db()
    assert probationer.full_member_on == D(2025, 3, 1)
    assert probationer.confirmation_meeting == "2025-03-01 支部党员大会"
    assert probationer.status == Member.Status.FULL
    assert probationer.history.latest().history_user == alice


@pytest.mark.parametrize(
    ("on", "meeting", "field", "text"),
    [
        (D(2025, 2, 28), "大会", "full_member_on", "earlier than the end of the probation year (2025-03-01)"),
        (D(2099, 1, 1), "大会", "full_member_on", "in the future"),
        (D(2025, 3, 1), " ", "confirmation_meeting", "which meeting"),
    ],
)
def test_bad_confirmations_save_nothing(alice, probationer, on, meeting, field, text):
    with pytest.raises(ValidationError) as exc:
        services.member_confirm(member=probationer, on=on, meeting=meeting, by=alice)
    assert text in " ".join(exc.value.message_dict[field])
    probationer.refresh_from_db()
    assert probationer.full_member_on is None
    assert probationer.history.count() == 1


def test_only_a_probationary_member_is_confirmed(alice, member_a1):
    with pytest.raises(ValidationError, match="not a probationary member"):
        services.member_confirm(member=member_a1, on=D(2025, 3, 1), meeting="大会", by=alice)


def test_a_departed_probationer_is_not_confirmed(alice, probationer):
    services.member_depart(member=probationer, on=D(2024, 9, 1), reason="probation_cancelled", by=alice)
    with pytest.raises(ValidationError, match="no longer on the roll"):
        services.member_confirm(member=probationer, on=D(2025, 3, 1), meeting="大会", by=alice)


def test_extension_moves_the_probation_end_and_the_reminders(alice, probationer):
    assert probationer in probationers_due(as_of=D(2025, 3, 1))
    services.member_extend_probation(
        member=probationer, decided_on=D(2025, 2, 20), ends_on=D(2025, 9, 1), reason="考察不足", by=alice
    )
    probationer.refresh_from_db()
    assert probationer.probation_due_on == D(2025, 9, 1)
    assert (probationer.probation_extended_on, probationer.probation_extension_reason) == (
        D(2025, 2, 20),
        "考察不足",
    )
    assert probationer not in probationers_due(as_of=D(2025, 3, 1))
    assert probationer in probationers_due(as_of=D(2025, 8, 15))
    with pytest.raises(ValidationError, match="end of the probation year \\(2025-09-01\\)"):
        services.member_confirm(member=probationer, on=D(2025, 3, 1), meeting="大会", by=alice)
    services.member_confirm(member=probationer, on=D(2025, 9, 1), meeting="大会", by=alice)


@pytest.mark.parametrize(
    ("decided_on", "ends_on", "reason", "field", "text"),
    [
        (D(2025, 2, 20), D(2026, 3, 2), "r", "probation_ends_on", "at most a year later (2026-03-01)"),
        (D(2025, 2, 20), D(2025, 3, 1), "r", "probation_ends_on", "must be after 2025-03-01"),
        (D(2099, 1, 1), D(2025, 9, 1), "r", "probation_extended_on", "in the future"),
        (D(2025, 2, 20), D(2025, 9, 1), "", "probation_extension_reason", "reason"),
    ],
)
def test_bad_extensions_save_nothing(alice, probationer, decided_on, ends_on, reason, field, text):
    with pytest.raises(ValidationError) as exc:
        services.member_extend_probation(
            member=probationer, decided_on=decided_on, ends_on=ends_on, reason=reason, by=alice
        )
    assert text in " ".join(exc.value.message_dict[field])
    probationer.refresh_from_db()
    assert probationer.probation_ends_on is None


def test_probation_is_extended_once(alice, probationer):
    services.member_extend_probation(
        member=probationer, decided_on=D(2025, 2, 20), ends_on=D(2025, 9, 1), reason="r", by=alice
    )
    with pytest.raises(ValidationError, match="only once"):
        services.member_extend_probation(
            member=probationer, decided_on=D(2025, 8, 20), ends_on=D(2026, 2, 1), reason="r", by=alice
        )


def test_create_refuses_a_full_membership_date_within_the_probation_year(alice, branch_a1):
    from members.idnumbers import make_id_number

    with pytest.raises(ValidationError, match="end of the probation year"):
        services.member_create(
            organization=branch_a1,
            name="新",
            id_number=make_id_number("140502", D(1980, 3, 4), 5, male=True),
            admitted_on=D(2005, 6, 1),
            full_member_on=D(2006, 5, 31),
            by=alice,
        )
    assert not Member.objects.exists()


# -- the pages ----------------------------------------------------------------------------------------


def test_confirm_page(client, alice, probationer):
    login(client, alice)
    detail = client.get(reverse("members:detail", args=[probationer.pk])).content.decode()
    assert reverse("members:confirm", args=[probationer.pk]) in detail
    assert reverse("members:extend_probation", args=[probationer.pk]) in detail
    response = client.post(
        reverse("members:confirm", args=[probationer.pk]),
        {"full_member_on": "2025-03-01", "confirmation_meeting": "支部党员大会"},
    )
    assert response.status_code == 302
    probationer.refresh_from_db()
    assert probationer.full_member_on == D(2025, 3, 1)
    detail = client.get(reverse("members:detail", args=[probationer.pk])).content.decode()
    assert reverse("members:confirm", args=[probationer.pk]) not in detail
    assert "支部党员大会" in detail


def test_confirm_page_bad_date_is_a_clear_message(client, alice, probationer):
    client.cookies.load({"django_language": "en"})
    response = login(client, alice).post(
        reverse("members:confirm", args=[probationer.pk]),
        {"full_member_on": "2024-12-01", "confirmation_meeting": "支部党员大会"},
    )
    assert response.status_code == 200
    assert "end of the probation year" in " ".join(response.context["form"].errors["full_member_on"])
    probationer.refresh_from_db()
    assert probationer.full_member_on is None


def test_confirm_page_for_a_full_member_is_a_clear_message(client, alice, member_a1):
    client.cookies.load({"django_language": "en"})
    response = login(client, alice).post(
        reverse("members:confirm", args=[member_a1.pk]),
        {"full_member_on": "2024-12-01", "confirmation_meeting": "支部党员大会"},
    )
    assert "not a probationary member" in " ".join(response.context["form"].errors["full_member_on"])


def test_extend_page(client, alice, probationer):
    response = login(client, alice).post(
        reverse("members:extend_probation", args=[probationer.pk]),
        {
            "probation_extended_on": "2025-02-20",
            "probation_ends_on": "2025-09-01",
            "probation_extension_reason": "考察不足",
        },
    )
    assert response.status_code == 302
    probationer.refresh_from_db()
    assert probationer.probation_ends_on == D(2025, 9, 1)


def test_outsider_gets_404_on_confirm_and_extend(client, charlie, probationer):
    login(client, charlie)
    for name in ("members:confirm", "members:extend_probation"):
        assert client.get(reverse(name, args=[probationer.pk])).status_code == 404
        assert client.post(reverse(name, args=[probationer.pk]), {}).status_code == 404


def test_member_form_shows_the_dates_read_only(client, alice, probationer):
    login(client, alice)
    form = client.get(reverse("members:edit", args=[probationer.pk])).context["form"]
    assert form.fields["full_member_on"].disabled and form.fields["probation_ends_on"].disabled
    data = {
        "name": probationer.name,
        "id_number": probationer.id_number,
        "gender": probationer.gender,
        "birth_date": probationer.birth_date.isoformat(),
        "ethnicity": "汉族",
        "admitted_on": probationer.admitted_on.isoformat(),
        "full_member_on": "2025-03-01",  # typed in by hand: ignored
        "probation_ends_on": "2025-12-01",
        "phone": "13999999999",
    }
    assert client.post(reverse("members:edit", args=[probationer.pk]), data).status_code == 302
    probationer.refresh_from_db()
    assert probationer.phone == "13999999999"
    assert (probationer.full_member_on, probationer.probation_ends_on) == (None, None)


def test_action_pages_render_for_the_writer(client, alice, probationer, django_assert_max_num_queries):
    login(client, alice)
    for name in ("members:confirm", "members:extend_probation", "members:depart"):
        with django_assert_max_num_queries(12):
            response = client.get(reverse(name, args=[probationer.pk]))
        assert response.status_code == 200
        assert probationer.name in response.content.decode()
