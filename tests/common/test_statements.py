"""common.statements.by_id: a statement compiled once gives what the queryset gives, for any id."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from common import statements
from members.models import Member, Transfer
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def fresh():
    statements._built.clear()
    yield
    statements._built.clear()


def transfers(pk):
    return Transfer.objects.filter(member_id=pk).select_related(
        "from_organization", "to_organization", "created_by"
    )


@pytest.fixture
def moved(branch_a1, branch_a2, alice):
    members = [MemberFactory(organization=branch_a1) for _ in range(3)]
    for i, m in enumerate(members[:2]):
        for n in range(i + 1):
            Transfer.objects.create(
                member=m,
                from_organization=branch_a1,
                to_organization=branch_a2,
                transferred_on=dt.date(2025, 1, 1 + n),
                reason=f"r{n}",
                created_by=alice if n else None,
            )
    return members


def test_model_rows_with_related_objects_are_the_querysets(moved, django_assert_num_queries):
    for m in moved:
        with django_assert_num_queries(
            1
        ):  # the related objects come with the row, as select_related gives them
            got = statements.by_id(Transfer, "t", transfers, m.pk)
            shown = [(t.pk, t.from_organization.name, t.to_organization.name, str(t.created_by)) for t in got]
        expected = list(transfers(m.pk))
        assert [t.pk for t in got] == [t.pk for t in expected]  # the model's ordering kept
        assert shown == [
            (t.pk, t.from_organization.name, t.to_organization.name, str(t.created_by)) for t in expected
        ]
        assert all(not t._state.adding and t._state.db == "default" for t in got)
    assert len(statements._built) == 1  # one statement for every member


def test_values_list_and_slices(moved):
    def build(pk):
        return (
            Transfer.objects.filter(member_id=pk)
            .order_by("-transferred_on")
            .values_list("reason", "transferred_on")
        )

    for m in moved:
        assert statements.by_id(Transfer, "v", build, m.pk) == list(build(m.pk))
        sliced = statements.by_id(Transfer, "s", lambda pk: transfers(pk)[:1], m.pk)
        assert [t.pk for t in sliced] == [t.pk for t in transfers(m.pk)[:1]]


def test_compiled_once_per_key(moved):
    with CaptureQueriesContext(connection) as first:
        statements.by_id(Transfer, "t", transfers, moved[0].pk)
    with CaptureQueriesContext(connection) as second:
        statements.by_id(Transfer, "t", transfers, moved[1].pk)
    # the same SQL, run for another id
    assert first[0]["sql"].replace(str(moved[0].pk), "?") == second[0]["sql"].replace(str(moved[1].pk), "?")


def test_what_it_cannot_read_is_left_to_the_orm(moved):
    def prefetching(pk):
        return Member.objects.filter(pk=pk).prefetch_related(Prefetch("transfers"))

    def without_the_id(pk):
        return Transfer.objects.all()

    got = statements.by_id(Member, "p", prefetching, moved[1].pk)
    assert [len(m.transfers.all()) for m in got] == [2]
    assert len(statements.by_id(Transfer, "all", without_the_id, moved[0].pk)) == 3
    assert len(statements.by_id(Transfer, "all", without_the_id, moved[1].pk)) == 3
    assert {key for key, s in statements._built.items() if s.sql is None} == {
        ("p", "default"),
        ("all", "default"),
    }


def test_an_id_that_is_not_an_int_is_left_to_the_orm(moved):
    assert [t.pk for t in statements.by_id(Transfer, "t", transfers, str(moved[1].pk))] == [
        t.pk for t in transfers(moved[1].pk)
    ]
    assert statements._built == {}


def test_a_filter_on_nothing_is_left_to_the_orm(moved, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            statements.by_id(Transfer, "none", lambda pk: transfers(pk).filter(pk__in=[]), moved[0].pk) == []
        )
