"""The roster pages. Thin: every object is loaded through members.selectors (scoped; 404 for outsiders),
every write goes through members.services."""

from __future__ import annotations

import copy
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Organization
from branches.selectors import (
    organization_ancestors,
    organization_children_visible,
    organization_top,
    organization_writable_get,
    scope_for,
    scope_or_404,
)
from common import panels as panel_registry
from common.forms import add_service_errors
from common.links import id_url
from common.pagination import paginate, querystring_without_page
from common.params import id_param
from common.replica import reads_from_replica
from common.spreadsheets.tables import write_csv, write_xlsx

from . import exports, idnumbers, selectors, services, statistics
from .ages import party_age, years_between
from .filters import MemberFilter
from .forms import (
    CommitteeTermForm,
    ConfirmationForm,
    DeathForm,
    DepartureForm,
    MemberForm,
    OfficerFormSet,
    ProbationExtensionForm,
    TransferForm,
)
from .models import CommitteeTerm, Member


@login_required
def member_list(request):
    scope = scope_for(request.user)
    if not scope.sees_anything:
        return redirect("members:me")
    today = timezone.localdate()
    queryset = selectors.members_for_list(user=request.user)
    member_filter = MemberFilter(request.GET or None, queryset=queryset, scope=scope)
    members = selectors.members_in_list_order(member_filter.qs)
    number = selectors.exact_id_searched(request.GET.get("q", ""))
    if number is not None:
        found = selectors.member_by_id_number(scope=scope, number=number)
        services.member_id_search_recorded(by=request.user, number=number, member=found)
    page = paginate(request, members, count_tables=selectors.LIST_TABLES)
    return render(
        request,
        "members/list.html",
        {
            "filter": member_filter,
            "page": page,
            "rows": _member_rows(page.object_list, scope=scope, today=today),
            "query": querystring_without_page(request),
            "can_write": bool(scope.write_paths) or scope.is_superuser,
        },
    )


def _member_rows(members, *, scope, today: dt.date) -> list[dict]:
    """What each line of the list shows, made once per page from the members' values (LIST_COLUMNS) as plain
    values (a dict: the template's first lookup finds them; model attributes, properties and a choice lookup
    per cell were most of the page): the address, the badges, the ID number masked, the phone as the user may
    see it (Member.masked_phone for those who may not change the member), the ages on `today`."""
    detail_url = id_url("members:detail")
    departures = dict(Member.Departure.choices)
    rows = []
    for m in members:
        departed_on, reason, group = m["departed_on"], m["departure_reason"], m["party_group__name"]
        org_name = m["organization__name"]
        rows.append(
            {
                "url": detail_url(m["pk"]),
                "name": m["name"],
                "died": m["died_on"] is not None,
                "departure": f"{departures.get(reason, reason)} {departed_on:%Y-%m-%d}"
                if departed_on
                else "",
                "veteran_cadre": m["veteran_cadre"],
                "hardship": m["hardship"],
                "is_mobile": m["is_mobile"],
                "id_number": idnumbers.mask(m["id_number"]),
                "organization": f"{org_name} · {group}" if group is not None else org_name,
                "full": m["full_member_on"] is not None,
                "age": years_between(m["birth_date"], today),
                "party_age": party_age(m["full_member_on"], today),
                "phone": (
                    m["phone"]
                    if scope.covers_path(m["organization__path"], write=True)
                    else idnumbers.mask_phone(m["phone"])
                ),
            }
        )
    return rows


def _detail_context(request, member, *, own: bool = False) -> dict:
    scope = scope_for(request.user)
    today = timezone.localdate()
    can_write = scope.can_write(member.organization)
    # Who only reads the record (an officer) sees the birth date and phone masked like the ID number.
    private = can_write or own
    return {
        "member": member,
        "own": own,
        "can_write": can_write and not own,
        "private": private,
        "age": member.age_on(today),
        "party_age": member.party_age_on(today),
        "transfers": selectors.member_transfers(member=member),
        "offices": selectors.member_offices(member=member),
        "history": selectors.member_history(member=member, masked=not private),
        "panels": panel_registry.member_panels(member=member, scope=scope, as_of=today),
        "today": today,
    }


@login_required
def member_detail(request, pk: int):
    member = selectors.member_get_for_user(user=request.user, pk=pk)
    return render(request, "members/detail.html", _detail_context(request, member))


