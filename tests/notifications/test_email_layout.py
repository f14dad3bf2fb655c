"""Issue 15, e-mails: one layout for every mail (greeting, the site's name, a button to the page, a link to the
preferences), links made absolute once, subjects that differ when the things differ, digests grouped by kind
and organization, and SITE_URL that follows PORT in the embedded dev mode."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from branches.models import PartyGroup
from care import services as care
from education.models import Meeting
from notifications.digests import digests_send
from notifications.jobs import run_job, topic_labels
from notifications.models import Delivery
from notifications.services import Message, notify_many
from tests.education.conftest import full_members, kinds, member
from tests.factories import UserFactory, make_role

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
SITE = settings.SITE_URL.rstrip("/")


def _mail_templates(ext: str) -> list[Path]:
    return [
        p
        for p in ROOT.glob(f"*/templates/*/email/*.{ext}")
        if not p.name.endswith("_subject.txt") and p.parent.parent.name != "notifications"
    ]


@pytest.mark.parametrize("ext", ["html", "txt"])
def test_every_mail_extends_the_one_layout(ext):
    templates = _mail_templates(ext)
    assert len(templates) >= 18
    bare = [
        str(p.relative_to(ROOT))
        for p in templates
        if not p.read_text().startswith(f'{{% extends "notifications/email/base.{ext}" %}}')
    ]
    assert not bare, bare


def test_no_mail_template_puts_the_site_in_front_of_a_link_itself():
    """`link` is absolute already (notifications.services.render_message): {{ site_url }}{{ link }} doubled it."""
    doubled = [
        str(p.relative_to(ROOT))
        for ext in ("html", "txt")
        for p in _mail_templates(ext)
        if "{{ site_url }}{{ link }}" in p.read_text()
    ]
    assert not doubled, doubled


def test_a_care_mail_has_greeting_button_and_preferences(alice, branch_a1):
    patient = member(branch_a1, name="病员甲")
    care.member_record_illness(member=patient, illness="骨折", since=dt.date(2026, 3, 2), by=alice)
    d = Delivery.objects.get(kind="care_visit_planned")
    assert "Alice" in d.body_html and "Alice" in d.body_text  # the greeting
    assert f'href="{SITE}/care/member/{patient.pk}/"' in d.body_html  # the button, absolute
    assert f"{SITE}/notifications/preferences/" in d.body_html
    assert f"{SITE}/care/member/{patient.pk}/" in d.body_text
    assert not re.search(r"https?://[^\s\"]*https?://", d.body_html + d.body_text)
    assert "县域党建管理" in d.body_html and "县域党建管理" in d.body_text  # the site's name


def _two_groups(branch):
    groups = [PartyGroup.objects.create(organization=branch, name=n) for n in ("第一党小组", "第二党小组")]
    for group in groups:
        full_members(branch, 2, party_group=group)
    return groups


def test_party_groups_reminders_have_subjects_of_their_own(alice, branch_a1):
    _two_groups(branch_a1)
    run_job("education_period_reminders", as_of=dt.date(2026, 3, 25))
    subjects = list(
        Delivery.objects.filter(
            user=alice, key__startswith="edu_period_due:", key__contains=":group_meeting:"
        ).values_list("subject", flat=True)
    )
    assert len(subjects) == 2 and len(set(subjects)) == 2, subjects
    assert any("第一党小组" in s for s in subjects) and any("第二党小组" in s for s in subjects)
    assert all("2026年3月党小组会尚未召开" in s for s in subjects), subjects


def test_the_year_review_is_carried_out_not_held(alice, branch_a1):
    full_members(branch_a1, 3)
    run_job("education_period_reminders", as_of=dt.date(2026, 12, 20))
    subject = Delivery.objects.get(user=alice, key__contains=":member_review:").subject
    assert subject == f"{branch_a1.name}：2026年民主评议党员尚未开展"


def test_digest_groups_items_by_kind_then_organization(bob, branch_a1, branch_a2, township_a, send_now):
    staff = UserFactory(notification_frequency="daily", name="Staff")
    make_role(staff, township_a, "township_staff")
    messages = []
    for n, (kind, org) in enumerate(
        [
            ("period_township", branch_a2),
            ("care_visit_escalated", branch_a1),
            ("period_township", branch_a1),
            ("period_township", branch_a2),
        ]
    ):
        messages.append(
            Message(
                user=staff,
                key=f"t:{n}",
                kind=kind,
                template="education/email/minutes_missing",
                context={"meeting": _meeting(org), "kinds": "支委会"},
                url=f"/orgs/{org.pk}/",
                digest_only=True,
                organization_id=org.pk,
            )
        )
    assert notify_many(messages=messages) == 4
    with send_now():
        assert digests_send(frequency="daily", as_of=dt.date(2026, 3, 25)) == 1
    body = mail.outbox[-1].body
    labels = topic_labels()
    meetings, visits = str(labels["period_township"]), str(labels["care_visit_escalated"])
    assert body.index(meetings) < body.index(visits)  # topics in the order they first arrived
    section = body[body.index(meetings) : body.index(visits)]
    assert "(3)" in section
    # within the topic, one heading per organization, each item once under it
    assert section.count(branch_a1.name + "\n") == 1 and section.count(branch_a2.name + "\n") == 1
    assert section.index(branch_a1.name) < section.index(branch_a2.name)  # 甲一 before 甲二
    assert f"{SITE}/orgs/{branch_a2.pk}/" in section
    assert not re.search(r"https?://\S*https?://", body)


def _meeting(org):
    m = Meeting.objects.create(organization=org, date=dt.date(2026, 3, 10), topic="支委会")
    m.kinds.set(kinds("committee_meeting"))
    return m


def test_every_kind_sent_has_a_digest_heading():
    labels = topic_labels()
    for kind in [
        "period_due",
        "period_missed",
        "period_township",
        "minutes_missing",
        "absence_streak",
        "absence_six_months",
        "care_visit_planned",
        "care_visit_due",
        "care_visit_overdue",
        "care_visit_escalated",
        "care_condolence",
        "probation_due",
        "probation_overdue",
        "contract_sign",
        "duty_report",
        "county_escalation",
        "term_ending",
        "follow_up_overdue",
        "officer_weekly",
    ]:
        assert kind in labels, kind


def test_site_url_follows_port_when_not_set():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update(PORT="8101", DJANGO_SETTINGS_MODULE="config.settings.local")
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "http://127.0.0.1:8101"
