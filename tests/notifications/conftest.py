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


# Celery's pytest fixtures (celery_app, celery_worker, ...). `pytest_plugins` is only allowed in the rootdir
# conftest, so the fixtures are imported here instead: importing a fixture into a conftest registers it.
from celery.contrib.pytest import (  # noqa: E402, F401
    celery_app,
    celery_class_tasks,
    celery_enable_logging,
    celery_includes,
    celery_parameters,
    celery_worker,
    celery_worker_parameters,
    celery_worker_pool,
    use_celery_app_trap,
)


@pytest.fixture
def celery_config():
    """A real broker: CELERY_BROKER_URL (CI points it at Redis), else a local Redis on a spare database.
    Skips on a bare machine, fails under CI=true (tests.conftest.require_service)."""
    import os

    from tests.conftest import require_service

    broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
    require_service("Redis", broker)
    return {
        "broker_url": broker,
        "result_backend": os.environ.get("CELERY_RESULT_BACKEND") or broker,
        "task_always_eager": False,
        "broker_connection_retry_on_startup": False,
    }
