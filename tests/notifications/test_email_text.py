"""E-mail text is escaped once, where HTML is (issue 13, 14): the subject and the plain text show a name as
typed, the HTML body escapes it, the inbox page escapes the stored subject once; links carry the site URL once
(15)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail

from notifications.digests import digests_send
from notifications.models import Delivery
from notifications.services import absolute_url, notify, relative_url, render_message
from tests.conftest import login

NAME = "O'Neil & <Sons>"
ORG = 'Branch "A" & B'


def _probation_context():
    return {
        "member": SimpleNamespace(name=NAME, admitted_on=dt.date(2025, 3, 1)),
        "organization": SimpleNamespace(name=ORG),
        "due_on": dt.date(2026, 3, 1),
        "days_left": 5,
        "link": "/members/1/",
    }


def test_subject_and_text_show_names_as_typed_and_html_escapes_them(settings):
    settings.SITE_URL = "https://pb.example.org"
    rendered = render_message(
        template="members/email/probation_due", context=_probation_context(), language="en"
    )
    assert NAME in rendered.subject
    assert NAME in rendered.text and ORG in rendered.text
    for escaped in ("&amp;", "&#x27;", "&lt;", "&quot;"):
        assert escaped not in rendered.subject
        assert escaped not in rendered.text
    assert "O&#x27;Neil &amp; &lt;Sons&gt;" in rendered.html
    assert "<Sons>" not in rendered.html
    assert "https://pb.example.org/members/1/" in rendered.text  # a path given as link made absolute once


def test_greeting_with_the_users_name_is_not_escaped_in_text(make_user):
    user = make_user("immediate", name=NAME)
    delivery = notify(
        user=user, key="t:esc", kind="test", template="users/email/invite", context={"link": "http://x/"}
    )
    assert NAME in delivery.body_text
    assert "&amp;" not in delivery.body_text
    assert "O&#x27;Neil &amp; &lt;Sons&gt;" in delivery.body_html


def test_inbox_escapes_the_subject_once(client, alice):
    delivery = notify(
        user=alice,
        key="t:inbox",
        kind="test",
        template="members/email/probation_due",
        context=_probation_context(),
    )
    assert NAME in delivery.subject
    content = login(client, alice).get("/notifications/").content.decode()
    assert "O&#x27;Neil &amp; &lt;Sons&gt;" in content
    assert "&amp;lt;" not in content and "&amp;amp;" not in content


def test_digest_text_shows_item_subjects_as_typed(make_user, send_now):
    user = make_user("daily")
    notify(
        user=user,
        key="t:d",
        kind="test",
        template="members/email/probation_due",
        context=_probation_context(),
    )
    with send_now():
        assert digests_send(frequency="daily", as_of=dt.date(2026, 2, 24)) == 1
    assert NAME in mail.outbox[0].body
    assert "&amp;" not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("/members/1/", "/members/1/"),
        ("https://pb.example.org/members/1/", "/members/1/"),
        ("https://elsewhere.example/x", "https://elsewhere.example/x"),
        ("", ""),
    ],
)
def test_the_outbox_stores_links_on_this_site_as_paths(settings, url, stored):
    settings.SITE_URL = "https://pb.example.org/"
    assert relative_url(url) == stored
    assert absolute_url(stored) == ("https://pb.example.org" + stored if stored.startswith("/") else stored)


def test_digest_links_carry_the_site_url_once_whatever_the_job_stored(settings, make_user, send_now):
    settings.SITE_URL = "https://pb.example.org"
    user = make_user("daily")
    for n, url in enumerate(["/members/1/", "https://pb.example.org/members/2/"]):
        notify(
            user=user,
            key=f"t:link:{n}",
            kind="test",
            template="members/email/probation_due",
            context=_probation_context(),
            url=url,
        )
    assert set(Delivery.objects.values_list("url", flat=True)) == {"/members/1/", "/members/2/"}
    with send_now():
        digests_send(frequency="daily", as_of=dt.date(2026, 2, 24))
    body = mail.outbox[0].body
    assert "https://pb.example.org/members/1/" in body
    assert "https://pb.example.org/members/2/" in body
    assert body.count("https://pb.example.orghttps") == 0 and "org/https:" not in body
    html = mail.outbox[0].alternatives[0][0]
    assert 'href="https://pb.example.org/members/2/"' in html
