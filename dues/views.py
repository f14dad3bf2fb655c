"""Party dues pages (党费): the branch's dues sheet (months × members) where a payment takes two taps, totals per
month for a branch, a township or the county with an export, and each member's dues (a member reads their
own). Thin: objects through the scope (404 for outsiders), reads through dues.selectors, writes through
dues.services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Organization
from branches.selectors import organization_top, scope_for, scope_or_404
from common.forms import add_service_errors
from common.links import id_url
from common.pagination import paginate
from common.params import FIRST_YEAR, LAST_YEAR, year_or_current
from common.replica import reads_from_replica
from common.spreadsheets.tables import write_csv, write_xlsx
from members.models import Member
from members.selectors import member_get_for_user, member_of_user

from . import rates, selectors, services
from .forms import DuesRecordForm, PaymentForm, ReliefForm
from .models import DuesRelief

SHEET_PAGE_SIZE = 30
PAGE_SIZE = 50
APPROVALS_SHOWN = 20
EXPORT_COLUMNS = [
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


def _org(request, pk: int) -> Organization:
    return scope_or_404(request.user).get_object_or_404(Organization.objects.all(), "", pk=pk)


def _member_to_write(request, pk: int) -> Member:
    return scope_or_404(request.user).get_object_or_404(
        Member.objects.select_related("organization"), "organization", write=True, pk=pk
    )


@login_required
def index(request):
    """Where "Dues" leads: a branch's sheet, the totals of a township or the county, or a member's own dues."""
    scope = scope_for(request.user)
    if not scope.sees_anything:
        return redirect("dues:me")
    org = organization_top(scope=scope)
    if org is None:
        raise Http404
    return redirect("dues:sheet" if org.is_basic else "dues:totals", pk=org.pk)


@login_required
def me(request):
    return redirect("dues:member", pk=member_of_user(user=request.user).pk)


@login_required
@reads_from_replica
def totals(request, pk: int):
    org = _org(request, pk)
    scope = scope_for(request.user)
    today = timezone.localdate()
    year = year_or_current(request)
    whole, units = selectors.dues_totals(org=org, year=year, as_of=today)
    # Decisions waiting for this user's approval: few at a time, the oldest first.
    to_approve = list(selectors.reliefs_to_approve(scope=scope, org=org)[: APPROVALS_SHOWN + 1])
    return render(
        request,
        "dues/totals.html",
        {
            "org": org,
            "year": year,
            "whole": whole,
            "year_total": whole.year,
            "units": paginate(request, units, per_page=PAGE_SIZE),
            "to_approve": to_approve[:APPROVALS_SHOWN],
            "more_to_approve": len(to_approve) > APPROVALS_SHOWN,
            "today": today,
        },
    )


@login_required
@reads_from_replica
def totals_export(request, pk: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    org = _org(request, pk)
    year = year_or_current(request)
    whole, units = selectors.dues_totals(org=org, year=year, as_of=timezone.localdate())
    rows = [
        [
            unit.code,
            unit.name,
            t.label,
            t.members,
            f"{t.due:.2f}",
            f"{t.paid:.2f}",
            f"{t.extra:.2f}",
            t.unpaid_members,
            f"{t.unpaid:.2f}",
        ]
        for unit in [whole, *units]
        for t in unit.months
    ]
    filename = f"dues-{org.code}-{year}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(write_csv(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            write_xlsx(EXPORT_COLUMNS, rows, sheet_title=str(year)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclass(frozen=True)
class SheetLine:
    """A sheet row as the template writes it: the addresses and each cell's title made beforehand (a sheet
    of 30 members has 360 cells, each of which reversed two addresses and translated its title, issue 14)."""

    row: selectors.SheetRow
    member_url: str
    record_url: str
    cells: list[tuple[str, Decimal | None, str, str]]  # state, due, the payment form's address, its title


def _sheet_lines(rows: list[selectors.SheetRow], *, can_write: bool) -> list[SheetLine]:
    member_url = id_url("dues:member")
    record_url = id_url("dues:record_new")
    payment_url = id_url("dues:payment_new")
    title = _("Record a payment up to %(month)s")
    lines = []
    for row in rows:
        pk = row.member.pk
        cells = []
        for month, state, due in row.cells:
            url = label = ""
            if can_write and state not in ("paid", "exempt", "none"):
                url = f"{payment_url(pk)}?month={month:%Y-%m}"
                label = title % {"month": f"{month:%Y-%m}"}
            cells.append((state, due, url, label))
        lines.append(SheetLine(row, member_url(pk), record_url(pk), cells))
    return lines


def _months(year: int) -> list[dt.date]:
    return list(rates.months(dt.date(year, 1, 1), dt.date(year, 12, 1)))


@login_required
def sheet(request, pk: int):
    """The branch's dues sheet: a row per member, a cell per month of the year; an unpaid cell is the first
    tap of a payment (the form opens with the months up to it and their dues), the form's button the second."""
    org = _org(request, pk)
    if not org.is_basic:
        raise Http404
    scope = scope_for(request.user)
    today = timezone.localdate()
    year = year_or_current(request)
    page = paginate(request, selectors.sheet_members(org=org, year=year), per_page=SHEET_PAGE_SIZE)
    rows = selectors.sheet_rows(members=page.object_list, year=year, as_of=today)
    can_write = scope.can_write(org)
    return render(
        request,
        "dues/sheet.html",
        {
            "org": org,
            "year": year,
            "page": page,
            "rows": rows,
            "lines": _sheet_lines(rows, can_write=can_write),
            "months": _months(year),
            "can_write": can_write,
            "today": today,
        },
    )


