"""Forms for party dues. The rules (brackets, ranges, months before the start) are the services' checks,
shown on the form by common.forms.add_service_errors; a form only reads the values."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import BootstrapFormMixin, DateInput

from . import rates
from .models import Category, DuesRelief


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month as YYYY-MM (the browser's month picker sends that) → the first day of the month."""

    widget = MonthInput
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return rates.parse_month(value)
        except rates.DuesError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if hasattr(value, "year"):
            return rates.month_label(value)
        return value


def _money_field(label, *, required=False, help_text=""):
    # Wide enough to hold an absurd figure, so that the service can say why it is refused.
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class DuesRecordForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Dues category"), choices=Category.choices)
    base = _money_field(
        _("Monthly base (yuan)"),
        help_text=_(
            "In work: after-tax regular monthly salary; retired: monthly pension. Blank for the others."
        ),
    )
    fixed_amount = _money_field(
        _("Monthly amount (yuan)"), help_text=_("Farmers: 0.20 to 1.00 yuan. Blank for the others.")
    )
    starts_month = MonthField(label=_("From month"))


class ReliefForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DuesRelief.Kind.choices)
    amount = _money_field(_("Reduced monthly amount (yuan)"), help_text=_("Only for a reduction."))
    first_month = MonthField(label=_("First month"))
    last_month = MonthField(label=_("Last month"), required=False, help_text=_("Blank: until revoked."))
    reason = forms.CharField(label=_("Reason"), max_length=255, widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("Decided by the branch on"), widget=DateInput())


class PaymentForm(BootstrapFormMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    first_month = MonthField(label=_("First month"))
    last_month = MonthField(label=_("Last month"))
    amount = _money_field(_("Amount (yuan)"), required=True)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < Decimal("0"):
            raise forms.ValidationError(_("The amount cannot be negative."))
        return amount
