import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import DutyReport, DutyReportAttachment
from tests.accountability.conftest import YEAR
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def test_submit_on_time_and_late(alice, bob, branch_a1, township_a):
    r1 = services.duty_report_save(organization=branch_a1, year=YEAR, by=alice, title="述职", text="内容")
    services.duty_report_submit(report=r1, by=alice, now=_at(dt.date(YEAR + 1, 1, 15)))
    assert r1.is_submitted and not r1.late
    r2 = services.duty_report_save(organization=township_a, year=YEAR, by=bob, title="述职", text="内容")
    services.duty_report_submit(report=r2, by=bob, now=_at(dt.date(YEAR + 1, 1, 16)))
    assert r2.late
    with pytest.raises(ValidationError):
        services.duty_report_save(organization=branch_a1, year=YEAR, by=alice, title="x", text="y", report=r1)


def test_only_the_organizations_own_secretary_writes(alice, bob, branch_a1):
    with pytest.raises(PermissionDenied):
        services.duty_report_save(organization=branch_a1, year=YEAR, by=bob, title="述职", text="内容")


@pytest.mark.parametrize(
    "name,content",
    [
        ("evil.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf"),
        ("notes.txt", b"\xff\xfe\x00\xd8bad"),
    ],
)
def test_attachment_type_is_checked(alice, branch_a1, name, content):
    report = services.duty_report_save(organization=branch_a1, year=YEAR, by=alice, title="述职", text="内容")
    with pytest.raises(ValidationError):
        services.duty_report_attach(report=report, by=alice, upload=SimpleUploadedFile(name, content))
    assert not DutyReportAttachment.objects.exists()


def test_attachment_size_is_checked(alice, branch_a1, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    report = services.duty_report_save(organization=branch_a1, year=YEAR, by=alice, title="述职", text="内容")
    with pytest.raises(ValidationError, match="10 MB"):
        services.duty_report_attach(
            report=report, by=alice, upload=SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * 20)
        )


def test_views_write_upload_submit(client, alice, branch_a1, bob, django_assert_max_num_queries):
    login(client, alice)
    response = client.post(
        reverse("accountability:duty_report_new"),
        {"organization": branch_a1.pk, "year": YEAR, "title": "2026年度述职报告", "text": "履职情况"},
    )
    report = DutyReport.objects.get()
    assert response.status_code == 302
    upload = SimpleUploadedFile("附件.docx", b"PK\x03\x04 docx")
    client.post(reverse("accountability:duty_attachment_upload", args=[report.pk]), {"file": upload})
    assert report.attachments.get().original_name == "附件.docx"
    # submitting asks first: the button opens a confirmation, a POST without it submits nothing
    detail = client.get(reverse("accountability:duty_report_detail", args=[report.pk])).content.decode()
    submit_url = reverse("accountability:duty_report_submit", args=[report.pk])
    assert f'href="{submit_url}"' in detail
    with django_assert_max_num_queries(15):
        confirm = client.get(submit_url)
    assert confirm.status_code == 200 and "不能修改或撤回" in confirm.content.decode()
    assert client.post(submit_url).status_code == 200
    report.refresh_from_db()
    assert not report.is_submitted
    client.post(submit_url, {"confirm": "1"})
    report.refresh_from_db()
    assert report.is_submitted
    assert client.get(submit_url).status_code == 404  # nothing left to confirm
    # the township sees it and can download the attachment, but cannot edit the village's report
    login(client, bob)
    assert client.get(reverse("accountability:duty_report_detail", args=[report.pk])).status_code == 200
    att = report.attachments.get()
    assert client.get(reverse("accountability:duty_attachment_download", args=[att.pk])).status_code == 200
    assert client.get(reverse("accountability:duty_report_edit", args=[report.pk])).status_code == 404
    response = client.get(reverse("accountability:duty_reports"), {"year": YEAR, "state": "submitted"})
    assert [o.pk for o in response.context["page"]] == [branch_a1.pk]


def test_duplicate_report_message_keeps_input(client, alice, branch_a1):
    services.duty_report_save(organization=branch_a1, year=YEAR, by=alice, title="述职", text="内容")
    login(client, alice)
    response = client.post(
        reverse("accountability:duty_report_new"),
        {"organization": branch_a1.pk, "year": YEAR, "title": "第二份", "text": "内容"},
    )
    assert response.status_code == 200
    assert "第二份" in response.content.decode()
    assert DutyReport.objects.count() == 1