@login_required
def member(request, pk: int):
    """A member's dues: the record and its history, reductions and exemptions, payments, arrears. The member
    reads their own page."""
    m = member_get_for_user(user=request.user, pk=pk)
    scope = scope_for(request.user)
    today = timezone.localdate()
    current = rates.month_of(today)
    dues = selectors.member_dues(member=m)
    unpaid = dues.unpaid(current)
    reliefs = list(selectors.member_reliefs(member=m))
    approvable = {
        r.pk
        for r in reliefs
        if not r.is_approved and services.relief_can_approve(relief=r, user=request.user)
    }
    return render(
        request,
        "dues/member.html",
        {
            "member": m,
            "dues": dues,
            "record": dues.record_on(current),
            "amount": dues.due(current),
            "paid_through": dues.paid_through(current),
            "unpaid": unpaid,
            "reliefs": reliefs,
            "approvable": approvable,
            "payments": paginate(request, selectors.member_payments(member=m), per_page=PAGE_SIZE),
            "can_write": scope.can_write(m.organization),
            "own": m.user_id == request.user.pk,
        },
    )


@login_required
def record_new(request, pk: int):
    m = _member_to_write(request, pk)
    current = selectors.member_dues(member=m).record_on(rates.month_of(timezone.localdate()))
    initial = {"starts_month": rates.month_of(timezone.localdate())}
    if current is not None:
        initial.update(category=current.category, base=current.base, fixed_amount=current.fixed_amount)
    form = DuesRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_record_set(member=m, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Dues saved."))
            return redirect("dues:member", pk=m.pk)
    return render(request, "dues/form.html", {"form": form, "member": m, "title": _("Set dues")})


@login_required
def relief_new(request, pk: int):
    m = _member_to_write(request, pk)
    today = timezone.localdate()
    form = ReliefForm(
        request.POST or None, initial={"decided_on": today, "first_month": rates.month_of(today)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.relief_decide(member=m, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Decision recorded: it applies once the level above approves it."))
            return redirect("dues:member", pk=m.pk)
    return render(
        request, "dues/form.html", {"form": form, "member": m, "title": _("Reduction or exemption of dues")}
    )


@login_required
@require_POST
def relief_approve(request, pk: int):
    relief = scope_or_404(request.user).get_object_or_404(
        DuesRelief.objects.select_related("member__organization__parent"),
        "member__organization__parent",
        write=True,
        pk=pk,
    )
    try:
        services.relief_approve(relief=relief, on=timezone.localdate(), by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Approved."))
    return redirect("dues:member", pk=relief.member_id)


def _year(value: str | None) -> int | None:
    if (
        value
        and len(value) == 4
        and value.isascii()
        and value.isdigit()
        and FIRST_YEAR <= int(value) <= LAST_YEAR
    ):
        return int(value)
    return None


def _payment_initial(dues: selectors.MemberDues, month: dt.date, today: dt.date) -> dict:
    """The first tap: the months from the oldest unpaid one up to the tapped month, and what they are due."""
    unpaid = dues.unpaid(month)
    first = unpaid[0] if unpaid else month
    due = rates.payment_due(first, month, dues.due_map(first, month))
    return {"paid_on": today, "first_month": first, "last_month": month, "amount": due}


@login_required
def payment_new(request, pk: int):
    m = _member_to_write(request, pk)
    today = timezone.localdate()
    dues = selectors.member_dues(member=m)
    try:
        month = rates.parse_month(request.GET.get("month", ""))
    except rates.DuesError:
        month = rates.month_of(today)
    form = PaymentForm(request.POST or None, initial=_payment_initial(dues, month, today))
    back = request.POST.get("back") or request.GET.get("back") or "sheet"
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_record(member=m, by=request.user, today=today, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            # the year of the sheet the tap came from (its row is swapped in place), else the payment's
            year = _year(request.POST.get("year")) or payment.last_month.year
            if request.htmx:
                row = selectors.sheet_row(member=m, year=year, as_of=today)
                return render(
                    request,
                    "dues/_payment_done.html",
                    {
                        "row": row,
                        "line": _sheet_lines([row], can_write=True)[0],
                        "payment": payment,
                        "org": m.organization,
                        "can_write": True,
                        "year": year,
                    },
                )
            messages.success(request, _("Payment recorded."))
            if back == "member":
                return redirect("dues:member", pk=m.pk)
            return redirect(reverse("dues:sheet", args=[m.organization_id]) + f"?year={year}")
    year = _year(request.POST.get("year")) or month.year
    context = {"form": form, "member": m, "back": back, "month": month, "year": year}
    template = "dues/_payment_form.html" if request.htmx else "dues/payment.html"
    return render(request, template, context)
