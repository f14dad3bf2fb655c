import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Delivery, JobRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_user_admin_lists_searches_and_adds(admin_client):
    UserFactory(email="wang@example.com", name="王芳")
    response = admin_client.get(reverse("admin:users_user_changelist"), {"q": "王芳"})
    assert response.status_code == 200 and "wang@example.com" in response.content.decode()
    assert admin_client.get(reverse("admin:users_user_add")).status_code == 200


def test_invitation_action(admin_client, django_capture_on_commit_callbacks):
    user = UserFactory(email="new@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:users_user_changelist"),
            {"action": "send_invitation", "_selected_action": [user.pk]},
        )
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_outbox_and_job_runs_are_read_only_in_admin(admin_client):
    user = UserFactory()
    d = Delivery.objects.create(key="k", kind="t", user=user, subject="s", body_text="x")
    JobRun.objects.create(job="probation_due", as_of="2025-03-03")
    assert (
        admin_client.get(
            reverse("admin:notifications_delivery_changelist"), {"status": "pending"}
        ).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:notifications_delivery_change", args=[d.pk])).status_code == 200
    assert admin_client.get(reverse("admin:notifications_delivery_add")).status_code == 403
    assert admin_client.get(reverse("admin:notifications_jobrun_changelist")).status_code == 200
