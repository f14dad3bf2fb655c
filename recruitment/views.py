"""The recruitment pages (发展党员): the pipeline of an organization, one person's record and steps, the
rules. Thin: objects through the scope (404 for outsiders), reads through recruitment.selectors, writes
through recruitment.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.selectors import organization_top, scope_or_404
from common.forms import add_service_errors
from common.params import id_param

from . import procedure, services
from . import selectors as sel
from .forms import ApplicationForm, ConfirmForm, ExtendForm, StepForm
from .models import Candidate, Stage, Step

Kind = Step.Kind
# The steps recorded on a person's page (the application is the record itself).
RECORDABLE = [k for k in Kind.values if k != Kind.APPLICATION]


def _candidate(request, pk: int, *, write: bool = False) -> Candidate:
    return scope_or_404(request.user).get_object_or_404(
        Candidate.objects.select_related("organization", "member"), "organization", write=write, pk=pk
    )


@login_required
def pipeline(request):
    """An organization's pipeline: counts per stage, per child organization and per year; at a basic
    organization the people by stage with their next step and its due date."""
    scope = scope_or_404(request.user)
    org_id = id_param(request.GET.get("org"))
    if org_id is not None:
        org = scope.get_object_or_404(Organization.objects.all(), "", pk=org_id)
    else:
        org = organization_top(scope=scope)
        if org is None:
            raise Http404
    today = timezone.localdate()
    summary = sel.pipeline_summary(scope=scope, org=org, on=today)
    people = sel.pipeline_people(scope=scope, org=org, on=today) if org.is_basic else None
    return render(
        request,
        "recruitment/pipeline.html",
        {
            "org": org,
            "today": today,
            "stages": Stage.choices,
            "counts": [(code, label, summary.counts[code]) for code, label in Stage.choices],
            "children": summary.children,
            "years": summary.years,
            "people": [(Stage(s).label, rows) for s, rows in people.items()] if people is not None else None,
            "can_apply": org.is_basic and scope.can_write(org),
        },
    )


@login_required
def candidate_new(request):
    """入党申请: record a received application."""
    scope = scope_or_404(request.user)
    organizations = sel.organizations_for_application(scope=scope)
    if not organizations.exists():
        raise Http404
    org_id = id_param(request.GET.get("org"))
    form = ApplicationForm(
        request.POST or None,
        organizations=organizations,
        initial={"organization": org_id, "applied_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            candidate = services.candidate_apply(by=request.user, **data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Application recorded."))
            return redirect("recruitment:candidate", pk=candidate.pk)
    return render(request, "recruitment/candidate_form.html", {"form": form})


def _available(progress: procedure.Progress, steps: list[Step]) -> list[tuple[str, str]]:
    """The steps whose predecessors are recorded and that are not recorded yet (checks repeat)."""
    done = {s.kind for s in steps}
    out = []
    for kind in RECORDABLE:
        needs = procedure.REQUIRES[kind]
        if not all(k in done for k in needs):
            continue
        if kind == Kind.CHECK:
            if Kind.ADMISSION in done:
                continue
        elif kind in done:
            continue
        out.append((kind, Kind(kind).label))
    return out


@login_required
def candidate_detail(request, pk: int):
    scope = scope_or_404(request.user)
    candidate = _candidate(request, pk)
    today = timezone.localdate()
    steps = sel.candidate_steps(candidate=candidate)
    rules = sel.rules_get()
    progress = procedure.progress(candidate=candidate, steps=steps, rules=rules, on=today)
    can_write = scope.can_write(candidate.organization)
    member = candidate.member
    return render(
        request,
        "recruitment/candidate_detail.html",
        {
            "candidate": candidate,
            "steps": steps,
            "progress": progress,
            "today": today,
            "can_write": can_write,
            "available": _available(progress, steps) if can_write else [],
            "can_confirm": can_write
            and member is not None
            and candidate.approved_on is not None
            and not member.full_member_on
            and member.on_roll,
            "can_extend": can_write
            and member is not None
            and candidate.approved_on is not None
            and not member.full_member_on
            and not member.probation_ends_on
            and member.on_roll,
        },
    )


@login_required
def step_new(request, pk: int, step: str):
    """Record one step; with htmx the form alone is drawn into the person's page."""
    if step not in RECORDABLE:
        raise Http404
    kind = step
    candidate = _candidate(request, pk, write=True)
    people = (
        sel.full_members_for(organization=candidate.organization)
        if kind in (Kind.ACTIVIST, Kind.INTRODUCERS)
        else None
    )
    form = StepForm(request.POST or None, kind=kind, people=people, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.step_record(
                candidate=candidate,
                kind=kind,
                on=data["on"],
                decided_by=data.get("decided_by", ""),
                document=data.get("document", ""),
                ends_on=data.get("ends_on"),
                hours=data.get("hours"),
                people=data.get("people") or (),
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(step)s recorded.") % {"step": Kind(kind).label})
            return redirect("recruitment:candidate", pk=candidate.pk)
    context = {"candidate": candidate, "form": form, "kind": kind, "kind_label": Kind(kind).label}
    if request.htmx and request.method == "GET":
        return render(request, "recruitment/_step_form.html", context)
    return render(request, "recruitment/step_form.html", context)


def _member_action(request, pk: int, form_class, action, title: str, success: str):
    candidate = _candidate(request, pk, write=True)
    form = form_class(
        request.POST or None, initial={"on": timezone.localdate(), "decided_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            action(candidate=candidate, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, success)
            return redirect("recruitment:candidate", pk=candidate.pk)
    return render(
        request, "recruitment/member_form.html", {"candidate": candidate, "form": form, "title": title}
    )


@login_required
def candidate_confirm(request, pk: int):
    """转正 through the roster's service (members.services.member_confirm)."""
    return _member_action(
        request,
        pk,
        ConfirmForm,
        services.candidate_confirm,
        _("Full membership"),
        _("Full membership recorded."),
    )


@login_required
def candidate_extend(request, pk: int):
    """延长预备期 through the roster's service (members.services.member_extend_probation)."""
    return _member_action(
        request,
        pk,
        ExtendForm,
        services.candidate_extend_probation,
        _("Extend the probation"),
        _("Probation extended."),
    )


@login_required
def rules(request):
    """The intervals and limits the services apply (changed in the admin)."""
    scope_or_404(request.user)
    return render(request, "recruitment/rules.html", {"rules": sel.rules_list()})
