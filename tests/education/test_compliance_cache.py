"""The county's compliance cells are cached under the versions of the tables they are computed from
(education.compliance_cache, common.table_versions): every
way of writing what they are computed from makes the next request compute them again, and nothing else does.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from branches.models import Organization, PartyGroup
from branches.paths import subtree_q
from common.models import TableVersion
from common.table_versions import table_versions
from education.compliance import (
    compliance_cell_list,
    compliance_cells,
    compliance_grid,
    compliance_records,
    compliance_row,
    county_cells,
    load_rules,
    tally_of,
)
from education.compliance_cache import TABLES, subtree_cells, subtree_tally, units_grid
from education.models import Attendance, Meeting, MeetingKind
from education.selectors import county_escalations
from education.services import requirement_change
from members.models import Member, Transfer
from tests.concurrency import seeded  # noqa: F401  (a fixture: the meeting kinds back after a flush)
from tests.conftest import login
from tests.factories import MemberFactory, make_branch, make_party_group

from .conftest import full_members, held, kinds

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture
def world(seeded, county, township_a, branch_a1, branch_a2, dora):  # noqa: F811
    group = make_party_group(branch_a1, "东组")
    quiet = make_party_group(branch_a1, "南组")  # no meetings: it may be dissolved
    members = full_members(branch_a1, 7)
    full_members(branch_a2, 3)
    meeting = held(branch_a1, dt.date(2026, 3, 10), "themed_day", "general_meeting")
    held(branch_a1, dt.date(2026, 3, 12), "group_meeting", group=group)
    held(branch_a2, dt.date(2026, 5, 5), "party_lecture")
    return {
        "county": county,
        "township": township_a,
        "a1": branch_a1,
        "a2": branch_a2,
        "group": group,
        "quiet group": quiet,
        "members": members,
        "meeting": meeting,
        "dora": dora,
    }


def counted(cells) -> list:
    """Everything the pages show of the cells: per unit its counts, the kinds missing, its cells per month."""
    if cells is None:
        return []
    by_month = [cells.mask(lambda p, m=m: p.end.month == m) for m in range(1, 13)]
    return [
        (t.organization_id, t.code, t.name, t.ok, t.missing, t.due, t.missing_kinds)
        + tuple(cells.counts(unit, mask) for mask in by_month)
        for t, unit in zip(tally_of(cells), cells.units, strict=True)
    ]


def fresh(root) -> list:
    return counted(compliance_cells(Organization.objects.filter(subtree_q(root, "")), year=2026, as_of=AS_OF))


def compliance_version() -> str | None:
    return table_versions(TABLES)


def cached(root) -> list:
    return counted(subtree_cells(root, year=2026, as_of=AS_OF))


def kind(code: str) -> MeetingKind:
    return MeetingKind.objects.get(code=code)


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


WRITES = {
    "a meeting held": lambda w: held(w["a2"], dt.date(2026, 6, 1), "themed_day"),
    "a meeting planned instead": lambda w: Meeting.objects.filter(pk=w["meeting"].pk).update(
        status="planned"
    ),
    "a meeting moved to another month": lambda w: Meeting.objects.filter(pk=w["meeting"].pk).update(
        date=dt.date(2026, 4, 10)
    ),
    "a meeting deleted": lambda w: w["meeting"].delete(),
    "a kind added to a meeting": lambda w: w["meeting"].kinds.add(kind("party_lecture")),
    "a kind taken off a meeting": lambda w: w["meeting"].kinds.remove(kind("themed_day")),
    "a meeting's kinds cleared": lambda w: w["meeting"].kinds.clear(),
    "meetings created in bulk": lambda w: Meeting.kinds.through.objects.bulk_create(
        [
            Meeting.kinds.through(meeting=m, meetingkind=kind("themed_day"))
            for m in Meeting.objects.bulk_create(
                [
                    Meeting(organization=w["a2"], date=dt.date(2026, month, 3), topic="t", status="held")
                    for month in (7, 8, 9)
                ]
            )
        ]
    ),
    "a meeting changed by raw SQL": lambda w: raw(
        "UPDATE education_meeting SET date = %s WHERE id = %s", [dt.date(2026, 9, 9), w["meeting"].pk]
    ),
    "a member died (committee gone)": lambda w: Member.objects.filter(pk=w["members"][0].pk).update(
        died_on=dt.date(2026, 2, 1)
    ),
    "a member deleted": lambda w: w["members"][1].delete(),
    "members admitted (a committee)": lambda w: full_members(w["a2"], 4),
    "a member transferred": lambda w: (
        Transfer.objects.create(
            member=w["members"][2],
            from_organization=w["a1"],
            to_organization=w["a2"],
            transferred_on=dt.date(2026, 6, 30),
        ),
        Member.objects.filter(pk=w["members"][2].pk).update(organization=w["a2"]),
    ),
    "a party group formed": lambda w: make_party_group(w["a2"], "西组"),
    "a party group renamed": lambda w: PartyGroup.objects.filter(pk=w["group"].pk).update(name="北组"),
    "a party group dissolved": lambda w: w["quiet group"].delete(),
    "a branch founded": lambda w: make_branch(
        w["township"], code="B-NEW", established_on=dt.date(2026, 8, 1)
    ),
    "a branch's founding date": lambda w: Organization.objects.filter(pk=w["a2"].pk).update(
        established_on=dt.date(2026, 7, 1)
    ),
    "a branch closed": lambda w: Organization.objects.filter(pk=w["a2"].pk).update(is_active=False),
    "a branch renamed": lambda w: Organization.objects.filter(pk=w["a2"].pk).update(name="新名党支部"),
    "a rule tightened": lambda w: requirement_change(
        kind=kind("themed_day"),
        effective_from=dt.date(2026, 3, 1),  # March's one themed day no longer enough
        period="month",
        minimum=2,
        applies_to="all",
        by=w["dora"],
    ),
    "a kind renamed": lambda w: MeetingKind.objects.filter(code="themed_day").update(name_zh="主题党日活动"),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_compliance_reads_is_seen_at_once(world, write):
    root = world["county"]
    before = cached(root)
    assert before == fresh(root)
    assert cached(root) == before  # from the cache now
    version = compliance_version()
    WRITES[write](world)
    assert compliance_version() != version
    after = cached(root)
    assert after == fresh(root)
    if write not in NOT_SHOWN:
        assert after != before  # the write changes what the pages show


NOT_SHOWN = {"a party group renamed"}  # the county's pages count a branch's groups, they do not name them
# The tally counts a unit's cells of the year: a meeting moved to another month that fills the
# same kinds leaves every count as it was.
NOT_COUNTED = NOT_SHOWN | {"a meeting moved to another month", "a meeting changed by raw SQL"}


@pytest.mark.parametrize("write", WRITES)
def test_the_cached_tally_follows_every_write_too(world, write):
    root = world["county"]

    def fresh_tally():
        return tally_of(
            compliance_cells(Organization.objects.filter(subtree_q(root, "")), year=2026, as_of=AS_OF)
        )

    before = subtree_tally(root, year=2026, as_of=AS_OF)
    assert before == fresh_tally() == subtree_tally(root, year=2026, as_of=AS_OF)
    WRITES[write](world)
    after = subtree_tally(root, year=2026, as_of=AS_OF)
    assert after == fresh_tally()
    if write not in NOT_COUNTED:
        assert after != before


def branches(w) -> list[int]:
    return [w["a1"].pk, w["a2"].pk]


def fresh_grid(ids: list[int]) -> list:
    return compliance_grid(Organization.objects.filter(pk__in=ids), year=2026, as_of=AS_OF)


def cached_grid(ids: list[int]) -> list:
    return units_grid(ids, year=2026, as_of=AS_OF)


@pytest.mark.parametrize("write", WRITES)
def test_a_branchs_grid_sees_every_write_at_once(world, write):
    """The year strip of a branch and the branch secretary's home page read the grid of their branches from
    the cache under the same tables' versions: every write the county's cells see, they see."""
    ids = branches(world)
    before = cached_grid(ids)
    assert before == fresh_grid(ids)
    assert cached_grid(ids) == before  # from the cache now
    WRITES[write](world)
    after = cached_grid(ids)
    assert after == fresh_grid(ids)
    if write not in GRID_NOT_SHOWN:
        assert after != before


# a branch founded elsewhere is not among the two branches' rows
GRID_NOT_SHOWN = {"a branch founded"}


def test_a_branchs_grid_is_served_from_the_cache(world, django_assert_num_queries):
    ids = branches(world)
    first = cached_grid(ids)
    with django_assert_num_queries(1):  # the versions
        assert cached_grid(ids) == first
    assert cached_grid([world["a1"].pk]) == fresh_grid([world["a1"].pk]) != first  # its own key


def test_a_branchs_grid_in_each_language(world):
    ids = branches(world)
    with translation.override("en"):
        english = cached_grid(ids)
    with translation.override("zh-hans"):
        chinese = cached_grid(ids)
    themed = kind("themed_day")
    assert {r.kind_label for r in english if r.kind == "themed_day"} == {themed.name_en}
    assert {r.kind_label for r in chinese if r.kind == "themed_day"} == {themed.name_zh}
    with translation.override("en"):
        assert cached_grid(ids) == english == fresh_grid(ids)


def test_a_branchs_grid_inside_a_transaction_is_its_own(world):
    ids = branches(world)
    before = cached_grid(ids)
    with transaction.atomic():
        held(world["a2"], dt.date(2026, 6, 1), "themed_day")
        assert cached_grid(ids) == fresh_grid(ids) != before
        transaction.set_rollback(True)
    assert cached_grid(ids) == before == fresh_grid(ids)


def test_a_second_request_is_served_from_the_cache(world, django_assert_num_queries):
    root = world["county"]
    first = cached(root)
    with django_assert_num_queries(1):  # the versions
        assert cached(root) == first
    tally = subtree_tally(root, year=2026, as_of=AS_OF)
    with django_assert_num_queries(1):
        assert subtree_tally(root, year=2026, as_of=AS_OF) == tally


def test_writes_to_other_tables_keep_the_cache(world, django_assert_num_queries):
    root = world["county"]
    cached(root)
    version = compliance_version()
    Attendance.objects.create(meeting=world["meeting"], member=world["members"][0], status="present")
    world["dora"].name = "Dora D."
    world["dora"].save()
    assert compliance_version() == version
    with django_assert_num_queries(1):
        cached(root)


def test_a_transaction_that_writes_sees_its_own_writes_and_caches_nothing(world):
    root = world["county"]
    before = cached(root)
    with transaction.atomic():
        held(world["a2"], dt.date(2026, 6, 1), "themed_day")
        inside = cached(root)
        assert inside == fresh(root) != before
        transaction.set_rollback(True)
    assert cached(root) == before == fresh(root)


def test_each_language_has_its_kinds_names(world):
    root = world["county"]
    themed = kind("themed_day")
    with translation.override("en"):
        english = cached(root)
    with translation.override("zh-hans"):
        chinese = cached(root)
    assert themed.name_en in english[0][6] and themed.name_zh in chinese[0][6]  # the kinds missing
    with translation.override("en"):
        assert cached(root) == english == fresh(root)


def test_an_emptied_version_table_starts_again_under_a_new_token(world):
    root = world["county"]
    cached(root)
    old = compliance_version()
    TableVersion.objects.all().delete()
    again = compliance_version()  # the rows are made again, under new tokens
    assert set(again.split(",")).isdisjoint(old.split(","))
    held(world["a2"], dt.date(2026, 6, 1), "themed_day")
    new = compliance_version()
    assert new != again and set(new.split(",")).isdisjoint(old.split(","))
    assert cached(root) == fresh(root)


def test_the_pages_show_a_new_meeting_at_once(client, world):
    login(client, world["dora"])
    url = reverse("education:compliance") + "?year=2026"
    client.get(url)
    first = client.get(url).context["totals"]
    meeting = Meeting.objects.create(
        organization=world["a2"], date=dt.date(2026, 1, 5), topic="学习", status="held", minutes="记录"
    )
    meeting.kinds.set(kinds("themed_day"))
    after = client.get(url).context["totals"]
    assert after["ok"] == first["ok"] + 1


def test_every_table_compliance_reads_has_its_trigger(world):
    """A member admitted in bulk, a group, a kind, a rule, a transfer: a table without its trigger would let
    the cache go stale; each is written once here and must move the version."""
    for write in (
        lambda: MemberFactory(organization=world["a2"]),
        lambda: make_party_group(world["a1"], "北组"),
        lambda: MeetingKind.objects.filter(code="life_meeting").update(order=99),
        lambda: requirement_change(
            kind=kind("life_meeting"),
            effective_from=dt.date(2026, 9, 1),
            period="year",
            minimum=2,
            applies_to="all",
            by=world["dora"],
        ),
        lambda: world["meeting"].kinds.add(kind("life_meeting")),
    ):
        version = compliance_version()
        write()
        assert compliance_version() != version


# -- every organization's counts (county_measured): the county-wide jobs and report_compliance -----------------


def county_wide() -> tuple:
    """What the jobs and the report read of every organization, through county_measured."""
    return (
        compliance_records(None, year=2026, as_of=AS_OF),
        compliance_cell_list(None, year=2026, as_of=AS_OF),
        compliance_grid(None, year=2026, as_of=AS_OF),
    )


def county_wide_fresh() -> tuple:
    every = Organization.objects.all()
    return (
        compliance_records(every, year=2026, as_of=AS_OF),
        compliance_cell_list(every, year=2026, as_of=AS_OF),
        compliance_grid(every, year=2026, as_of=AS_OF),
    )


@pytest.mark.parametrize("write", WRITES)
def test_every_write_is_seen_by_the_county_wide_counts_at_once(world, write):
    before = county_wide()
    assert before == county_wide_fresh()
    assert county_wide() == before  # from the cache now
    WRITES[write](world)
    after = county_wide()
    assert after == county_wide_fresh()
    assert after != before  # every write changes a cell, a name or a label of the county's


def test_the_county_wide_counts_are_read_from_the_cache(world, django_assert_num_queries):
    county_wide()
    with django_assert_num_queries(3):  # the versions, once per reader
        county_wide()


def test_the_county_wide_counts_are_kept_per_kinds_and_language(world):
    only = compliance_cell_list(None, year=2026, as_of=AS_OF, kinds=["party_lecture"])
    assert {c.kind for c in only} == {"party_lecture"}
    assert only == compliance_cell_list(
        Organization.objects.all(), year=2026, as_of=AS_OF, kinds=["party_lecture"]
    )
    with translation.override("en"):
        english = compliance_cell_list(None, year=2026, as_of=AS_OF)
    with translation.override("zh-hans"):
        chinese = compliance_cell_list(None, year=2026, as_of=AS_OF)
    assert english[0].kind_label == kind(english[0].kind).name_en
    assert chinese[0].kind_label == kind(chinese[0].kind).name_zh


def test_county_cells_are_the_cell_list_as_pairs(world):
    """county_escalations reads the county's cells as (unit, cell) pairs and makes rows of the few it keeps."""
    for wanted in (None, ["party_lecture"]):
        rows = [compliance_row(u, c) for u, c in county_cells(year=2026, as_of=AS_OF, kinds=wanted)]
        assert rows and rows == compliance_cell_list(None, year=2026, as_of=AS_OF, kinds=wanted)


def test_the_county_wide_counts_inside_a_transaction_are_its_own(world):
    before = county_wide()
    with transaction.atomic():
        held(world["a2"], dt.date(2026, 6, 1), "themed_day")
        assert county_wide() == county_wide_fresh() != before
        transaction.set_rollback(True)
    assert county_wide() == before == county_wide_fresh()


def test_the_county_wide_counts_take_no_rules_of_their_own(world):
    with pytest.raises(ValueError):
        compliance_grid(None, year=2026, as_of=AS_OF, rules=load_rules())


def escalations() -> list:
    return [
        (e.what, e.obj, e.period, e.org_path, e.organization, str(e.text), e.url)
        for e in county_escalations(as_of=AS_OF)
    ]


def escalations_fresh() -> list:
    with transaction.atomic():  # nothing is read from the cache inside a transaction
        return escalations()


@pytest.mark.parametrize("write", WRITES)
def test_every_write_is_seen_by_the_county_escalation_at_once(world, write):
    before = escalations()
    assert before == escalations_fresh() and before  # the world's branches missed meetings months running
    assert escalations() == before  # from the cache now
    WRITES[write](world)
    assert escalations() == escalations_fresh()
