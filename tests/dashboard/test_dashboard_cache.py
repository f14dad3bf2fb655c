"""The dashboard's figures are cached under the versions of the tables they are read from
(dashboard.selectors.TABLES, common.table_versions): the figures read no other table, every write to one of
them shows on the next request, and the key holds the organization, the window, the scope and the language.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accountability.models import Contract, GradeBand
from branches.models import OfficerAssignment, Organization
from branches.selectors import scope_for
from care import services as care_services
from care.models import BenefitRule, Grant, RuleCondition, RuleVersion, Visit
from common.table_versions import table_versions
from dashboard.selectors import TABLES, Window, dashboard, dashboard_figures, window_for
from education.models import Attendance, Meeting, MeetingKind, StudyRecord, StudyTarget
from education.services import requirement_change
from members.models import Member, Transfer
from officers.models import VisitLog
from officers.services import officer_assign
from tests.care.factories import make_member
from tests.concurrency import seeded  # noqa: F401  (a fixture: the seeded rules back after a flush)
from tests.conftest import login
from tests.education.conftest import full_members, held
from tests.factories import UserFactory, make_branch, make_party_group

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def world(seeded, county, township_a, township_b, branch_a1, branch_a2, branch_b1, dora, bob):  # noqa: F811
    members = full_members(branch_a1, 5)
    full_members(branch_b1, 3)
    old = make_member(branch_a1, born=dt.date(1940, 1, 1), admitted=dt.date(1960, 1, 1), name="老党员")
    meeting = held(branch_a1, dt.date(YEAR, 3, 10), "themed_day", "general_meeting")
    held(branch_b1, dt.date(YEAR, 5, 5), "party_lecture")
    lecture = held(branch_a1, dt.date(YEAR, 4, 1), "party_lecture")
    Meeting.objects.filter(pk=lecture.pk).update(study_hours=Decimal("2"))
    make_party_group(branch_a1, "东组")
    Contract.objects.create(
        year=YEAR, parent=township_a, organization=branch_a1, status=Contract.Status.EVALUATED, score=92
    )
    officer = UserFactory()
    assignment = officer_assign(
        officer=officer,
        organization=branch_a1,
        kind=OfficerAssignment.Kind.LIAISON,
        starts_on=dt.date(YEAR, 1, 1),
        by=dora,
    )
    StudyRecord.objects.create(
        member=members[0], date=dt.date(YEAR, 2, 2), hours=Decimal("4"), channel="remote", content="学"
    )
    return {
        "county": county,
        "township a": township_a,
        "township b": township_b,
        "a1": branch_a1,
        "a2": branch_a2,
        "b1": branch_b1,
        "members": members,
        "old": old,
        "meeting": meeting,
        "lecture": lecture,
        "officer": officer,
        "assignment": assignment,
        "dora": dora,
        "bob": bob,
    }


def window() -> Window:
    return window_for(year=YEAR, quarter=None, today=TODAY)


def shown(d) -> tuple:
    """Everything the dashboard shows of its figures."""
    return (
        d.total,
        d.children,
        d.own,
        d.by_kind,
        d.by_sector,
        [(r.code, r.version.pk) for r in d.rules],
        [(str(name), counts) for name, counts in d.care_rows],
        d.grades,
        d.study_target,
        d.study_channels,
        d.heat,
    )


def cached(org, user) -> tuple:
    return shown(dashboard(org=org, scope=scope_for(user), window=window()))


def fresh(org, user) -> tuple:
    return shown(dashboard_figures(org=org, scope=scope_for(user), window=window()))


def kind(code: str) -> MeetingKind:
    return MeetingKind.objects.get(code=code)


def _grant_paid(w):
    rule = BenefitRule.objects.get(code="taxi_free")
    grant = care_services.grant_create(
        member=w["old"], rule=rule, granted_on=TODAY, by=w["dora"], override_reason="测试"
    )
    Grant.objects.filter(pk=grant.pk).update(status=Grant.Status.PAID, paid_on=TODAY)


def _transfer_after_today(w):
    """A member now in branch_b1 came from branch_a1 after today: today they count under township A."""
    member = w["members"][1]
    Member.objects.filter(pk=member.pk).update(organization=w["b1"])
    Transfer.objects.create(
        member=member,
        from_organization=w["a1"],
        to_organization=w["b1"],
        transferred_on=TODAY + dt.timedelta(days=10),
    )


# One write per table the figures are read from (the keys name the table written).
WRITES = {
    "accountability_contract": lambda w: Contract.objects.create(
        year=YEAR, parent=w["township b"], organization=w["b1"]
    ),
    "accountability_gradeband": lambda w: GradeBand.objects.filter(code="good").update(label="优秀"),
    "branches_officerassignment": lambda w: OfficerAssignment.objects.filter(pk=w["assignment"].pk).delete(),
    "branches_organization": lambda w: make_branch(w["township b"], code="B-NEW"),
    "branches_partygroup": lambda w: make_party_group(w["a2"], "西组"),
    "care_benefitrule": lambda w: BenefitRule.objects.filter(code="taxi_free").update(name="免费乘车"),
    "care_ruleversion": lambda w: RuleVersion.objects.create(
        rule=BenefitRule.objects.get(code="taxi_free"), effective_from=TODAY - dt.timedelta(days=1)
    ),
    "care_rulecondition": lambda w: RuleCondition.objects.filter(
        kind__in=[RuleCondition.Kind.MIN_AGE, RuleCondition.Kind.MIN_PARTY_AGE]
    ).update(number=F("number") + 100),
    "care_grant": _grant_paid,
    "care_visit": lambda w: Visit.objects.create(
        member=w["members"][0],
        organization=w["a1"],
        kind=Visit.Kind.HOME,
        planned_on=TODAY - dt.timedelta(days=30),
        due_on=TODAY - dt.timedelta(days=20),
    ),
    "education_attendance": lambda w: Attendance.objects.create(
        meeting=w["lecture"], member=w["members"][2], status=Attendance.Status.PRESENT
    ),
    "education_meeting": lambda w: held(w["a2"], dt.date(YEAR, 6, 1), "themed_day"),
    "education_meeting_kinds": lambda w: w["meeting"].kinds.remove(kind("themed_day")),
    "education_meetingkind": lambda w: MeetingKind.objects.filter(code="themed_day").update(order=77),
    "education_meetingrequirement": lambda w: requirement_change(
        kind=kind("themed_day"),
        effective_from=dt.date(YEAR, 3, 1),  # March's one themed day no longer enough
        period="month",
        minimum=2,
        applies_to="all",
        by=w["dora"],
    ),
    "education_studyrecord": lambda w: StudyRecord.objects.create(
        member=w["members"][3], date=dt.date(YEAR, 4, 4), hours=Decimal("40"), channel="remote", content="学"
    ),
    "education_studytarget": lambda w: StudyTarget.objects.create(
        effective_from=dt.date(YEAR, 1, 1), hours=Decimal("3"), channels="remote,lecture,training"
    ),
    "members_member": lambda w: full_members(w["a2"], 2),
    "members_transfer": _transfer_after_today,
    "officers_visitlog": lambda w: VisitLog.objects.create(
        assignment=w["assignment"],
        organization=w["a1"],
        officer=w["officer"],
        visited_on=TODAY,
        purpose="调研",
    ),
}

# Writes that reach the figures' tables but change nothing the county's dashboard shows (the kinds' order).
NOT_SHOWN = {"education_meetingkind"}


def test_a_write_for_every_table():
    assert set(WRITES) == set(TABLES)


def test_the_figures_read_no_other_table(world):
    """Every table named in the figures' queries, on every level and window, is one of TABLES."""
    tables = set(connection.introspection.table_names()) - {"common_tableversion"}
    read = set()
    for org, user in (
        (world["county"], world["dora"]),
        (world["township a"], world["bob"]),
        (world["a1"], world["dora"]),
    ):
        for quarter in (None, 1):
            w, scope = window_for(year=YEAR, quarter=quarter, today=TODAY), scope_for(user)
            with CaptureQueriesContext(connection) as ctx:
                dashboard_figures(org=org, scope=scope, window=w)
            for query in ctx.captured_queries:
                read |= tables.intersection(re.findall(r"[a-z_0-9]+", query["sql"]))
    assert read <= set(TABLES), read - set(TABLES)


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_the_figures_read_shows_at_once(world, write):
    county, dora = world["county"], world["dora"]
    before = cached(county, dora)
    assert before == fresh(county, dora)
    version = table_versions(TABLES)
    WRITES[write](world)
    assert table_versions(TABLES) != version
    after = cached(county, dora)
    assert after == fresh(county, dora)
    if write not in NOT_SHOWN:
        assert after != before


