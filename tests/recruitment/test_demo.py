"""recruitment.demo: people at every stage, every step recorded through the services."""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from recruitment import demo
from recruitment.jobs import recruitment_reminders
from recruitment.models import Candidate, Stage
from recruitment.selectors import report_rows

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_stage_and_resets(monkeypatch):
    monkeypatch.setattr("demo.services._app_demo_modules", lambda: iter(()))
    today = timezone.localdate()
    call_command("seed_demo", "--seed", "7", "--as-of", today.isoformat(), stdout=StringIO())
    demo.seed(rng=random.Random("7:recruitment"), as_of=today, scale="demo")
    stages = {row[3] for row in report_rows(as_of=today)}
    assert stages == set(Stage.values)
    assert Candidate.objects.filter(member__isnull=False).exists()
    assert recruitment_reminders(today) > 0
    demo.reset()
    assert not Candidate.objects.exists()
