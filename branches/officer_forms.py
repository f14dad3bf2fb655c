from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import FollowUp, OfficerAssignment, Organization, VisitLog


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render fields in a loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code}) · {obj.get_sector_display()}"


class _UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} <{obj.email}>" if obj.name else obj.email


class AssignmentForm(BootstrapMixin, forms.ModelForm):
    officer = _UserField(label=_("Officer"), queryset=get_user_model().objects.none())
    organization = _OrgField(label=_("Organization"), queryset=Organization.objects.none())

    class Meta:
        model = OfficerAssignment
        fields = ["officer", "kind", "organization", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": date_widget, "ends_on": date_widget}

    def __init__(self, *args, organizations, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["organization"].queryset = organizations

    def _post_clean(self):  # the service validates the model (kind × sector, period) and says why
        pass


class FollowUpLineForm(BootstrapMixin, forms.Form):
    description = forms.CharField(label=_("Follow-up"), max_length=255, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=date_widget)

    def clean(self):
        data = super().clean()
        if data.get("description") and not data.get("due_on"):
            self.add_error("due_on", _("Give a due date for the follow-up."))
        return data


FollowUpFormSet = forms.formset_factory(FollowUpLineForm, extra=3)


class VisitForm(BootstrapMixin, forms.ModelForm):
    organization = _OrgField(label=_("Organization"), queryset=Organization.objects.none())

    class Meta:
        model = VisitLog
        fields = ["organization", "visited_on", "purpose", "findings"]
        widgets = {"visited_on": date_widget, "findings": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def _post_clean(self):
        pass


class FollowUpForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["description", "due_on"]
        widgets = {"due_on": date_widget}

    def _post_clean(self):
        pass


class FollowUpDoneForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=date_widget)
    note = forms.CharField(label=_("How it was done"), max_length=255, required=False)
