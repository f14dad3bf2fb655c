from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Organization
from common.forms import BootstrapFormMixin, DateInput

from .models import ContractLine, DutyReport, Indicator, IndicatorGroup, YearDeadlines


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code})"


class DeadlinesForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = YearDeadlines
        fields = [
            "signing_deadline",
            "self_evaluation_deadline",
            "evaluation_deadline",
            "duty_report_deadline",
        ]
        widgets = {f: DateInput() for f in fields}


class IndicatorGroupForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = IndicatorGroup
        fields = ["name", "position"]


class IndicatorForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["group", "name", "check_standard", "evidence", "weight", "position"]
        widgets = {"check_standard": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = IndicatorGroup.objects.filter(year=year)


class ContractCreateForm(BootstrapFormMixin, forms.Form):
    parent = OrgChoiceField(label=_("Issued by"), queryset=Organization.objects.none())
    organization = OrgChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, issuers, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = issuers
        self.fields["organization"].queryset = partners


class IssueAllForm(BootstrapFormMixin, forms.Form):
    parent = OrgChoiceField(label=_("Issued by"), queryset=Organization.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = issuers


class ContractLineForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ContractLine
        fields = ["group", "name", "check_standard", "evidence", "weight"]
        widgets = {"check_standard": forms.Textarea(attrs={"rows": 2})}


class BaseLineFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        weights = [
            f.cleaned_data["weight"]
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("weight") is not None
        ]
        total = sum(weights, Decimal("0"))
        if total != Decimal("100"):
            raise ValidationError(
                _("The weights add up to %(total)s; they must add up to 100.")
                % {"total": format(total.normalize(), "f")}
            )


ContractLineFormSet = forms.modelformset_factory(
    ContractLine, form=ContractLineForm, formset=BaseLineFormSet, extra=1, can_delete=True
)


def _score_field(line: ContractLine, *, initial) -> forms.DecimalField:
    weight = format(line.weight.normalize(), "f")
    return forms.DecimalField(
        label=line.name,
        min_value=0,
        max_value=line.weight,
        max_digits=4,
        decimal_places=1,
        initial=initial,
        error_messages={
            "max_value": _("The score is above the indicator's weight (%(weight)s).") % {"weight": weight},
            "min_value": _("A score cannot be negative."),
            "required": _("Score this indicator."),
        },
        widget=forms.NumberInput(attrs={"step": "0.5", "class": "form-control form-control-sm"}),
    )


class SelfEvaluationForm(BootstrapFormMixin, forms.Form):
    """One score (0 … weight) and the evidence per indicator."""

    def __init__(self, *args, lines: list[ContractLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"score_{line.pk}"] = _score_field(line, initial=line.self_score)
            self.fields[f"evidence_{line.pk}"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                initial=line.self_evidence,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )

    def rows(self):
        return [(line, self[f"score_{line.pk}"], self[f"evidence_{line.pk}"]) for line in self.lines]

    def scores(self) -> dict[int, tuple]:
        d = self.cleaned_data
        return {line.pk: (d[f"score_{line.pk}"], d[f"evidence_{line.pk}"]) for line in self.lines}


class EvaluationForm(BootstrapFormMixin, forms.Form):
    """The reviewer's score per indicator with the reason for a deduction or raise, and the veto."""

    vetoed = forms.BooleanField(label=_("One-vote veto"), required=False)
    veto_reason = forms.CharField(
        label=_("Reason for the veto"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, lines: list[ContractLine], contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.fields["vetoed"].initial = contract.vetoed
        self.fields["veto_reason"].initial = contract.veto_reason
        for line in lines:
            initial = line.score if line.score is not None else line.self_score
            self.fields[f"score_{line.pk}"] = _score_field(line, initial=initial)
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label=pgettext_lazy("evaluation", "Reason"),
                required=False,
                initial=line.reason,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )

    def rows(self):
        return [(line, self[f"score_{line.pk}"], self[f"reason_{line.pk}"]) for line in self.lines]

    def clean(self):
        data = super().clean()
        for line in self.lines:
            score = data.get(f"score_{line.pk}")
            if score is None:
                continue
            raised = line.self_score is not None and score > line.self_score
            if (score < line.weight or raised) and not (data.get(f"reason_{line.pk}") or "").strip():
                self.add_error(f"reason_{line.pk}", _("Give the reason for the deduction or raise."))
        if data.get("vetoed") and not (data.get("veto_reason") or "").strip():
            self.add_error("veto_reason", _("Give the reason for the one-vote veto."))
        return data

    def scores(self) -> dict[int, tuple]:
        d = self.cleaned_data
        return {line.pk: (d[f"score_{line.pk}"], d[f"reason_{line.pk}"]) for line in self.lines}


class DutyReportForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DutyReport
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14})}


class DutyReportNewForm(DutyReportForm):
    organization = OrgChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    class Meta(DutyReportForm.Meta):
        fields = ["organization", "year", "title", "text"]

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.order_fields(["organization", "year", "title", "text"])

    def validate_unique(self):  # the service says it in words
        pass


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Attachment"))
