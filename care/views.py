"""Care pages. Thin: every object is loaded through the scope (outsiders get 404), rules live in services
and selectors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Organization
from branches.selectors import organization_children_visible, organization_top, scope_for, townships_in
from common.forms import add_service_errors, quick_selects
from common.links import id_url
from common.pagination import paginate, querystring_without_page
from common.params import id_param, year_param
from members.models import Member
from members.selectors import member_get_for_user, member_of_user

from . import forms, selectors, services
from .models import Condolence, Grant, ServicePoint, Visit

# -- access helpers: one per kind of object; missing and forbidden are the same 404 --------------------


class _RenderedOnce(dict):
    """A small template rendered once per value on a page (`badges[status]`), where a list showed it with an
    {% include %} per row or cell (issue 14)."""

    def __init__(self, template: str, name: str):
        super().__init__()
        self.template, self.name = get_template(template), name

    def __missing__(self, value):
        html = self[value] = self.template.render({self.name: value})
        return html


def _scope(request):
    return scope_for(request.user)


def _org(request, pk: int, *, write: bool = False) -> Organization:
    return _scope(request).get_object_or_404(
        Organization.objects.select_related("parent"), "", write=write, pk=pk
    )


def _member(request, pk: int, *, write: bool = False) -> Member:
    """A member the user may see (a member also sees their own record) or change (write scope only)."""
    return member_get_for_user(user=request.user, pk=pk, write=write)


def _grant(request, pk: int, *, write: bool = False) -> Grant:
    return _scope(request).get_object_or_404(
        Grant.objects.select_related("rule", "member", "organization", "township"),
        "organization",
        write=write,
        pk=pk,
    )


def _visit(request, pk: int, *, write: bool = False) -> Visit:
    return _scope(request).get_object_or_404(
        Visit.objects.select_related("member", "member__organization", "assigned_to"),
        "member__organization",
        write=write,
        pk=pk,
    )


def _as_of(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


# -- entry ------------------------------------------------------------------------------------------


@login_required
def home(request):
    scope = _scope(request)
    top = organization_top(scope=scope)
    if top is not None:
        return redirect("care:org", top.pk)
    if getattr(request.user, "member", None) is not None:
        return redirect("care:mine")
    raise Http404


@login_required
def mine(request):
    """A member's own service points (village point, township station, county center) and benefits."""
    member = member_of_user(user=request.user)
    today = timezone.localdate()
    return render(
        request,
        "care/mine.html",
        {
            "member": member,
            "points": selectors.service_points_for_member(member=member),
            "benefits": selectors.member_eligibility(member=member, as_of=today),
        },
    )


# -- organization pages -------------------------------------------------------------------------------


@login_required
def org_detail(request, pk):
    scope = _scope(request)
    org = _org(request, pk)
    today = timezone.localdate()
    rules = selectors.rules_in_force(as_of=today)
    point = selectors.service_point_of(org=org)
    visit_counts = selectors.visit_counts(org=org, scope=scope, as_of=today)
    townships = townships_in(scope=scope, org=org)
    return render(
        request,
        "care/org_detail.html",
        {
            "org": org,
            "point": point,
            "counts": selectors.eligibility_counts(org=org, scope=scope, rules=rules),
            "visit_counts": visit_counts,
            "budgets": selectors.budget_lines(townships=townships, year=today.year),
            "year": today.year,
            "can_write": scope.can_write(org),
            "is_county": scope.is_county,
            "children": organization_children_visible(scope=scope, org=org),
        },
    )