@login_required
def member_me(request):
    member = selectors.member_of_user(user=request.user)
    return render(request, "members/detail.html", _detail_context(request, member, own=True))


@login_required
@require_POST
def member_reveal_id(request, pk: int):
    """htmx: the full ID number, for users who may change the member; the access is recorded."""
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    number = services.member_reveal_id_number(member=member, by=request.user)
    if not request.htmx:
        # The page itself, with the number in place of the mask: never in the messages cookie, which is
        # signed but readable (issue 13, Medium 6).
        context = {**_detail_context(request, member), "revealed_id_number": number}
        return render(request, "members/detail.html", context)
    return render(request, "members/_id_number.html", {"number": number})


@login_required
def member_create(request):
    scope = scope_for(request.user)
    if not scope.write_paths and not scope.is_superuser:
        raise Http404
    initial = {}
    if request.GET.get("organization"):
        org = organization_writable_get(scope=scope, pk=request.GET["organization"])
        if org:
            initial["organization"] = org
    form = MemberForm(request.POST or None, scope=scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organization"}
        try:
            member = services.member_create(
                organization=form.cleaned_data["organization"], by=request.user, **data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s was added to the roster.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": None})


@login_required
def member_edit(request, pk: int):
    scope = scope_for(request.user)
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    # The form works on a copy: the service compares the stored values with the new ones.
    form = MemberForm(request.POST or None, instance=copy.copy(member), scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            changed = services.member_update(member=member, by=request.user, version=version, **data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            if changed:
                messages.success(request, _("The changes were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": member})


@login_required
def member_transfer(request, pk: int):
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    form = TransferForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.member_transfer(
                member=member,
                to_organization=form.cleaned_data["to_organization"],
                on=form.cleaned_data["transferred_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("%(name)s was transferred to %(org)s.")
                % {"name": member.name, "org": transfer.to_organization.name},
            )
            if scope_for(request.user).covers(transfer.to_organization):
                return redirect("members:detail", pk=member.pk)
            return redirect(reverse("branches:detail", args=[transfer.from_organization_id]))
    return render(request, "members/transfer.html", {"form": form, "member": member})


@login_required
def member_record_death(request, pk: int):
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    form = DeathForm(request.POST or None, initial={"died_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_record_death(member=member, died_on=form.cleaned_data["died_on"], by=request.user)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The death of %(name)s was recorded.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/death.html", {"form": form, "member": member})


@login_required
def member_depart(request, pk: int):
    """A member leaves the roll (转出, 退党, 自行脱党, 除名, 开除党籍, 取消预备党员资格)."""
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    form = DepartureForm(request.POST or None, initial={"departed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_depart(
                member=member,
                on=form.cleaned_data["departed_on"],
                reason=form.cleaned_data["departure_reason"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s has left the roll.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/depart.html", {"form": form, "member": member})


@login_required
@require_POST
def member_departure_undo(request, pk: int):
    """Take back a departure recorded by mistake."""
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    try:
        services.member_departure_undo(member=member, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("%(name)s is on the roll again.") % {"name": member.name})
    return redirect("members:detail", pk=member.pk)


@login_required
def member_confirm(request, pk: int):
    """转正: a probationary member becomes a full member, by the decision of a branch general meeting."""
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    form = ConfirmationForm(request.POST or None, initial={"full_member_on": member.probation_due_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_confirm(
                member=member,
                on=form.cleaned_data["full_member_on"],
                meeting=form.cleaned_data["confirmation_meeting"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s is now a full member.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/confirm.html", {"form": form, "member": member})


@login_required
def member_extend_probation(request, pk: int):
    """延长预备期."""
    member = selectors.member_get_for_user(user=request.user, pk=pk, write=True)
    form = ProbationExtensionForm(
        request.POST or None, initial={"probation_extended_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_extend_probation(
                member=member,
                decided_on=form.cleaned_data["probation_extended_on"],
                ends_on=form.cleaned_data["probation_ends_on"],
                reason=form.cleaned_data["probation_extension_reason"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The probation of %(name)s was extended.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/extend_probation.html", {"form": form, "member": member})


@login_required
def member_export(request):
    """The roster of the user's write scope (the current filters applied) in the import_members columns."""
    scope = scope_for(request.user)
    if not scope.write_paths and not scope.is_superuser:
        raise Http404
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    queryset = selectors.members_visible_to(request.user, write=True)
    member_filter = MemberFilter(request.GET or None, queryset=queryset, scope=scope)
    org = (
        getattr(member_filter.form, "cleaned_data", {}).get("organization")
        if member_filter.is_valid()
        else None
    )
    content, count = exports.members_export(queryset=member_filter.qs, fmt=fmt)
    services.members_export_recorded(
        by=request.user, count=count, detail=org.code if isinstance(org, Organization) else ""
    )
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    filename = f"members-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- committee terms (支部委员会) -----------------------------------------------------------------------------


def _committee_form(request, *, org: Organization, term: CommitteeTerm | None):
    members = selectors.committee_candidates(org=org)
    if term is not None:
        term_initial = {"elected_on": term.elected_on, "ends_on": term.ends_on}
        officers_initial = [
            {"member": o.member_id, "position": o.position, "duty": o.duty}
            for o in selectors.officers_of_term(term=term)
        ]
    else:
        term_initial, officers_initial = {}, []
    form = CommitteeTermForm(request.POST or None, initial=term_initial)
    formset = OfficerFormSet(
        request.POST or None, initial=officers_initial, members=members, prefix="officers"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.committee_term_save(
                organization=org,
                elected_on=form.cleaned_data["elected_on"],
                ends_on=form.cleaned_data["ends_on"],
                officers=formset.officers(),
                term=term,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("The committee elected on %(date)s was saved (term until %(end)s).")
                % {"date": saved.elected_on.isoformat(), "end": saved.ends_on.isoformat()},
            )
            return redirect("branches:detail", pk=org.pk)
    return render(
        request,
        "members/committee_form.html",
        {
            "form": form,
            "formset": formset,
            "org": org,
            "term": term,
            "term_years": CommitteeTerm.term_years(org),
        },
    )


@login_required
def committee_create(request, pk: int):
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.all(), "", write=True, pk=pk)
    if not org.is_basic:
        raise Http404
    return _committee_form(request, org=org, term=None)


@login_required
def committee_edit(request, pk: int):
    scope = scope_for(request.user)
    term = scope.get_object_or_404(
        CommitteeTerm.objects.select_related("organization"), "organization", write=True, pk=pk
    )
    return _committee_form(request, org=term.organization, term=term)


# -- 党内统计 (the annual statistics) -------------------------------------------------------------------------


def _statistics_params(request) -> tuple[Organization, dt.date]:
    """?org= (an organization the user reads; default their highest) and ?as_of= (default today)."""
    scope = scope_or_404(request.user)
    raw = request.GET.get("org")
    if raw:
        pk = id_param(raw)
        if pk is None:
            raise Http404
        org = scope.get_object_or_404(Organization.objects.all(), "", pk=pk)
    else:
        org = organization_top(scope=scope)
        if org is None:
            raise Http404
    try:
        as_of = dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = timezone.localdate()
    if not statistics.FIRST_DAY <= as_of <= statistics.LAST_DAY:
        as_of = timezone.localdate()
    return org, as_of


@login_required
@reads_from_replica
def statistics_page(request):
    """党内统计 of an organization's subtree on a day, as tables and charts; the download is the report."""
    org, as_of = _statistics_params(request)
    scope = scope_for(request.user)
    total, sections = statistics.statistics_sections(statistics.party_statistics(org=org, as_of=as_of))
    ancestors = [a for a in organization_ancestors(org) if scope.covers(a)]
    return render(
        request,
        "members/statistics.html",
        {
            "org": org,
            "as_of": as_of,
            "year_end": dt.date(timezone.localdate().year - 1, 12, 31),
            "total": total,
            "sections": sections,
            "ancestors": ancestors,
            "children": organization_children_visible(scope=scope, org=org),
        },
    )


@login_required
@reads_from_replica
def statistics_export(request):
    """The page's figures in report_statistics' columns (XLSX, or CSV with ?format=csv)."""
    org, as_of = _statistics_params(request)
    records = statistics.statistics_records(org=org, rows=statistics.party_statistics(org=org, as_of=as_of))
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    if fmt == "csv":
        content = write_csv(statistics.COLUMNS, records)
    else:
        content = write_xlsx(statistics.COLUMNS, records, sheet_title=f"statistics {as_of.isoformat()}")
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="statistics-{org.pk}-{as_of:%Y%m%d}.{fmt}"'
    return response
