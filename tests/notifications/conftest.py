import pytest

from tests.factories import UserFactory


@pytest.fixture
def make_user(db):
    def _make(frequency="immediate", **kw):
        return UserFactory(notification_frequency=frequency, **kw)

    return _make


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Run what notify() enqueues on commit (the Celery task runs in process in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
