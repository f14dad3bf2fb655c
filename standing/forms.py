from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from common.forms import BootstrapFormMixin, DateInput
from common.params import id_param

from .models import Grade, ReviewEntry, Suggestion


def _refuse_impossible_ids(values, field) -> None:
    """An id no column can hold (a tampered form) is an unknown choice: Django's fields let the database's
    overflow through (a 500), so such values are refused before the query."""
    for pk in values:
        if isinstance(pk, str) and pk.isdigit() and id_param(pk) is None:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")


class _OrgField(forms.ModelChoiceField):
    def to_python(self, value):
        _refuse_impossible_ids([value], self)
        return super().to_python(value)

    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code})"


class _MemberChoices(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if isinstance(value, (list, tuple)):
            for pk in value:
                if isinstance(pk, str) and pk.isdigit() and id_param(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)

    def label_from_instance(self, obj) -> str:
        return obj.name


class _MemberChoice(forms.ModelChoiceField):
    def to_python(self, value):
        _refuse_impossible_ids([value], self)
        return super().to_python(value)

    def label_from_instance(self, obj) -> str:
        return obj.name


class NoticeForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    members = _MemberChoices(
        label=_("Only to these members"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to send the notice to every member of the organization."),
    )

    def __init__(self, *args, audience=None, **kwargs):
        super().__init__(*args, **kwargs)
        if audience is None:
            del self.fields["members"]
        else:
            self.fields["members"].queryset = audience


class OrganizationPickForm(BootstrapFormMixin, forms.Form):
    organization = _OrgField(label=_("Organization"), queryset=Organization.objects.none())

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class SuggestionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Suggestion.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    to_above = forms.BooleanField(
        label=_("Send to the level above the branch"),
        required=False,
    )
    about_leaders = forms.BooleanField(
        label=_("This is about the branch's own leaders"),
        required=False,
        help_text=_(
            "It then goes to the level above the branch, and only that office sees who sent it; the branch "
            "does not see it."
        ),
    )

    concerning = _MemberChoice(label=_("Which leader it is about (optional)"), queryset=None, required=False)

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerning"].queryset = leaders
        # An empty message is refused with its own words (by the service), not the generic "required".
        self.fields["subject"].required = False
        self.fields["text"].required = False


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}), required=False)


class ReviewForm(BootstrapFormMixin, forms.Form):
    organization = _OrgField(label=_("Organization"), queryset=Organization.objects.none())
    held_on = forms.DateField(label=_("Review date"), widget=DateInput())

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["held_on"].help_text = _("The members of the organization on this day take part.")
        self.fields["held_on"].initial = timezone.localdate()


GRADE_CHOICES = [("", _("Not graded")), *Grade.choices]


class GradeSheetForm(BootstrapFormMixin, forms.Form):
    """One grade field per member of the review (`entry_<id>`), and the reason for more than a third 优秀."""

    excellent_reason = forms.CharField(
        label=_("Reason for more than a third excellent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for e in self.entries:
            self.fields[f"entry_{e.pk}"] = forms.ChoiceField(
                label=e.member.name, choices=GRADE_CHOICES, required=False, initial=e.grade
            )

    def rows(self):
        return [(e, self[f"entry_{e.pk}"]) for e in self.entries]

    def grades(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data.get(f"entry_{e.pk}", "") for e in self.entries}


class SelfAssessmentForm(BootstrapFormMixin, forms.Form):
    self_assessment = forms.CharField(
        label=_("Self-assessment"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )


class MutualSheetForm(BootstrapFormMixin, forms.Form):
    """Per fellow member: an opinion (`op_<id>`) and a comment (`note_<id>`)."""

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for other, given in sheet:
            self.fields[f"op_{other.pk}"] = forms.ChoiceField(
                label=other.member.name,
                choices=[("", _("No opinion")), *Grade.choices],
                required=False,
                initial=given.opinion if given else "",
            )
            self.fields[f"note_{other.pk}"] = forms.CharField(
                label=_("Comment"), max_length=255, required=False, initial=given.comment if given else ""
            )

    def rows(self):
        return [(other, self[f"op_{other.pk}"], self[f"note_{other.pk}"]) for other, _given in self.sheet]

    def opinions(self) -> dict[int, tuple[str, str]]:
        return {
            other.pk: (
                self.cleaned_data.get(f"op_{other.pk}", ""),
                self.cleaned_data.get(f"note_{other.pk}", ""),
            )
            for other, _given in self.sheet
        }


class FollowUpForm(BootstrapFormMixin, forms.Form):
    measure = forms.ChoiceField(label=_("Follow-up"), choices=ReviewEntry.Measure.choices)
    procedure = forms.CharField(label=_("Procedure"), max_length=255, required=False)
    due_on = forms.DateField(label=_("Deadline"), widget=DateInput())
    done_on = forms.DateField(label=_("Completed on"), widget=DateInput(), required=False)
    result = forms.CharField(label=_("Result"), max_length=255, required=False)
