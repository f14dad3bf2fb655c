"""The dues pages: the sheet with its two-tap payment, totals and their export, a member's dues (their own too),
the dues and hardship forms. Every page: an outsider case (404) and a query bound that does not grow."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import RoleAssignment
from dues import services
from dues.models import DuesRecord, DuesRelief, Payment
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_role
from users.services import system_user

pytestmark = pytest.mark.django_db
M = dt.date


@pytest.fixture
def own_user(worker, branch_a1):
    """李四's own account (role member)."""
    user = UserFactory(email="lisi@example.com", name="李四")
    worker.user = user
    worker.save(update_fields=["user"])
    make_role(user, branch_a1, RoleAssignment.Role.MEMBER)
    return user


def _many(org, n):
    for _ in range(n):
        m = MemberFactory(organization=org, admitted_on=M(2000, 1, 1))
        services.dues_record_set(member=m, category="student", starts_month=M(2026, 1, 1), by=system_user())
        services.payment_record(
            member=m,
            paid_on=M(2026, 2, 1),
            first_month=M(2026, 1, 1),
            last_month=M(2026, 2, 1),
            amount=D("0.50"),
            by=system_user(),
            today=M(2026, 6, 15),
        )


def _bounded(client, url, grow, django_assert_num_queries):
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow()
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# -- the sheet and the two taps ---------------------------------------------------------------------------------
def test_sheet_shows_months_and_unpaid_cells(client, alice, worker, branch_a1, frozen_today):
    login(client, alice)
    page = client.get(reverse("dues:sheet", args=[branch_a1.pk]) + "?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert "李四" in html
    assert f"{reverse('dues:payment_new', args=[worker.pk])}?month=2026-03" in html
    assert "40.00" in html


def test_two_taps_record_a_payment(client, alice, worker, frozen_today):
    login(client, alice)
    url = reverse("dues:payment_new", args=[worker.pk])
    first = client.get(url + "?month=2026-03", HTTP_HX_REQUEST="true")  # tap 1: the cell
    html = first.content.decode()
    assert 'value="2026-01"' in html and 'value="2026-03"' in html and 'value="120.00"' in html
    assert "<html" not in html
    done = client.post(  # tap 2: the button, with what the form holds
        url,
        {
            "paid_on": "2026-06-15",
            "first_month": "2026-01",
            "last_month": "2026-03",
            "amount": "120.00",
            "back": "sheet",
        },
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 200
    payment = Payment.objects.get()
    assert (payment.first_month, payment.last_month, payment.amount, payment.recorded_by) == (
        M(2026, 1, 1),
        M(2026, 3, 1),
        D("120.00"),
        alice,
    )
    body = done.content.decode()
    assert f'id="dues-row-{worker.pk}"' in body and 'hx-swap-oob="true"' in body


def test_payment_form_says_why_and_saves_nothing(client, alice, worker, frozen_today):
    login(client, alice)
    url = reverse("dues:payment_new", args=[worker.pk])
    page = client.post(
        url, {"paid_on": "2026-06-15", "first_month": "2025-12", "last_month": "2026-01", "amount": "80"}
    )
    assert page.status_code == 200 and "2026-01" in page.content.decode()
    page = client.post(
        url, {"paid_on": "2026-06-15", "first_month": "2026-01", "last_month": "2026-02", "amount": "79.99"}
    )
    assert "80.00" in page.content.decode()
    assert not Payment.objects.exists()


def test_payment_without_htmx_goes_back(client, alice, worker, branch_a1, frozen_today):
    login(client, alice)
    url = reverse("dues:payment_new", args=[worker.pk])
    assert client.get(url + "?month=bad").status_code == 200  # an odd month: the current one
    response = client.post(
        url,
        {
            "paid_on": "2026-06-15",
            "first_month": "2026-01",
            "last_month": "2026-01",
            "amount": "50",
            "back": "member",
        },
    )
    assert response["Location"] == reverse("dues:member", args=[worker.pk])
    assert Payment.objects.get().extra == D("10.00")


def test_outsiders_get_404_on_every_dues_page(
    client, charlie, worker, branch_a1, township_a, alice, frozen_today
):
    relief = services.relief_decide(
        member=worker,
        kind="exemption",
        first_month=M(2026, 4, 1),
        last_month=None,
        reason="困难",
        decided_on=M(2026, 4, 1),
        by=alice,
    )
    login(client, charlie)
    for url in [
        reverse("dues:sheet", args=[branch_a1.pk]),
        reverse("dues:totals", args=[township_a.pk]),
        reverse("dues:totals_export", args=[township_a.pk, "csv"]),
        reverse("dues:member", args=[worker.pk]),
        reverse("dues:record_new", args=[worker.pk]),
        reverse("dues:relief_new", args=[worker.pk]),
        reverse("dues:payment_new", args=[worker.pk]),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert client.post(reverse("dues:relief_approve", args=[relief.pk])).status_code == 404
    assert client.get(reverse("dues:me")).status_code == 404  # charlie has no member record
    assert not Payment.objects.exists()
    relief.refresh_from_db()
    assert relief.approved_on is None


def test_a_member_sees_only_their_own_dues(client, own_user, worker, branch_a1, township_a, frozen_today):
    other = MemberFactory(organization=branch_a1, name="王五")
    login(client, own_user)
    assert client.get(reverse("dues:me"))["Location"] == reverse("dues:member", args=[worker.pk])
    assert client.get(reverse("dues:index"))["Location"] == reverse("dues:me")
    page = client.get(reverse("dues:member", args=[worker.pk]))
    assert page.status_code == 200 and "40.00" in page.content.decode()
    assert "dues:record_new" not in page.content.decode()
    for url in [
        reverse("dues:member", args=[other.pk]),
        reverse("dues:sheet", args=[branch_a1.pk]),
        reverse("dues:totals", args=[township_a.pk]),
        reverse("dues:payment_new", args=[worker.pk]),
        reverse("dues:record_new", args=[worker.pk]),
        reverse("dues:relief_new", args=[worker.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    # the panel on the member's own record page
    me = client.get(reverse("members:me")).content.decode()
    assert reverse("dues:member", args=[worker.pk]) in me


def test_member_page_panel_for_the_secretary(client, alice, worker, frozen_today):
    login(client, alice)
    page = client.get(reverse("members:detail", args=[worker.pk])).content.decode()
    assert reverse("dues:member", args=[worker.pk]) in page and "40.00" in page


def test_index_leads_each_role_to_their_page(client, alice, bob, branch_a1, township_a):
    login(client, alice)
    assert client.get(reverse("dues:index"))["Location"] == reverse("dues:sheet", args=[branch_a1.pk])
    login(client, bob)
    assert client.get(reverse("dues:index"))["Location"] == reverse("dues:totals", args=[township_a.pk])


# -- totals and export -------------------------------------------------------------------------------------------
def test_totals_per_month_and_export(client, bob, worker, township_a, branch_a1, frozen_today):
    services.payment_record(
        member=worker,
        paid_on=M(2026, 2, 3),
        first_month=M(2026, 1, 1),
        last_month=M(2026, 2, 1),
        amount=D("100"),
        by=system_user(),
        today=M(2026, 6, 15),
    )
    login(client, bob)
    page = client.get(reverse("dues:totals", args=[township_a.pk]) + "?year=2026")
    html = page.content.decode()
    assert page.status_code == 200 and "480.00" in html and "80.00" in html and "20.00" in html
    response = client.get(reverse("dues:totals_export", args=[township_a.pk, "csv"]) + "?year=2026")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "org_code",
        "org_name",
        "month",
        "members",
        "due",
        "paid",
        "extra",
        "unpaid_members",
        "unpaid",
    ]
    by_key = {(r[0], r[2]): r for r in rows[1:]}
    assert by_key[("T-A", "2026-02")][3:] == ["1", "40.00", "40.00", "20.00", "0", "0.00"]
    assert by_key[("B-A1", "2026-03")][3:] == ["1", "40.00", "0.00", "0.00", "1", "40.00"]
    xlsx = client.get(reverse("dues:totals_export", args=[township_a.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(reverse("dues:totals_export", args=[township_a.pk, "pdf"])).status_code == 404


# -- forms -------------------------------------------------------------------------------------------------------
def test_dues_form_refuses_a_farmer_amount_out_of_range(client, alice, member_a1, frozen_today):
    login(client, alice)
    url = reverse("dues:record_new", args=[member_a1.pk])
    page = client.post(url, {"category": "farmer", "fixed_amount": "1.50", "starts_month": "2026-01"})
    assert page.status_code == 200 and "1.00" in page.content.decode()
    page = client.post(url, {"category": "employed", "base": "-100", "starts_month": "2026-01"})
    assert page.status_code == 200
    assert not DuesRecord.objects.exists()
    response = client.post(url, {"category": "farmer", "fixed_amount": "0.50", "starts_month": "2026-01"})
    assert response.status_code == 302
    assert DuesRecord.objects.get().fixed_amount == D("0.50")


def test_relief_decided_by_branch_approved_by_township(client, alice, bob, worker, frozen_today):
    login(client, alice)
    response = client.post(
        reverse("dues:relief_new", args=[worker.pk]),
        {
            "kind": "reduction",
            "amount": "5",
            "first_month": "2026-04",
            "last_month": "2026-12",
            "reason": "患病",
            "decided_on": "2026-04-02",
        },
    )
    assert response.status_code == 302
    relief = DuesRelief.objects.get()
    assert client.post(reverse("dues:relief_approve", args=[relief.pk])).status_code == 404  # not the branch
    login(client, bob)
    page = client.get(reverse("dues:member", args=[worker.pk])).content.decode()
    assert reverse("dues:relief_approve", args=[relief.pk]) in page
    assert client.post(reverse("dues:relief_approve", args=[relief.pk])).status_code == 302
    relief.refresh_from_db()
    assert relief.approved_by == bob and relief.approved_on == M(2026, 6, 15)


# -- query bounds ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["sheet", "totals", "totals_township", "member"])
def test_query_count_does_not_grow(
    client, alice, bob, worker, branch_a1, township_a, page, frozen_today, django_assert_num_queries
):
    _many(branch_a1, 2)
    services.payment_record(
        member=worker,
        paid_on=M(2026, 1, 2),
        first_month=M(2026, 1, 1),
        last_month=M(2026, 1, 1),
        amount=D("40"),
        by=system_user(),
        today=M(2026, 6, 15),
    )
    if page == "sheet":
        user, url = alice, reverse("dues:sheet", args=[branch_a1.pk])
    elif page == "totals":
        user, url = alice, reverse("dues:totals", args=[branch_a1.pk])
    elif page == "totals_township":
        user, url = bob, reverse("dues:totals", args=[township_a.pk])
    else:
        user, url = alice, reverse("dues:member", args=[worker.pk])

    def grow():
        _many(branch_a1, 12)
        for _ in range(3):  # decisions waiting for approval, shown on the member page and the totals
            services.relief_decide(
                member=worker,
                kind="reduction",
                amount=D("1"),
                first_month=M(2026, 7, 1),
                last_month=None,
                reason="困难",
                decided_on=M(2026, 6, 1),
                by=alice,
            )
        for month in (3, 4, 5):
            services.payment_record(
                member=worker,
                paid_on=M(2026, month, 2),
                first_month=M(2026, month, 1),
                last_month=M(2026, month, 1),
                amount=D("40"),
                by=system_user(),
                today=M(2026, 6, 15),
            )

    login(client, user)
    _bounded(client, url, grow, django_assert_num_queries)


def test_sheet_shows_paid_exempt_and_not_due_months(
    client, alice, bob, worker, branch_a1, charlie, frozen_today
):
    services.payment_record(
        member=worker,
        paid_on=M(2026, 2, 3),
        first_month=M(2026, 1, 1),
        last_month=M(2026, 2, 1),
        amount=D("80"),
        by=alice,
        today=M(2026, 6, 15),
    )
    relief = services.relief_decide(
        member=worker,
        kind="exemption",
        first_month=M(2026, 5, 1),
        last_month=M(2026, 6, 1),
        reason="患病",
        decided_on=M(2026, 4, 20),
        by=alice,
    )
    services.relief_approve(relief=relief, on=M(2026, 4, 25), by=bob)
    MemberFactory(organization=branch_a1, name="赵六")  # no dues record yet
    login(client, alice)
    html = client.get(reverse("dues:sheet", args=[branch_a1.pk])).content.decode()
    row = html[html.index(f'id="dues-row-{worker.pk}"') :]
    row = row[: row.index("</tr>")]
    assert row.count("bi-check-lg") == 2 and row.count("badge text-bg-info") == 2
    assert f"{reverse('dues:payment_new', args=[worker.pk])}?month=2026-03" in row
    assert "?month=2026-05" not in row  # exempt: nothing to tap
    assert "赵六" in html and reverse("dues:record_new", args=[worker.pk + 1]) in html
    # the year before the dues start: nothing due, nothing to tap
    old = client.get(reverse("dues:sheet", args=[branch_a1.pk]) + "?year=2025").content.decode()
    assert f"{reverse('dues:payment_new', args=[worker.pk])}?month=" not in old
    # a township's organization has no sheet
    login(client, bob)
    assert client.get(reverse("dues:sheet", args=[branch_a1.parent_id])).status_code == 404
