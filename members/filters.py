from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from branches.forms import organization_label
from branches.models import Organization, PartyGroup
from branches.paths import subtree_q
from common.forms import quick_selects
from common.params import id_param

from .forms import OrganizationChoiceField, PartyGroupChoiceField
from .models import Member
from .selectors import member_search_q


class OrganizationFilter(django_filters.ModelChoiceFilter):
    field_class = OrganizationChoiceField


class PartyGroupFilter(django_filters.ModelChoiceFilter):
    field_class = PartyGroupChoiceField


YES_NO = forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))])


class MemberFilter(django_filters.FilterSet):
    """The roster's search and filters. Without a "deceased" or "departed" choice only the members on the roll
    (neither dead nor departed) are listed."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    organization = OrganizationFilter(
        label=_("Organization"), queryset=Organization.objects.none(), method="filter_organization"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Member.Status.choices, method="filter_status"
    )
    party_group = PartyGroupFilter(label=_("Party group"), queryset=PartyGroup.objects.none())
    veteran_cadre = django_filters.BooleanFilter(label=_("Veteran cadre"), widget=YES_NO)
    hardship = django_filters.BooleanFilter(label=_("In hardship"), widget=YES_NO)
    is_mobile = django_filters.BooleanFilter(label=_("Mobile member"), widget=YES_NO)
    deceased = django_filters.ChoiceFilter(
        label=_("Living / deceased"),
        choices=[("yes", _("Deceased only")), ("all", _("Living and deceased"))],
        empty_label=_("Living"),
        method="filter_deceased",
    )
    departed = django_filters.ChoiceFilter(
        label=_("Departed"),
        choices=[("yes", _("Departed only")), ("all", _("On the roll and departed"))]
        + list(Member.Departure.choices),
        empty_label=_("On the roll"),
        method="filter_departed",
    )

    class Meta:
        model = Member
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, scope, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.scope = scope
        self.filters["organization"].queryset = scope.organizations()
        self.filters["party_group"].queryset = scope.filter(
            PartyGroup.objects.select_related("organization"), "organization"
        )

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            _offer_near_choices(form, self.scope, self.data or {})
            quick_selects(form)
            for field in form.fields.values():
                css = (
                    "form-select form-select-sm"
                    if isinstance(field.widget, forms.Select)
                    else "form-control form-control-sm"
                )
                field.widget.attrs["class"] = css
            form._styled = True
        return form

    @property
    def qs(self):
        qs = super().qs
        data = getattr(self.form, "cleaned_data", {})
        if not data.get("deceased"):
            qs = qs.filter(died_on__isnull=True)
        if not data.get("departed"):
            qs = qs.filter(departed_on__isnull=True)
        return qs

    def filter_search(self, queryset, name, value):
        return queryset.filter(member_search_q(value, scope=self.scope))

    def filter_organization(self, queryset, name, value):
        return queryset.filter(subtree_q(value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(full_member_on__isnull=value != Member.Status.FULL)

    def filter_deceased(self, queryset, name, value):
        return queryset.filter(died_on__isnull=False) if value == "yes" else queryset

    def filter_departed(self, queryset, name, value):
        """ "yes": every departed member; a reason: those who left for it; "all": no condition."""
        if value == "yes":
            return queryset.filter(departed_on__isnull=False)
        if value in Member.Departure.values:
            return queryset.filter(departure_reason=value)
        return queryset


def _offer_near_choices(form, scope, data) -> None:
    """Offer the organizations near the one chosen instead of the whole county (683 organizations and 1,545
    party groups rendered as options were most of the county's list page, issue 14): the top two levels the
    user sees, and the chosen organization with its parent and its children, so that one chooses down the
    tree a level per search; the party groups only of the chosen organization (and the group chosen). Any
    organization or group in scope is still accepted (the fields' querysets are unchanged). One query each (the
    organizations' columns of their labels only), none for the groups when neither is chosen."""
    org_id = id_param(data.get("organization"))
    group_id = id_param(data.get("party_group"))
    visible = scope.organizations()
    top = Subquery(visible.order_by("depth").values("depth")[:1])
    near = Q(depth__lte=top + 1)
    if org_id:
        parent = Subquery(Organization.objects.filter(pk=org_id).values("parent_id")[:1])
        near |= Q(pk=org_id) | Q(parent_id=org_id) | Q(pk=parent)
    organization = form.fields["organization"]
    organization.widget.choices = [("", organization.empty_label)] + [
        (pk, organization_label(name=name, code=code, depth=depth))
        for pk, name, code, depth in visible.filter(near)
        .order_by("path")
        .values_list("pk", "name", "code", "depth")
    ]
    party_group = form.fields["party_group"]
    groups = (
        party_group.queryset.filter(Q(organization_id=org_id) | Q(pk=group_id)).order_by("name")
        if org_id or group_id
        else []
    )
    party_group.widget.choices = [("", party_group.empty_label)] + [
        (g.pk, party_group.label_from_instance(g)) for g in groups
    ]