@login_required
def eligible_list(request, pk):
    """Who is eligible, who has been served this period and who not; a POST turns the list into grants."""
    scope = _scope(request)
    org = _org(request, pk)
    as_of = _as_of(request)
    rules = selectors.rules_in_force(as_of=as_of)
    form = forms.EligibleFilterForm(request.GET or None, rules=rules)
    rule_code = served = query = ""
    if form.is_valid():
        rule_code, served, query = (
            form.cleaned_data["rule"],
            form.cleaned_data["served"],
            form.cleaned_data["q"],
        )
    chosen = {"rule_code": rule_code, "served": served, "query": query}
    count = selectors.eligible_count(org=org, scope=scope, as_of=as_of, rules=rules, **chosen)
    page = paginate(request, [], count=count)  # the pager: the rows of its page are eligible_page's
    rows = selectors.eligible_page(
        org=org,
        scope=scope,
        as_of=as_of,
        rules=rules,
        number=page.number,
        per_page=page.paginator.per_page,
        **chosen,
    )
    bulk = forms.GrantBulkForm(initial={"granted_on": as_of, "rule": rule_code}, rules=rules)
    quick_selects(form)
    quick_selects(bulk)
    member_url = id_url("care:member")
    badges = _RenderedOnce("care/_grant_status.html", "status")
    return render(
        request,
        "care/eligible_list.html",
        {
            "org": org,
            "as_of": as_of,
            "rules": rules,
            "form": form,
            "page": page,
            "rows": rows,
            # (row, the member's address, [(benefit, its status badge)])
            "lines": [
                (row, member_url(row.member.pk), [(name, badges[st]) for name, st in row.benefit_cells])
                for row in rows
            ],
            "bulk": bulk,
            "can_write": scope.can_write(org),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_POST
def grants_bulk_create(request, pk):
    org = _org(request, pk, write=True)
    granted_on = timezone.localdate()
    rules = selectors.rules_in_force(as_of=granted_on)
    form = forms.GrantBulkForm(request.POST, rules=rules)
    if not form.is_valid():
        messages.error(request, _("Choose a valid date and benefit."))
        return redirect("care:eligible", org.pk)
    granted_on = form.cleaned_data["granted_on"]
    code = form.cleaned_data["rule"]
    created = services.grants_create_for_eligible(
        org=org, granted_on=granted_on, by=request.user, codes=[code] if code else None
    )
    messages.success(
        request,
        _("%(n)s grants planned for members eligible on %(date)s.") % {"n": created, "date": granted_on},
    )
    return redirect(f"{reverse('care:grants', args=[org.pk])}?status=planned")


@login_required
def grant_list(request, pk):
    scope = _scope(request)
    org = _org(request, pk)
    status = request.GET.get("status", "")
    if status not in Grant.Status.values:
        status = ""
    year = year_param(request)
    if request.method == "POST":
        org = _org(request, pk, write=True)
        ids = [i for i in map(id_param, request.POST.getlist("grant")) if i is not None]
        chosen = selectors.grants_writable(scope=scope, ids=ids)
        try:
            n = services.grants_approve(grants=chosen, by=request.user)
        except (PermissionDenied, ValidationError) as e:
            messages.error(request, " ".join(getattr(e, "messages", None) or [str(e)]))
        else:
            messages.success(request, _("%(n)s grants approved.") % {"n": n})
        return redirect(request.get_full_path())
    ids = selectors.grant_ids_ordered(org=org, scope=scope, status=status, year=year)
    page = paginate(request, ids, count=len(ids))
    page.object_list = selectors.grants_by_ids(ids=list(page.object_list))
    can_write = scope.can_write(org)
    member_url, pay_url = id_url("care:member"), id_url("care:grant_pay")
    badges = _RenderedOnce("care/_grant_status.html", "status")
    periods = _RenderedOnce("care/_period.html", "key")
    return render(
        request,
        "care/grant_list.html",
        {
            "org": org,
            "page": page,
            # (grant, the member's address, the pay form's address, its status badge, its period)
            "rows": [
                (g, member_url(g.member_id), pay_url(g.pk), badges[g.status], periods[g.period_key])
                for g in page.object_list
            ],
            "status": status,
            "year": year,
            "statuses": Grant.Status.choices,
            "can_write": can_write,
            # only the 待审批 tab has the approve action, so only it offers checkboxes
            "selectable": can_write and status == Grant.Status.PLANNED,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def grant_create(request, pk):
    member = _member(request, pk, write=True)
    form = forms.GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.grant_create(
                member=member,
                rule=d["rule"],
                granted_on=d["granted_on"],
                amount=d["amount"],
                override_reason=d["override_reason"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Grant planned."))
            return redirect("care:member", member.pk)
    return render(request, "care/grant_form.html", {"member": member, "form": form})


@login_required
def grant_pay(request, pk):
    grant = _grant(request, pk, write=True)
    form = forms.GrantPayForm(request.POST or None, initial={"amount": grant.amount})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.grant_mark_paid(
                grant=grant,
                paid_on=d["paid_on"],
                amount=d["amount"],
                method=d["method"],
                handed_over_by=d["handed_over_by"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Recorded as paid."))
            return redirect("care:member", grant.member_id)
    return render(request, "care/grant_pay.html", {"grant": grant, "form": form})


@login_required
def grant_cancel(request, pk):
    grant = _grant(request, pk, write=True)
    form = forms.GrantCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_cancel(grant=grant, reason=form.cleaned_data["cancel_reason"], by=request.user)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Grant cancelled."))
            return redirect("care:member", grant.member_id)
    return render(request, "care/grant_cancel.html", {"grant": grant, "form": form})


@login_required
def budget_edit(request, pk):
    township = _org(request, pk, write=True)
    if township.kind != Organization.Kind.TOWNSHIP or not _scope(request).is_county:
        raise Http404
    year = timezone.localdate().year
    form = forms.BudgetForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.budget_set(
                township=township, year=d["year"], amount=d["amount"], note=d["note"], by=request.user
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Budget saved."))
            return redirect("care:org", township.pk)
    return render(
        request,
        "care/budget_form.html",
        {"org": township, "form": form, "line": selectors.budget_line(township=township, year=year)},
    )


@login_required
def visit_list(request, pk):
    scope = _scope(request)
    org = _org(request, pk)
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    if show not in selectors.VISIT_VIEWS:
        show = "open"
    qs = selectors.visits_for(org=org, scope=scope, show=show, as_of=today)
    return render(
        request,
        "care/visit_list.html",
        {
            "org": org,
            "page": paginate(request, qs),
            "show": show,
            "today": today,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def pairing_list(request, pk):
    scope = _scope(request)
    org = _org(request, pk)
    today = timezone.localdate()
    qs = selectors.pairings_current(org=org, scope=scope, as_of=today)
    return render(
        request, "care/pairing_list.html", {"org": org, "page": paginate(request, qs), "querystring": ""}
    )


@login_required
def network(request):
    scope = _scope(request)
    if not scope.sees_anything:
        return redirect("care:mine")
    qs = selectors.service_points_visible(scope=scope)
    return render(request, "care/network.html", {"page": paginate(request, qs), "querystring": ""})


@login_required
def service_point_edit(request, pk):
    org = _org(request, pk, write=True)
    point = selectors.service_point_of(org=org)
    form = forms.ServicePointForm(
        request.POST or None,
        instance=point or ServicePoint(organization=org, level=ServicePoint.level_for(org), name=org.name),
    )
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            services.service_point_save(organization=org, by=request.user, **fields)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Service point saved."))
            return redirect("care:org", org.pk)
    return render(request, "care/service_point_form.html", {"org": org, "form": form})


# -- member pages -------------------------------------------------------------------------------------


@login_required
def member_detail(request, pk):
    scope = _scope(request)
    member = _member(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "care/member_detail.html",
        {
            "member": member,
            "benefits": selectors.member_eligibility(member=member, as_of=today),
            "grants": selectors.member_grants(member=member),
            "visits": selectors.member_visits(member=member),
            "pairings": selectors.member_pairings(member=member),
            "condolence": selectors.member_condolence(member=member),
            "points": selectors.service_points_for_member(member=member),
            "can_write": scope.can_write(member.organization),
            "today": today,
        },
    )


@login_required
def member_illness(request, pk):
    member = _member(request, pk, write=True)
    form = forms.IllnessForm(request.POST or None, initial={"illness": member.illness})
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.member_record_illness(
                member=member,
                illness=form.cleaned_data["illness"],
                since=form.cleaned_data["since"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            if visit:
                messages.success(
                    request,
                    _("Illness recorded; an illness visit is planned by %(date)s.") % {"date": visit.due_on},
                )
            return redirect("care:member", member.pk)
    return render(
        request, "care/member_event_form.html", {"member": member, "form": form, "event": "illness"}
    )


@login_required
def member_death(request, pk):
    member = _member(request, pk, write=True)
    form = forms.DeathForm(request.POST or None, initial={"died_on": member.died_on or timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            condolence = services.member_record_death(
                member=member, died_on=form.cleaned_data["died_on"], by=request.user
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The death was recorded and the condolence process started."))
            return redirect("care:condolence", condolence.pk)
    return render(request, "care/member_event_form.html", {"member": member, "form": form, "event": "death"})


@login_required
def visit_create(request, pk):
    member = _member(request, pk, write=True)
    form = forms.VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_create(
                member=member,
                kind=d["kind"],
                planned_on=d["planned_on"],
                due_on=d["due_on"],
                visitors=d["visitors"],
                notes=d["notes"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Visit planned."))
            return redirect("care:member", member.pk)
    return render(request, "care/visit_form.html", {"member": member, "form": form})


@login_required
def visit_complete(request, pk):
    visit = _visit(request, pk, write=True)
    form = forms.VisitDoneForm(
        request.POST or None,
        initial={"visitors": visit.visitors, "notes": visit.notes, "follow_up": visit.follow_up},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_complete(
                visit=visit,
                done_on=d["done_on"],
                visitors=d["visitors"],
                notes=d["notes"],
                follow_up=d["follow_up"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("care:member", visit.member_id)
    return render(request, "care/visit_done.html", {"visit": visit, "form": form})


@login_required
def pairing_create(request, pk):
    helped = _member(request, pk, write=True)
    helpers = selectors.pairing_helpers(scope=_scope(request), helped=helped)
    form = forms.PairingForm(request.POST or None, helpers=helpers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.pairing_create(
                helper=d["helper"],
                helped=helped,
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                note=d["note"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Pairing recorded."))
            return redirect("care:member", helped.pk)
    return render(request, "care/pairing_form.html", {"member": helped, "form": form})


@login_required
def condolence_detail(request, pk):
    scope = _scope(request)
    condolence = scope.get_object_or_404(
        Condolence.objects.select_related("member", "organization"), "member__organization", pk=pk
    )
    can_write = scope.can_write(condolence.member.organization)
    form = forms.CondolenceForm(
        request.POST or None,
        initial={
            "memorial_on": condolence.memorial_on,
            "attendees": condolence.attendees,
            "wreath_confirmed_on": condolence.wreath_confirmed_on,
            "attendance_confirmed_on": condolence.attendance_confirmed_on,
            "notes": condolence.notes,
        },
    )
    if request.method == "POST":
        if not can_write:
            raise Http404
        if form.is_valid():
            try:
                services.condolence_confirm(condolence=condolence, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Condolence updated."))
                return redirect("care:condolence", condolence.pk)
    return render(
        request, "care/condolence.html", {"condolence": condolence, "form": form, "can_write": can_write}
    )


# -- rules ------------------------------------------------------------------------------------------


@login_required
def rule_list(request):
    if not _scope(request).sees_anything:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "care/rule_list.html",
        {
            "rules": selectors.rules_in_force(as_of=today),
            "all_rules": selectors.benefit_rules(),
            "versions": selectors.rule_versions(),
            "is_county": _scope(request).is_county,
            "today": today,
        },
    )


@login_required
def rule_version_create(request, code):
    if not _scope(request).is_county:
        raise Http404
    rule = selectors.benefit_rule_get(code=code)
    if rule is None:
        raise Http404
    today = timezone.localdate()
    current = selectors.rules_in_force(as_of=today, codes=[code])
    initial_conditions = (
        [
            {"group": c.group, "kind": c.kind, "number": c.number, "date": c.date}
            for g in current[0].groups
            for c in g
        ]
        if current
        else []
    ) + [{"group": 1}] * 2
    form = forms.RuleVersionForm(
        request.POST or None,
        initial={
            "effective_from": today,
            "amount": current[0].version.amount if current else None,
            "in_kind": current[0].version.in_kind if current else "",
        },
    )
    formset = forms.ConditionFormSet(request.POST or None, initial=initial_conditions, prefix="c")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        groups: dict[int, list[dict]] = {}
        for row in formset.cleaned_data:
            if row.get("kind"):
                groups.setdefault(row["group"], []).append(row)
        d = form.cleaned_data
        try:
            services.rule_version_create(
                rule=rule,
                effective_from=d["effective_from"],
                groups=[groups[g] for g in sorted(groups)],
                amount=d["amount"],
                in_kind=d["in_kind"],
                note=d["note"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("The rule change is recorded and applies from %(date)s.") % {"date": d["effective_from"]},
            )
            return redirect("care:rules")
    return render(request, "care/rule_version_form.html", {"rule": rule, "form": form, "formset": formset})
