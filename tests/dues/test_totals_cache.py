"""The dues totals of a township or the county are cached under the versions of the tables they are computed
from (dues.selectors.TOTALS_TABLES, common.table_versions): every way of writing what they are computed from
makes the next request compute them again, and nothing else does.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from branches.models import Organization
from common.table_versions import table_versions
from dues import selectors, services
from dues.models import DuesRecord, DuesRelief, Payment
from members.models import Member
from tests.conftest import login
from tests.factories import make_branch
from users.services import system_user

from .test_totals import _member, _pay, _record, _relief

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

M = dt.date
YEAR = 2026
AS_OF = M(2026, 6, 15)


@pytest.fixture
def world(county, township_a, branch_a1, branch_a2, dora):
    a = _member(branch_a1, M(2010, 3, 4))
    _record(a, M(2025, 1, 1), "employed", "4000.00")
    payment = _pay(a, M(2026, 1, 1), M(2026, 3, 1), paid_on=M(2026, 1, 20), extra="2")
    b = _member(branch_a1, M(1990, 1, 1))
    record = _record(b, M(2024, 6, 1), "retired", "5000.00")
    relief = _relief(b, "reduction", M(2026, 2, 1), M(2026, 9, 1), "12.34")
    waiting = _relief(b, "exemption", M(2026, 10, 1), None, approved=False)
    c = _member(branch_a2, M(2000, 1, 1))
    _record(c, M(2020, 1, 1), "farmer", fixed="0.50")
    return {
        "county": county,
        "township": township_a,
        "a1": branch_a1,
        "a2": branch_a2,
        "dora": dora,
        "a": a,
        "b": b,
        "c": c,
        "payment": payment,
        "record": record,
        "relief": relief,
        "waiting": waiting,
    }


def shown(result) -> list:
    """Everything the page and the export show of the totals."""
    whole, units = result
    return [(u.organization_id, u.code, u.name, u.months, u.year) for u in [whole, *units]]


def cached(root) -> list:
    return shown(selectors.dues_totals(org=Organization.objects.get(pk=root.pk), year=YEAR, as_of=AS_OF))


def fresh(root) -> list:
    cache.clear()
    with transaction.atomic():  # nothing is read from or kept in the cache inside a transaction
        return cached(root)


def version() -> str | None:
    return table_versions(selectors.TOTALS_TABLES)


WRITES = {
    "a payment recorded": lambda w: services.payment_record(
        member=w["c"],
        paid_on=M(2026, 5, 2),
        first_month=M(2026, 1, 1),
        last_month=M(2026, 5, 1),
        amount=D("2.50"),
        by=system_user(),
        today=AS_OF,
    ),
    "a payment deleted": lambda w: w["payment"].delete(),
    "a payment's months changed": lambda w: Payment.objects.filter(pk=w["payment"].pk).update(
        last_month=M(2026, 6, 1)
    ),
    "a new base from July": lambda w: services.dues_record_set(
        member=w["a"], category="employed", base=D("9000.00"), starts_month=M(2026, 7, 1), by=system_user()
    ),
    "a record deleted": lambda w: w["record"].delete(),
    "a record's category changed": lambda w: DuesRecord.objects.filter(pk=w["record"].pk).update(
        category="student", base=None
    ),
    "an exemption approved": lambda w: services.relief_approve(
        relief=w["waiting"], on=M(2026, 10, 1), by=w["dora"]
    ),
    "a reduction deleted": lambda w: w["relief"].delete(),
    "a reduction's amount changed": lambda w: DuesRelief.objects.filter(pk=w["relief"].pk).update(
        amount=D("1.00")
    ),
    "a member admitted with a record": lambda w: _record(
        _member(w["a2"], M(2026, 3, 3)), M(2026, 3, 1), "student"
    ),
    "a member died": lambda w: Member.objects.filter(pk=w["a"].pk).update(died_on=M(2026, 4, 10)),
    "a member moved to another branch": lambda w: Member.objects.filter(pk=w["b"].pk).update(
        organization=w["a2"]
    ),
    "a member deleted": lambda w: w["c"].delete(),
    "a branch renamed": lambda w: Organization.objects.filter(pk=w["a2"].pk).update(name="新名党支部"),
    "a branch founded, a member moved there": lambda w: Member.objects.filter(pk=w["c"].pk).update(
        organization=make_branch(w["township"], code="B-A0", name="新支部")
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_the_totals_read_is_seen_at_once(world, write):
    org = world["county"]
    before = cached(org)
    assert before == fresh(org)
    assert cached(org) == before  # from the cache now
    old = version()
    WRITES[write](world)
    assert version() != old
    after = cached(org)
    assert after == fresh(org)
    assert after != before  # the write changes what the page shows


@pytest.mark.parametrize(
    "write",
    ["a payment recorded", "a member moved to another branch", "a branch founded, a member moved there"],
)
def test_a_townships_totals_too(world, write):
    org = world["township"]
    before = cached(org)
    assert cached(org) == before == fresh(org)
    WRITES[write](world)
    after = cached(org)
    assert after == fresh(org) != before


def test_a_second_request_is_served_from_the_cache(world, django_assert_num_queries):
    org = Organization.objects.get(pk=world["county"].pk)
    first = shown(selectors.dues_totals(org=org, year=YEAR, as_of=AS_OF))
    with django_assert_num_queries(1):  # the versions
        assert shown(selectors.dues_totals(org=org, year=YEAR, as_of=AS_OF)) == first


def test_the_day_and_the_year_are_not_mixed_up(world):
    org = world["county"]
    june = cached(org)
    for year, as_of in ((YEAR, M(2026, 12, 1)), (YEAR - 1, AS_OF), (YEAR, AS_OF)):
        got = shown(selectors.dues_totals(org=org, year=year, as_of=as_of))
        cache.clear()
        assert got == shown(selectors.dues_totals(org=org, year=year, as_of=as_of))
    assert cached(org) == june
    december = shown(selectors.dues_totals(org=org, year=YEAR, as_of=M(2026, 12, 1)))
    assert december != june  # more months owed


def test_writes_to_other_tables_keep_the_cache(world, django_assert_num_queries):
    org = Organization.objects.get(pk=world["county"].pk)
    selectors.dues_totals(org=org, year=YEAR, as_of=AS_OF)
    old = version()
    world["dora"].name = "Dora D."
    world["dora"].save()
    assert version() == old
    with django_assert_num_queries(1):
        selectors.dues_totals(org=org, year=YEAR, as_of=AS_OF)


def test_the_totals_page_shows_a_payment_at_once(client, world):
    login(client, world["dora"])
    url = reverse("dues:totals", args=[world["county"].pk]) + f"?year={YEAR}"
    client.get(url)
    first = client.get(url).context["year_total"].paid
    services.payment_record(
        member=world["c"],
        paid_on=M(2026, 5, 2),
        first_month=M(2026, 1, 1),
        last_month=M(2026, 5, 1),
        amount=D("2.50"),
        by=system_user(),
        today=AS_OF,
    )
    assert client.get(url).context["year_total"].paid == first + D("2.50")
