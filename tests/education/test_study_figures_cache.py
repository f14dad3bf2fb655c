"""The study page's member figures (absence streaks, six months without organizational life, study hours) are
cached under the versions of the tables they are computed from (education.selectors.member_figures_cached,
common.table_versions): every way of writing what they are computed from makes the next request compute them
again, and nothing else does.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from branches.models import Organization
from branches.paths import subtree_q
from common.table_versions import table_versions
from education.compliance import living_on
from education.models import Attendance, Meeting, MeetingKind, StudyRecord
from education.selectors import (
    STUDY_FIGURES_TABLES,
    member_figures,
    member_figures_cached,
    study_channels_for,
)
from members.models import Member
from tests.concurrency import seeded  # noqa: F401  (a fixture: the meeting kinds back after a flush)
from tests.conftest import login

from .conftest import attend, full_members, held, kinds

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

AS_OF = dt.date(2026, 9, 30)
YEAR = 2026


@pytest.fixture
def world(seeded, county, township_a, branch_a1, branch_a2, bob):  # noqa: F811
    a = full_members(branch_a1, 3)
    b = full_members(branch_a2, 2)
    lecture = held(branch_a1, dt.date(2026, 3, 10), "party_lecture")
    lecture.study_hours = Decimal("2.5")
    lecture.save()
    themed = held(branch_a1, dt.date(2026, 8, 1), "themed_day")
    attend(lecture, a[0])
    attend(lecture, a[1])
    attend(themed, a[0], Attendance.Status.ABSENT)
    attend(themed, a[1])
    attend(held(branch_a2, dt.date(2026, 5, 5), "themed_day"), b[0], Attendance.Status.ABSENT)
    record = StudyRecord.objects.create(
        member=a[2], date=dt.date(2026, 2, 1), hours=3, channel="remote", content="学"
    )
    return {
        "county": county,
        "township": township_a,
        "a1": branch_a1,
        "a2": branch_a2,
        "a": a,
        "b": b,
        "lecture": lecture,
        "themed": themed,
        "record": record,
        "bob": bob,
    }


def members_of(root):
    return Member.objects.filter(subtree_q(root)).filter(living_on(AS_OF))


CHANNELS = ["remote", "lecture", "training"]  # the default rule's (no StudyTarget)


def shown(figures) -> dict:
    return {pk: (f.last_present, f.absence_streak, f.no_life_6m, f.study_hours) for pk, f in figures.items()}


def fresh(root) -> dict:
    return shown(member_figures(members_of(root), year=YEAR, as_of=AS_OF, channels=CHANNELS))


def cached(root) -> dict:
    return shown(member_figures_cached(members_of(root), year=YEAR, as_of=AS_OF, channels=CHANNELS))


def version() -> str | None:
    return table_versions(STUDY_FIGURES_TABLES)


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


WRITES = {
    "an attendance recorded": lambda w: attend(w["themed"], w["a"][2], Attendance.Status.ABSENT),
    "an attendance changed": lambda w: Attendance.objects.filter(
        member=w["a"][1], meeting=w["themed"]
    ).update(status=Attendance.Status.ABSENT),
    "an attendance deleted": lambda w: Attendance.objects.filter(
        member=w["a"][0], meeting=w["lecture"]
    ).delete(),
    "an attendance changed by raw SQL": lambda w: raw(
        "UPDATE education_attendance SET status = 'excused' WHERE member_id = %s", [w["a"][0].pk]
    ),
    "a meeting moved": lambda w: Meeting.objects.filter(pk=w["themed"].pk).update(date=dt.date(2026, 2, 1)),
    "a meeting planned instead": lambda w: Meeting.objects.filter(pk=w["lecture"].pk).update(
        status="planned"
    ),
    "a lecture's hours": lambda w: Meeting.objects.filter(pk=w["lecture"].pk).update(
        study_hours=Decimal("4")
    ),
    "a meeting deleted": lambda w: w["themed"].delete(),
    "a lecture's kind taken off": lambda w: w["lecture"].kinds.remove(*kinds("party_lecture")),
    "a kind's code changed": lambda w: MeetingKind.objects.filter(code="party_lecture").update(
        code="x_lecture"
    ),
    "a study record added": lambda w: StudyRecord.objects.create(
        member=w["a"][0], date=dt.date(2026, 4, 1), hours=5, channel="training", content="学"
    ),
    "a study record's hours": lambda w: StudyRecord.objects.filter(pk=w["record"].pk).update(hours=7),
    "a study record deleted": lambda w: w["record"].delete(),
    "a member died": lambda w: Member.objects.filter(pk=w["a"][0].pk).update(died_on=dt.date(2026, 9, 1)),
    "a member admitted lately": lambda w: Member.objects.filter(pk=w["b"][0].pk).update(
        admitted_on=dt.date(2026, 6, 1), full_member_on=None
    ),
    "a member moved out of the township": lambda w: Member.objects.filter(pk=w["a"][1].pk).update(
        organization=w["county"]
    ),
    "a branch moved out of the township": lambda w: Organization.objects.filter(pk=w["a2"].pk).update(
        path=w["county"].path + "9999999."
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_the_figures_read_is_seen_at_once(world, write):
    root = world["township"]
    before = cached(root)
    assert before == fresh(root)
    assert cached(root) == before  # from the cache now
    seen = version()
    WRITES[write](world)
    assert version() != seen
    after = cached(root)
    assert after == fresh(root)
    assert after != before  # the write changes what the pages show


def test_a_second_request_is_served_from_the_cache(world, django_assert_num_queries):
    root = world["township"]
    first = cached(root)
    with django_assert_num_queries(1):  # the versions
        assert cached(root) == first


def test_writes_to_other_tables_keep_the_cache(world, django_assert_num_queries):
    root = world["township"]
    cached(root)
    seen = version()
    world["bob"].name = "Bob B."
    world["bob"].save()
    assert version() == seen
    with django_assert_num_queries(1):
        cached(root)


def test_the_default_rule_is_what_the_figures_are_read_with(world):
    assert study_channels_for(year=YEAR) == CHANNELS


def test_each_members_query_has_its_own_figures(world):
    assert cached(world["a1"]) == fresh(world["a1"])
    assert cached(world["a2"]) == fresh(world["a2"])
    assert set(cached(world["a1"])) & set(cached(world["a2"])) == set()


def page_figures(response) -> list:
    """What the study page shows of each row: a unit's sums (township), a member's figures (branch)."""
    rows = response.context["page"]
    if response.context.get("rows") is None:
        return [
            (u.organization.pk, u.members, u.absence_alerts, u.no_life, u.behind, u.mean_hours) for u in rows
        ]
    return [(m.pk, m.last_present, m.absence_streak, m.no_life_6m, m.study_hours) for m in rows]


@pytest.mark.parametrize("org", ["township", "a1"])
def test_the_pages_show_a_write_on_the_next_request(client, world, org):
    login(client, world["bob"])
    url = reverse("education:org_members", args=[world[org].pk]) + "?year=2026"
    first = page_figures(client.get(url))
    assert page_figures(client.get(url)) == first
    attend(world["themed"], world["a"][2], Attendance.Status.ABSENT)
    StudyRecord.objects.create(
        member=world["a"][0], date=dt.date(2026, 4, 1), hours=40, channel="remote", content="学"
    )
    assert page_figures(client.get(url)) != first
