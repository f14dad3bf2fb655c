"""Forms of the recruitment pages; the rules are the services' (recruitment.procedure)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import BootstrapFormMixin, DateInput
from members.models import Member

from .models import Step

Kind = Step.Kind

# Who usually decides each step: the form's first suggestion.
DECIDED_BY = {
    Kind.TALK: "",
    Kind.ACTIVIST: _("Branch committee"),
    Kind.CHECK: _("Branch committee"),
    Kind.TARGET: _("Branch committee"),
    Kind.INTRODUCERS: _("Branch committee"),
    Kind.POLITICAL_REVIEW: _("Party branch"),
    Kind.TRAINING: _("Township party committee"),
    Kind.NOTICE: _("Party branch"),
    Kind.PRE_REVIEW: _("Township party committee"),
    Kind.ADMISSION: _("Branch general meeting"),
    Kind.APPROVAL: _("Township party committee"),
    Kind.OATH: _("Party branch"),
}


class ApplicationForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("Organization"))
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("From the ID number"))] + list(Member.Gender.choices),
        required=False,
    )
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, initial="汉族", required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=DateInput, required=False, help_text=_("Blank: from the ID number.")
    )
    applied_on = forms.DateField(label=_("Application received on"), widget=DateInput)
    document = forms.CharField(label=_("Document"), max_length=255, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class StepForm(BootstrapFormMixin, forms.Form):
    """One step; the fields a kind does not use are removed."""

    on = forms.DateField(label=_("Date"), widget=DateInput)
    ends_on = forms.DateField(label=_("Last day of the public notice"), widget=DateInput)
    hours = forms.IntegerField(label=_("Training hours"), min_value=0, max_value=1000)
    people = forms.ModelMultipleChoiceField(queryset=Member.objects.none(), label=_("People"))
    decided_by = forms.CharField(label=_("Who decided"), max_length=255, required=False)
    document = forms.CharField(label=_("Document or meeting"), max_length=255, required=False)

    def __init__(self, *args, kind: str, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != Kind.NOTICE:
            del self.fields["ends_on"]
        else:
            self.fields["on"].label = _("First day of the public notice")
        if kind != Kind.TRAINING:
            del self.fields["hours"]
        if kind in (Kind.ACTIVIST, Kind.INTRODUCERS):
            field = self.fields["people"]
            field.queryset = people
            field.label = _("Cultivating contacts") if kind == Kind.ACTIVIST else _("Introducers")
            field.help_text = _("Full members of the party.")
            field.label_from_instance = lambda m: f"{m.name} · {m.organization.name}"
        else:
            del self.fields["people"]
        if kind == Kind.TALK:
            self.fields["decided_by"].label = _("Talked with by")
        if kind in (Kind.ADMISSION, Kind.APPROVAL):
            self.fields["decided_by"].required = True
        if not self.is_bound:
            self.fields["decided_by"].initial = DECIDED_BY.get(kind, "")


class ConfirmForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=_("Full member from"), widget=DateInput)
    meeting = forms.CharField(label=_("Decided by the branch general meeting of"), max_length=255)


class ExtendForm(BootstrapFormMixin, forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Probation extended to"), widget=DateInput)
    reason = forms.CharField(label=_("Reason for the extension"), max_length=255)