def test_a_second_request_is_served_from_the_cache(world, django_assert_num_queries):
    county, dora = world["county"], world["dora"]
    scope = scope_for(dora)
    first = shown(dashboard(org=county, scope=scope, window=window()))
    with django_assert_num_queries(1):  # the versions
        again = dashboard(org=county, scope=scope, window=window())
    assert shown(again) == first and again.org is county


def test_the_key_holds_the_organization_the_window_and_the_scope(world):
    county, township, dora, bob = world["county"], world["township a"], world["dora"], world["bob"]
    cached(county, dora)
    assert cached(township, dora) == fresh(township, dora)
    assert cached(township, bob) == fresh(township, bob)
    for quarter in (1, 2, None):
        w = window_for(year=YEAR, quarter=quarter, today=TODAY)
        d = dashboard(org=county, scope=scope_for(dora), window=w)
        assert d.window == w
        assert shown(d) == shown(dashboard_figures(org=county, scope=scope_for(dora), window=w))


def test_each_language_has_its_labels(world):
    county, dora = world["county"], world["dora"]
    with translation.override("en"):
        english = cached(county, dora)
    with translation.override("zh-hans"):
        chinese = cached(county, dora)
        assert chinese == fresh(county, dora)
    assert english[3] != chinese[3]  # the kinds of organization by name
    with translation.override("en"):
        assert cached(county, dora) == english == fresh(county, dora)


def _members_of(body: str, name: str) -> int:
    """The members column of the league table's row of `name`."""
    return int(re.search(rf'>{name}</a></th>\s*<td class="text-end">(\d+)</td>', body).group(1))


def _page(client, url) -> str:
    """The page, without its CSRF tokens (masked anew on every response)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", client.get(url).content.decode())


def test_the_page_shows_a_write_at_once(client, world):
    """The figures' HTML is cached too (dashboard.views): the page's league table and heat map change with the
    figures, and a page served from the cache is the page computed."""
    login(client, world["dora"])
    url = reverse("dashboard:org", args=[world["township a"].pk])
    first = _page(client, url)
    assert _page(client, url) == first
    before = _members_of(first, "甲二村党支部")
    full_members(world["a2"], 1)
    after = _page(client, url)
    assert _members_of(after, "甲二村党支部") == before + 1
    Organization.objects.filter(pk=world["a2"].pk).update(name="新名党支部")
    renamed = _page(client, url)
    assert ">新名党支部</a></th>" in renamed and "甲二村党支部" not in renamed
