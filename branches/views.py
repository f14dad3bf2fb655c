"""Organization pages. Every object is loaded through the scope (404 for outsiders); writes go through
branches.services (the tree) and members.services (committees). Member counts and the committee rule come
from members.selectors: these pages are where the roster meets the tree."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import panels as panel_registry
from common.forms import add_service_errors
from members import selectors as member_selectors
from members import services as member_services
from members.forms import CommitteeTermForm, OfficerFormSet
from members.models import CommitteeTerm

from . import services
from .forms import OrganizationForm, OrganizationSearchForm, PartyGroupForm
from .models import Organization, PartyGroup
from .selectors import (
    organization_ancestors,
    organization_get_stored,
    organization_writable_get,
    scope_for,
)


@login_required
def organization_list(request):
    """The tree the user may see, collapsible, with living and full member counts (subtree totals)."""
    scope = scope_for(request.user)
    if not scope.sees_anything:
        raise Http404
    form = OrganizationSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    roots, matches = member_selectors.organization_tree(
        user=request.user, as_of=timezone.localdate(), search=search
    )
    return render(
        request,
        "branches/list.html",
        {
            "roots": roots,
            "matches": matches,
            "search": search,
            "form": form,
            "can_write": bool(scope.write_paths),
        },
    )


@login_required
def organization_detail(request, pk: int):
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.select_related("parent"), "", pk=pk)
    today = timezone.localdate()
    children = member_selectors.organization_children_with_counts(org=org, as_of=today)
    ancestors = [(a, scope.covers(a)) for a in organization_ancestors(org)]
    term = member_selectors.committee_term_current(org=org, as_of=today) if org.is_basic else None
    return render(
        request,
        "branches/detail.html",
        {
            "org": org,
            "ancestors": ancestors,
            "children": children,
            "party_groups": member_selectors.party_groups_with_counts(org=org),
            "term": term,
            "term_expired": term is not None and term.ends_on < today,
            "min_full": member_selectors.COMMITTEE_MIN_FULL_MEMBERS,
            "can_write": scope.can_write(org),
            "panels": panel_registry.organization_panels(org=org, scope=scope, as_of=today),
        },
    )


@login_required
def organization_create(request):
    scope = scope_for(request.user)
    if not scope.write_paths and not scope.is_superuser:
        raise Http404
    initial = {}
    if request.GET.get("parent"):
        initial["parent"] = organization_writable_get(scope=scope, pk=request.GET["parent"])
    form = OrganizationForm(request.POST or None, scope=scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.fields}
        try:
            org = services.organization_create(**data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": org.name})
            return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/form.html", {"form": form, "org": None})


@login_required
def organization_edit(request, pk: int):
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.select_related("parent"), "", write=True, pk=pk)
    stored = organization_get_stored(org=org)  # the form edits `org`; the service compares with this
    form = OrganizationForm(request.POST or None, instance=org, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.fields}
        try:
            services.organization_update(org=stored, **data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/form.html", {"form": form, "org": org})


# -- party groups ----------------------------------------------------------------------------------------


@login_required
def party_group_create(request, pk: int):
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.all(), "", write=True, pk=pk)
    if not org.is_basic:
        raise Http404
    form = PartyGroupForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        messages.success(request, _("The party group %(name)s was created.") % {"name": group.name})
        return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/party_group_form.html", {"form": form, "org": org, "group": None})


@login_required
def party_group_edit(request, pk: int):
    scope = scope_for(request.user)
    group = scope.get_object_or_404(
        PartyGroup.objects.select_related("organization"), "organization", write=True, pk=pk
    )
    org = group.organization
    form = PartyGroupForm(request.POST or None, instance=group, organization=org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/party_group_form.html", {"form": form, "org": org, "group": group})


@login_required
@require_POST
def party_group_delete(request, pk: int):
    scope = scope_for(request.user)
    group = scope.get_object_or_404(
        PartyGroup.objects.select_related("organization"), "organization", write=True, pk=pk
    )
    org_pk = group.organization_id
    group.delete()  # its members stay in the organization, without a group
    messages.success(request, _("The party group %(name)s was deleted.") % {"name": group.name})
    return redirect("branches:detail", pk=org_pk)


# -- committee terms (支部委员会) -----------------------------------------------------------------------------


def _committee_form(request, *, org: Organization, term: CommitteeTerm | None):
    members = member_selectors.members_living_in(org=org)
    if term is not None:
        term_initial = {"elected_on": term.elected_on, "ends_on": term.ends_on}
        officers_initial = [
            {"member": o.member_id, "position": o.position, "duty": o.duty}
            for o in member_selectors.officers_of_term(term=term)
        ]
    else:
        term_initial, officers_initial = {}, []
    form = CommitteeTermForm(request.POST or None, initial=term_initial)
    formset = OfficerFormSet(
        request.POST or None, initial=officers_initial, members=members, prefix="officers"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = member_services.committee_term_save(
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
        "branches/committee_form.html",
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
