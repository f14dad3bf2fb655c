from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Organization, PartyGroup
from branches.paths import subtree_q

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
