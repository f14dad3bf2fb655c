"""A real task through a real broker (Redis) to a real worker: the production path of every e-mail."""

import pytest

from notifications.tasks import ping

pytestmark = pytest.mark.services


def test_ping_goes_through_redis_to_a_worker_and_back(celery_app, celery_worker):
    assert "notifications.tasks.ping" in celery_app.tasks
    result = celery_app.tasks["notifications.tasks.ping"].delay(41)
    assert result.get(timeout=20) == 42
    assert result.successful()


def test_the_project_app_is_configured_from_django_settings():
    from config.celery_app import app

    assert app.conf.task_always_eager is True  # tests and the embedded default: no broker, in process
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert "notifications.tasks.send_delivery" in app.tasks
    assert ping.name == "notifications.tasks.ping"
