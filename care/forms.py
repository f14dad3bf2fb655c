from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import BootstrapFormMixin, DateInput
from members.models import Member

from .models import BenefitRule, Grant, RuleCondition, ServicePoint, Visit


def _date_field(label, required=True, **kw):
    return forms.DateField(label=label, required=required, widget=DateInput(), **kw)


class EligibleFilterForm(BootstrapFormMixin, forms.Form):
    SERVED = [("", _("All")), ("no", _("Not yet served this period")), ("yes", _("Served this period"))]
    as_of = _date_field(_("As of"), required=False)
    rule = forms.ChoiceField(label=_("Benefit"), required=False)
    served = forms.ChoiceField(label=_("Served"), choices=SERVED, required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=50)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("All benefits"))] + [(r.code, r.rule.name) for r in rules]


class GrantBulkForm(BootstrapFormMixin, forms.Form):
    granted_on = _date_field(_("Grant date"))
    rule = forms.ChoiceField(label=_("Benefit"), required=False)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("All benefits"))] + [(r.code, r.rule.name) for r in rules]


class GrantForm(BootstrapFormMixin, forms.Form):
    rule = forms.ModelChoiceField(label=_("Benefit"), queryset=BenefitRule.objects.order_by("code"))
    granted_on = _date_field(_("Grant date"), initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Leave empty to use the rule's amount."),
    )
    override_reason = forms.CharField(
        label=_("Reason for granting outside the rule"),
        required=False,
        max_length=255,
        help_text=_("County office only: needed when the member is not eligible on the date."),
    )


class GrantPayForm(BootstrapFormMixin, forms.Form):
    paid_on = _date_field(_("Paid / handed over on"), initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    method = forms.ChoiceField(label=_("How"), choices=Grant.Method.choices)
    handed_over_by = forms.CharField(label=_("Handed over by"), max_length=100)


class GrantCancelForm(BootstrapFormMixin, forms.Form):
    cancel_reason = forms.CharField(label=_("Reason for cancelling"), max_length=255)


class IllnessForm(BootstrapFormMixin, forms.Form):
    illness = forms.CharField(label=_("Illness"), max_length=255)
    since = _date_field(_("Ill since"), initial=timezone.localdate)


class DeathForm(BootstrapFormMixin, forms.Form):
    died_on = _date_field(_("Date of death"), initial=timezone.localdate)
    confirm = forms.BooleanField(label=_("I confirm that this member has died."))


class VisitForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Visit.Kind.choices)
    planned_on = _date_field(_("Planned for"), initial=timezone.localdate)
    due_on = _date_field(_("Due by"), required=False)
    visitors = forms.CharField(label=_("Visitors"), required=False, max_length=255)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VisitDoneForm(BootstrapFormMixin, forms.Form):
    done_on = _date_field(_("Done on"), initial=timezone.localdate)
    visitors = forms.CharField(label=_("Visitors"), max_length=255)
    notes = forms.CharField(
        label=_("What was talked about"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PairingForm(BootstrapFormMixin, forms.Form):
    helper = forms.ModelChoiceField(label=_("Helper"), queryset=Member.objects.none())
    starts_on = _date_field(_("From"), initial=timezone.localdate)
    ends_on = _date_field(_("To"), required=False)
    note = forms.CharField(label=_("What help"), required=False, max_length=255)

    def __init__(self, *args, helpers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if helpers is not None:
            self.fields["helper"].queryset = helpers


class CondolenceForm(BootstrapFormMixin, forms.Form):
    memorial_on = _date_field(_("Memorial on"), required=False)
    attendees = forms.CharField(label=_("People attending the memorial"), required=False, max_length=255)
    wreath_confirmed_on = _date_field(_("Wreath sent on"), required=False)
    attendance_confirmed_on = _date_field(_("Memorial attended on"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ServicePointForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["name", "address", "contact_person", "phone", "opening_hours", "is_active"]


class BudgetForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class RuleVersionForm(BootstrapFormMixin, forms.Form):
    effective_from = _date_field(_("Effective from"))
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    in_kind = forms.CharField(label=_("In kind"), required=False, max_length=200)
    note = forms.CharField(label=_("Reason for the change"), max_length=255)


class ConditionForm(BootstrapFormMixin, forms.Form):
    group = forms.IntegerField(label=_("Alternative"), min_value=1, max_value=9, initial=1)
    kind = forms.ChoiceField(
        label=_("Condition"), choices=[("", "—"), *RuleCondition.Kind.choices], required=False
    )
    number = forms.IntegerField(label=_("Years"), required=False, min_value=0, max_value=150)
    date = _date_field(_("Date"), required=False)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in RuleCondition.NUMBER_KINDS and data.get("number") is None:
            self.add_error("number", _("This condition needs a number of years."))
        if kind in RuleCondition.DATE_KINDS and not data.get("date"):
            self.add_error("date", _("This condition needs a date."))
        return data


ConditionFormSet = formset_factory(ConditionForm, extra=0, max_num=12)
