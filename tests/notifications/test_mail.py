"""OutboxEmail (issue 14): the outbox's message is Django's EmailMultiAlternatives byte for byte, built with
the shared work (sender, header folding, boundary check) done once per process."""

import random
import re

import pytest
from django.core.mail import EmailMultiAlternatives

from notifications.mail import OutboxEmail, _boundary

SENDER = "党建管理系统 <noreply@partybuilding.local>"
CASES = [
    # subject, text, html
    ("关于党费的提醒：3个月未交", "张三同志：\n\n您的党费已有3个月未交。\n", "<p>张三同志：</p><p>党费</p>"),
    ("Plain ASCII subject", "Dear O'Neil & <Sons>,\n\nText.\n", ""),
    ("x" * 200, "a line longer than the limit " * 60 + "\n", "<p>" + "长" * 1200 + "</p>"),
    ("混合 mixed subject, with a comma", "--===============1234==\nnot a boundary\n", "<b>html</b>"),
]


def _bytes(cls, subject, text, html, linesep, sender=SENDER):
    message = cls(subject=subject, body=text, from_email=sender, to=["李四 <li@example.org>"])
    if html:
        message.attach_alternative(html, "text/html")
    return message.message().as_bytes(linesep=linesep)


def _without_date_and_id(data: bytes) -> bytes:
    return re.sub(rb"(Date|Message-ID): [^\r\n]*", b"", data)


@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
@pytest.mark.parametrize(("subject", "text", "html"), CASES)
@pytest.mark.parametrize("sender", [SENDER, "noreply@example.org"])
def test_the_message_is_djangos_byte_for_byte(subject, text, html, linesep, sender):
    for seed in range(
        3
    ):  # the same random boundary (and Message-ID) for both; the first folds, then the memo
        random.seed(seed)
        expected = _bytes(EmailMultiAlternatives, subject, text, html, linesep, sender)
        random.seed(seed)
        got = _bytes(OutboxEmail, subject, text, html, linesep, sender)
        assert _without_date_and_id(got) == _without_date_and_id(expected)


def test_the_message_keeps_its_sender_and_headers_for_the_caller():
    message = OutboxEmail(subject="s", body="b", from_email=SENDER, to=["a@example.org"])
    message.attach_alternative("<p>b</p>", "text/html")
    message.message()
    assert message.from_email == SENDER


def test_a_boundary_found_in_a_text_is_not_used():
    random.seed(1)
    taken = _boundary()
    random.seed(1)
    other = _boundary(f"before\n--{taken}\nafter")
    assert other != taken and other.startswith(taken)
