from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import BootstrapFormMixin, DateInput

from . import paths
from .models import Organization, PartyGroup


def organization_label(*, name: str, code: str, depth: int) -> str:
    """An organization in a drop-down: indented by its depth in the tree, with its code."""
    return f"{'· ' * max(depth - 1, 0)}{name} ({code})"


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organizations indented by their depth in the tree, with their code."""

    def label_from_instance(self, obj: Organization) -> str:
        return organization_label(name=obj.name, code=obj.code, depth=obj.depth)


class PartyGroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartyGroup) -> str:
        return f"{obj.organization.name} · {obj.name}"


class OrganizationForm(BootstrapFormMixin, forms.ModelForm):
    """Create under, or move to, an organization the user may change. An organization whose current parent
    the user cannot change (the top of their scope) keeps its parent."""

    class Meta:
        model = Organization
        fields = ["parent", "code", "name", "kind", "sector", "established_on", "address", "is_active"]
        field_classes = {"parent": OrganizationChoiceField}
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        parents = scope.organizations(write=True).exclude(kind=Organization.Kind.BRANCH).order_by("path")
        self.parent_locked = False
        if self.instance.pk:
            parents = parents.exclude(paths.subtree_q(self.instance, ""))  # not under itself
            if self.instance.parent_id and not scope.can_write(self.instance.parent):
                self.parent_locked = True
            if self.instance.kind == Organization.Kind.COUNTY or self.parent_locked:
                del self.fields["parent"]
        if "parent" in self.fields:
            self.fields["parent"].queryset = parents
            self.fields["parent"].required = True
        if not scope.is_county:
            self.fields["kind"].choices = [
                c
                for c in self.fields["kind"].choices
                if c[0] not in (Organization.Kind.COUNTY, Organization.Kind.TOWNSHIP)
            ]


class PartyGroupForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PartyGroup
        fields = ["name", "central_household"]
        help_texts = {"central_household": _("The household where the group usually meets (中心户).")}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = PartyGroup.objects.filter(organization=self.organization, name=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(_("This organization has a party group with this name already."))
        return name


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
