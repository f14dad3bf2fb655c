"""The three officers' pages (三员): assignments, coverage, an officer's organizations, visit logs.
Thin: objects through the scope (404 for outsiders), writes through officers.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import OfficerAssignment, Organization, RoleAssignment
from branches.selectors import scope_or_404
from common.forms import add_service_errors
from common.pagination import paginate
from common.params import id_param

from . import selectors as sel
from . import services
from .forms import AssignmentForm, FollowUpDoneForm, FollowUpForm, FollowUpFormSet, VisitForm
from .models import FollowUp, VisitLog

PAGE_SIZE = 50
MANAGER_ROLES = RoleAssignment.WRITE_ROLES


def _scope(request):
    return scope_or_404(request.user)


@login_required
def index(request):
    scope = _scope(request)
    if not scope.has_role(*MANAGER_ROLES):
        return redirect("officers:officer", user_id=request.user.pk)
    today = timezone.localdate()
    qs = sel.assignments_visible(scope=scope, active_on=today if request.GET.get("active") else None)
    return render(
        request,
        "officers/index.html",
        {
            "page": paginate(request, qs, per_page=PAGE_SIZE),
            "summary": sel.coverage_summary(scope=scope, on=today),
            "today": today,
            "active": bool(request.GET.get("active")),
            "is_officer": scope.has_role(RoleAssignment.Role.OFFICER),
            "can_assign": scope.is_township_or_above,
        },
    )


@login_required
def coverage(request):
    scope = _scope(request)
    if not scope.has_role(*MANAGER_ROLES):
        raise Http404
    today = timezone.localdate()
    sector = request.GET.get("sector", "")
    if sector not in sel.OFFICER_SECTORS:
        sector = ""
    qs = sel.coverage(scope=scope, on=today, sector=sector, uncovered_only=bool(request.GET.get("uncovered")))
    return render(
        request,
        "officers/coverage.html",
        {
            "page": paginate(request, qs, per_page=PAGE_SIZE),
            "summary": sel.coverage_summary(scope=scope, on=today),
            "sector": sector,
            "uncovered": bool(request.GET.get("uncovered")),
            "kind_labels": {k: OfficerAssignment.Kind(k).label for k in OfficerAssignment.Kind.values},
        },
    )


@login_required
def officer(request, user_id: int):
    """An officer's organizations with compliance and follow-ups; the officer sees their own page, the
    offices above see officers assigned within their organizations."""
    scope = _scope(request)
    person = sel.officer_get(pk=user_id)
    if person is None:
        raise Http404
    today = timezone.localdate()
    rows = sel.officer_page(scope=scope, officer=person, on=today)
    follow_ups = paginate(
        request, sel.officer_open_follow_ups(scope=scope, officer=person), per_page=PAGE_SIZE
    )
    return render(
        request,
        "officers/officer.html",
        {
            "person": person,
            "rows": rows,
            "follow_ups": follow_ups,
            "today": today,
            "is_self": person.pk == request.user.pk,
        },
    )


def _assignment_form(request, assignment: OfficerAssignment | None):
    scope = _scope(request)
    # Townships and the county assign officers; the picker lists every officer's name and e-mail, which a
    # branch secretary has no need to see (issue 13, Low 17).
    if not scope.is_township_or_above:
        raise Http404
    organizations = sel.organizations_for_assignment(scope=scope)
    form = AssignmentForm(
        request.POST or None,
        instance=assignment,
        organizations=organizations,
        officers=sel.officer_candidates(scope=scope),
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_assign(by=request.user, assignment=assignment, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("officers:index")
    return render(request, "officers/assignment_form.html", {"form": form, "assignment": assignment})


@login_required
def assignment_new(request):
    return _assignment_form(request, None)


@login_required
def assignment_edit(request, pk: int):
    assignment = _scope(request).get_object_or_404(
        OfficerAssignment.objects.select_related("organization", "officer"), "organization", write=True, pk=pk
    )
    return _assignment_form(request, assignment)


@login_required
def visits(request):
    scope = _scope(request)
    org = None
    org_id = id_param(request.GET.get("organization"))
    if org_id is not None:
        org = scope.get_object_or_404(Organization.objects.all(), "", pk=org_id)
    qs = sel.visits_visible(
        scope=scope, organization=org, officer=request.user if request.GET.get("mine") else None
    )
    can_log = sel.organizations_for_visit(officer=request.user, on=timezone.localdate()).exists()
    return render(
        request,
        "officers/visits.html",
        {
            "page": paginate(request, qs, per_page=PAGE_SIZE),
            "organization": org,
            "can_log": can_log,
            "mine": bool(request.GET.get("mine")),
        },
    )


@login_required
def visit_new(request):
    _scope(request)
    today = timezone.localdate()
    organizations = sel.organizations_for_visit(officer=request.user, on=today)
    if not organizations.exists():
        raise Http404
    form = VisitForm(
        request.POST or None,
        organizations=organizations,
        initial={"visited_on": today, "organization": request.GET.get("organization")},
    )
    formset = FollowUpFormSet(request.POST or None, prefix="fu")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        follow_ups = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("description")]
        try:
            visit = services.visit_log_create(
                officer=request.user, today=today, follow_ups=follow_ups, **form.cleaned_data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Visit logged."))
            return redirect("officers:visit_detail", pk=visit.pk)
    return render(request, "officers/visit_form.html", {"form": form, "formset": formset})


def _visit(request, pk: int) -> VisitLog:
    return _scope(request).get_object_or_404(
        VisitLog.objects.select_related("organization", "officer"), "organization", pk=pk
    )


@login_required
def visit_detail(request, pk: int):
    visit = _visit(request, pk)
    scope = _scope(request)
    return render(
        request,
        "officers/visit_detail.html",
        {
            "visit": visit,
            "follow_ups": list(visit.follow_ups.all()),
            "is_author": visit.officer_id == request.user.pk,
            "can_close": visit.officer_id == request.user.pk or scope.can_write(visit.organization),
            "follow_up_form": FollowUpForm(),
            "done_form": FollowUpDoneForm(initial={"done_on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def follow_up_add(request, pk: int):
    visit = _visit(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_add(visit=visit, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Follow-up added."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("officers:visit_detail", pk=visit.pk)


@login_required
@require_POST
def follow_up_done(request, pk: int):
    follow_up = _scope(request).get_object_or_404(
        FollowUp.objects.select_related("visit", "organization"), "organization", pk=pk
    )
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_complete(
                follow_up=follow_up,
                by=request.user,
                on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Follow-up marked done."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("officers:visit_detail", pk=follow_up.visit_id)
