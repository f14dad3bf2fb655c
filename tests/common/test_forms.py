"""common.forms: the one Bootstrap mixin, add_service_errors and the date input every app uses."""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from common.forms import BootstrapFormMixin, DateInput, add_service_errors

CHOICES = [("a", "A"), ("b", "B")]


class SampleForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(max_length=10)
    kind = forms.ChoiceField(choices=CHOICES)
    tags = forms.MultipleChoiceField(choices=CHOICES, required=False)
    kinds = forms.MultipleChoiceField(choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    size = forms.ChoiceField(choices=CHOICES, required=False, widget=forms.RadioSelect)
    agree = forms.BooleanField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    score = forms.DecimalField(
        required=False, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"})
    )
    code = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "text-end"}))
    on = forms.DateField(required=False, widget=DateInput())
    token = forms.CharField(required=False, widget=forms.HiddenInput)


def classes(form, name: str) -> list[str]:
    """The class attribute the field's (first) input is rendered with."""
    bound = form[name]
    attrs = bound.build_widget_attrs({}, bound.field.widget)
    return attrs.get("class", "").split()


VALID = {"name": "Li", "kind": "a"}


def test_each_widget_gets_its_bootstrap_class():
    form = SampleForm()
    assert classes(form, "name") == ["form-control"]
    assert classes(form, "notes") == ["form-control"]
    assert classes(form, "on") == ["form-control"]
    assert classes(form, "kind") == ["form-select"]
    assert classes(form, "tags") == ["form-select"]
    assert classes(form, "agree") == ["form-check-input"]
    assert classes(form, "size") == ["form-check-input"]
    assert classes(form, "kinds") == ["btn-check-inline"]  # the education templates' button-like checkboxes


def test_rendered_html_carries_the_class():
    form = SampleForm()
    assert 'class="form-control"' in str(form["name"])
    assert 'class="form-select"' in str(form["kind"])
    assert 'class="form-check-input"' in str(form["agree"])
    options = [str(option.tag()) for option in form["kinds"]]  # as the education template renders them
    assert all('class="btn-check-inline"' in option for option in options)


def test_a_class_the_form_set_is_kept():
    form = SampleForm()
    assert classes(form, "score") == ["form-control", "form-control-sm"]  # not doubled
    assert classes(form, "code") == ["form-control", "text-end"]


def test_hidden_inputs_get_no_class():
    assert 'class="' not in str(SampleForm()["token"])


def test_widgets_are_not_changed_so_forms_do_not_leak_into_each_other():
    form = SampleForm({"name": ""})
    form.is_valid()
    str(form["name"])
    assert "class" not in form.fields["name"].widget.attrs
    assert "is-invalid" not in classes(SampleForm(), "name")


def test_unbound_form_has_no_invalid_marker():
    form = SampleForm()
    assert "is-invalid" not in classes(form, "name")
    assert "is-invalid" not in classes(form, "kind")


def test_invalid_marker_only_on_fields_with_errors():
    form = SampleForm({"name": "x" * 11, "kind": "z", "agree": "on"})
    assert not form.is_valid()
    assert classes(form, "name") == ["form-control", "is-invalid"]
    assert classes(form, "kind") == ["form-select", "is-invalid"]
    assert classes(form, "agree") == ["form-check-input"]
    assert classes(form, "score") == ["form-control", "form-control-sm"]
    assert 'class="form-control is-invalid"' in str(form["name"])


def test_a_valid_bound_form_has_no_invalid_marker():
    form = SampleForm(VALID)
    assert form.is_valid(), form.errors
    assert classes(form, "name") == ["form-control"]


class DynamicForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, extra: int, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(extra):
            self.fields[f"score_{i}"] = forms.IntegerField(max_value=5)


def test_fields_added_after_init_are_styled_and_marked():
    form = DynamicForm({"score_0": "1", "score_1": "9"}, extra=2)
    assert not form.is_valid()
    assert classes(form, "score_0") == ["form-control"]
    assert classes(form, "score_1") == ["form-control", "is-invalid"]


