"""common.pagination: the one way list pages are cut into pages."""

import pytest
from django.test import RequestFactory

from common.pagination import paginate, querystring_without_page

ROWS = list(range(1, 24))  # 23 rows


def get(query: str = ""):
    return RequestFactory().get(f"/list/?{query}")


def test_page_size_comes_from_settings(settings):
    settings.PAGE_SIZE = 10
    page = paginate(get(), ROWS)
    assert list(page) == list(range(1, 11))
    assert page.paginator.num_pages == 3


def test_a_caller_keeps_its_own_page_size(settings):
    settings.PAGE_SIZE = 10
    page = paginate(get("page=2"), ROWS, per_page=5)
    assert list(page) == [6, 7, 8, 9, 10]
    assert page.paginator.num_pages == 5


def test_the_page_the_query_asks_for(settings):
    settings.PAGE_SIZE = 10
    page = paginate(get("page=3"), ROWS)
    assert page.number == 3
    assert list(page) == [21, 22, 23]
    assert not page.has_next()


@pytest.mark.parametrize(
    ("asked", "given"), [("", 1), ("abc", 1), ("0", 3), ("-1", 3), ("99", 3), ("2.5", 1)]
)
def test_a_bad_page_number_gives_the_first_or_last_page(settings, asked, given):
    settings.PAGE_SIZE = 10
    assert paginate(get(f"page={asked}"), ROWS).number == given


def test_an_empty_list_is_one_empty_page():
    page = paginate(get("page=4"), [])
    assert page.number == 1
    assert list(page) == []


@pytest.mark.django_db
def test_a_queryset_is_sliced_in_the_database(settings, django_assert_num_queries):
    from users.models import User

    settings.PAGE_SIZE = 2
    for i in range(5):
        User.objects.create_user(email=f"u{i}@example.org", password=None)
    with django_assert_num_queries(2):  # the count and the page, whatever the rows
        page = paginate(get("page=2"), User.objects.order_by("email"))
        emails = [u.email for u in page]
    assert emails == ["u2@example.org", "u3@example.org"]


def test_querystring_without_page_keeps_the_filters():
    assert querystring_without_page(get("status=open&page=3&year=2026")) == "status=open&year=2026"
    assert querystring_without_page(get("q=%E5%85%9A&tag=a&tag=b")) == "q=%E5%85%9A&tag=a&tag=b"
    assert querystring_without_page(get("page=2")) == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_cache")
def test_a_cached_count_is_kept_until_a_table_it_reads_is_written(settings, django_assert_num_queries):
    from education.models import MeetingKind

    settings.PAGE_SIZE = 2
    kinds = MeetingKind.objects.order_by("code")
    tables = ["education_meetingkind"]
    total = kinds.count()
    assert paginate(get(), kinds, count_tables=tables).paginator.count == total
    with django_assert_num_queries(1):  # the versions, not the count
        assert paginate(get(), kinds, count_tables=tables).paginator.count == total
    # another filter is another count
    assert paginate(get(), kinds.filter(order__lt=0), count_tables=tables).paginator.count == 0
    MeetingKind.objects.create(code="zz_new", name_zh="zz_new", name_en="z", order=120)
    page = paginate(get("page=99"), kinds, count_tables=tables)
    assert page.paginator.count == total + 1
    assert [k.code for k in page][-1] == "zz_new"


@pytest.mark.django_db
def test_inside_a_transaction_the_count_is_counted(settings, django_assert_num_queries):
    from education.models import MeetingKind

    with django_assert_num_queries(1):  # the count, no versions (nothing is cached inside a transaction)
        count = paginate(
            get(), MeetingKind.objects.all(), count_tables=["education_meetingkind"]
        ).paginator.count
    assert count == MeetingKind.objects.count()
