"""common.forms.QuickSelect writes the same HTML as Django's select and option templates."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from common.forms import QuickSelect, quick_selects

CHOICES = [
    ("", "---------"),
    ("a", "<甲> & 乙"),
    ("b", "B"),
    ("group", [("1", "one"), ("2", 'two "2"')]),
    (3, "three"),
    ("lazy", gettext_lazy("Yes")),
    ("safe", mark_safe("<b>kept</b> & 乙")),
]


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (None, {}),
        ("b", {"class": "form-select form-select-sm", "id": "id_x"}),
        ("2", {"required": True, "disabled": False, "data-x": 'a"<b>&'}),
        (3, {"aria-label": "名称"}),
    ],
)
def test_quick_select_writes_what_the_select_templates_render(value, attrs):
    plain = forms.Select(choices=CHOICES).render("x", value, attrs=dict(attrs))
    assert QuickSelect(choices=CHOICES).render("x", value, attrs=dict(attrs)) == plain


def test_quick_selects_swaps_only_plain_drop_downs():
    class F(forms.Form):
        a = forms.ChoiceField(choices=[("1", "one"), ("2", "two")])
        b = forms.MultipleChoiceField(choices=[("1", "one")])
        c = forms.CharField()

    form = F({"a": "2"})
    before = str(form["a"])
    quick_selects(form)
    assert type(form.fields["a"].widget) is QuickSelect and str(form["a"]) == before
    assert type(form.fields["b"].widget) is forms.SelectMultiple
    assert type(form.fields["c"].widget) is forms.TextInput
