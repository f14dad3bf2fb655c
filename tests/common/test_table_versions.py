"""common.table_versions: every tracked table has its triggers, a committed write to it moves its version and
no other's, and whatever is cached under the versions of the tables it reads is computed again after a write.

The versions are bumped when a transaction that wrote commits, and inside a transaction nothing is cached: these
tests commit (transaction=True)."""

import io

import pytest
from django.db import connection, transaction

from accountability import selectors as accountability_selectors
from care import selectors as care_selectors
from common.table_versions import cached_exactly, table_versions
from dashboard import selectors as dashboard_selectors
from dues import selectors as dues_selectors
from education import compliance, compliance_cache
from education import selectors as education_selectors
from members import panels as members_panels
from members import selectors as members_selectors
from members import statistics as members_statistics
from recruitment import selectors as recruitment_selectors
from standing import selectors as standing_selectors

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

# Every set of tables something is cached under: each must be tracked (a migration's track_tables).
CACHED_UNDER = {
    "education.compliance_cache": compliance_cache.TABLES,
    "education.compliance": compliance.TABLES,
    "dashboard.selectors": dashboard_selectors.TABLES,
    "dues.selectors.dues_totals": dues_selectors.TOTALS_TABLES,
    "care.selectors.eligibility_counts": care_selectors.COUNTS_TABLES,
    "care.selectors.grant_ids_ordered": care_selectors.GRANT_IDS_TABLES,
    "care.selectors.eligible_count": care_selectors.COUNTS_TABLES,
    "care.selectors.eligible_page": care_selectors.COUNTS_TABLES,
    "care.selectors.rules_in_force": care_selectors.RULES_TABLES,
    "members.statistics.party_statistics": members_statistics.TABLES,
    "members.selectors.subtree_member_totals": members_selectors.SUBTREE_TOTALS_TABLES,
    "education.selectors (member_figures_cached)": education_selectors.STUDY_FIGURES_TABLES,
    "education.selectors.absence_notices": education_selectors.ABSENCE_TABLES,
    "dues.selectors (arrears_notices, members_six_months_unpaid)": dues_selectors.ARREARS_TABLES,
    "members.selectors (the roster's count)": members_selectors.LIST_TABLES,
    "education.selectors (the meetings list's count)": education_selectors.MEETINGS_COUNT_TABLES,
    "branches.tree.organization_children (members' figures)": members_panels.TREE_FIGURES_TABLES,
    "members.selectors.basic_organization_figures": members_selectors.BASIC_FIGURES_TABLES,
    "recruitment.selectors.stage_counts": recruitment_selectors.STAGE_COUNTS_TABLES,
    "recruitment.selectors.pipeline_summary": recruitment_selectors.STAGE_COUNTS_TABLES,
    "standing.selectors.review_latest": standing_selectors.LATEST_TABLES,
    "accountability.selectors.contract_panel_figures": accountability_selectors.CONTRACT_PANEL_TABLES,
}


def tracked_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'common_table_touch'"
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'common_touch_insert_%'"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("user", CACHED_UNDER)
def test_everything_cached_is_cached_under_tracked_tables(user):
    assert set(CACHED_UNDER[user]) <= tracked_tables(), user


def test_a_committed_write_moves_its_tables_version_only():
    from education.models import MeetingKind

    before = {t: table_versions([t]) for t in ("education_meetingkind", "education_studytarget")}
    MeetingKind.objects.filter(code="themed_day").update(order=77)  # no row: still a write, still a version
    MeetingKind.objects.create(code="x_kind", name_zh="x_kind", name_en="x", order=99)
    after = {t: table_versions([t]) for t in before}
    assert after["education_meetingkind"] != before["education_meetingkind"]
    assert after["education_studytarget"] == before["education_studytarget"]


def test_one_transaction_moves_a_version_once_and_a_rolled_back_one_not_at_all():
    from education.models import MeetingKind

    start = table_versions(["education_meetingkind"])
    with transaction.atomic():
        for i in range(3):
            MeetingKind.objects.create(code=f"k{i}", name_zh=f"k{i}", name_en="k", order=100 + i)
    once = table_versions(["education_meetingkind"])
    token, n = start.split(":")
    token_after, n_after = once.split(":")
    assert token_after == token
    assert int(n_after) == int(n) + (1 if connection.vendor == "postgresql" else 3)
    with transaction.atomic():
        MeetingKind.objects.create(code="k9", name_zh="k9", name_en="k", order=109)
        transaction.set_rollback(True)
    assert table_versions(["education_meetingkind"]) == once


def test_cached_until_a_table_it_reads_is_written(django_assert_num_queries):
    from education.models import MeetingKind

    calls = []

    def compute():
        calls.append(1)
        return MeetingKind.objects.count()

    first = cached_exactly("test:kinds", tables=["education_meetingkind"], compute=compute)
    with django_assert_num_queries(1):  # the versions
        assert cached_exactly("test:kinds", tables=["education_meetingkind"], compute=compute) == first
    MeetingKind.objects.create(code="k_new", name_zh="k_new", name_en="k", order=120)
    assert cached_exactly("test:kinds", tables=["education_meetingkind"], compute=compute) == first + 1
    assert len(calls) == 2


def test_inside_a_transaction_nothing_is_read_from_or_kept_in_the_cache():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    with transaction.atomic():
        assert table_versions(["education_meetingkind"]) is None
        assert cached_exactly("test:t", tables=["education_meetingkind"], compute=compute) == 1
        assert cached_exactly("test:t", tables=["education_meetingkind"], compute=compute) == 2


def test_another_release_of_the_code_computes_again(monkeypatch):
    from common import table_versions
    from education.models import MeetingKind

    calls = []

    def compute():
        calls.append(1)
        return MeetingKind.objects.count()

    cached_exactly("test:release", tables=["education_meetingkind"], compute=compute)
    cached_exactly("test:release", tables=["education_meetingkind"], compute=compute)
    assert len(calls) == 1
    monkeypatch.setattr(table_versions, "code_version", lambda: "another")
    cached_exactly("test:release", tables=["education_meetingkind"], compute=compute)
    assert len(calls) == 2


def test_a_restored_database_never_reads_what_was_cached_for_its_original():
    """A restore repeats the versions of the dump: renew_table_versions gives them new tokens."""
    from django.core.management import call_command

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    before = table_versions(["education_meetingkind"])
    assert cached_exactly("test:restore", tables=["education_meetingkind"], compute=compute) == 1
    call_command("renew_table_versions", stdout=io.StringIO())
    assert table_versions(["education_meetingkind"]) != before
    assert cached_exactly("test:restore", tables=["education_meetingkind"], compute=compute) == 2