def test_formset_forms_are_styled():
    formset = forms.formset_factory(SampleForm, extra=2)()
    assert all(classes(f, "kind") == ["form-select"] for f in formset.forms)


class ModelishForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField()
    year = forms.IntegerField()


def test_service_error_on_a_named_field_lands_there_and_marks_it():
    form = ModelishForm({"name": "Li", "year": "2026"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"name": ValidationError("Taken.", code="taken")}))
    assert form.errors["name"] == ["Taken."]
    assert form.has_error("name", code="taken")  # the code survives
    assert "name" not in form.cleaned_data
    assert classes(form, "name") == ["form-control", "is-invalid"]
    assert classes(form, "year") == ["form-control"]


def test_service_error_on_a_field_the_form_lacks_goes_to_the_top():
    form = ModelishForm({"name": "Li", "year": "2026"})
    form.is_valid()
    add_service_errors(
        form, ValidationError({"organization": "Not yours.", "year": ["Too late.", "Closed."]})
    )
    assert form.non_field_errors() == ["Not yours."]
    assert form.errors["year"] == ["Too late.", "Closed."]


def test_service_error_without_a_field_goes_to_the_top():
    form = ModelishForm({"name": "Li", "year": "2026"})
    form.is_valid()
    add_service_errors(
        form, ValidationError("%(org)s has a report already.", code="exists", params={"org": "Branch 1"})
    )
    assert form.non_field_errors() == ["Branch 1 has a report already."]
    assert form.has_error("__all__", code="exists")
    add_service_errors(form, ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["Branch 1 has a report already.", "One.", "Two."]


def test_date_input_is_the_browsers_date_picker_with_an_iso_value():
    html = DateInput().render("on", dt.date(2026, 3, 7))
    assert 'type="date"' in html
    assert 'value="2026-03-07"' in html
    assert 'class="x"' in DateInput(attrs={"class": "x"}).render("on", None)


def test_date_input_keeps_the_iso_value_whatever_the_language():
    form = SampleForm(initial={"on": dt.date(2026, 12, 31)})
    with translation.override("zh-hans"):
        assert 'value="2026-12-31"' in str(form["on"])


# -- the blank choice of a drop-down (issue 15: "---------" even with one choice) -----------------------------
class _Choices(BootstrapFormMixin, forms.Form):
    required_many = forms.ChoiceField(choices=[("", "---------"), ("a", "甲"), ("b", "乙")])
    required_one = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")])
    optional = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)
    labelled = forms.ChoiceField(choices=[("", "全部"), ("a", "甲")], required=False)


def _options(form, name):
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', str(form[name]))


def test_a_required_drop_down_asks_to_choose():
    with translation.override("zh-hans"):
        assert _options(_Choices(), "required_many") == [("", "请选择…"), ("a", "甲"), ("b", "乙")]


def test_a_required_drop_down_with_one_choice_has_no_blank():
    assert _options(_Choices(), "required_one") == [("a", "甲")]


def test_an_optional_drop_down_offers_none():
    with translation.override("zh-hans"):
        assert _options(_Choices(), "optional") == [("", "（无）"), ("a", "甲")]


def test_a_blank_the_form_labelled_is_kept():
    assert _options(_Choices(), "labelled") == [("", "全部"), ("a", "甲")]


def test_no_dashes_in_a_model_choice_with_the_same_query_count(
    django_assert_num_queries, branch_a1, township_a
):
    from branches.models import Organization

    class OrgForm(BootstrapFormMixin, forms.Form):
        org = forms.ModelChoiceField(Organization.objects.filter(pk__in=[branch_a1.pk, township_a.pk]))

    form = OrgForm()
    with django_assert_num_queries(1):
        html = str(form["org"])
    assert "---------" not in html and html.count("<option") == 3
