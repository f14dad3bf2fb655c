from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization, PartyGroup
from common.forms import BootstrapFormMixin, DateInput, quick_selects
from common.params import id_param
from common.versions import VersionedFormMixin

from .models import Attendance, Meeting, MeetingKind, MeetingPlan, MeetingRequirement, StudyRecord


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class KindsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def _check_values(self, value):
        # An id no column holds (a tampered form) is an unknown choice: Django's field lets SQLite's
        # OverflowError through (a 500), so such values are refused before the query.
        for pk in value if isinstance(value, (list, tuple)) else ():
            if isinstance(pk, str) and pk and id_param(pk) is None and pk.isdigit():
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)

    def label_from_instance(self, obj):
        return obj.label


class MeetingForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    kinds = KindsField(
        label=_("Kinds"),
        queryset=MeetingKind.objects.all(),
        help_text=_("One sitting may count as several kinds, e.g. a general meeting held as the themed day."),
    )

    class Meta:
        model = Meeting
        fields = [
            "kinds",
            "party_group",
            "date",
            "start_time",
            "end_time",
            "place",
            "topic",
            "host",
            "recorder",
            "lecturer",
            "invited",
            "votes",
            "study_hours",
            "minutes",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["party_group"].queryset = PartyGroup.objects.filter(organization=organization)
        self.fields["party_group"].help_text = _("Only for a party group meeting.")
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
        if self.instance.pk and self.instance.status == Meeting.Status.HELD:
            # A held meeting's expected attendees are fixed: changing them needs a stated reason.
            self.fields["attendees_reason"] = forms.CharField(
                label=_("Reason for changing the expected attendees"),
                required=False,
                max_length=100,
                help_text=_(
                    "Only needed when a new date, party group or kind changes who was expected at this "
                    "held meeting."
                ),
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end < start:
            self.add_error("end_time", _("The meeting cannot end before it starts."))
        return data


class AttendanceCorrectionForm(BootstrapFormMixin, forms.Form):
    """Add or remove an expected attendee of a held meeting: a stated action with a reason."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    status = forms.ChoiceField(label=_("Attendance"), choices=Attendance.Status.choices, required=False)
    reason = forms.CharField(label=_("Reason for the absence"), max_length=200, required=False)
    change_reason = forms.CharField(label=_("Reason for the correction"), max_length=100)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        # an option shows the name (Member.__str__); a branch's members as options: the same HTML as Django's
        # select without a template per option
        self.fields["member"].queryset = members.only("pk", "name")
        quick_selects(self)


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Photo or scanned sign-in sheet (JPG, PNG or PDF, at most 5 MB)"))


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    kinds = KindsField(label=_("Kinds"), queryset=MeetingKind.objects.all())

    class Meta:
        model = MeetingPlan
        fields = [
            "kinds",
            "party_group",
            "frequency",
            "day",
            "month_of_period",
            "start_time",
            "place",
            "topic",
        ]
        widgets = {"start_time": TimeInput()}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = PartyGroup.objects.filter(organization=organization)


class StudyRecordForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = StudyRecord
        fields = ["member", "date", "hours", "channel", "content"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


class RequirementForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = MeetingRequirement
        fields = ["kind", "effective_from", "period", "minimum", "applies_to", "note"]
        widgets = {"effective_from": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].label_from_instance = lambda obj: obj.label
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault(
                "effective_from", dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
            )
