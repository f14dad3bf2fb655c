"""The admin writes no meeting data past the services: a requirement version is added through
`requirement_change` (a backdated one is refused), and meetings, plans and study records are read-only."""

import datetime as dt

import pytest
from django.urls import reverse

from education.models import Meeting, MeetingKind, MeetingPlan, MeetingRequirement, StudyRecord

from .conftest import held

pytestmark = pytest.mark.django_db


def _latest(kind):
    return kind.requirements.order_by("-effective_from").first()


def _change_form_data(response):
    """What the change page's forms would post back unchanged (the kind, its inlines' management data)."""
    form = response.context["adminform"].form
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for f in formset.initial_forms:
            data[f"{f.prefix}-id"] = f.instance.pk
            data[f"{f.prefix}-{formset.fk.name}"] = formset.instance.pk
    return {k: v for k, v in data.items() if v is not None}


def test_requirement_inline_cannot_add_a_backdated_version(admin_client):
    kind = MeetingKind.objects.get(code="themed_day")
    latest = _latest(kind)
    url = reverse("admin:education_meetingkind_change", args=[kind.pk])
    data = _change_form_data(admin_client.get(url))
    n = int(data["requirements-TOTAL_FORMS"])
    data["requirements-TOTAL_FORMS"] = n + 1
    data.update(
        {
            f"requirements-{n}-kind": kind.pk,
            f"requirements-{n}-effective_from": (latest.effective_from - dt.timedelta(days=30)).isoformat(),
            f"requirements-{n}-period": "month",
            f"requirements-{n}-minimum": 3,
            f"requirements-{n}-applies_to": "all",
        }
    )
    admin_client.post(url, data)
    assert _latest(kind) == latest
    assert not kind.requirements.filter(minimum=3).exists()


def test_requirement_admin_refuses_a_backdated_version_as_a_form_error(admin_client):
    kind = MeetingKind.objects.get(code="themed_day")
    latest = _latest(kind)
    backdated = latest.effective_from - dt.timedelta(days=30)
    fields = {"kind": kind.pk, "period": "month", "minimum": 3, "applies_to": "all", "note": "更严"}
    r = admin_client.post(
        reverse("admin:education_meetingrequirement_add"), {**fields, "effective_from": backdated.isoformat()}
    )
    assert r.status_code == 200
    assert "effective_from" in r.context["adminform"].form.errors
    assert not kind.requirements.filter(minimum=3).exists()


def test_requirement_admin_adds_a_version_through_the_service(admin_client, admin_user):
    kind = MeetingKind.objects.get(code="themed_day")
    later = _latest(kind).effective_from + dt.timedelta(days=31)
    r = admin_client.post(
        reverse("admin:education_meetingrequirement_add"),
        {"kind": kind.pk, "period": "month", "minimum": 3, "applies_to": "all", "effective_from": later},
    )
    assert r.status_code == 302
    added = _latest(kind)
    assert (added.effective_from, added.minimum, added.created_by) == (later, 3, admin_user)


@pytest.mark.parametrize("model", [Meeting, MeetingPlan, StudyRecord, MeetingRequirement])
def test_meeting_data_cannot_be_changed_in_the_admin(admin_client, model, branch_a1, today):
    held(branch_a1, today, "themed_day")
    obj = model.objects.first()
    opts = model._meta
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = admin_client.get(change)
        assert page.status_code == 200 and not page.context["has_change_permission"]
        assert not page.context["has_delete_permission"]
    if model is not MeetingRequirement:
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert admin_client.get(add).status_code == 403
