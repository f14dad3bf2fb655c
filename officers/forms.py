from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from branches.models import OfficerAssignment, Organization
from common.forms import BootstrapFormMixin, DateInput

from .models import FollowUp, VisitLog


class _OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code}) · {obj.get_sector_display()}"


class _UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} <{obj.email}>" if obj.name else obj.email


class AssignmentForm(BootstrapFormMixin, forms.ModelForm):
    officer = _UserField(label=_("Officer"), queryset=get_user_model().objects.none())
    organization = _OrgField(label=_("Organization"), queryset=Organization.objects.none())

    class Meta:
        model = OfficerAssignment
        fields = ["officer", "kind", "organization", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, organizations, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["organization"].queryset = organizations

    def _post_clean(self):  # the service validates the model (kind × sector, period) and says why
        pass


class FollowUpLineForm(BootstrapFormMixin, forms.Form):
    description = forms.CharField(label=_("Follow-up"), max_length=255, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("description") and not data.get("due_on"):
            self.add_error("due_on", _("Give a due date for the follow-up."))
        return data


FollowUpFormSet = forms.formset_factory(FollowUpLineForm, extra=3)


class VisitForm(BootstrapFormMixin, forms.ModelForm):
    organization = _OrgField(label=_("Organization"), queryset=Organization.objects.none())

    class Meta:
        model = VisitLog
        fields = ["organization", "visited_on", "purpose", "findings"]
        widgets = {"visited_on": DateInput(), "findings": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def _post_clean(self):
        pass


class FollowUpForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["description", "due_on"]
        widgets = {"due_on": DateInput()}

    def _post_clean(self):
        pass


class FollowUpDoneForm(BootstrapFormMixin, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(label=_("How it was done"), max_length=255, required=False)
